// Linear with and without bias, 37 -> 19 -> 21 features (not multiples of 16).
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

func.func @forward(%x: tensor<?x37xf32>, %w1: tensor<19x37xf32>, %b1: tensor<19xf32>, %w2: tensor<21x19xf32>) -> tensor<?x21xf32> {
  %h = nn.linear %x, %w1, %b1 : (tensor<?x37xf32>, tensor<19x37xf32>, tensor<19xf32>) -> tensor<?x19xf32>
  %y = nn.linear %h, %w2 : (tensor<?x19xf32>, tensor<21x19xf32>) -> tensor<?x21xf32>
  return %y : tensor<?x21xf32>
}
