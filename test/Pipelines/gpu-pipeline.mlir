// RUN: tick-opt %s '--tick-gpu-pipeline=format=isa block-size=64' | FileCheck %s

// ReLU(x + bias) on a batch: the add and the max fuse into one generic,
// which runs as one kernel of 64-thread blocks over the 8 x 100 elements
// (13 blocks); the host function creates a stream, allocates nothing (the
// result is an out-parameter), launches and waits.

// CHECK-LABEL: llvm.func @relu_bias(
// CHECK-DAG:     %[[C64:.*]] = llvm.mlir.constant(64 : index) : i64
// CHECK-DAG:     %[[C13:.*]] = llvm.mlir.constant(13 : index) : i64
// CHECK-NOT:     mgpuMemAlloc
// CHECK:         %[[STREAM:.*]] = llvm.call @mgpuStreamCreate()
// CHECK-NEXT:    gpu.launch_func <%[[STREAM]] : !llvm.ptr> @tick_kernels::@relu_bias_kernel blocks in (%[[C13]], %{{.*}}, %{{.*}}) threads in (%[[C64]], %{{.*}}, %{{.*}})
// CHECK-NEXT:    llvm.call @mgpuStreamSynchronize(%[[STREAM]])
// CHECK-NEXT:    llvm.call @mgpuStreamDestroy(%[[STREAM]])
// CHECK-NEXT:    llvm.return
// CHECK:       gpu.binary @tick_kernels  [#gpu.object<#nvvm.target<O = 3, chip = "sm_90">
// CHECK-SAME:    .target sm_90
// CHECK-SAME:    .visible .entry relu_bias_kernel(
// CHECK-SAME:    max.NaN.f32
#row = affine_map<(d0, d1) -> (d0, d1)>
#bias = affine_map<(d0, d1) -> (d1)>
func.func @relu_bias(%x: tensor<8x100xf32>, %b: tensor<100xf32>) -> tensor<8x100xf32> {
  %zero = arith.constant 0.0 : f32
  %init = tensor.empty() : tensor<8x100xf32>
  %sum = linalg.generic {indexing_maps = [#row, #bias, #row], iterator_types = ["parallel", "parallel"]}
      ins(%x, %b : tensor<8x100xf32>, tensor<100xf32>) outs(%init : tensor<8x100xf32>) {
  ^bb0(%a: f32, %c: f32, %o: f32):
    %s = arith.addf %a, %c : f32
    linalg.yield %s : f32
  } -> tensor<8x100xf32>
  %relu = linalg.generic {indexing_maps = [#row, #row], iterator_types = ["parallel", "parallel"]}
      ins(%sum : tensor<8x100xf32>) outs(%init : tensor<8x100xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.maximumf %a, %zero : f32
    linalg.yield %m : f32
  } -> tensor<8x100xf32>
  return %relu : tensor<8x100xf32>
}
