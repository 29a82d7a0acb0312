// RUN: tick-opt %s --convert-nn-to-linalg --canonicalize | FileCheck %s

// The backward ops lower like the forward ones.
// CHECK-DAG:   #[[MAT:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG:   #[[T:.*]] = affine_map<(d0, d1) -> (d1, d0)>
// CHECK-DAG:   #[[FIRST:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func.func @grads(
// CHECK-SAME:    %[[DY:[^:]*]]: tensor<4x3xf32>, %[[W:[^:]*]]: tensor<3x5xf32>, %[[X:[^:]*]]: tensor<4x5xf32>, %[[H:[^:]*]]: tensor<4x3xf32>
// dx = dy * W
// CHECK:         %[[DX:.*]] = linalg.matmul ins(%[[DY]], %[[W]] : tensor<4x3xf32>, tensor<3x5xf32>)
// dW = transpose(dy) * x
// CHECK:         %[[DYT:.*]] = linalg.transpose ins(%[[DY]] : tensor<4x3xf32>) outs(%{{.*}} : tensor<3x4xf32>) permutation = [1, 0]
// CHECK:         %[[DW:.*]] = linalg.matmul ins(%[[DYT]], %[[X]] : tensor<3x4xf32>, tensor<4x5xf32>)
// db: column sums, the feature loop first and parallel
// CHECK:         %[[DB:.*]] = linalg.generic {indexing_maps = [#[[T]], #[[FIRST]]], iterator_types = ["parallel", "reduction"]} ins(%[[DY]] : tensor<4x3xf32>)
// LayerNorm: row statistics again, then one column sweep for dweight and
// dbias (two results), one row sweep, one elementwise op for dx.
// CHECK:         math.rsqrt
// CHECK:         %[[COLS:.*]]:2 = linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]} ins(%[[DY]], %[[H]], {{.*}}) outs({{.*}} : tensor<3xf32>, tensor<3xf32>)
// CHECK:         %[[ROWS:.*]]:2 = linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]} ins(%[[DY]], %[[H]], {{.*}}) outs({{.*}} : tensor<4xf32>, tensor<4xf32>)
// CHECK:         %[[LNDX:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]} ins({{.*}}, %[[ROWS]]#0, %[[ROWS]]#1 :
// ReLU: dy where x > 0
// CHECK:         linalg.generic {{.*}} ins(%[[DY]], %[[H]] :
// CHECK:           arith.cmpf ogt
// CHECK:           arith.select
// Cross-entropy: softmax - onehot, scaled by dloss / batch
// CHECK:         math.exp
// CHECK:         linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]}
// CHECK:           math.exp
// CHECK:           arith.divf
// CHECK:           arith.cmpi eq
// Correct count: first index of the row maximum (an i32 minimum over the
// columns holding it, the others counting as 3), compared with the label
// CHECK:         %[[ARGMAX:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<4xi32>)
// CHECK:           %[[J:.*]] = arith.index_cast %{{.*}} : index to i32
// CHECK:           %[[EQ:.*]] = arith.cmpf oeq
// CHECK:           %[[CAND:.*]] = arith.select %[[EQ]], %[[J]], %c3_i32 : i32
// CHECK:           arith.minsi %[[CAND]], %{{.*}} : i32
// CHECK:         linalg.generic {{.*}}iterator_types = ["reduction"]} ins(%[[ARGMAX]], %{{.*}} : tensor<4xi32>, tensor<4xi64>) outs(%{{.*}} : tensor<i64>)
// CHECK:           arith.extsi %{{.*}} : i32 to i64
// CHECK:         return %[[DX]], %[[DW]], %[[DB]], %[[LNDX]], %[[COLS]]#0, %[[COLS]]#1
func.func @grads(%dy: tensor<4x3xf32>, %w: tensor<3x5xf32>, %x: tensor<4x5xf32>, %h: tensor<4x3xf32>, %g: tensor<3xf32>, %y: tensor<4xi64>, %one: tensor<f32>) -> (tensor<4x5xf32>, tensor<3x5xf32>, tensor<3xf32>, tensor<4x3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<4x3xf32>, tensor<4x3xf32>, tensor<i64>) {
  %0 = nn.linear_grad_input %dy, %w : tensor<4x3xf32>, tensor<3x5xf32>
  %1 = nn.linear_grad_weight %dy, %x : tensor<4x3xf32>, tensor<4x5xf32>
  %2 = nn.linear_grad_bias %dy : tensor<4x3xf32>
  %3:3 = nn.layer_norm_grad %dy, %h, %g : tensor<4x3xf32>, tensor<4x3xf32>, tensor<3xf32>
  %4 = nn.relu_grad %dy, %h : tensor<4x3xf32>
  %5 = nn.cross_entropy_grad %h, %y, %one : tensor<4x3xf32>, tensor<4xi64>, tensor<f32>
  %6 = nn.correct_count %h, %y : tensor<4x3xf32>, tensor<4xi64>
  return %0, %1, %2, %3#0, %3#1, %3#2, %4, %5, %6 : tensor<4x5xf32>, tensor<3x5xf32>, tensor<3xf32>, tensor<4x3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<4x3xf32>, tensor<4x3xf32>, tensor<i64>
}
