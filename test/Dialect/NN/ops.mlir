// RUN: tick-opt %s | tick-opt | FileCheck %s
// RUN: tick-opt %s -mlir-print-op-generic | tick-opt | FileCheck %s
// RUN: tick-opt %s -mlir-print-op-generic | FileCheck %s --check-prefix=GENERIC

// CHECK: nn.parameter @fc.weight kaiming_uniform : tensor<4x3xf32>
// CHECK: nn.parameter @fc.bias fan_in_uniform(fan_in = 3) : tensor<4xf32>
// CHECK: nn.parameter @ln.weight ones : tensor<4xf32>
// CHECK: nn.parameter @ln.bias zeros : tensor<4xf32>
// CHECK: nn.parameter @wide.weight kaiming_uniform : tensor<2x4xf64>
// GENERIC: "nn.parameter"() <{init = #nn.init<kaiming_uniform>, sym_name = "fc.weight", type = tensor<4x3xf32>}>
// GENERIC: "nn.parameter"() <{fan_in = 3 : i64, init = #nn.init<fan_in_uniform>, sym_name = "fc.bias", type = tensor<4xf32>}>
nn.parameter @fc.weight kaiming_uniform : tensor<4x3xf32>
nn.parameter @fc.bias fan_in_uniform(fan_in = 3) : tensor<4xf32>
nn.parameter @ln.weight ones : tensor<4xf32>
nn.parameter @ln.bias zeros : tensor<4xf32>
nn.parameter @wide.weight kaiming_uniform : tensor<2x4xf64>

// CHECK-LABEL: func.func @get_parameter
// CHECK: %[[W:.*]] = nn.get_parameter @fc.weight : tensor<4x3xf32>
// CHECK: return %[[W]]
func.func @get_parameter() -> tensor<4x3xf32> {
  %w = nn.get_parameter @fc.weight : tensor<4x3xf32>
  return %w : tensor<4x3xf32>
}

// CHECK-LABEL: func.func @linear
// CHECK-SAME: (%[[X:.*]]: tensor<?x3xf32>, %[[W:.*]]: tensor<4x3xf32>, %[[B:.*]]: tensor<4xf32>)
// CHECK: nn.linear %[[X]], %[[W]], %[[B]] : (tensor<?x3xf32>, tensor<4x3xf32>, tensor<4xf32>) -> tensor<?x4xf32>
// CHECK: nn.linear %[[X]], %[[W]] : (tensor<?x3xf32>, tensor<4x3xf32>) -> tensor<?x4xf32>
// CHECK: nn.linear {{.*}} : (tensor<5x3xf32>, tensor<4x3xf32>, tensor<4xf32>) -> tensor<5x4xf32>
// GENERIC-LABEL: sym_name = "linear"
// GENERIC: "nn.linear"(%{{.*}}, %{{.*}}, %{{.*}}) : (tensor<?x3xf32>, tensor<4x3xf32>, tensor<4xf32>) -> tensor<?x4xf32>
func.func @linear(%x: tensor<?x3xf32>, %w: tensor<4x3xf32>, %b: tensor<4xf32>) -> (tensor<?x4xf32>, tensor<?x4xf32>, tensor<5x4xf32>) {
  %0 = nn.linear %x, %w, %b : (tensor<?x3xf32>, tensor<4x3xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  %1 = nn.linear %x, %w : (tensor<?x3xf32>, tensor<4x3xf32>) -> tensor<?x4xf32>
  %s = arith.constant dense<1.0> : tensor<5x3xf32>
  %2 = nn.linear %s, %w, %b : (tensor<5x3xf32>, tensor<4x3xf32>, tensor<4xf32>) -> tensor<5x4xf32>
  return %0, %1, %2 : tensor<?x4xf32>, tensor<?x4xf32>, tensor<5x4xf32>
}

// CHECK-LABEL: func.func @layer_norm
// CHECK: nn.layer_norm %{{.*}}, %{{.*}}, %{{.*}} : (tensor<?x4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
// CHECK: nn.layer_norm %{{.*}}, %{{.*}}, %{{.*}} eps = 1.000000e-03 : (tensor<?x4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
// GENERIC-LABEL: sym_name = "layer_norm"
// GENERIC: "nn.layer_norm"(%{{.*}}, %{{.*}}, %{{.*}}) <{eps = 1.000000e-05 : f64}>
// GENERIC: "nn.layer_norm"(%{{.*}}, %{{.*}}, %{{.*}}) <{eps = 1.000000e-03 : f64}>
func.func @layer_norm(%x: tensor<?x4xf32>, %g: tensor<4xf32>, %b: tensor<4xf32>) -> (tensor<?x4xf32>, tensor<?x4xf32>) {
  %0 = nn.layer_norm %x, %g, %b : (tensor<?x4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  %1 = nn.layer_norm %x, %g, %b eps = 1.0e-3 : (tensor<?x4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  return %0, %1 : tensor<?x4xf32>, tensor<?x4xf32>
}

// CHECK-LABEL: func.func @relu
// CHECK: nn.relu %{{.*}} : tensor<?x4xf32>
// CHECK: nn.relu %{{.*}} : tensor<2x3x4xf64>
func.func @relu(%x: tensor<?x4xf32>, %y: tensor<2x3x4xf64>) -> (tensor<?x4xf32>, tensor<2x3x4xf64>) {
  %0 = nn.relu %x : tensor<?x4xf32>
  %1 = nn.relu %y : tensor<2x3x4xf64>
  return %0, %1 : tensor<?x4xf32>, tensor<2x3x4xf64>
}

// CHECK-LABEL: func.func @flatten
// CHECK: nn.flatten %{{.*}} : tensor<?x1x28x28xf32> -> tensor<?x784xf32>
// CHECK: nn.flatten %{{.*}} : tensor<3x28x28xf32> -> tensor<3x784xf32>
func.func @flatten(%x: tensor<?x1x28x28xf32>, %y: tensor<3x28x28xf32>) -> (tensor<?x784xf32>, tensor<3x784xf32>) {
  %0 = nn.flatten %x : tensor<?x1x28x28xf32> -> tensor<?x784xf32>
  %1 = nn.flatten %y : tensor<3x28x28xf32> -> tensor<3x784xf32>
  return %0, %1 : tensor<?x784xf32>, tensor<3x784xf32>
}

// CHECK-LABEL: func.func @cross_entropy
// CHECK: nn.cross_entropy %{{.*}}, %{{.*}} : tensor<?x10xf32>, tensor<?xi64> -> tensor<f32>
// CHECK: nn.cross_entropy %{{.*}}, %{{.*}} : tensor<8x10xf64>, tensor<8xi32> -> tensor<f64>
func.func @cross_entropy(%l: tensor<?x10xf32>, %y: tensor<?xi64>, %l2: tensor<8x10xf64>, %y2: tensor<8xi32>) -> (tensor<f32>, tensor<f64>) {
  %0 = nn.cross_entropy %l, %y : tensor<?x10xf32>, tensor<?xi64> -> tensor<f32>
  %1 = nn.cross_entropy %l2, %y2 : tensor<8x10xf64>, tensor<8xi32> -> tensor<f64>
  return %0, %1 : tensor<f32>, tensor<f64>
}
