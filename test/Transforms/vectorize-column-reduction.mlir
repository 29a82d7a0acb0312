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
