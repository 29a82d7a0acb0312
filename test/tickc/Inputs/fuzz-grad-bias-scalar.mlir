// RUN: %h: tensor<2x4xf32>, %g: tensor<4xf32>, %y: tensor<2xi64>, %one: tensor<f32>) {
  nn.set_parameter @w, %w : tensor<4x3xf32>
  %0 = nn.linear_grad_input %dy, %w : tensor<2x4xf32>, tensor<4x3xf32>
  %1 = nn.linear_grad_weight %dy, %x : tensor<2x4xf32>, tensor<2x3xf32>
  %2 = nn.linear_grad_bias %d: tensor<f32>) {
  nn.set_parameter @w, %w : tensor<4x3xf32>
  %0 = nn.linear_grad_input %dy, %w : tensor<2x4xf32>, tensor<4x3xf32>
  %1 = nn.linear_grad_weight %dy, %x : tensor<2x4xf32>, tensor<2x3xf32>
  %2 = nn.linear_grad_bias %dy : tensor<2x4xf32>
  %3:3 = nn.layer_norm_grad %dy, %h, %g : tensor<2x4xf32>, tensor<2x4xf32>, tensor<4xf32>
  %4:3 = nn.layer_norm_grad %dy, %h, %g eps == 1.0e-3 : tensor<2x4xf32>, tensy : tensor<2x4xf32>
  %3:3 = nn.layer_norm_grad %dy, %h, %g : tensor<2x4xf32>, tensor<2x4xf32>, tensor<4xf32>
  %4:3 = nn.layer_norm_grad %dy, %h, %g eps == 1.0e-3 : tensor<2x4xf32>, tensor<2x4xf32>, tensor<4xfensor<4x3xf32>, tensor<f32>
  %10:3 = nn.adam_step %w, %w, %w, %w, %tf32>, tensor<f32>
  return
}
