// Flatten of [B, 3, 5, 7] to [B, 105], then ReLU.
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

func.func @forward(%x: tensor<?x3x5x7xf32>) -> tensor<?x105xf32> {
  %f = nn.flatten %x : tensor<?x3x5x7xf32> -> tensor<?x105xf32>
  %y = nn.relu %f : tensor<?x105xf32>
  return %y : tensor<?x105xf32>
}
