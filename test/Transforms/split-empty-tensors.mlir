// RUN: tick-opt %s --tick-split-empty-tensors | FileCheck %s
// RUN: tick-opt %s --tick-split-empty-tensors --one-shot-bufferize="bufferize-function-boundaries" | FileCheck %s --check-prefix=BUFFERS

// One tensor.empty, the init of two ops: after the pass each op has an
// empty tensor of its own, made just before it. Bufferized, the second
// op's result no longer goes into the first one's buffer (dead once the
// second op has read it, so one-shot bufferization reuses it without the
// pass): two allocations.

// CHECK-LABEL: func.func @shared_init
// CHECK:         %[[E0:.*]] = tensor.empty() : tensor<4x8xf32>
// CHECK-NEXT:    %[[A:.*]] = linalg.generic {{.*}} outs(%[[E0]] : tensor<4x8xf32>)
// CHECK:         %[[E1:.*]] = tensor.empty() : tensor<4x8xf32>
// CHECK-NEXT:    %[[B:.*]] = linalg.generic {{.*}} ins(%[[A]] : tensor<4x8xf32>) outs(%[[E1]] : tensor<4x8xf32>)
// CHECK-NOT:     tensor.empty
// BUFFERS-LABEL: func.func @shared_init
// BUFFERS-COUNT-2: memref.alloc()
// BUFFERS-NOT:     memref.alloc()
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @shared_init(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %e = tensor.empty() : tensor<4x8xf32>
  %a = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %d = arith.addf %in, %in : f32
    linalg.yield %d : f32
  } -> tensor<4x8xf32>
  %b = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%a : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.mulf %in, %in : f32
    linalg.yield %m : f32
  } -> tensor<4x8xf32>
  return %b : tensor<4x8xf32>
}
