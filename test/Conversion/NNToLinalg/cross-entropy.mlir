// RUN: tick-opt %s --convert-nn-to-linalg | FileCheck %s

// Numerically stable: exp is taken of logits minus the row maximum, and the
// labelled logit is picked in the same sweep.
// CHECK-DAG:   #[[MAT:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG:   #[[ROW:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-DAG:   #[[VEC:.*]] = affine_map<(d0) -> (d0)>
// CHECK-DAG:   #[[SCALAR:.*]] = affine_map<(d0) -> ()>
// CHECK-LABEL: func.func @cross_entropy(
// CHECK-SAME:    %[[L:.*]]: tensor<4x7xf32>, %[[Y:.*]]: tensor<4xi32>)
// CHECK-DAG:     %[[NEGINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK:         %[[INIT:.*]] = linalg.fill ins(%[[NEGINF]] : f32)
// CHECK:         %[[MAX:.*]] = linalg.generic {indexing_maps = [#[[MAT]], #[[ROW]]], iterator_types = ["parallel", "reduction"]} ins(%[[L]] : tensor<4x7xf32>) outs(%[[INIT]] : tensor<4xf32>)
// CHECK:           arith.maximumf
// CHECK:         %[[SUMS:.*]]:2 = linalg.generic {indexing_maps = [#[[MAT]], #[[ROW]], #[[ROW]], #[[ROW]], #[[ROW]]], iterator_types = ["parallel", "reduction"]} ins(%[[L]], %[[MAX]], %[[Y]] :
// CHECK:           %[[SHIFTED:.*]] = arith.subf
// CHECK:           math.exp %[[SHIFTED]]
// CHECK:           %[[LABEL:.*]] = arith.index_cast %{{.*}} : i32 to index
// CHECK:           %[[J:.*]] = linalg.index 1
// CHECK:           %[[IS:.*]] = arith.cmpi eq, %[[J]], %[[LABEL]]
// CHECK:           arith.select %[[IS]]
// CHECK:         %[[INV:.*]] = arith.divf %{{.*}}, %{{.*}} : f32
// CHECK:         %[[LOSS:.*]] = linalg.generic {indexing_maps = [#[[VEC]], #[[VEC]], #[[VEC]], #[[SCALAR]]], iterator_types = ["reduction"]} ins(%[[SUMS]]#0, %[[MAX]], %[[SUMS]]#1 :
// CHECK:           math.log
// CHECK:           arith.mulf %{{.*}}, %[[INV]]
// CHECK:         return %[[LOSS]] : tensor<f32>
func.func @cross_entropy(%l: tensor<4x7xf32>, %y: tensor<4xi32>) -> tensor<f32> {
  %0 = nn.cross_entropy %l, %y : tensor<4x7xf32>, tensor<4xi32> -> tensor<f32>
  return %0 : tensor<f32>
}

// A dynamic batch divides by the run-time row count.
// CHECK-LABEL: func.func @dynamic_batch(
// CHECK:         %[[I:.*]] = arith.index_castui %{{.*}} : index to i64
// CHECK:         %[[F:.*]] = arith.uitofp %[[I]] : i64 to f32
// CHECK:         arith.divf %{{.*}}, %[[F]] : f32
func.func @dynamic_batch(%l: tensor<?x7xf32>, %y: tensor<?xi64>) -> tensor<f32> {
  %0 = nn.cross_entropy %l, %y : tensor<?x7xf32>, tensor<?xi64> -> tensor<f32>
  return %0 : tensor<f32>
}
