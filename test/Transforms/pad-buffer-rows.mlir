// RUN: tick-opt %s --split-input-file --tick-pad-buffer-rows | FileCheck %s

// Rows of 1024 floats are 4 KiB apart: the buffer gets 16 floats (a cache
// line) of padding per row and is used through a view with that stride;
// subviews are rebuilt on the view, the dealloc frees the allocation.

// CHECK-LABEL: func.func @padded
// CHECK:         %[[BUF:.*]] = memref.alloc() {alignment = 64 : i64} : memref<256x1040xf32>
// CHECK:         %[[VIEW:.*]] = memref.subview %[[BUF]][0, 0] [256, 1024] [1, 1] : memref<256x1040xf32> to memref<256x1024xf32, strided<[1040, 1]>>
// CHECK:         %[[ROWS:.*]] = memref.subview %[[VIEW]][%arg1, 0] [8, 1024] [1, 1] : memref<256x1024xf32, strided<[1040, 1]>> to memref<8x1024xf32, strided<[1040, 1], offset: ?>>
// CHECK:         vector.transfer_write %{{.*}}, %[[ROWS]][%c0, %c0]
// CHECK:         memref.copy %[[VIEW]], %arg0
// CHECK:         memref.dealloc %[[BUF]] : memref<256x1040xf32>
func.func @padded(%out: memref<256x1024xf32>, %row: index, %v: vector<8x16xf32>) {
  %c0 = arith.constant 0 : index
  %buf = memref.alloc() {alignment = 64 : i64} : memref<256x1024xf32>
  %rows = memref.subview %buf[%row, 0] [8, 1024] [1, 1] : memref<256x1024xf32> to memref<8x1024xf32, strided<[1024, 1], offset: ?>>
  vector.transfer_write %v, %rows[%c0, %c0] {in_bounds = [true, true]} : vector<8x16xf32>, memref<8x1024xf32, strided<[1024, 1], offset: ?>>
  memref.copy %buf, %out : memref<256x1024xf32> to memref<256x1024xf32>
  memref.dealloc %buf : memref<256x1024xf32>
  return
}

// -----

// Rows that are not a multiple of 4 KiB, a buffer with a use that needs
// its dense layout (a reshape), and a caller's buffer stay as they are.

// CHECK-LABEL: func.func @unchanged
// CHECK:         memref.alloca() : memref<256x784xf32>
// CHECK:         memref.alloc() : memref<256x1024xf32>
// CHECK-NOT:     1040
func.func @unchanged(%arg: memref<256x1024xf32>) -> memref<262144xf32> {
  %narrow = memref.alloca() : memref<256x784xf32>
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%narrow : memref<256x784xf32>)
  %wide = memref.alloc() : memref<256x1024xf32>
  %flat = memref.collapse_shape %wide [[0, 1]] : memref<256x1024xf32> into memref<262144xf32>
  linalg.fill ins(%zero : f32) outs(%arg : memref<256x1024xf32>)
  return %flat : memref<262144xf32>
}
