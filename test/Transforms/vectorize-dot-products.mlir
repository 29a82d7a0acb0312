// RUN: tick-opt %s --tick-vectorize=vector-width=16 --canonicalize | FileCheck %s
// RUN: tick-opt %s --tick-vectorize=vector-width=8 --canonicalize | FileCheck %s --check-prefix=AVX2

// y = x wᵀ with w read as stored ([out, in]): 4 x 4 output blocks, each
// element a 16-lane accumulator advanced 16 reduction steps per iteration
// (4 rows of x, 4 rows of w, 16 FMAs). After the loop, 15 shuffle pairs
// and adds turn the 16 accumulators into one vector of 16 sums, which is
// added to the block of the output. (12 rows are no whole number of
// vectors; blocks of whole vectors transpose x instead: see
// vectorize-transposed-rows.mlir.)
// CHECK-LABEL: func.func @linear
// CHECK:         scf.for %{{.*}} = %c0 to %c32 step %c4
// CHECK:           scf.for %{{.*}} = %c0 to %c12 step %c4
// CHECK:             %[[ACC:.*]]:16 = scf.for %[[K:.*]] = %c0 to %c64 step %c16 iter_args
// CHECK-COUNT-4:       vector.transfer_read %arg0[%{{.*}}, %[[K]]], %{{.*}} : tensor<12x64xf32>, vector<16xf32>
// CHECK-COUNT-4:       vector.transfer_read %arg1[%{{.*}}, %[[K]]], %{{.*}} : tensor<32x64xf32>, vector<16xf32>
// CHECK-COUNT-16:      vector.fma {{.*}} : vector<16xf32>
// CHECK:               scf.yield
// CHECK-COUNT-30:    vector.shuffle
// CHECK:             %[[SUMS:.*]] = vector.shape_cast %{{.*}} : vector<16xf32> to vector<4x4xf32>
// CHECK:             %[[OLD:.*]] = vector.transfer_read %{{.*}} : tensor<12x32xf32>, vector<4x4xf32>
// CHECK:             %[[NEW:.*]] = arith.addf %[[OLD]], %[[SUMS]] : vector<4x4xf32>
// CHECK:             vector.transfer_write %[[NEW]]
// CHECK-NOT:     linalg.
// AVX2 (8 lanes, 16 registers): 2 x 4 blocks, 8 accumulators.
// AVX2:          scf.for %{{.*}} = %c0 to %c12 step %c2
// AVX2:            scf.for %{{.*}} = %c0 to %c64 step %c8 iter_args
// AVX2-COUNT-8:      vector.fma {{.*}} : vector<8xf32>
// AVX2:          vector.shape_cast %{{.*}} : vector<8xf32> to vector<2x4xf32>
#ik = affine_map<(d0, d1, d2) -> (d0, d2)>
#jk = affine_map<(d0, d1, d2) -> (d1, d2)>
#ij = affine_map<(d0, d1, d2) -> (d0, d1)>
func.func @linear(%x: tensor<12x64xf32>, %w: tensor<32x64xf32>, %init: tensor<12x32xf32>) -> tensor<12x32xf32> {
  %y = linalg.generic {indexing_maps = [#ik, #jk, #ij], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x, %w : tensor<12x64xf32>, tensor<32x64xf32>) outs(%init : tensor<12x32xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %c, %p : f32
    linalg.yield %s : f32
  } -> tensor<12x32xf32>
  return %y : tensor<12x32xf32>
}
