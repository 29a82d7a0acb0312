// RUN: tick-opt %s --tick-lower-strided-copies | FileCheck %s

// Rows padded to 1040 floats: the copy is no single block of memory, and
// becomes a linalg.copy (a loop nest). A contiguous copy stays a memcpy.
// CHECK-LABEL: func.func @padded
// CHECK:         linalg.copy ins(%{{.*}} : memref<8x1024xf32, strided<[1040, 1]>>) outs(%{{.*}} : memref<8x1024xf32, strided<[1040, 1]>>)
// CHECK-NOT:     memref.copy
// CHECK-LABEL: func.func @contiguous
// CHECK:         memref.copy
func.func @padded(%a: memref<8x1040xf32>, %b: memref<8x1040xf32>) {
  %sa = memref.subview %a[0, 0] [8, 1024] [1, 1] : memref<8x1040xf32> to memref<8x1024xf32, strided<[1040, 1]>>
  %sb = memref.subview %b[0, 0] [8, 1024] [1, 1] : memref<8x1040xf32> to memref<8x1024xf32, strided<[1040, 1]>>
  memref.copy %sa, %sb : memref<8x1024xf32, strided<[1040, 1]>> to memref<8x1024xf32, strided<[1040, 1]>>
  return
}

func.func @contiguous(%a: memref<8x1024xf32>, %b: memref<8x1024xf32>) {
  memref.copy %a, %b : memref<8x1024xf32> to memref<8x1024xf32>
  return
}
