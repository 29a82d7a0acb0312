// Cross-entropy over 7 classes with i32 and i64 labels.
// RUN: tickc compile %s --emit=lib --batch-size=1 -o %t.b1.so
// RUN: %check-numerics %s --lib %t.b1.so --function loss --batch-size 1 | FileCheck %s
// RUN: tickc compile %s --emit=lib --batch-size=3 -o %t.b3.so
// RUN: %check-numerics %s --lib %t.b3.so --function loss --batch-size 3 | FileCheck %s
// RUN: tickc compile %s --emit=lib --batch-size=64 -o %t.b64.so
// RUN: %check-numerics %s --lib %t.b64.so --function loss --batch-size 64 | FileCheck %s
// RUN: tickc compile %s --emit=lib --batch-size=257 -o %t.b257.so
// RUN: %check-numerics %s --lib %t.b257.so --function loss --batch-size 257 | FileCheck %s
// CHECK: 0 outside tolerance
// CHECK: PASS

func.func @loss(%logits: tensor<?x7xf32>, %labels: tensor<?xi64>, %labels32: tensor<?xi32>) -> (tensor<f32>, tensor<f32>) {
  %l = nn.cross_entropy %logits, %labels : tensor<?x7xf32>, tensor<?xi64> -> tensor<f32>
  %m = nn.cross_entropy %logits, %labels32 : tensor<?x7xf32>, tensor<?xi32> -> tensor<f32>
  return %l, %m : tensor<f32>, tensor<f32>
}
