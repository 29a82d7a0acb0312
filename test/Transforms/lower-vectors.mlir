// RUN: tick-opt %s --tick-lower-vectors | FileCheck %s

#lhs = affine_map<(i, j, k) -> (i, k)>
#rhs = affine_map<(i, j, k) -> (k, j)>
#acc = affine_map<(i, j, k) -> (i, j)>

// A register block of the matmul: one broadcast input and one FMA on 16
// lanes per accumulator row.
// CHECK-LABEL: func.func @matmul_block
// CHECK-COUNT-8: vector.fma %{{.*}}, %{{.*}}, %{{.*}} : vector<16xf32>
// CHECK-NOT:     vector.contract
// CHECK-NOT:     vector.outerproduct
func.func @matmul_block(%a: vector<8x1xf32>, %b: vector<1x16xf32>, %c: vector<8x16xf32>) -> vector<8x16xf32> {
  %0 = vector.contract {indexing_maps = [#lhs, #rhs, #acc], iterator_types = ["parallel", "parallel", "reduction"], kind = #vector.kind<add>} %a, %b, %c : vector<8x1xf32>, vector<1x16xf32> into vector<8x16xf32>
  return %0 : vector<8x16xf32>
}

// A row sum becomes one horizontal reduction.
// CHECK-LABEL: func.func @row_sum
// CHECK:         vector.reduction <add>, %{{.*}}, %{{.*}} : vector<128xf32> into f32
// CHECK-NOT:     vector.multi_reduction
func.func @row_sum(%x: vector<1x128xf32>, %acc: vector<1xf32>) -> vector<1xf32> {
  %0 = vector.multi_reduction <add>, %x, %acc [1] : vector<1x128xf32> to vector<1xf32>
  return %0 : vector<1xf32>
}

// A row's statistic broadcast over the row: one scalar load and a splat,
// not a 1024-lane transpose unrolled element by element.
// CHECK-LABEL: func.func @stretch_one_element
// CHECK:         %[[S:.*]] = memref.load %{{.*}}[%{{.*}}] : memref<8xf32>
// CHECK:         vector.broadcast %[[S]] : f32 to vector<1x1024xf32>
// CHECK-NOT:     vector.insert
// CHECK-NOT:     vector.transpose
func.func @stretch_one_element(%m: memref<8xf32>, %i: index) -> vector<1x1024xf32> {
  %pad = arith.constant 0.0 : f32
  %0 = vector.transfer_read %m[%i], %pad {in_bounds = [true, true], permutation_map = affine_map<(d0) -> (d0, 0)>} : memref<8xf32>, vector<1x1024xf32>
  return %0 : vector<1x1024xf32>
}
