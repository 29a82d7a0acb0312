// RUN: tick-opt %s --tick-tile-parallel=rows=8 | FileCheck %s

// An optimizer step updates w in place from its gradient xᵀ dy: the
// gradient's rows are computed in the step's own blocks (a block of 8 rows
// of w, still in cache when the step reads them) rather than in a loop of
// their own whose result makes a trip through memory.
// CHECK-LABEL: func.func @step
// CHECK:         scf.forall (%[[I:.*]]) = (0) to (16) step (8) shared_outs(%[[W:.*]] = %arg0)
// CHECK:           linalg.fill
// CHECK:           %[[G:.*]] = linalg.matmul
// CHECK:           %[[ROWS:.*]] = tensor.extract_slice %[[W]][%[[I]], 0] [8, 32] [1, 1]
// CHECK:           linalg.generic {{.*}} ins(%[[G]] : tensor<8x32xf32>) outs(%[[ROWS]] : tensor<8x32xf32>)
// CHECK:           scf.forall.in_parallel
// CHECK-NOT:     linalg.
// CHECK:         return

// Here the gradient also reads v (through a reshape), which another step
// updates in place first: computed in the second step's blocks it would
// read the new v. It keeps a loop of its own, before both steps.
// CHECK-LABEL: func.func @reads_updated
// CHECK:         %[[G:.*]] = scf.forall
// CHECK:           arith.mulf
// CHECK:         scf.forall {{.*}} shared_outs(%{{.*}} = %arg1)
// CHECK:         scf.forall {{.*}} shared_outs(%{{.*}} = %arg0)
// CHECK:           tensor.extract_slice %[[G]]
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @step(%w: tensor<16x32xf32>, %x: tensor<4x32xf32>, %dy: tensor<4x16xf32>) -> tensor<16x32xf32> {
  %zero = arith.constant 0.0 : f32
  %lr = arith.constant 0.01 : f32
  %t0 = tensor.empty() : tensor<16x4xf32>
  %dyt = linalg.transpose ins(%dy : tensor<4x16xf32>) outs(%t0 : tensor<16x4xf32>) permutation = [1, 0]
  %g0 = tensor.empty() : tensor<16x32xf32>
  %gz = linalg.fill ins(%zero : f32) outs(%g0 : tensor<16x32xf32>) -> tensor<16x32xf32>
  %g = linalg.matmul ins(%dyt, %x : tensor<16x4xf32>, tensor<4x32xf32>) outs(%gz : tensor<16x32xf32>) -> tensor<16x32xf32>
  %new = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%g : tensor<16x32xf32>) outs(%w : tensor<16x32xf32>) {
  ^bb0(%gi: f32, %wi: f32):
    %d = arith.mulf %gi, %lr : f32
    %n = arith.subf %wi, %d : f32
    linalg.yield %n : f32
  } -> tensor<16x32xf32>
  return %new : tensor<16x32xf32>
}

func.func @reads_updated(%w: tensor<16x32xf32>, %v: tensor<16x32xf32>, %dw: tensor<16x32xf32>) -> (tensor<16x32xf32>, tensor<16x32xf32>) {
  %lr = arith.constant 0.01 : f32
  %g0 = tensor.empty() : tensor<16x32xf32>
  %flat = tensor.collapse_shape %v [[0, 1]] : tensor<16x32xf32> into tensor<512xf32>
  %vv = tensor.expand_shape %flat [[0, 1]] output_shape [16, 32] : tensor<512xf32> into tensor<16x32xf32>
  %g = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]} ins(%dw, %vv : tensor<16x32xf32>, tensor<16x32xf32>) outs(%g0 : tensor<16x32xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %p = arith.mulf %a, %b : f32
    linalg.yield %p : f32
  } -> tensor<16x32xf32>
  %newv = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%dw : tensor<16x32xf32>) outs(%v : tensor<16x32xf32>) {
  ^bb0(%a: f32, %vi: f32):
    %n = arith.subf %vi, %a : f32
    linalg.yield %n : f32
  } -> tensor<16x32xf32>
  %neww = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%g : tensor<16x32xf32>) outs(%w : tensor<16x32xf32>) {
  ^bb0(%gi: f32, %wi: f32):
    %d = arith.mulf %gi, %lr : f32
    %n = arith.subf %wi, %d : f32
    linalg.yield %n : f32
  } -> tensor<16x32xf32>
  return %neww, %newv : tensor<16x32xf32>, tensor<16x32xf32>
}

// A LayerNorm's weight and bias gradients are one reduction with two
// results, each read by its own step. Fused into both steps' blocks it was
// computed twice (each result's readers looked fine on their own): it gets
// a loop of its own, computed once, and both steps read its results.
// CHECK-LABEL: func.func @two_results
// CHECK:         %[[G:.*]]:2 = scf.forall
// CHECK-COUNT-2:   arith.addf
// CHECK:         scf.forall {{.*}} shared_outs(%{{.*}} = %arg1)
// CHECK:           tensor.extract_slice %[[G]]#0
// CHECK:         scf.forall {{.*}} shared_outs(%{{.*}} = %arg2)
// CHECK:           tensor.extract_slice %[[G]]#1
// CHECK-NOT:       arith.addf
// CHECK:         return
#t = affine_map<(d0, d1) -> (d1, d0)>
#c = affine_map<(d0, d1) -> (d0)>
#e = affine_map<(d0) -> (d0)>
func.func @two_results(%dy: tensor<8x32xf32>, %w: tensor<32xf32>, %b: tensor<32xf32>) -> (tensor<32xf32>, tensor<32xf32>) {
  %zero = arith.constant 0.0 : f32
  %lr = arith.constant 0.01 : f32
  %e = tensor.empty() : tensor<32xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<32xf32>) -> tensor<32xf32>
  %g:2 = linalg.generic {indexing_maps = [#t, #c, #c], iterator_types = ["parallel", "reduction"]} ins(%dy : tensor<8x32xf32>) outs(%z, %z : tensor<32xf32>, tensor<32xf32>) {
  ^bb0(%d: f32, %sq: f32, %s: f32):
    %p = arith.mulf %d, %d : f32
    %a = arith.addf %sq, %p : f32
    %c = arith.addf %s, %d : f32
    linalg.yield %a, %c : f32, f32
  } -> (tensor<32xf32>, tensor<32xf32>)
  %w2 = linalg.generic {indexing_maps = [#e, #e], iterator_types = ["parallel"]} ins(%g#0 : tensor<32xf32>) outs(%w : tensor<32xf32>) {
  ^bb0(%gw: f32, %old: f32):
    %u = arith.mulf %gw, %lr : f32
    %n = arith.subf %old, %u : f32
    linalg.yield %n : f32
  } -> tensor<32xf32>
  %b2 = linalg.generic {indexing_maps = [#e, #e], iterator_types = ["parallel"]} ins(%g#1 : tensor<32xf32>) outs(%b : tensor<32xf32>) {
  ^bb0(%gb: f32, %old: f32):
    %u = arith.mulf %gb, %lr : f32
    %n = arith.subf %old, %u : f32
    linalg.yield %n : f32
  } -> tensor<32xf32>
  return %w2, %b2 : tensor<32xf32>, tensor<32xf32>
}
