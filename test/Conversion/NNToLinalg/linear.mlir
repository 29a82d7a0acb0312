// RUN: tick-opt %s --convert-nn-to-linalg | FileCheck %s

// The bias is broadcast into the accumulator; the [out, in] weight is
// transposed once and multiplied onto it.
// CHECK-DAG:   #[[COL:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG:   #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @linear(
// CHECK-SAME:    %[[X:.*]]: tensor<?x3xf32>, %[[W:.*]]: tensor<5x3xf32>, %[[B:.*]]: tensor<5xf32>)
// CHECK:         %[[DIM:.*]] = tensor.dim %[[X]], %c0
// CHECK:         %[[E:.*]] = tensor.empty(%[[DIM]]) : tensor<?x5xf32>
// CHECK:         %[[ACC:.*]] = linalg.generic {indexing_maps = [#[[COL]], #[[ID]]], iterator_types = ["parallel", "parallel"]}
// CHECK-SAME:      ins(%[[B]] : tensor<5xf32>) outs(%[[E]] : tensor<?x5xf32>)
// CHECK:         %[[WT:.*]] = linalg.transpose ins(%[[W]] : tensor<5x3xf32>) outs(%{{.*}} : tensor<3x5xf32>) permutation = [1, 0]
// CHECK:         %[[Y:.*]] = linalg.matmul ins(%[[X]], %[[WT]] : tensor<?x3xf32>, tensor<3x5xf32>) outs(%[[ACC]] : tensor<?x5xf32>)
// CHECK:         return %[[Y]]
// CHECK-NOT:     nn.
func.func @linear(%x: tensor<?x3xf32>, %w: tensor<5x3xf32>, %b: tensor<5xf32>) -> tensor<?x5xf32> {
  %0 = nn.linear %x, %w, %b : (tensor<?x3xf32>, tensor<5x3xf32>, tensor<5xf32>) -> tensor<?x5xf32>
  return %0 : tensor<?x5xf32>
}

// Without a bias the accumulator starts at zero.
// CHECK-LABEL: func.func @linear_no_bias(
// CHECK:         %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK:         %[[ACC:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%{{.*}} : tensor<2x5xf32>)
// CHECK:         linalg.transpose
// CHECK:         linalg.matmul {{.*}} outs(%[[ACC]] : tensor<2x5xf32>)
func.func @linear_no_bias(%x: tensor<2x3xf32>, %w: tensor<5x3xf32>) -> tensor<2x5xf32> {
  %0 = nn.linear %x, %w : (tensor<2x3xf32>, tensor<5x3xf32>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}
