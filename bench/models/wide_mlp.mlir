// The wide network of the speed benchmark: the reference network's shape
// (flatten, Linear + LayerNorm + ReLU twice, Linear) with 784-1024-1024-10
// layers, where the matmuls dominate a tick.
nn.parameter @fc1.weight kaiming_uniform : tensor<1024x784xf32>
nn.parameter @fc1.bias fan_in_uniform(fan_in = 784) : tensor<1024xf32>
nn.parameter @ln1.weight ones : tensor<1024xf32>
nn.parameter @ln1.bias zeros : tensor<1024xf32>
nn.parameter @fc2.weight kaiming_uniform : tensor<1024x1024xf32>
nn.parameter @fc2.bias fan_in_uniform(fan_in = 1024) : tensor<1024xf32>
nn.parameter @ln2.weight ones : tensor<1024xf32>
nn.parameter @ln2.bias zeros : tensor<1024xf32>
nn.parameter @fc3.weight kaiming_uniform : tensor<10x1024xf32>
nn.parameter @fc3.bias fan_in_uniform(fan_in = 1024) : tensor<10xf32>

func.func @forward(%x: tensor<?x1x28x28xf32>) -> tensor<?x10xf32> {
  %w1 = nn.get_parameter @fc1.weight : tensor<1024x784xf32>
  %b1 = nn.get_parameter @fc1.bias : tensor<1024xf32>
  %g1 = nn.get_parameter @ln1.weight : tensor<1024xf32>
  %s1 = nn.get_parameter @ln1.bias : tensor<1024xf32>
  %w2 = nn.get_parameter @fc2.weight : tensor<1024x1024xf32>
  %b2 = nn.get_parameter @fc2.bias : tensor<1024xf32>
  %g2 = nn.get_parameter @ln2.weight : tensor<1024xf32>
  %s2 = nn.get_parameter @ln2.bias : tensor<1024xf32>
  %w3 = nn.get_parameter @fc3.weight : tensor<10x1024xf32>
  %b3 = nn.get_parameter @fc3.bias : tensor<10xf32>
  %x0 = nn.flatten %x : tensor<?x1x28x28xf32> -> tensor<?x784xf32>
  %h1 = nn.linear %x0, %w1, %b1 : (tensor<?x784xf32>, tensor<1024x784xf32>, tensor<1024xf32>) -> tensor<?x1024xf32>
  %n1 = nn.layer_norm %h1, %g1, %s1 : (tensor<?x1024xf32>, tensor<1024xf32>, tensor<1024xf32>) -> tensor<?x1024xf32>
  %a1 = nn.relu %n1 : tensor<?x1024xf32>
  %h2 = nn.linear %a1, %w2, %b2 : (tensor<?x1024xf32>, tensor<1024x1024xf32>, tensor<1024xf32>) -> tensor<?x1024xf32>
  %n2 = nn.layer_norm %h2, %g2, %s2 : (tensor<?x1024xf32>, tensor<1024xf32>, tensor<1024xf32>) -> tensor<?x1024xf32>
  %a2 = nn.relu %n2 : tensor<?x1024xf32>
  %y = nn.linear %a2, %w3, %b3 : (tensor<?x1024xf32>, tensor<10x1024xf32>, tensor<10xf32>) -> tensor<?x10xf32>
  return %y : tensor<?x10xf32>
}

func.func @loss(%x: tensor<?x1x28x28xf32>, %labels: tensor<?xi64>) -> tensor<f32> {
  %logits = call @forward(%x) : (tensor<?x1x28x28xf32>) -> tensor<?x10xf32>
  %loss = nn.cross_entropy %logits, %labels : tensor<?x10xf32>, tensor<?xi64> -> tensor<f32>
  return %loss : tensor<f32>
}
