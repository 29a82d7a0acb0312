// RUN: tick-opt %s --nn-materialize-parameters | FileCheck %s

// Parameters become leading arguments of every function, in declaration
// order and named; reads become uses; calls pass them on.
// CHECK-NOT:   nn.parameter @
// CHECK-LABEL: func.func @forward(
// CHECK-SAME:    %[[W:.*]]: tensor<5x4xf32> {nn.parameter = "fc.weight"},
// CHECK-SAME:    %[[B:.*]]: tensor<5xf32> {nn.parameter = "fc.bias"},
// CHECK-SAME:    %[[X:.*]]: tensor<?x4xf32>) -> tensor<?x5xf32>
// CHECK-NOT:     nn.get_parameter
// CHECK:         nn.linear %[[X]], %[[W]], %[[B]]
// CHECK-LABEL: func.func @loss(
// CHECK-SAME:    %[[W2:.*]]: tensor<5x4xf32> {nn.parameter = "fc.weight"}, %[[B2:.*]]: tensor<5xf32> {nn.parameter = "fc.bias"}, %[[X2:.*]]: tensor<?x4xf32>, %[[Y2:.*]]: tensor<?xi64>)
// CHECK:         call @forward(%[[W2]], %[[B2]], %[[X2]])
// CHECK:         call @external(%[[X2]])
nn.parameter @fc.weight kaiming_uniform : tensor<5x4xf32>
nn.parameter @fc.bias fan_in_uniform(fan_in = 4) : tensor<5xf32>
func.func @forward(%x: tensor<?x4xf32>) -> tensor<?x5xf32> {
  %w = nn.get_parameter @fc.weight : tensor<5x4xf32>
  %b = nn.get_parameter @fc.bias : tensor<5xf32>
  %y = nn.linear %x, %w, %b : (tensor<?x4xf32>, tensor<5x4xf32>, tensor<5xf32>) -> tensor<?x5xf32>
  return %y : tensor<?x5xf32>
}
func.func private @external(tensor<?x4xf32>)
func.func @loss(%x: tensor<?x4xf32>, %labels: tensor<?xi64>) -> tensor<f32> {
  %logits = call @forward(%x) : (tensor<?x4xf32>) -> tensor<?x5xf32>
  call @external(%x) : (tensor<?x4xf32>) -> ()
  %l = nn.cross_entropy %logits, %labels : tensor<?x5xf32>, tensor<?xi64> -> tensor<f32>
  return %l : tensor<f32>
}
