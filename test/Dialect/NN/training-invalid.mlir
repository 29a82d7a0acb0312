// RUN: tick-opt %s -split-input-file -verify-diagnostics

nn.parameter @w kaiming_uniform : tensor<4x3xf32>
func.func @f(%v: tensor<3x4xf32>) {
  // expected-error @+1 {{expects the declared type of @w, 'tensor<4x3xf32>', got 'tensor<3x4xf32>'}}
  nn.set_parameter @w, %v : tensor<3x4xf32>
  return
}

// -----

func.func @f(%v: tensor<4xf32>) {
  // expected-error @+1 {{expects an nn.parameter named @nothing in an enclosing module}}
  nn.set_parameter @nothing, %v : tensor<4xf32>
  return
}

// -----

func.func @f(%dy: tensor<2x5xf32>, %w: tensor<4x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{expects output gradient features to equal the weight's out_features, got 5 and 4}}
  %0 = nn.linear_grad_input %dy, %w : tensor<2x5xf32>, tensor<4x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @f(%dy: tensor<2x4xf32>, %x: tensor<3x3xf32>) -> tensor<4x3xf32> {
  // expected-error @+1 {{expects output gradient and input batch sizes to match, got 2 and 3}}
  %0 = nn.linear_grad_weight %dy, %x : tensor<2x4xf32>, tensor<3x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

func.func @f(%dy: tensor<2x4xf32>, %x: tensor<2x5xf32>, %g: tensor<5xf32>) {
  // expected-error @+1 {{expects the output gradient shape to equal the input shape, got 'tensor<2x4xf32>' and 'tensor<2x5xf32>'}}
  %0:3 = nn.layer_norm_grad %dy, %x, %g : tensor<2x4xf32>, tensor<2x5xf32>, tensor<5xf32>
  return
}

// -----

func.func @f(%dy: tensor<2x4xf32>, %x: tensor<2x4xf32>, %g: tensor<5xf32>) {
  // expected-error @+1 {{expects weight size to equal the normalized features, got 5 and 4}}
  %0:3 = nn.layer_norm_grad %dy, %x, %g : tensor<2x4xf32>, tensor<2x4xf32>, tensor<5xf32>
  return
}

// -----

func.func @f(%l: tensor<2x4xf32>, %y: tensor<3xi64>, %d: tensor<f32>) {
  // expected-error @+1 {{expects one label per row of logits, got 3 labels and 2 rows}}
  %0 = nn.cross_entropy_grad %l, %y, %d : tensor<2x4xf32>, tensor<3xi64>, tensor<f32>
  return
}

// -----

func.func @f(%l: tensor<2x4xf32>, %y: tensor<3xi64>) {
  // expected-error @+1 {{expects one label per row of logits, got 3 labels and 2 rows}}
  %0 = nn.correct_count %l, %y : tensor<2x4xf32>, tensor<3xi64>
  return
}

// -----

func.func @f(%p: tensor<4xf32>) {
  // expected-error @+1 {{expects non-negative lr, momentum and weight_decay}}
  %0:2 = nn.sgd_step %p, %p, %p lr = -0.1 momentum = 0.0 weight_decay = 0.0 : tensor<4xf32>
  return
}

// -----

func.func @f(%p: tensor<4xf32>, %t: tensor<f32>) {
  // expected-error @+1 {{expects lr >= 0, betas in [0, 1), eps > 0 and weight_decay >= 0}}
  %0:3 = nn.adam_step %p, %p, %p, %p, %t lr = 1.0e-3 beta1 = 1.0 beta2 = 0.999 eps = 1.0e-8 weight_decay = 0.0 : tensor<4xf32>, tensor<f32>
  return
}

// -----

func.func @f(%p: tensor<4xf32>, %t: tensor<f64>) {
  // expected-error @+1 {{expects the step count in the parameter's element type, got 'tensor<f64>'}}
  %0:3 = nn.adam_step %p, %p, %p, %p, %t lr = 1.0e-3 beta1 = 0.9 beta2 = 0.999 eps = 1.0e-8 weight_decay = 0.0 : tensor<4xf32>, tensor<f64>
  return
}

// -----

// Result types are inferred while parsing, before the operand constraints
// are checked: a wrong rank is an error there, not a crash (found by the
// model fuzzer).
func.func @f(%d: tensor<f32>) {
  // expected-error @+1 {{expects 2D tensor operands}}
  %0 = nn.linear_grad_bias %d : tensor<f32>
  return
}

// -----

func.func @f(%d: tensor<3xf32>, %w: tensor<4x3xf32>) {
  // expected-error @+1 {{expects 2D tensor operands}}
  %0 = nn.linear_grad_input %d, %w : tensor<3xf32>, tensor<4x3xf32>
  return
}

// -----

func.func @f(%d: tensor<2x3xf32>, %x: tensor<2x3x1xf32>) {
  // expected-error @+1 {{expects 2D tensor operands}}
  %0 = nn.linear_grad_weight %d, %x : tensor<2x3xf32>, tensor<2x3x1xf32>
  return
}
