// RUN: tick-opt %s --split-input-file --nn-materialize-parameters --verify-diagnostics | FileCheck %s

// Written parameters become results after the function's own, in
// parameter declaration order (not the order of the writes).
// CHECK-LABEL: func.func @step(
// CHECK-SAME:    %[[A:.*]]: tensor<4xf32> {nn.parameter = "a"}, %[[B:.*]]: tensor<4xf32> {nn.parameter = "b"}, %[[X:.*]]: tensor<4xf32>)
// CHECK-SAME:    -> (tensor<f32>, tensor<4xf32>, tensor<4xf32>)
// CHECK-NOT:     nn.set_parameter
// CHECK:         return %{{.*}}, %[[X]], %[[A]] : tensor<f32>, tensor<4xf32>, tensor<4xf32>
nn.parameter @a zeros : tensor<4xf32>
nn.parameter @b zeros : tensor<4xf32>
func.func @step(%x: tensor<4xf32>) -> tensor<f32> {
  %b = nn.get_parameter @b : tensor<4xf32>
  %a = nn.get_parameter @a : tensor<4xf32>
  nn.set_parameter @b, %a : tensor<4xf32>
  nn.set_parameter @a, %x : tensor<4xf32>
  %c = arith.constant dense<0.0> : tensor<f32>
  return %c : tensor<f32>
}

// -----

nn.parameter @a zeros : tensor<4xf32>
func.func @step(%x: tensor<4xf32>) {
  nn.set_parameter @a, %x : tensor<4xf32>
  // expected-error @+1 {{expects one nn.set_parameter of @a per function}}
  nn.set_parameter @a, %x : tensor<4xf32>
  return
}

// -----

nn.parameter @a zeros : tensor<4xf32>
func.func @step(%x: tensor<4xf32>) {
  nn.set_parameter @a, %x : tensor<4xf32>
  return
}
func.func @caller(%x: tensor<4xf32>) {
  // expected-error @+1 {{cannot call a function that sets parameters}}
  call @step(%x) : (tensor<4xf32>) -> ()
  return
}

// -----

nn.parameter @a zeros : tensor<4xf32>
// expected-error @+1 {{expects one block in a function that sets parameters}}
func.func @step(%x: tensor<4xf32>) {
  nn.set_parameter @a, %x : tensor<4xf32>
  cf.br ^end
^end:
  return
}
