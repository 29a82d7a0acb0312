// RUN: tick-opt %s --tick-vectorize=vector-width=16 --canonicalize | FileCheck %s
// RUN: tick-opt %s --tick-vectorize=vector-width=8 --canonicalize | FileCheck %s --check-prefix=AVX2

// The matmul becomes 8 x 32 register blocks (two vectors per row, as the
// 32 columns allow: each broadcast input feeds two FMAs) advanced one
// reduction step per iteration: a contraction of a column of 8 inputs with
// a row of 32 weights. Row reductions and elementwise ops work on whole
// rows; nothing stays in linalg.
// CHECK-LABEL: func.func @block
// CHECK:         scf.for %[[K:.*]] = %c0 to %c37 step %c1
// CHECK:           %[[A:.*]] = vector.transfer_read {{.*}} : tensor<16x37xf32>, vector<8x1xf32>
// CHECK:           %[[B:.*]] = vector.transfer_read {{.*}}[%[[K]], %c0]{{.*}} : tensor<37x32xf32>, vector<1x32xf32>
// CHECK:           vector.contract {{.*}} %[[A]], %[[B]], %{{.*}} : vector<8x1xf32>, vector<1x32xf32> into vector<8x32xf32>
// CHECK:         vector.multi_reduction <add>, %{{.*}}, %{{.*}} [1] : vector<1x32xf32> to vector<1xf32>
// CHECK:         math.rsqrt %{{.*}} : vector<8xf32>
// CHECK:         arith.maximumf %{{.*}} : vector<32xf32>
// CHECK-NOT:     linalg.
// AVX2's 16 registers keep one vector per row.
// AVX2:          vector.contract {{.*}} : vector<8x1xf32>, vector<1x8xf32> into vector<8x8xf32>
// 48 columns are three vectors: the first 32 take two-vector register
// blocks (8 x 32), only the last vector a one-vector block (8 x 16), rather
// than 8 x 16 blocks for all (784 = 49 x 16, a weight gradient of MNIST's
// first layer).
// CHECK-LABEL: func.func @odd_columns
// CHECK:         tensor.extract_slice %arg2[0, 0] [16, 32] [1, 1]
// CHECK:         vector.contract {{.*}} : vector<8x1xf32>, vector<1x32xf32> into vector<8x32xf32>
// CHECK:         tensor.extract_slice %{{.*}}[0, 32] [16, 16] [1, 1]
// CHECK:         vector.contract {{.*}} : vector<8x1xf32>, vector<1x16xf32> into vector<8x16xf32>
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
    %1 = tensor.empty() : tensor<37x32xf32>
    %2 = scf.forall (%arg5) in (37) shared_outs(%arg6 = %1) -> (tensor<37x32xf32>) {
      %extracted_slice = tensor.extract_slice %arg1[0, %arg5] [32, 1] [1, 1] : tensor<32x37xf32> to tensor<32x1xf32>
      %extracted_slice_2 = tensor.extract_slice %arg6[%arg5, 0] [1, 32] [1, 1] : tensor<37x32xf32> to tensor<1x32xf32>
      %transposed = linalg.transpose ins(%extracted_slice : tensor<32x1xf32>) outs(%extracted_slice_2 : tensor<1x32xf32>) permutation = [1, 0] 
      scf.forall.in_parallel {
        tensor.parallel_insert_slice %transposed into %arg6[%arg5, 0] [1, 32] [1, 1] : tensor<1x32xf32> into tensor<37x32xf32>
      }
    }
    %3 = tensor.empty() : tensor<16xf32>
    %4 = scf.forall (%arg5) = (0) to (16) step (8) shared_outs(%arg6 = %0) -> (tensor<16x32xf32>) {
      %extracted_slice = tensor.extract_slice %arg0[%arg5, 0] [8, 37] [1, 1] : tensor<16x37xf32> to tensor<8x37xf32>
      %extracted_slice_2 = tensor.extract_slice %0[%arg5, 0] [8, 32] [1, 1] : tensor<16x32xf32> to tensor<8x32xf32>
      %5 = linalg.generic {indexing_maps = [#map, #map1], iterator_types = ["parallel", "parallel"]} ins(%arg2 : tensor<32xf32>) outs(%extracted_slice_2 : tensor<8x32xf32>) {
      ^bb0(%in: f32, %out: f32):
        linalg.yield %in : f32
      } -> tensor<8x32xf32>
      %6 = linalg.matmul ins(%extracted_slice, %2 : tensor<8x37xf32>, tensor<37x32xf32>) outs(%5 : tensor<8x32xf32>) -> tensor<8x32xf32>
      %extracted_slice_3 = tensor.extract_slice %3[%arg5] [8] [1] : tensor<16xf32> to tensor<8xf32>
      %7 = linalg.fill ins(%cst_1 : f32) outs(%extracted_slice_3 : tensor<8xf32>) -> tensor<8xf32>
      %8 = linalg.generic {indexing_maps = [#map1, #map2], iterator_types = ["parallel", "reduction"]} ins(%6 : tensor<8x32xf32>) outs(%7 : tensor<8xf32>) {
      ^bb0(%in: f32, %out: f32):
        %13 = arith.addf %out, %in : f32
        linalg.yield %13 : f32
      } -> tensor<8xf32>
      %9 = linalg.generic {indexing_maps = [#map3, #map3], iterator_types = ["parallel"]} ins(%8 : tensor<8xf32>) outs(%extracted_slice_3 : tensor<8xf32>) {
      ^bb0(%in: f32, %out: f32):
        %13 = arith.divf %in, %cst_0 : f32
        linalg.yield %13 : f32
      } -> tensor<8xf32>
      %10 = linalg.generic {indexing_maps = [#map1, #map2, #map2], iterator_types = ["parallel", "reduction"]} ins(%6, %9 : tensor<8x32xf32>, tensor<8xf32>) outs(%7 : tensor<8xf32>) {
      ^bb0(%in: f32, %in_5: f32, %out: f32):
        %13 = arith.subf %in, %in_5 : f32
        %14 = arith.mulf %13, %13 : f32
        %15 = arith.addf %out, %14 : f32
        linalg.yield %15 : f32
      } -> tensor<8xf32>
      %11 = linalg.generic {indexing_maps = [#map3, #map3], iterator_types = ["parallel"]} ins(%10 : tensor<8xf32>) outs(%extracted_slice_3 : tensor<8xf32>) {
      ^bb0(%in: f32, %out: f32):
        %13 = arith.divf %in, %cst_0 : f32
        %14 = arith.addf %13, %cst : f32
        %15 = math.rsqrt %14 : f32
        linalg.yield %15 : f32
      } -> tensor<8xf32>
      %extracted_slice_4 = tensor.extract_slice %arg6[%arg5, 0] [8, 32] [1, 1] : tensor<16x32xf32> to tensor<8x32xf32>
      %12 = linalg.generic {indexing_maps = [#map1, #map2, #map2, #map, #map, #map1], iterator_types = ["parallel", "parallel"]} ins(%6, %9, %11, %arg3, %arg4 : tensor<8x32xf32>, tensor<8xf32>, tensor<8xf32>, tensor<32xf32>, tensor<32xf32>) outs(%extracted_slice_4 : tensor<8x32xf32>) {
      ^bb0(%in: f32, %in_5: f32, %in_6: f32, %in_7: f32, %in_8: f32, %out: f32):
        %13 = arith.subf %in, %in_5 : f32
        %14 = arith.mulf %13, %in_6 : f32
        %15 = arith.mulf %14, %in_7 : f32
        %16 = arith.addf %15, %in_8 : f32
        %17 = arith.maximumf %16, %cst_1 : f32
        linalg.yield %17 : f32
      } -> tensor<8x32xf32>
      scf.forall.in_parallel {
        tensor.parallel_insert_slice %12 into %arg6[%arg5, 0] [8, 32] [1, 1] : tensor<8x32xf32> into tensor<16x32xf32>
      }
    }
    return %4 : tensor<16x32xf32>
  }
  func.func @odd_columns(%a: tensor<16x64xf32>, %b: tensor<64x48xf32>, %c: tensor<16x48xf32>) -> tensor<16x48xf32> {
    %y = linalg.matmul ins(%a, %b : tensor<16x64xf32>, tensor<64x48xf32>) outs(%c : tensor<16x48xf32>) -> tensor<16x48xf32>
    return %y : tensor<16x48xf32>
  }
}
