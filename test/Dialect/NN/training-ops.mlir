// RUN: tick-opt %s | tick-opt | FileCheck %s
// RUN: tick-opt %s -mlir-print-op-generic | tick-opt | FileCheck %s

// The ops nn-autodiff builds round-trip like the forward ones.
nn.parameter @w kaiming_uniform : tensor<4x3xf32>

// CHECK-LABEL: func.func @gradients
// CHECK: nn.set_parameter @w, %{{.*}} : tensor<4x3xf32>
// CHECK: nn.linear_grad_input %{{.*}}, %{{.*}} : tensor<2x4xf32>, tensor<4x3xf32>
// CHECK: nn.linear_grad_weight %{{.*}}, %{{.*}} : tensor<2x4xf32>, tensor<2x3xf32>
// CHECK: nn.linear_grad_bias %{{.*}} : tensor<2x4xf32>
// CHECK: nn.layer_norm_grad %{{.*}}, %{{.*}}, %{{.*}} : tensor<2x4xf32>, tensor<2x4xf32>, tensor<4xf32>
// CHECK: nn.layer_norm_grad %{{.*}}, %{{.*}}, %{{.*}} eps = 1.000000e-03 :
// CHECK: nn.relu_grad %{{.*}}, %{{.*}} : tensor<2x4xf32>
// CHECK: nn.cross_entropy_grad %{{.*}}, %{{.*}}, %{{.*}} : tensor<2x4xf32>, tensor<2xi64>, tensor<f32>
// CHECK: nn.correct_count %{{.*}}, %{{.*}} : tensor<2x4xf32>, tensor<2xi64>
// CHECK: nn.increment %{{.*}} : tensor<f32>
// CHECK: nn.sgd_step %{{.*}}, %{{.*}}, %{{.*}} lr = 1.000000e-01 momentum = 9.000000e-01 weight_decay = 0.000000e+00 : tensor<4x3xf32>
// CHECK: nn.adam_step %{{.*}} lr = 1.000000e-03 beta1 = 9.000000e-01 beta2 = 0.99899999999999999 eps = 1.000000e-08 weight_decay = 0.000000e+00 : tensor<4x3xf32>, tensor<f32>
// CHECK: nn.adam_step %{{.*}} weight_decay = 1.000000e-02 decoupled : tensor<4x3xf32>, tensor<f32>
func.func @gradients(%dy: tensor<2x4xf32>, %w: tensor<4x3xf32>, %x: tensor<2x3xf32>, %h: tensor<2x4xf32>, %g: tensor<4xf32>, %y: tensor<2xi64>, %one: tensor<f32>) {
  nn.set_parameter @w, %w : tensor<4x3xf32>
  %0 = nn.linear_grad_input %dy, %w : tensor<2x4xf32>, tensor<4x3xf32>
  %1 = nn.linear_grad_weight %dy, %x : tensor<2x4xf32>, tensor<2x3xf32>
  %2 = nn.linear_grad_bias %dy : tensor<2x4xf32>
  %3:3 = nn.layer_norm_grad %dy, %h, %g : tensor<2x4xf32>, tensor<2x4xf32>, tensor<4xf32>
  %4:3 = nn.layer_norm_grad %dy, %h, %g eps = 1.0e-3 : tensor<2x4xf32>, tensor<2x4xf32>, tensor<4xf32>
  %5 = nn.relu_grad %dy, %h : tensor<2x4xf32>
  %6 = nn.cross_entropy_grad %h, %y, %one : tensor<2x4xf32>, tensor<2xi64>, tensor<f32>
  %7 = nn.correct_count %h, %y : tensor<2x4xf32>, tensor<2xi64>
  %t = nn.increment %one : tensor<f32>
  %8:2 = nn.sgd_step %w, %w, %w lr = 0.1 momentum = 0.9 weight_decay = 0.0 : tensor<4x3xf32>
  %9:3 = nn.adam_step %w, %w, %w, %w, %t lr = 1.0e-3 beta1 = 0.9 beta2 = 0.999 eps = 1.0e-8 weight_decay = 0.0 : tensor<4x3xf32>, tensor<f32>
  %10:3 = nn.adam_step %w, %w, %w, %w, %t lr = 1.0e-3 beta1 = 0.9 beta2 = 0.999 eps = 1.0e-8 weight_decay = 1.0e-2 decoupled : tensor<4x3xf32>, tensor<f32>
  return
}
