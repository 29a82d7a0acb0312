// RUN: tick-opt %s --tick-parallel-dims-first | FileCheck %s

// A bias gradient sums over the batch (loop 0, a reduction) for each
// column (loop 1, parallel): the loops swap, so the column loop is the
// parallel one outside and the sum runs inside it.

// CHECK-DAG:   #[[ROW:.*]] = affine_map<(d0, d1) -> (d1, d0)>
// CHECK-DAG:   #[[COL:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func.func @column_sum
// CHECK:         linalg.generic {indexing_maps = [#[[ROW]], #[[COL]]], iterator_types = ["parallel", "reduction"]}
func.func @column_sum(%dy: tensor<64x10xf32>, %init: tensor<10xf32>) -> tensor<10xf32> {
  %0 = linalg.generic {
      indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>],
      iterator_types = ["reduction", "parallel"]}
      ins(%dy : tensor<64x10xf32>) outs(%init : tensor<10xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %s = arith.addf %in, %acc : f32
    linalg.yield %s : f32
  } -> tensor<10xf32>
  return %0 : tensor<10xf32>
}

// Parallel loops already first: unchanged.

// CHECK-LABEL: func.func @row_sum
// CHECK:         iterator_types = ["parallel", "reduction"]
// CHECK-SAME:    ins(%arg0 : tensor<64x10xf32>)
func.func @row_sum(%x: tensor<64x10xf32>, %init: tensor<64xf32>) -> tensor<64xf32> {
  %0 = linalg.generic {
      indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>],
      iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<64x10xf32>) outs(%init : tensor<64xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %s = arith.addf %in, %acc : f32
    linalg.yield %s : f32
  } -> tensor<64xf32>
  return %0 : tensor<64xf32>
}
