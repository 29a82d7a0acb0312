// RUN: tick-opt %s --tick-gpu-column-reductions --canonicalize --cse | FileCheck %s

// CHECK-DAG:     #[[ZERO:map[0-9]*]] = affine_map<(d0) -> ()>
// CHECK-DAG:     #[[P0:map[0-9]*]] = affine_map<(d0) -> (0, d0)>
// CHECK-DAG:     #[[P7:map[0-9]*]] = affine_map<(d0) -> (7, d0)>
// CHECK-DAG:     #[[ALL:map[0-9]*]] = affine_map<(d0) -> (d0)>

// A bias gradient of 64 features at batch 1024 makes 2 blocks of 32
// columns: too few, each thread summing 32 rows. The rows split into 8
// chunks of 128 (4 rows for each thread of a block's 32 slices), 16
// blocks: block (c, z) reduces chunk z into P[z], and an elementwise op
// after the kernel adds the bias's zeros and P[0], ..., P[7] in that order
// (the zero fill read as a constant: it goes).

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
// CHECK:         }
// CHECK:         linalg.generic {indexing_maps = [#[[ZERO]], #[[P0]], {{.*}}, #[[P7]], #[[ALL]]], iterator_types = ["parallel"]} ins(%cst, %[[P]], %[[P]], %[[P]], %[[P]], %[[P]], %[[P]], %[[P]], %[[P]] : f32, {{.*}}) outs(%arg1 : memref<64xf32>)
// CHECK-NEXT:    ^bb0(%[[INIT:[a-z0-9_]+]]: f32, %[[Z0:[a-z0-9_]+]]: f32, %[[Z1:[a-z0-9_]+]]: f32,
// CHECK-NEXT:      %[[S0:.*]] = arith.addf %[[INIT]], %[[Z0]]
// CHECK-NEXT:      %[[S1:.*]] = arith.addf %[[S0]], %[[Z1]]
// CHECK-COUNT-6:   arith.addf
// CHECK-NEXT:      linalg.yield
// CHECK:         memref.dealloc %[[P]]
// CHECK-NOT:     linalg.generic
// CHECK-NOT:     gpu.launch
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
