// RUN: tick-opt %s --split-input-file --nn-verify-lowered --verify-diagnostics | FileCheck %s

// Lowered code passes through unchanged.
// CHECK-LABEL: func.func @lowered
func.func @lowered(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}

// -----

func.func @survivor(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{nn op 'nn.relu' was not lowered: run nn-materialize-parameters and convert-nn-to-linalg before code generation}}
  %0 = nn.relu %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Parameters not yet bound to arguments are reported too.
// expected-error @+1 {{nn op 'nn.parameter' was not lowered}}
nn.parameter @w zeros : tensor<4xf32>
func.func @unbound() -> tensor<4xf32> {
  %0 = nn.get_parameter @w : tensor<4xf32>
  return %0 : tensor<4xf32>
}
