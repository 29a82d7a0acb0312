// RUN: tick-opt %s -split-input-file -verify-diagnostics

// expected-error @+1 {{'nn.parameter' op expects a tensor of f32 or f64, got 'tensor<4xi32>'}}
nn.parameter @p zeros : tensor<4xi32>

// -----

// expected-error @+1 {{expects a static, non-empty shape, got 'tensor<?x3xf32>'}}
nn.parameter @p kaiming_uniform : tensor<?x3xf32>

// -----

// expected-error @+1 {{expects a static, non-empty shape, got 'tensor<0x3xf32>'}}
nn.parameter @p kaiming_uniform : tensor<0x3xf32>

// -----

// expected-error @+1 {{expects fan_in only with fan_in_uniform, got kaiming_uniform}}
nn.parameter @p kaiming_uniform(fan_in = 3) : tensor<4x3xf32>

// -----

// expected-error @+1 {{expects a rank-2 [out, in] weight for kaiming_uniform, got 'tensor<4xf32>'}}
nn.parameter @p kaiming_uniform : tensor<4xf32>

// -----

// expected-error @+1 {{expects fan_in_uniform to state its fan_in}}
nn.parameter @p fan_in_uniform : tensor<4xf32>

// -----

// expected-error @+1 {{expects a positive fan_in, got 0}}
nn.parameter @p fan_in_uniform(fan_in = 0) : tensor<4xf32>

// -----

// expected-note @+1 {{see existing symbol definition here}}
nn.parameter @fc1.weight kaiming_uniform : tensor<4x3xf32>
// expected-error @+1 {{redefinition of symbol named 'fc1.weight'}}
nn.parameter @fc1.weight kaiming_uniform : tensor<4x3xf32>

// -----

