// LayerNorm over 23 features, default eps and eps = 1e-3.
// RUN: tickc compile %s --emit=lib --batch-size=1 -o %t.b1.so
// RUN: %check-numerics %s --lib %t.b1.so --function forward --batch-size 1 | FileCheck %s
// RUN: tickc compile %s --emit=lib --batch-size=3 -o %t.b3.so
// RUN: %check-numerics %s --lib %t.b3.so --function forward --batch-size 3 | FileCheck %s
// RUN: tickc compile %s --emit=lib --batch-size=64 -o %t.b64.so
// RUN: %check-numerics %s --lib %t.b64.so --function forward --batch-size 64 | FileCheck %s
// RUN: tickc compile %s --emit=lib --batch-size=257 -o %t.b257.so
// RUN: %check-numerics %s --lib %t.b257.so --function forward --batch-size 257 | FileCheck %s
// CHECK: 0 outside tolerance
// CHECK: PASS

func.func @forward(%x: tensor<?x23xf32>, %g: tensor<23xf32>, %b: tensor<23xf32>) -> (tensor<?x23xf32>, tensor<?x23xf32>) {
  %y = nn.layer_norm %x, %g, %b : (tensor<?x23xf32>, tensor<23xf32>, tensor<23xf32>) -> tensor<?x23xf32>
  %z = nn.layer_norm %x, %g, %b eps = 1.0e-3 : (tensor<?x23xf32>, tensor<23xf32>, tensor<23xf32>) -> tensor<?x23xf32>
  return %y, %z : tensor<?x23xf32>, tensor<?x23xf32>
}
