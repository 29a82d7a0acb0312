// RUN: tick-opt %s --nn-autodiff="optimizer=sgd lr=0.5 momentum=0.9" | FileCheck %s --check-prefix=SGD
// RUN: tick-opt %s --nn-autodiff="optimizer=sgd" | FileCheck %s --check-prefix=PLAIN
// RUN: tick-opt %s --nn-autodiff="optimizer=adam" | FileCheck %s --check-prefix=ADAM
// RUN: tick-opt %s --nn-autodiff="optimizer=adamw" | FileCheck %s --check-prefix=ADAMW
// RUN: tick-opt %s --nn-autodiff="optimizer=none" | FileCheck %s --check-prefix=NONE

// A LayerNorm whose parameters are used twice: their gradients are summed.
// The flattened input depends on no parameter and gets no gradient.
nn.parameter @fc1.weight kaiming_uniform : tensor<4x10xf32>
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
// SGD-NEXT:  nn.parameter @optimizer.fc1.weight.momentum_buffer zeros : tensor<4x10xf32>
// SGD-NEXT:  nn.parameter @optimizer.ln.weight.momentum_buffer zeros : tensor<4xf32>
// The loss function itself is kept.
// SGD-LABEL: func.func @loss(
// SGD-LABEL: func.func @train_step(
// SGD-SAME:    %{{.*}}: tensor<6x2x5xf32>, %[[Y:.*]]: tensor<6xi64>) -> (tensor<f32>, tensor<i64>)
// SGD:         nn.layer_norm
// SGD:         nn.layer_norm
// SGD:         %[[LOGITS:.*]] = nn.linear
// SGD:         %[[LOSS:.*]] = nn.cross_entropy %[[LOGITS]], %[[Y]]
// SGD:         %[[ONE:.*]] = arith.constant dense<1.000000e+00> : tensor<f32>
// SGD:         %[[DL:.*]] = nn.cross_entropy_grad %[[LOGITS]], %[[Y]], %[[ONE]]
// SGD:         nn.linear_grad_input %[[DL]]
// SGD:         nn.linear_grad_weight %[[DL]]
// SGD:         %{{.*}}, %[[LN2W:.*]], %[[LN2B:.*]] = nn.layer_norm_grad
// SGD:         nn.relu_grad
// SGD:         %{{.*}}, %[[LN1W:.*]], %[[LN1B:.*]] = nn.layer_norm_grad
// SGD-NOT:     nn.linear_grad_input
// SGD-DAG:     %[[GW:.*]] = arith.addf %[[LN2W]], %[[LN1W]] : tensor<4xf32>
// SGD-DAG:     %[[GB:.*]] = arith.addf %[[LN2B]], %[[LN1B]] : tensor<4xf32>
// SGD:         nn.linear_grad_weight
// SGD:         %[[COUNT:.*]] = nn.correct_count %[[LOGITS]], %[[Y]]
// SGD:         %[[P:.*]] = nn.get_parameter @ln.weight
// SGD:         %[[BUF:.*]] = nn.get_parameter @optimizer.ln.weight.momentum_buffer
// SGD:         %[[NP:.*]], %[[NB:.*]] = nn.sgd_step %[[P]], %[[GW]], %[[BUF]] lr = 5.000000e-01 momentum = 9.000000e-01 weight_decay = 0.000000e+00
// SGD:         nn.set_parameter @ln.weight, %[[NP]]
// SGD:         nn.set_parameter @optimizer.ln.weight.momentum_buffer, %[[NB]]
// SGD:         return %[[LOSS]], %[[COUNT]] : tensor<f32>, tensor<i64>

// Without momentum PyTorch keeps no buffer: the gradient stands in for it.
// PLAIN-LABEL: func.func @train_step
// PLAIN:         nn.sgd_step %{{.*}}, %[[G:.*]], %[[G]] lr = 1.000000e-02 momentum = 0.000000e+00
// PLAIN-NOT:     optimizer.

// ADAM-DAG:    nn.parameter @optimizer.step zeros : tensor<f32>
// ADAM-DAG:    nn.parameter @optimizer.fc1.weight.exp_avg zeros : tensor<4x10xf32>
// ADAM-DAG:    nn.parameter @optimizer.fc1.weight.exp_avg_sq zeros : tensor<4x10xf32>
// ADAM-LABEL:  func.func @train_step
// ADAM:          %[[T:.*]] = nn.get_parameter @optimizer.step
// ADAM:          %[[T1:.*]] = nn.increment %[[T]]
// ADAM:          nn.set_parameter @optimizer.step, %[[T1]]
// ADAM:          nn.adam_step {{.*}}, %[[T1]] lr = 1.000000e-03 beta1 = 9.000000e-01 beta2 = 0.99899999999999999 eps = 1.000000e-08 weight_decay = 0.000000e+00 : tensor<4x10xf32>
// ADAM-NOT:      decoupled

// ADAMW-LABEL: func.func @train_step
// ADAMW:         nn.adam_step {{.*}} weight_decay = 1.000000e-02 decoupled

// NONE-LABEL: func.func @train_step
// NONE-SAME:    -> (tensor<f32>, tensor<i64>, tensor<4x10xf32>, tensor<4xf32>, tensor<4xf32>, tensor<3x4xf32>)
// NONE-NOT:     nn.set_parameter
// NONE-NOT:     nn.sgd_step
