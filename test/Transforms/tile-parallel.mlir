// RUN: tick-opt %s --tick-tile-parallel=rows=8 | FileCheck %s
// RUN: tick-opt %s --tick-tile-parallel=rows=6 | FileCheck %s --check-prefix=ROWS6

// A Linear + LayerNorm + ReLU block on 16 rows: one parallel loop over
// blocks of 8 rows computes the bias, the matmul, the row statistics and
// the output of each block. The transposed weight every block reads is
// computed once, by a loop of its own, not once per block; its blocks are
// blocks of the weight's rows (the columns of the transpose), the rows an
// optimizer step updates in its blocks.
// CHECK-LABEL: func.func @block
// CHECK:         %[[WT:.*]] = scf.forall (%[[J:.*]]) = (0) to (32) step (8)
// CHECK:           %[[WROWS:.*]] = tensor.extract_slice %arg1[%[[J]], 0] [8, 37] [1, 1]
// CHECK:           linalg.transpose ins(%[[WROWS]] : tensor<8x37xf32>) outs(%{{.*}} : tensor<37x8xf32>)
// CHECK:         %[[Y:.*]] = scf.forall (%[[I:.*]]) = (0) to (16) step (8) shared_outs(%[[OUT:.*]] = %{{.*}}) -> (tensor<16x32xf32>)
// CHECK:           %[[X:.*]] = tensor.extract_slice %{{.*}}[%[[I]], 0] [8, 37] [1, 1]
// CHECK:           linalg.matmul ins(%[[X]], %{{.*}} : tensor<8x37xf32>, tensor<37x32xf32>)
// CHECK-NOT:       linalg.matmul
// CHECK:           linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%{{.*}} : tensor<8x32xf32>) outs(%{{.*}} : tensor<8xf32>)
// CHECK:           math.rsqrt
// CHECK:           arith.maximumf
// CHECK:           scf.forall.in_parallel
// CHECK-NEXT:        tensor.parallel_insert_slice %{{.*}} into %[[OUT]][%[[I]], 0] [8, 32] [1, 1]
// CHECK-NEXT:      }
// CHECK-NOT:     linalg.
// CHECK:         return %[[Y]]

// Blocks always divide the batch, so every block has a static shape.
// ROWS6:         scf.forall (%{{.*}}) = (0) to (16) step (4)

// Every block reads all of the weight. This one (256 x 1024 f32, 1 MiB)
// does not stay in a core's L2 cache, so its blocks take streamed-rows
// rows (16 by default), reading it from farther away half as often.
// CHECK-LABEL: func.func @streamed_weight
// CHECK:         scf.forall (%{{.*}}) = (0) to (32) step (16)
// CHECK:           linalg.matmul ins(%{{.*}} : tensor<16x256xf32>, tensor<256x1024xf32>)

// A weight of a few rows (one block of them) is transposed in blocks of
// the transpose's rows instead, so that it still runs in parallel.
// CHECK-LABEL: func.func @few_weight_rows
// CHECK:         scf.forall (%[[K:.*]]) = (0) to (24) step (8)
// CHECK:           tensor.extract_slice %arg0[0, %[[K]]] [4, 8] [1, 1]
// CHECK:           linalg.transpose
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
      %11 = arith.addf %out, %in : f32
      linalg.yield %11 : f32
    } -> tensor<16xf32>
    %7 = linalg.generic {indexing_maps = [#map3, #map3], iterator_types = ["parallel"]} ins(%6 : tensor<16xf32>) outs(%4 : tensor<16xf32>) {
    ^bb0(%in: f32, %out: f32):
      %11 = arith.divf %in, %cst_0 : f32
      linalg.yield %11 : f32
    } -> tensor<16xf32>
    %8 = linalg.generic {indexing_maps = [#map1, #map2, #map2], iterator_types = ["parallel", "reduction"]} ins(%3, %7 : tensor<16x32xf32>, tensor<16xf32>) outs(%5 : tensor<16xf32>) {
    ^bb0(%in: f32, %in_2: f32, %out: f32):
      %11 = arith.subf %in, %in_2 : f32
      %12 = arith.mulf %11, %11 : f32
      %13 = arith.addf %out, %12 : f32
      linalg.yield %13 : f32
    } -> tensor<16xf32>
    %9 = linalg.generic {indexing_maps = [#map3, #map3], iterator_types = ["parallel"]} ins(%8 : tensor<16xf32>) outs(%4 : tensor<16xf32>) {
    ^bb0(%in: f32, %out: f32):
      %11 = arith.divf %in, %cst_0 : f32
      %12 = arith.addf %11, %cst : f32
      %13 = math.rsqrt %12 : f32
      linalg.yield %13 : f32
    } -> tensor<16xf32>
    %10 = linalg.generic {indexing_maps = [#map1, #map2, #map2, #map, #map, #map1], iterator_types = ["parallel", "parallel"]} ins(%3, %7, %9, %arg3, %arg4 : tensor<16x32xf32>, tensor<16xf32>, tensor<16xf32>, tensor<32xf32>, tensor<32xf32>) outs(%0 : tensor<16x32xf32>) {
    ^bb0(%in: f32, %in_2: f32, %in_3: f32, %in_4: f32, %in_5: f32, %out: f32):
      %11 = arith.subf %in, %in_2 : f32
      %12 = arith.mulf %11, %in_3 : f32
      %13 = arith.mulf %12, %in_4 : f32
      %14 = arith.addf %13, %in_5 : f32
      %15 = arith.maximumf %14, %cst_1 : f32
      linalg.yield %15 : f32
    } -> tensor<16x32xf32>
    return %10 : tensor<16x32xf32>
  }
  func.func @streamed_weight(%x: tensor<32x256xf32>, %w: tensor<256x1024xf32>, %init: tensor<32x1024xf32>) -> tensor<32x1024xf32> {
    %y = linalg.matmul ins(%x, %w : tensor<32x256xf32>, tensor<256x1024xf32>) outs(%init : tensor<32x1024xf32>) -> tensor<32x1024xf32>
    return %y : tensor<32x1024xf32>
  }
  func.func @few_weight_rows(%w: tensor<4x24xf32>) -> tensor<24x4xf32> {
    %empty = tensor.empty() : tensor<24x4xf32>
    %t = linalg.transpose ins(%w : tensor<4x24xf32>) outs(%empty : tensor<24x4xf32>) permutation = [1, 0]
    return %t : tensor<24x4xf32>
  }
}
