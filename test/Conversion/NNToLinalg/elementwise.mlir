// RUN: tick-opt %s --convert-nn-to-linalg | FileCheck %s

// ReLU is maximumf (NaN in, NaN out, as torch.relu); each dynamic size of
// the result comes from the same dimension of the input.
// CHECK-LABEL: func.func @relu(
// CHECK-SAME:    %[[X:.*]]: tensor<2x?x4xf64>)
// CHECK-DAG:     %[[ZERO:.*]] = arith.constant 0.000000e+00 : f64
// CHECK-DAG:     %[[C1:.*]] = arith.constant 1 : index
// CHECK:         %[[DIM:.*]] = tensor.dim %[[X]], %[[C1]]
// CHECK:         %[[E:.*]] = tensor.empty(%[[DIM]]) : tensor<2x?x4xf64>
// CHECK:         linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel"]} ins(%[[X]] : tensor<2x?x4xf64>) outs(%[[E]] : tensor<2x?x4xf64>)
// CHECK:           arith.maximumf %{{.*}}, %[[ZERO]] : f64
func.func @relu(%x: tensor<2x?x4xf64>) -> tensor<2x?x4xf64> {
  %0 = nn.relu %x : tensor<2x?x4xf64>
  return %0 : tensor<2x?x4xf64>
}

// Flatten is a collapse of the feature dimensions, no data movement.
// CHECK-LABEL: func.func @flatten(
// CHECK:         %[[C:.*]] = tensor.collapse_shape %{{.*}} {{\[}}[0], [1, 2, 3]] : tensor<?x1x28x28xf32> into tensor<?x784xf32>
// CHECK:         return %[[C]]
func.func @flatten(%x: tensor<?x1x28x28xf32>) -> tensor<?x784xf32> {
  %0 = nn.flatten %x : tensor<?x1x28x28xf32> -> tensor<?x784xf32>
  return %0 : tensor<?x784xf32>
}
