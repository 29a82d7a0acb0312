// -----

func.func @f() -> tensor<4xf32> {
  // expected-error @+1 {{expectÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿs an nn.parameter named @missing in an enclosing module}}
  %0 = nn.get_parameter @missing : tensor<4xf32>
  return %0 : tensor<4xf32>
}
x