// RUN: tick-opt %s --split-input-file --nn-autodiff --verify-diagnostics
// RUN: %expect-exit 1 tick-opt %s --split-input-file --nn-autodiff=optimizer=rmsprop 2>&1 | FileCheck %s --check-prefix=OPT
// OPT: error: unknown optimizer 'rmsprop', expected none, sgd, adam or adamw
// RUN: %expect-exit 1 tick-opt %s --split-input-file --nn-autodiff=loss=nothing 2>&1 | FileCheck %s --check-prefix=MISSING
// MISSING: error: expects a function @nothing to differentiate

nn.parameter @w kaiming_uniform : tensor<3x4xf32>
func.func @forward(%x: tensor<2x4xf32>) -> tensor<2x3xf32> {
  %w = nn.get_parameter @w : tensor<3x4xf32>
  %y = nn.linear %x, %w : (tensor<2x4xf32>, tensor<3x4xf32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}
func.func @loss(%x: tensor<2x4xf32>, %l: tensor<2xi64>) -> tensor<f32> {
  // expected-error @+1 {{expects the loss function free of calls: run the inliner before nn-autodiff}}
  %y = call @forward(%x) : (tensor<2x4xf32>) -> tensor<2x3xf32>
  %c = nn.cross_entropy %y, %l : tensor<2x3xf32>, tensor<2xi64> -> tensor<f32>
  return %c : tensor<f32>
}

// -----

nn.parameter @w kaiming_uniform : tensor<3x4xf32>
// expected-error @+1 {{expects the loss function to return the result of nn.cross_entropy}}
func.func @loss(%x: tensor<2x4xf32>) -> tensor<2x3xf32> {
  %w = nn.get_parameter @w : tensor<3x4xf32>
  %y = nn.linear %x, %w : (tensor<2x4xf32>, tensor<3x4xf32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// -----

nn.parameter @w kaiming_uniform : tensor<3x4xf32>
func.func @loss(%x: tensor<2x4xf32>, %l: tensor<2xi64>) -> tensor<f32> {
  %w = nn.get_parameter @w : tensor<3x4xf32>
  %y = nn.linear %x, %w : (tensor<2x4xf32>, tensor<3x4xf32>) -> tensor<2x3xf32>
  // expected-error @+1 {{has no gradient rule (DifferentiableOpInterface)}}
  %z = arith.negf %y : tensor<2x3xf32>
  %c = nn.cross_entropy %z, %l : tensor<2x3xf32>, tensor<2xi64> -> tensor<f32>
  return %c : tensor<f32>
}

// -----

nn.parameter @w kaiming_uniform : tensor<3x4xf32>
// expected-error @+1 {{expects a loss function of one block}}
func.func @loss(%x: tensor<2x4xf32>, %l: tensor<2xi64>) -> tensor<f32> {
  %w = nn.get_parameter @w : tensor<3x4xf32>
  cf.br ^next
^next:
  %y = nn.linear %x, %w : (tensor<2x4xf32>, tensor<3x4xf32>) -> tensor<2x3xf32>
  %c = nn.cross_entropy %y, %l : tensor<2x3xf32>, tensor<2xi64> -> tensor<f32>
  return %c : tensor<f32>
}
