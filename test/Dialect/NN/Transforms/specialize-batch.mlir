// RUN: tick-opt %s --split-input-file --nn-specialize-batch=batch-size=3 --verify-diagnostics | FileCheck %s

// Every dynamic batch becomes 3: signature, block arguments, results, calls.
// CHECK-LABEL: func.func @forward(
// CHECK-SAME:    %{{.*}}: tensor<3x1x2x2xf32>, %{{.*}}: tensor<5x4xf32>) -> tensor<3x5xf32>
// CHECK:         nn.flatten %{{.*}} : tensor<3x1x2x2xf32> -> tensor<3x4xf32>
// CHECK:         nn.linear %{{.*}} : (tensor<3x4xf32>, tensor<5x4xf32>) -> tensor<3x5xf32>
// CHECK:         nn.relu %{{.*}} : tensor<3x5xf32>
// CHECK-LABEL: func.func @loss(
// CHECK-SAME:    tensor<3xi64>) -> tensor<f32>
// CHECK:         call @forward(%{{.*}}) : (tensor<3x1x2x2xf32>, tensor<5x4xf32>) -> tensor<3x5xf32>
// CHECK:         nn.cross_entropy %{{.*}} : tensor<3x5xf32>, tensor<3xi64> -> tensor<f32>
func.func @forward(%x: tensor<?x1x2x2xf32>, %w: tensor<5x4xf32>) -> tensor<?x5xf32> {
  %f = nn.flatten %x : tensor<?x1x2x2xf32> -> tensor<?x4xf32>
  %y = nn.linear %f, %w : (tensor<?x4xf32>, tensor<5x4xf32>) -> tensor<?x5xf32>
  %r = nn.relu %y : tensor<?x5xf32>
  return %r : tensor<?x5xf32>
}
func.func @loss(%x: tensor<?x1x2x2xf32>, %w: tensor<5x4xf32>, %labels: tensor<?xi64>) -> tensor<f32> {
  %logits = call @forward(%x, %w) : (tensor<?x1x2x2xf32>, tensor<5x4xf32>) -> tensor<?x5xf32>
  %l = nn.cross_entropy %logits, %labels : tensor<?x5xf32>, tensor<?xi64> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// Only the batch may be dynamic.
func.func @two_dynamic(%x: tensor<?x?xf32>) -> tensor<?x?xf32> {
  // expected-error @+1 {{expects only the batch dimension (0) to be dynamic, got 'tensor<?x?xf32>'}}
  %r = nn.relu %x : tensor<?x?xf32>
  return %r : tensor<?x?xf32>
}
