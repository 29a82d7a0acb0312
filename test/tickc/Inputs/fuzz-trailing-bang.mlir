// -----

func.func @f(%x: tensor<?x3xf32>, %w: tensor<4x3xf32>) -> tensor<?x3xf32> {
  // expected-error @+1 {{expects result features to equal the weight's out_features, got 3 and 4}}
  %0 = nn.linear %x, %w : (tensor<?x3xf32>, tensor<4x3xf32>) -> tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

!