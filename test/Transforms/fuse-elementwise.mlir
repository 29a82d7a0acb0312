// RUN: tick-opt %s --tick-fuse-elementwise=recompute-shared=false | FileCheck %s
// RUN: tick-opt %s --tick-fuse-elementwise | FileCheck %s --check-prefix=GPU

// The LayerNorm output and the ReLU after it share one iteration space and
// become one op; the per-row statistics (mean, inverse std) stay separate
// ops instead of being recomputed for every element of their row.
// CHECK-LABEL: func.func @block
// CHECK:         linalg.matmul
// CHECK:         %[[SUM:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]
// CHECK:         %[[MEAN:.*]] = linalg.generic {{.*}}iterator_types = ["parallel"]} ins(%[[SUM]] :
// CHECK:         %[[SQ:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]
// CHECK:         %[[RSTD:.*]] = linalg.generic {{.*}}iterator_types = ["parallel"]} ins(%[[SQ]] :
// CHECK:           math.rsqrt
// CHECK:         %[[Y:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]} ins({{.*}}%[[MEAN]], %[[RSTD]]
// CHECK-NOT:       math.rsqrt
// CHECK:           arith.maximumf
// CHECK:         return %[[Y]]
// A ReLU's backward read by two ops (the input gradient and a column sum)
// is computed once, by an op of its own, not once inside each reader; by
// default (the GPU) it is fused into both, one kernel less.
// CHECK-LABEL: func.func @two_readers
// CHECK:         %[[MASKED:.*]] = linalg.generic
// CHECK:           arith.cmpf
// CHECK:         linalg.generic {{.*}} ins(%[[MASKED]]
// CHECK-NOT:       arith.cmpf
// CHECK:         linalg.generic {{.*}} ins(%[[MASKED]]
// CHECK-NOT:       arith.cmpf
// CHECK:         return
// GPU-LABEL:   func.func @two_readers
// GPU-COUNT-2:   arith.cmpf
// GPU:           return
#map = affine_map<(d0, d1) -> (d1)>
#map1 = affine_map<(d0, d1) -> (d0, d1)>
#map2 = affine_map<(d0, d1) -> (d0)>
#map3 = affine_map<(d0) -> (d0)>
module {
  func.func @block(%arg0: tensor<16x37xf32>, %arg1: tensor<32x37xf32>, %arg2: tensor<32xf32>, %arg3: tensor<32xf32>, %arg4: tensor<32xf32>) -> tensor<16x32xf32> {
    %cst = arith.constant 9.99999974E-6 : f32
    %cst_0 = arith.constant 3.200000e+01 : f32
    %cst_1 = arith.constant 0.000000e+00 : f32
    %0 = tensor.empty() : tensor<16x32xf32>
    %1 = linalg.generic {indexing_maps = [#map, #map1], iterator_types = ["parallel", "parallel"]} ins(%arg2 : tensor<32xf32>) outs(%0 : tensor<16x32xf32>) {
    ^bb0(%in: f32, %out: f32):
      linalg.yield %in : f32
    } -> tensor<16x32xf32>
    %2 = tensor.empty() : tensor<37x32xf32>
    %transposed = linalg.transpose ins(%arg1 : tensor<32x37xf32>) outs(%2 : tensor<37x32xf32>) permutation = [1, 0] 
    %3 = linalg.matmul ins(%arg0, %transposed : tensor<16x37xf32>, tensor<37x32xf32>) outs(%1 : tensor<16x32xf32>) -> tensor<16x32xf32>
    %4 = tensor.empty() : tensor<16xf32>
    %5 = linalg.fill ins(%cst_1 : f32) outs(%4 : tensor<16xf32>) -> tensor<16xf32>
    %6 = linalg.generic {indexing_maps = [#map1, #map2], iterator_types = ["parallel", "reduction"]} ins(%3 : tensor<16x32xf32>) outs(%5 : tensor<16xf32>) {
    ^bb0(%in: f32, %out: f32):
      %12 = arith.addf %out, %in : f32
      linalg.yield %12 : f32
    } -> tensor<16xf32>
    %7 = linalg.generic {indexing_maps = [#map3, #map3], iterator_types = ["parallel"]} ins(%6 : tensor<16xf32>) outs(%4 : tensor<16xf32>) {
    ^bb0(%in: f32, %out: f32):
      %12 = arith.divf %in, %cst_0 : f32
      linalg.yield %12 : f32
    } -> tensor<16xf32>
    %8 = linalg.generic {indexing_maps = [#map1, #map2, #map2], iterator_types = ["parallel", "reduction"]} ins(%3, %7 : tensor<16x32xf32>, tensor<16xf32>) outs(%5 : tensor<16xf32>) {
    ^bb0(%in: f32, %in_2: f32, %out: f32):
      %12 = arith.subf %in, %in_2 : f32
      %13 = arith.mulf %12, %12 : f32
      %14 = arith.addf %out, %13 : f32
      linalg.yield %14 : f32
    } -> tensor<16xf32>
    %9 = linalg.generic {indexing_maps = [#map3, #map3], iterator_types = ["parallel"]} ins(%8 : tensor<16xf32>) outs(%4 : tensor<16xf32>) {
    ^bb0(%in: f32, %out: f32):
      %12 = arith.divf %in, %cst_0 : f32
      %13 = arith.addf %12, %cst : f32
      %14 = math.rsqrt %13 : f32
      linalg.yield %14 : f32
    } -> tensor<16xf32>
    %10 = linalg.generic {indexing_maps = [#map1, #map2, #map2, #map, #map, #map1], iterator_types = ["parallel", "parallel"]} ins(%3, %7, %9, %arg3, %arg4 : tensor<16x32xf32>, tensor<16xf32>, tensor<16xf32>, tensor<32xf32>, tensor<32xf32>) outs(%0 : tensor<16x32xf32>) {
    ^bb0(%in: f32, %in_2: f32, %in_3: f32, %in_4: f32, %in_5: f32, %out: f32):
      %12 = arith.subf %in, %in_2 : f32
      %13 = arith.mulf %12, %in_3 : f32
      %14 = arith.mulf %13, %in_4 : f32
      %15 = arith.addf %14, %in_5 : f32
      linalg.yield %15 : f32
    } -> tensor<16x32xf32>
    %11 = linalg.generic {indexing_maps = [#map1, #map1], iterator_types = ["parallel", "parallel"]} ins(%10 : tensor<16x32xf32>) outs(%0 : tensor<16x32xf32>) {
    ^bb0(%in: f32, %out: f32):
      %12 = arith.maximumf %in, %cst_1 : f32
      linalg.yield %12 : f32
    } -> tensor<16x32xf32>
    return %11 : tensor<16x32xf32>
  }
  func.func @two_readers(%x: tensor<16x32xf32>, %dy: tensor<16x32xf32>) -> (tensor<16x32xf32>, tensor<32xf32>) {
    %zero = arith.constant 0.0 : f32
    %two = arith.constant 2.0 : f32
    %e = tensor.empty() : tensor<16x32xf32>
    %masked = linalg.generic {indexing_maps = [#map1, #map1, #map1], iterator_types = ["parallel", "parallel"]} ins(%x, %dy : tensor<16x32xf32>, tensor<16x32xf32>) outs(%e : tensor<16x32xf32>) {
    ^bb0(%a: f32, %d: f32, %o: f32):
      %positive = arith.cmpf ogt, %a, %zero : f32
      %g = arith.select %positive, %d, %zero : f32
      linalg.yield %g : f32
    } -> tensor<16x32xf32>
    %scaled = linalg.generic {indexing_maps = [#map1, #map1], iterator_types = ["parallel", "parallel"]} ins(%masked : tensor<16x32xf32>) outs(%e : tensor<16x32xf32>) {
    ^bb0(%g: f32, %o: f32):
      %s = arith.mulf %g, %two : f32
      linalg.yield %s : f32
    } -> tensor<16x32xf32>
    %ce = tensor.empty() : tensor<32xf32>
    %cz = linalg.fill ins(%zero : f32) outs(%ce : tensor<32xf32>) -> tensor<32xf32>
    %sums = linalg.generic {indexing_maps = [#map1, #map], iterator_types = ["reduction", "parallel"]} ins(%masked : tensor<16x32xf32>) outs(%cz : tensor<32xf32>) {
    ^bb0(%g: f32, %acc: f32):
      %s = arith.addf %acc, %g : f32
      linalg.yield %s : f32
    } -> tensor<32xf32>
    return %scaled, %sums : tensor<16x32xf32>, tensor<32xf32>
  }
}
