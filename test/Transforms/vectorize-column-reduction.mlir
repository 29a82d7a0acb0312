// RUN: tick-opt %s --tick-vectorize=vector-width=16 --canonicalize | FileCheck %s

// A bias gradient (the sum over the batch of each column) reads rows of 16
// contiguous columns (a 16x1 read of a transposed map: lowered to one
// contiguous load) and adds them into a vector accumulator, one batch row
// per step; no strided column reads (vector<64x1xf32>).
// CHECK-LABEL: func.func @bias_grad
// CHECK:         scf.for %[[J:.*]] = %c0 to %c32 step %c16
// CHECK:           scf.for %[[I:.*]] = %c0 to %c64 step %c1
// CHECK:             vector.transfer_read %arg0[%[[I]], %[[J]]]{{.*}} : tensor<64x32xf32>, vector<16x1xf32>
// CHECK:             arith.addf %{{.*}} : vector<16xf32>
// CHECK-NOT:     vector<64x1xf32>
// CHECK-NOT:     linalg.
func.func @bias_grad(%dy: tensor<64x32xf32>) -> tensor<32xf32> {
  %zero = arith.constant 0.0 : f32
  %init = tensor.empty() : tensor<32xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%init : tensor<32xf32>) -> tensor<32xf32>
  %sum = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d1, d0)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%dy : tensor<64x32xf32>) outs(%acc : tensor<32xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = arith.addf %in, %out : f32
    linalg.yield %0 : f32
  } -> tensor<32xf32>
  return %sum : tensor<32xf32>
}

// A LayerNorm weight's gradient, the sum over the batch of dy * xhat with
// xhat = (x - mean[row]) * rstd[row] recomputed: the row's statistics are
// broadcast, and the product is one FMA into the accumulator per row, all
// on vector<16xf32>. (As vector<16x1xf32> ops, LLVM lowered them one
// column at a time: a scalar subtract and two multiplies per element.)
// CHECK-LABEL: func.func @ln_weight_grad
// CHECK:         scf.for %[[J:.*]] = %c0 to %c64 step %c16
// CHECK:           scf.for %[[I:.*]] = %c0 to %c32 step %c1
// CHECK:             arith.subf %{{.*}} : vector<16xf32>
// CHECK:             arith.mulf %{{.*}} : vector<16xf32>
// CHECK:             vector.fma %{{.*}} : vector<16xf32>
// CHECK-NOT:     vector.contract
// CHECK-NOT:     arith.{{.*}} : vector<16x1xf32>
func.func @ln_weight_grad(%dy: tensor<32x64xf32>, %x: tensor<32x64xf32>, %mean: tensor<32xf32>, %rstd: tensor<32xf32>, %init: tensor<64xf32>) -> tensor<64xf32> {
  %g = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d1, d0)>, affine_map<(d0, d1) -> (d1, d0)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%dy, %x, %mean, %rstd : tensor<32x64xf32>, tensor<32x64xf32>, tensor<32xf32>, tensor<32xf32>) outs(%init : tensor<64xf32>) {
  ^bb0(%a: f32, %b: f32, %m: f32, %s: f32, %acc: f32):
    %d = arith.subf %b, %m : f32
    %n = arith.mulf %d, %s : f32
    %p = arith.mulf %a, %n : f32
    %r = arith.addf %acc, %p : f32
    linalg.yield %r : f32
  } -> tensor<64xf32>
  return %g : tensor<64xf32>
}
