// RUN: tick-opt %s --tick-vectorize=vector-width=16 --canonicalize | FileCheck %s
// RUN: tick-opt %s --tick-vectorize=vector-width=8 --canonicalize | FileCheck %s --check-prefix=AVX2

// y = y0 + x wᵀ where x is a block of whole vectors of rows (a parallel
// block of 16 or 32 rows of a Linear layer's forward): x and y0 are
// transposed in 16 x 16 squares, yᵀ = y0ᵀ + w xᵀ is an ordinary matmul
// (8 rows of w broadcast against a vector row of xᵀ, one FMA per
// accumulator row), and the result is transposed back into y. No
// dot-product accumulators, no shuffles.
// CHECK-LABEL: func.func @sixteen_rows
// CHECK:         %[[XT:.*]] = scf.for {{.*}} -> (tensor<64x16xf32>)
// CHECK:           vector.transfer_read %arg0{{.*}} permutation_map = #[[T:.*]]} : tensor<16x64xf32>, vector<16x16xf32>
// CHECK:         %[[YT:.*]] = scf.for {{.*}} -> (tensor<32x16xf32>)
// CHECK:           vector.transfer_read %arg2{{.*}} permutation_map = #[[T]]} : tensor<16x32xf32>, vector<16x16xf32>
// CHECK:         %[[PRODUCT:.*]] = scf.for %[[N:.*]] = %c0 to %c32 step %c8 iter_args(%{{.*}} = %[[YT]])
// CHECK:           scf.for %[[K:.*]] = %c0 to %c64 step %c1
// CHECK:             vector.transfer_read %arg1[%[[N]], %[[K]]]{{.*}} : tensor<32x64xf32>, vector<8x1xf32>
// CHECK:             vector.transfer_read %[[XT]][%[[K]], %c0]{{.*}} : tensor<64x16xf32>, vector<1x16xf32>
// CHECK:             vector.contract {{.*}} : vector<8x1xf32>, vector<1x16xf32> into vector<8x16xf32>
// CHECK:         scf.for {{.*}} iter_args(%{{.*}} = %arg2) -> (tensor<16x32xf32>)
// CHECK:           vector.transfer_read %[[PRODUCT]]{{.*}} permutation_map = #[[T]]} : tensor<32x16xf32>, vector<16x16xf32>
// CHECK-NOT:     vector.shuffle
// CHECK-NOT:     vector.fma
// CHECK-NOT:     linalg.
// AVX2 (8 lanes, 16 registers) keeps the dot products: its 8 x 8 blocks
// would load a broadcast per FMA.
// AVX2-LABEL:  func.func @sixteen_rows
// AVX2-NOT:      vector.contract
// AVX2-COUNT-8:  vector.fma {{.*}} : vector<8xf32>
#ik = affine_map<(d0, d1, d2) -> (d0, d2)>
#jk = affine_map<(d0, d1, d2) -> (d1, d2)>
#ij = affine_map<(d0, d1, d2) -> (d0, d1)>
func.func @sixteen_rows(%x: tensor<16x64xf32>, %w: tensor<32x64xf32>, %init: tensor<16x32xf32>) -> tensor<16x32xf32> {
  %y = linalg.generic {indexing_maps = [#ik, #jk, #ij], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x, %w : tensor<16x64xf32>, tensor<32x64xf32>) outs(%init : tensor<16x32xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %c, %p : f32
    linalg.yield %s : f32
  } -> tensor<16x32xf32>
  return %y : tensor<16x32xf32>
}

// 32 rows: two vectors per register block row, like any matmul whose
// columns allow it.
// CHECK-LABEL: func.func @thirty_two_rows
// AVX2-LABEL:  func.func @thirty_two_rows
// CHECK:         vector.contract {{.*}} : vector<8x1xf32>, vector<1x32xf32> into vector<8x32xf32>
// CHECK-NOT:     vector.fma
func.func @thirty_two_rows(%x: tensor<32x64xf32>, %w: tensor<32x64xf32>, %init: tensor<32x32xf32>) -> tensor<32x32xf32> {
  %y = linalg.generic {indexing_maps = [#ik, #jk, #ij], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x, %w : tensor<32x64xf32>, tensor<32x64xf32>) outs(%init : tensor<32x32xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %c, %p : f32
    linalg.yield %s : f32
  } -> tensor<32x32xf32>
  return %y : tensor<32x32xf32>
}

// y0 is the bias broadcast over the rows: that broadcast is computed in
// yᵀ's shape (b[n] splat along a row of 16 lanes) rather than written into
// y and transposed; the product is transposed into the tensor the bias was
// to be written into.
// CHECK-LABEL: func.func @bias
// CHECK:         %[[E:.*]] = tensor.empty() : tensor<16x32xf32>
// CHECK:         scf.for {{.*}} -> (tensor<64x16xf32>)
// CHECK-NOT:       linalg.generic
// CHECK-NOT:       tensor<16x32xf32>, vector<16x16xf32>
// CHECK:         %[[YT:.*]] = scf.for {{.*}} -> (tensor<32x16xf32>)
// CHECK:           vector.transfer_read %arg2{{.*}} : tensor<32xf32>, vector<1x16xf32>
// CHECK:         scf.for {{.*}} iter_args(%{{.*}} = %[[YT]])
// CHECK:         scf.for {{.*}} iter_args(%{{.*}} = %[[E]]) -> (tensor<16x32xf32>)
func.func @bias(%x: tensor<16x64xf32>, %w: tensor<32x64xf32>, %b: tensor<32xf32>) -> tensor<16x32xf32> {
  %e = tensor.empty() : tensor<16x32xf32>
  %init = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%b : tensor<32xf32>) outs(%e : tensor<16x32xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<16x32xf32>
  %y = linalg.generic {indexing_maps = [#ik, #jk, #ij], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x, %w : tensor<16x64xf32>, tensor<32x64xf32>) outs(%init : tensor<16x32xf32>) {
  ^bb0(%a: f32, %c: f32, %acc: f32):
    %p = arith.mulf %a, %c : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<16x32xf32>
  return %y : tensor<16x32xf32>
}

// xᵀ would take 128 KiB, more than a buffer kept on a thread's stack
// (tick::kStackBufferBytes): dot products, as for blocks of 12 rows.
// CHECK-LABEL: func.func @too_deep
// CHECK-NOT:     vector.contract
// CHECK:         vector.fma {{.*}} : vector<16xf32>
// CHECK:         vector.shuffle
func.func @too_deep(%x: tensor<16x2048xf32>, %w: tensor<16x2048xf32>, %init: tensor<16x16xf32>) -> tensor<16x16xf32> {
  %y = linalg.generic {indexing_maps = [#ik, #jk, #ij], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x, %w : tensor<16x2048xf32>, tensor<16x2048xf32>) outs(%init : tensor<16x16xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %c, %p : f32
    linalg.yield %s : f32
  } -> tensor<16x16xf32>
  return %y : tensor<16x16xf32>
}
