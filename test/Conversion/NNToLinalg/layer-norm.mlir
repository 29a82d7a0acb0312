// RUN: tick-opt %s --convert-nn-to-linalg | FileCheck %s

// LayerNorm: row sums, mean, sum of squared deviations from the mean (not
// E[x^2] - mean^2), inverse standard deviation, then one elementwise op.
// CHECK-DAG:   #[[MAT:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG:   #[[ROW:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-DAG:   #[[COL:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG:   #[[VEC:.*]] = affine_map<(d0) -> (d0)>
// CHECK-LABEL: func.func @layer_norm(
// CHECK-SAME:    %[[X:.*]]: tensor<?x6xf32>, %[[G:.*]]: tensor<6xf32>, %[[B:.*]]: tensor<6xf32>)
// CHECK-DAG:     %[[N:.*]] = arith.constant 6.000000e+00 : f32
// CHECK-DAG:     %[[EPS:.*]] = arith.constant 1.000000e-03 : f32
// CHECK:         %[[SUM:.*]] = linalg.generic {indexing_maps = [#[[MAT]], #[[ROW]]], iterator_types = ["parallel", "reduction"]} ins(%[[X]] : tensor<?x6xf32>)
// CHECK:           arith.addf
// CHECK:         %[[MEAN:.*]] = linalg.generic {indexing_maps = [#[[VEC]], #[[VEC]]], iterator_types = ["parallel"]} ins(%[[SUM]] : tensor<?xf32>)
// CHECK:           arith.divf %{{.*}}, %[[N]]
// CHECK:         %[[SQ:.*]] = linalg.generic {indexing_maps = [#[[MAT]], #[[ROW]], #[[ROW]]], iterator_types = ["parallel", "reduction"]} ins(%[[X]], %[[MEAN]] : tensor<?x6xf32>, tensor<?xf32>)
// CHECK:           %[[D:.*]] = arith.subf
// CHECK:           %[[D2:.*]] = arith.mulf %[[D]], %[[D]]
// CHECK:           arith.addf %{{.*}}, %[[D2]]
// CHECK:         %[[RSTD:.*]] = linalg.generic {indexing_maps = [#[[VEC]], #[[VEC]]], iterator_types = ["parallel"]} ins(%[[SQ]] : tensor<?xf32>)
// CHECK:           %[[VAR:.*]] = arith.divf %{{.*}}, %[[N]]
// CHECK:           %[[SHIFT:.*]] = arith.addf %[[VAR]], %[[EPS]]
// CHECK:           math.rsqrt %[[SHIFT]]
// CHECK:         %[[Y:.*]] = linalg.generic {indexing_maps = [#[[MAT]], #[[ROW]], #[[ROW]], #[[COL]], #[[COL]], #[[MAT]]], iterator_types = ["parallel", "parallel"]}
// CHECK-SAME:      ins(%[[X]], %[[MEAN]], %[[RSTD]], %[[G]], %[[B]] :
// CHECK:           arith.subf
// CHECK:           arith.mulf
// CHECK:           arith.mulf
// CHECK:           arith.addf
// CHECK:         return %[[Y]]
func.func @layer_norm(%x: tensor<?x6xf32>, %g: tensor<6xf32>, %b: tensor<6xf32>) -> tensor<?x6xf32> {
  %0 = nn.layer_norm %x, %g, %b eps = 1.0e-3 : (tensor<?x6xf32>, tensor<6xf32>, tensor<6xf32>) -> tensor<?x6xf32>
  return %0 : tensor<?x6xf32>
}
