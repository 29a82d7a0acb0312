// LayerNorm alone on 1024 features, for timing its kernels: a standalone
// trainer of this model run with --bench-forward times one LayerNorm
// forward over a batch (bench/gpu/run uses batch 16384: 64 MiB in, 64 MiB
// out). The loss only makes the model trainable, which trainers require.
nn.parameter @ln.weight ones : tensor<1024xf32>
nn.parameter @ln.bias zeros : tensor<1024xf32>

func.func @forward(%x: tensor<?x1024xf32>) -> tensor<?x1024xf32> {
  %g = nn.get_parameter @ln.weight : tensor<1024xf32>
  %b = nn.get_parameter @ln.bias : tensor<1024xf32>
  %y = nn.layer_norm %x, %g, %b : (tensor<?x1024xf32>, tensor<1024xf32>, tensor<1024xf32>) -> tensor<?x1024xf32>
  return %y : tensor<?x1024xf32>
}

func.func @loss(%x: tensor<?x1024xf32>, %labels: tensor<?xi64>) -> tensor<f32> {
  %logits = call @forward(%x) : (tensor<?x1024xf32>) -> tensor<?x1024xf32>
  %loss = nn.cross_entropy %logits, %labels : tensor<?x1024xf32>, tensor<?xi64> -> tensor<f32>
  return %loss : tensor<f32>
}
