// RUN: tick-opt %s --tick-tile-parallel=rows=8 | FileCheck %s

// Two LayerNorms of the same input share their mean and squared deviations
// (CSE merged them). Those shared producers are not fused into either
// output's block, which would compute them twice or hand them to a block
// placed before the loop: they get row-block loops of their own, computed
// once, and each output's block reads them.
// CHECK-LABEL: func.func @two_outputs
// CHECK:         %[[MEAN:.*]] = scf.forall
// CHECK:         %[[SQ:.*]] = scf.forall
// CHECK:           tensor.extract_slice %[[MEAN]]
// CHECK:         %[[Y:.*]] = scf.forall
// CHECK:           tensor.extract_slice %[[SQ]]
// CHECK:           math.rsqrt
// CHECK:         %[[Z:.*]] = scf.forall
// CHECK:           tensor.extract_slice %[[SQ]]
// CHECK:           math.rsqrt
// CHECK:         return %[[Y]], %[[Z]]
#map = affine_map<(d0, d1) -> (d0, d1)>
#map1 = affine_map<(d0, d1) -> (d0)>
#map2 = affine_map<(d0) -> (d0)>
#map3 = affine_map<(d0, d1) -> (d1)>
module {
  func.func @two_outputs(%arg0: tensor<16x23xf32>, %arg1: tensor<23xf32>, %arg2: tensor<23xf32>) -> (tensor<16x23xf32>, tensor<16x23xf32>) {
    %cst = arith.constant 1.000000e-03 : f32
    %cst_0 = arith.constant 0.000000e+00 : f32
    %cst_1 = arith.constant 2.300000e+01 : f32
    %cst_2 = arith.constant 9.99999974E-6 : f32
    %0 = tensor.empty() : tensor<16xf32>
    %1 = linalg.fill ins(%cst_0 : f32) outs(%0 : tensor<16xf32>) -> tensor<16xf32>
    %2 = linalg.generic {indexing_maps = [#map, #map1], iterator_types = ["parallel", "reduction"]} ins(%arg0 : tensor<16x23xf32>) outs(%1 : tensor<16xf32>) {
    ^bb0(%in: f32, %out: f32):
      %10 = arith.addf %out, %in : f32
      linalg.yield %10 : f32
    } -> tensor<16xf32>
    %3 = linalg.generic {indexing_maps = [#map2, #map2], iterator_types = ["parallel"]} ins(%2 : tensor<16xf32>) outs(%0 : tensor<16xf32>) {
    ^bb0(%in: f32, %out: f32):
      %10 = arith.divf %in, %cst_1 : f32
      linalg.yield %10 : f32
    } -> tensor<16xf32>
    %4 = linalg.generic {indexing_maps = [#map, #map1, #map1], iterator_types = ["parallel", "reduction"]} ins(%arg0, %3 : tensor<16x23xf32>, tensor<16xf32>) outs(%1 : tensor<16xf32>) {
    ^bb0(%in: f32, %in_3: f32, %out: f32):
      %10 = arith.subf %in, %in_3 : f32
      %11 = arith.mulf %10, %10 : f32
      %12 = arith.addf %out, %11 : f32
      linalg.yield %12 : f32
    } -> tensor<16xf32>
    %5 = linalg.generic {indexing_maps = [#map2, #map2], iterator_types = ["parallel"]} ins(%4 : tensor<16xf32>) outs(%0 : tensor<16xf32>) {
    ^bb0(%in: f32, %out: f32):
      %10 = arith.divf %in, %cst_1 : f32
      %11 = arith.addf %10, %cst_2 : f32
      %12 = math.rsqrt %11 : f32
      linalg.yield %12 : f32
    } -> tensor<16xf32>
    %6 = tensor.empty() : tensor<16x23xf32>
    %7 = linalg.generic {indexing_maps = [#map, #map1, #map1, #map3, #map3, #map], iterator_types = ["parallel", "parallel"]} ins(%arg0, %3, %5, %arg1, %arg2 : tensor<16x23xf32>, tensor<16xf32>, tensor<16xf32>, tensor<23xf32>, tensor<23xf32>) outs(%6 : tensor<16x23xf32>) {
    ^bb0(%in: f32, %in_3: f32, %in_4: f32, %in_5: f32, %in_6: f32, %out: f32):
      %10 = arith.subf %in, %in_3 : f32
      %11 = arith.mulf %10, %in_4 : f32
      %12 = arith.mulf %11, %in_5 : f32
      %13 = arith.addf %12, %in_6 : f32
      linalg.yield %13 : f32
    } -> tensor<16x23xf32>
    %8 = linalg.generic {indexing_maps = [#map2, #map2], iterator_types = ["parallel"]} ins(%4 : tensor<16xf32>) outs(%0 : tensor<16xf32>) {
    ^bb0(%in: f32, %out: f32):
      %10 = arith.divf %in, %cst_1 : f32
      %11 = arith.addf %10, %cst : f32
      %12 = math.rsqrt %11 : f32
      linalg.yield %12 : f32
    } -> tensor<16xf32>
    %9 = linalg.generic {indexing_maps = [#map, #map1, #map1, #map3, #map3, #map], iterator_types = ["parallel", "parallel"]} ins(%arg0, %3, %8, %arg1, %arg2 : tensor<16x23xf32>, tensor<16xf32>, tensor<16xf32>, tensor<23xf32>, tensor<23xf32>) outs(%6 : tensor<16x23xf32>) {
    ^bb0(%in: f32, %in_3: f32, %in_4: f32, %in_5: f32, %in_6: f32, %out: f32):
      %10 = arith.subf %in, %in_3 : f32
      %11 = arith.mulf %10, %in_4 : f32
      %12 = arith.mulf %11, %in_5 : f32
      %13 = arith.addf %12, %in_6 : f32
      linalg.yield %13 : f32
    } -> tensor<16x23xf32>
    return %7, %9 : tensor<16x23xf32>, tensor<16x23xf32>
  }
}

