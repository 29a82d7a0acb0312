// RUN: tick-opt %s --tick-hoist-vector-transfers --split-input-file | FileCheck %s

// A matmul block accumulating into a slice of a loop-carried tensor: the
// accumulator becomes a loop-carried vector, read once before the reduction
// loop and written once after it.

// CHECK-LABEL: func.func @acc
// CHECK:       %[[INIT:.*]] = vector.transfer_read %arg2[%c0, %c0]
// CHECK:       %[[LOOP:.*]]:2 = scf.for {{.*}} iter_args(%[[T:.*]] = %arg2, %[[V:.*]] = %[[INIT]]) -> (tensor<8x16xf32>, vector<8x16xf32>)
// CHECK-NOT:     vector.transfer_write
// CHECK:         %[[NEW:.*]] = vector.contract {{.*}} %[[V]]
// CHECK:         scf.yield %[[T]], %[[NEW]]
// CHECK:       vector.transfer_write %[[LOOP]]#1, %[[LOOP]]#0[%c0, %c0]
#a = affine_map<(m, n, k) -> (m, k)>
#b = affine_map<(m, n, k) -> (k, n)>
#c = affine_map<(m, n, k) -> (m, n)>
func.func @acc(%a: tensor<8x4xf32>, %b: tensor<4x16xf32>, %c: tensor<8x16xf32>) -> tensor<8x16xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %z = arith.constant 0.0 : f32
  %r = scf.for %k = %c0 to %c4 step %c1 iter_args(%acc = %c) -> tensor<8x16xf32> {
    %x = vector.transfer_read %a[%c0, %k], %z {in_bounds = [true, true]} : tensor<8x4xf32>, vector<8x1xf32>
    %y = vector.transfer_read %b[%k, %c0], %z {in_bounds = [true, true]} : tensor<4x16xf32>, vector<1x16xf32>
    %old = vector.transfer_read %acc[%c0, %c0], %z {in_bounds = [true, true]} : tensor<8x16xf32>, vector<8x16xf32>
    %new = vector.contract {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"], kind = #vector.kind<add>} %x, %y, %old : vector<8x1xf32>, vector<1x16xf32> into vector<8x16xf32>
    %w = vector.transfer_write %new, %acc[%c0, %c0] {in_bounds = [true, true]} : vector<8x16xf32>, tensor<8x16xf32>
    scf.yield %w : tensor<8x16xf32>
  }
  return %r : tensor<8x16xf32>
}

// -----

// After bufferization: the same block on a private buffer.

// CHECK-LABEL: func.func @acc_buffer
// CHECK:       %[[INIT:.*]] = vector.transfer_read %[[BUF:.*]][%c0, %c0]
// CHECK:       %[[LOOP:.*]] = scf.for {{.*}} iter_args(%[[V:.*]] = %[[INIT]]) -> (vector<8x16xf32>)
// CHECK-NOT:     vector.transfer_write
// CHECK:       vector.transfer_write %[[LOOP]], %[[BUF]][%c0, %c0]

#a = affine_map<(m, n, k) -> (m, k)>
#b = affine_map<(m, n, k) -> (k, n)>
#c = affine_map<(m, n, k) -> (m, n)>
func.func @acc_buffer(%a: memref<8x4xf32>, %b: memref<4x16xf32>, %out: memref<8x16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %z = arith.constant 0.0 : f32
  %acc = memref.alloca() : memref<8x16xf32>
  linalg.fill ins(%z : f32) outs(%acc : memref<8x16xf32>)
  scf.for %k = %c0 to %c4 step %c1 {
    %x = vector.transfer_read %a[%c0, %k], %z {in_bounds = [true, true]} : memref<8x4xf32>, vector<8x1xf32>
    %y = vector.transfer_read %b[%k, %c0], %z {in_bounds = [true, true]} : memref<4x16xf32>, vector<1x16xf32>
    %old = vector.transfer_read %acc[%c0, %c0], %z {in_bounds = [true, true]} : memref<8x16xf32>, vector<8x16xf32>
    %new = vector.contract {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"], kind = #vector.kind<add>} %x, %y, %old : vector<8x1xf32>, vector<1x16xf32> into vector<8x16xf32>
    vector.transfer_write %new, %acc[%c0, %c0] {in_bounds = [true, true]} : vector<8x16xf32>, memref<8x16xf32>
  }
  memref.copy %acc, %out : memref<8x16xf32> to memref<8x16xf32>
  return
}