func.func @f() -> tensor<4xf32> {
  // expected-error @+1 {{expects an nn.parameter named @missing in an enclosing module}}
  %0 = nn.get_parameter @missing : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @f() -> tensor<4xf32> {
  // expected-error @+1 {{expects an nn.parameter named @f in an enclosing module}}
  %0 = nn.get_parameter @f : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// A parameter used with the wrong shape.
nn.parameter @fc1.weight kaiming_uniform : tensor<128x784xf32>
func.func @f() -> tensor<784x128xf32> {
  // expected-error @+1 {{expects the declared type of @fc1.weight, 'tensor<128x784xf32>', got 'tensor<784x128xf32>'}}
  %0 = nn.get_parameter @fc1.weight : tensor<784x128xf32>
  return %0 : tensor<784x128xf32>
}

// -----

func.func @f(%x: tensor<?x3xf32>, %w: tensor<4x3xf64>) -> tensor<?x4xf32> {
  // expected-error @+1 {{expects one element type for all float operands and the result, got 'f32' and 'f64'}}
  %0 = nn.linear %x, %w : (tensor<?x3xf32>, tensor<4x3xf64>) -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

// Linear in-features mismatch.
func.func @f(%x: tensor<?x784xf32>, %w: tensor<128x748xf32>) -> tensor<?x128xf32> {
  // expected-error @+1 {{expects input features to equal the weight's in_features, got 784 and 748}}
  %0 = nn.linear %x, %w : (tensor<?x784xf32>, tensor<128x748xf32>) -> tensor<?x128xf32>
  return %0 : tensor<?x128xf32>
}

// -----

func.func @f(%x: tensor<?x3xf32>, %w: tensor<4x3xf32>, %b: tensor<3xf32>) -> tensor<?x4xf32> {
  // expected-error @+1 {{expects bias size to equal the weight's out_features, got 3 and 4}}
  %0 = nn.linear %x, %w, %b : (tensor<?x3xf32>, tensor<4x3xf32>, tensor<3xf32>) -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

func.func @f(%x: tensor<2x3xf32>, %w: tensor<4x3xf32>) -> tensor<5x4xf32> {
  // expected-error @+1 {{expects result batch size to equal the input's, got 5 and 2}}
  %0 = nn.linear %x, %w : (tensor<2x3xf32>, tensor<4x3xf32>) -> tensor<5x4xf32>
  return %0 : tensor<5x4xf32>
}

// -----

func.func @f(%x: tensor<?x3xf32>, %w: tensor<4x3xf32>) -> tensor<?x3xf32> {
  // expected-error @+1 {{expects result features to equal the weight's out_features, got 3 and 4}}
  %0 = nn.linear %x, %w : (tensor<?x3xf32>, tensor<4x3xf32>) -> tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

// -----

func.func @f(%x: tensor<?x1x3xf32>, %w: tensor<4x3xf32>) -> tensor<?x4xf32> {
  // expected-error @+1 {{operand #0 must be 2D tensor of 32-bit float or 64-bit float values, but got 'tensor<?x1x3xf32>'}}
  %0 = nn.linear %x, %w : (tensor<?x1x3xf32>, tensor<4x3xf32>) -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

// LayerNorm over 64 features fed 128.
func.func @f(%x: tensor<?x128xf32>, %g: tensor<64xf32>, %b: tensor<64xf32>) -> tensor<?x128xf32> {
  // expected-error @+1 {{expects weight size to equal the normalized features, got 64 and 128}}
  %0 = nn.layer_norm %x, %g, %b : (tensor<?x128xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<?x128xf32>
  return %0 : tensor<?x128xf32>
}

// -----

func.func @f(%x: tensor<?x4xf32>, %g: tensor<4xf32>, %b: tensor<5xf32>) -> tensor<?x4xf32> {
  // expected-error @+1 {{expects bias size to equal the normalized features, got 5 and 4}}
  %0 = nn.layer_norm %x, %g, %b : (tensor<?x4xf32>, tensor<4xf32>, tensor<5xf32>) -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

func.func @f(%x: tensor<2x4xf32>, %g: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<3x4xf32> {
  // expected-error @+1 {{expects the result shape to equal the input shape, got 'tensor<3x4xf32>' and 'tensor<2x4xf32>'}}
  %0 = nn.layer_norm %x, %g, %b : (tensor<2x4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

func.func @f(%x: tensor<2x4xf32>, %g: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{expects a positive eps, got 0}}
  %0 = nn.layer_norm %x, %g, %b eps = 0.0 : (tensor<2x4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @f(%x: tensor<2x4xf32>, %g: tensor<4xf64>, %b: tensor<4xf64>) -> tensor<2x4xf32> {
  // expected-error @+1 {{expects one element type for all float operands and the result, got 'f32' and 'f64'}}
  %0 = nn.layer_norm %x, %g, %b : (tensor<2x4xf32>, tensor<4xf64>, tensor<4xf64>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @f(%x: tensor<2x4xi32>) -> tensor<2x4xi32> {
  // expected-error @+1 {{operand #0 must be ranked tensor of 32-bit float or 64-bit float values, but got 'tensor<2x4xi32>'}}
  %0 = nn.relu %x : tensor<2x4xi32>
  return %0 : tensor<2x4xi32>
}

// -----

func.func @f(%x: tensor<4xf32>) -> tensor<4x1xf32> {
  // expected-error @+1 {{expects an input of rank 2 or more, got 'tensor<4xf32>'}}
  %0 = nn.flatten %x : tensor<4xf32> -> tensor<4x1xf32>
  return %0 : tensor<4x1xf32>
}

// -----

func.func @f(%x: tensor<2x?x3xf32>) -> tensor<2x6xf32> {
  // expected-error @+1 {{expects static feature dimensions, got 'tensor<2x?x3xf32>'}}
  %0 = nn.flatten %x : tensor<2x?x3xf32> -> tensor<2x6xf32>
  return %0 : tensor<2x6xf32>
}

// -----

func.func @f(%x: tensor<2x2x3xf32>) -> tensor<3x6xf32> {
  // expected-error @+1 {{expects result batch size to equal the input's, got 3 and 2}}
  %0 = nn.flatten %x : tensor<2x2x3xf32> -> tensor<3x6xf32>
  return %0 : tensor<3x6xf32>
}

// -----

func.func @f(%x: tensor<?x1x28x28xf32>) -> tensor<?x748xf32> {
  // expected-error @+1 {{expects result features to equal the product of the input's feature dimensions, got 748 and 784}}
  %0 = nn.flatten %x : tensor<?x1x28x28xf32> -> tensor<?x748xf32>
  return %0 : tensor<?x748xf32>
}

// -----

func.func @f(%x: tensor<?x2x3xf64>) -> tensor<?x6xf32> {
  // expected-error @+1 {{expects one element type for all float operands and the result, got 'f64' and 'f32'}}
  %0 = nn.flatten %x : tensor<?x2x3xf64> -> tensor<?x6xf32>
  return %0 : tensor<?x6xf32>
}

// -----

func.func @f(%l: tensor<8x10xf32>, %y: tensor<7xi64>) -> tensor<f32> {
  // expected-error @+1 {{expects one label per row of logits, got 7 labels and 8 rows}}
  %0 = nn.cross_entropy %l, %y : tensor<8x10xf32>, tensor<7xi64> -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @f(%l: tensor<8x0xf32>, %y: tensor<8xi64>) -> tensor<f32> {
  // expected-error @+1 {{expects at least one class}}
  %0 = nn.cross_entropy %l, %y : tensor<8x0xf32>, tensor<8xi64> -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @f(%l: tensor<8x10xf32>, %y: tensor<8xi64>) -> tensor<f64> {
  // expected-error @+1 {{expects one element type for all float operands and the result, got 'f32' and 'f64'}}
  %0 = nn.cross_entropy %l, %y : tensor<8x10xf32>, tensor<8xi64> -> tensor<f64>
  return %0 : tensor<f64>
}

// -----

// Labels of the wrong rank.
func.func @f(%l: tensor<?x10xf32>, %y: tensor<?x1xi64>) -> tensor<f32> {
  // expected-error @+1 {{operand #1 must be 1D tensor of 32-bit signless integer or 64-bit signless integer values, but got 'tensor<?x1xi64>'}}
  %0 = nn.cross_entropy %l, %y : tensor<?x10xf32>, tensor<?x1xi64> -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// Labels of the wrong element type.
func.func @f(%l: tensor<?x10xf32>, %y: tensor<?xf32>) -> tensor<f32> {
  // expected-error @+1 {{operand #1 must be 1D tensor of 32-bit signless integer or 64-bit signless integer values, but got 'tensor<?xf32>'}}
  %0 = nn.cross_entropy %l, %y : tensor<?x10xf32>, tensor<?xf32> -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @f(%l: tensor<?x10xf32>, %y: tensor<?xi64>) -> tensor<1xf32> {
  // expected-error @+1 {{result #0 must be 0D tensor of 32-bit float or 64-bit float values, but got 'tensor<1xf32>'}}
  %0 = nn.cross_entropy %l, %y : tensor<?x10xf32>, tensor<?xi64> -> tensor<1xf32>
  return %0 : tensor<1xf32>
}
