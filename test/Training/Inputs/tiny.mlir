// A network small enough that every byte of its checkpoint can be damaged
// in a test: [B, 1, 4, 4] images, 16 -> 5 -> 10.
nn.parameter @fc1.weight kaiming_uniform : tensor<5x16xf32>
nn.parameter @fc1.bias fan_in_uniform(fan_in = 16) : tensor<5xf32>
nn.parameter @ln.weight ones : tensor<5xf32>
nn.parameter @ln.bias zeros : tensor<5xf32>
nn.parameter @fc2.weight kaiming_uniform : tensor<10x5xf32>
func.func @forward(%x: tensor<?x1x4x4xf32>) -> tensor<?x10xf32> {
  %w1 = nn.get_parameter @fc1.weight : tensor<5x16xf32>
  %b1 = nn.get_parameter @fc1.bias : tensor<5xf32>
  %g = nn.get_parameter @ln.weight : tensor<5xf32>
  %s = nn.get_parameter @ln.bias : tensor<5xf32>
  %w2 = nn.get_parameter @fc2.weight : tensor<10x5xf32>
  %f = nn.flatten %x : tensor<?x1x4x4xf32> -> tensor<?x16xf32>
  %h = nn.linear %f, %w1, %b1 : (tensor<?x16xf32>, tensor<5x16xf32>, tensor<5xf32>) -> tensor<?x5xf32>
  %n = nn.layer_norm %h, %g, %s : (tensor<?x5xf32>, tensor<5xf32>, tensor<5xf32>) -> tensor<?x5xf32>
  %a = nn.relu %n : tensor<?x5xf32>
  %y = nn.linear %a, %w2 : (tensor<?x5xf32>, tensor<10x5xf32>) -> tensor<?x10xf32>
  return %y : tensor<?x10xf32>
}
func.func @loss(%x: tensor<?x1x4x4xf32>, %labels: tensor<?xi64>) -> tensor<f32> {
  %logits = call @forward(%x) : (tensor<?x1x4x4xf32>) -> tensor<?x10xf32>
  %l = nn.cross_entropy %logits, %labels : tensor<?x10xf32>, tensor<?xi64> -> tensor<f32>
  return %l : tensor<f32>
}
