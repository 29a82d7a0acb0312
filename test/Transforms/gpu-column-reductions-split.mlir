// RUN: tick-opt %s --tick-gpu-column-reductions --canonicalize --cse | FileCheck %s

// A bias gradient of 64 features at batch 1024 makes 2 blocks of 32
// columns: too few, each thread summing 32 rows. The rows split into 8
// chunks of 128 (4 rows for each thread of a block's 32 slices), 16
// blocks: block (c, z) reduces chunk z into P[z], and a second kernel adds
// the bias's zeros and P[0], ..., P[7] (8 slices of 32 lanes, 2 blocks).

#rows = affine_map<(d0, d1) -> (d1, d0)>
#col = affine_map<(d0, d1) -> (d0)>
#all = affine_map<(d0) -> (d0)>
#none = affine_map<(d0) -> ()>
// CHECK-LABEL: func.func @bias_gradient
// CHECK:         %[[P:.*]] = memref.alloc() : memref<8x64xf32>
// CHECK:         gpu.launch blocks(%{{.*}}, %[[Z:.*]], %{{.*}}) in (%{{.*}} = %c2, %{{.*}} = %c8, %{{.*}} = %c1) threads(%[[T:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %c1024,
// CHECK:           %[[BEGIN:.*]] = arith.muli %[[Z]], %c128
// CHECK:           %[[FIRST:.*]] = arith.addi %[[BEGIN]], %{{.*}}
// CHECK:           %[[CHUNK_END:.*]] = arith.addi %[[BEGIN]], %c128
// CHECK:           %[[END:.*]] = arith.minui %[[CHUNK_END]], %c1024
// CHECK:           scf.for %{{.*}} = %[[FIRST]] to %[[END]] step %c32
// CHECK-COUNT-5:   gpu.barrier
// CHECK:           scf.if
// CHECK:             memref.store %{{.*}}, %[[P]][%[[Z]], %{{.*}}]
// CHECK-NOT:         %arg1
// CHECK:         gpu.launch blocks(%{{.*}}, %{{.*}}, %{{.*}}) in (%{{.*}} = %c2, %{{.*}} = %c1, %{{.*}} = %c1) threads(%{{.*}}, %{{.*}}, %{{.*}}) in (%{{.*}} = %c256,
// CHECK:           memref.load %[[P]]
// CHECK-COUNT-3:   gpu.barrier
// CHECK:           scf.if
// CHECK:             memref.store %{{.*}}, %arg1[
// CHECK:         memref.dealloc %[[P]]
// CHECK-NOT:     linalg.generic
func.func @bias_gradient(%dy: memref<1024x64xf32>, %grad: memref<64xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.generic {indexing_maps = [#none, #all], iterator_types = ["parallel"]}
      ins(%zero : f32) outs(%grad : memref<64xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  }
  linalg.generic {indexing_maps = [#rows, #col], iterator_types = ["parallel", "reduction"]}
      ins(%dy : memref<1024x64xf32>) outs(%grad : memref<64xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %s = arith.addf %acc, %v : f32
    linalg.yield %s : f32
  }
  return
}
