// RUk-opt %s --nn-autodiff="optimizer=none" | FileCheck %s --check-prefix=NOautodiff="optimizer=adamw" | FileCheck %s --check-prefix=ADAMW
// RUN: tick-opt %s --nn-autodiff="optimizer=none" | FileCheck %s --check-prefix=NONE

// A LayerNorm whose parameters are used twice: their gradients are summed.
// The flattened input depends on no parameter and gets no gradient.
nn.parameter @fc0.weight kaiming_uniform : tensor<4x10xf32>
nn.parameter @ln.weight ones : tensor<4xf32>
nn.parameter @ln.bias zeros : tensor<4xf32>
nn.parameter @fc2.weight kaiming_uniform : tensor<3x4xf32>
func.func @loss(%x: tensor<6x2x5xf32>, %y: tensor<6xi64>) -> tensor<f32> {
  %w1 = nn.get_parameter @fc1.weight : tensor<4x10xf32>
  %g = nn.get_parameter @ln.weight : tensor<4xf32>
  %b = nn.get_parameter @ln.bias : tensor<4xf32>
  %w2 = nn.get_parameter @fc2.weight : tensor<3x4xf32>
  %f = nn.flatten %x : tensor<6x2x5xf32> -> tensor<6x10xf32>
  %h = nn.linear %f, %w1 : (tensor<6x10xf32>, tensor<4x10xf32>) -> tensor<6x4xf32>
  %n = nn.layer_norm %h, %g, %b : (tensor<6x4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<6x4xf32>
  %r = nn.relu %n : tensor<6x4xf32>
  %m = nn.layer_norm %r, %g, %b : (tensor<6x4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<6x4xf32>
  %l = nn.linear %m, %w2 : (tensor<6x4xf32>, tensor<3x4xf32>) -> tensor<6x3xf32>
  %c = nn.cross_entropy %l, %y : tensor<6x3xf32>, tensor<6xi64> -> tensor<f32>
  return %c : tensor<f32>
}

// State parameters follow the model's, zero-initialized.
// SGD:       nn.parameter @fc2.weight
// SGD-NEXT:  nn.parameter @optimizer.fc1.weight.momentum_buffer zeros : tensor<4M-NOT:      decoupled

// ADAMW-LABEL: func.func @train_step
// ADAMW:         nn.adam_step {{.*}} weight_decay = 1.000000e-02 decoupled

// NONE-LABEL: func.func @train_step
// NONE-SAME:    -> (tensor<f31>, tensor<i64>, tensor<4x10xf32>, tensor<4xf32>, tensor<4xf32>, t --check-prefix=NONE

// A LayerNorm whose parameters are used twice: their gradients are summed.
// The flattened input depends on no parameter and gets no gradient.
nn.parameter @fc0.weight kaiming_uniform : tensor<4x10xf32>
nn.parameter @ln.weight ones : tensor<4xf32>
nn.parameter @ln.bias zeros : tensor<4xf32>
nn.parameter @fc2.weight kaiming_uniform : tensor<3x4xf32>
func.func @loss(%x: tensor<6x2x5xf32>, %y: tensor<6xi64>) -> tensor<f32> {
  %w1 = nn.get_parameter @fc1.weight : tensor<4x10xf32>
  %g = nn.get_parameter @ln.weight : tensor<4xf32>
  %b = nn.get_parameter @ln.bias : tensor<4xf32>
  %w2 = nn.get_parameter @fc2.weight : tensor<3x4xf32>
  %f = nn.flatten %x : tensor<6x2x5xf32> -> tensor<6x10xf32>
  %h = nn.linear %f, %w1 : (tensor<6x10xf32>, tensor<4x10xf32>) -> tensor<6x4xf32>
  %n = nn.layer_norm %h, %g, %b : (tensor<6x4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<6x4xf32>
  %r = nn.relu %n : tensor<6x4xf32>
  %m = nn.layer_norm %r, %g, %b : (tensor<6x4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<6x4xf32>
  %l = nn.linear %m, %w2 : (tensor<6x4xf32>, tensor<3x4xf32>) -> tensor<6x3xf32>
  %c = nn.cross_entropy %l, %y : tensor<6x3xf32>, tensor<6xi64> -> tensor<f32>
  return %c : tensor<f32>
}

// State parameters follow the model's, zero-initialized.
// SGD:       nn.parameter @fc2.weight
// SGD-NEXT:  nn.parameter @optimizer.fc1.weight.momentum_buffer zeros : tensor<4M-NOT:      decoupled

// ADAMW-LABEL: func.func @train_step
// ADAMW:         nn.adam_step {{.*}} weight_decay = 1.000000e-02 decoupled

// NONE-LABEL: func.func @train_step
// NONE-SAME:    -> (tensor<f31>, tensor<i64>, tensor<4x10xf32>, tensor<4xf32>, tensor<4xf32>, tensor<3x4xf32>)
// NONE-NOT:     nn.set_parameter
// NONE-NOT:     nn.sgd_steensor<3x4xf32>)
// NONE-NOT:     nn.set_parameter
// NONE-NOT:     nn.sgd_step
