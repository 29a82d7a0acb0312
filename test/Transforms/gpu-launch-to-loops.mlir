// RUN: tick-opt %s --tick-gpu-launch-to-loops | FileCheck %s

// A kernel of 2 blocks of 4 threads becomes loops over blocks (z, y, x),
// and in each a loop over its threads, whose ids come from the thread's
// number; what is the same for every thread of a block (%base) is computed
// once per block. Device memory becomes host memory.

// CHECK-LABEL: func.func @scale
// CHECK:         %[[BUF:.*]] = memref.alloc() : memref<8xf32>
// CHECK:         scf.for %{{.*}} = %{{.*}} to %c1 step
// CHECK-NEXT:      scf.for %{{.*}} = %{{.*}} to %c1 step
// CHECK-NEXT:        scf.for %[[BX:.*]] = %{{.*}} to %c2 step
// CHECK-NEXT:          %[[BASE:.*]] = arith.muli %[[BX]], %c4
// CHECK-NEXT:          scf.for %[[T:.*]] = %{{.*}} to %{{.*}} step
// CHECK:                 %[[REST:.*]] = arith.remui %[[T]],
// CHECK-NEXT:            %[[TX:.*]] = arith.remui %[[REST]], %c4
// CHECK:                 %[[I:.*]] = arith.addi %[[BASE]], %[[TX]]
// CHECK-NEXT:            memref.store %{{.*}}, %[[BUF]][%[[I]]]
// CHECK:         memref.copy %[[BUF]], %arg0
// CHECK:         memref.dealloc %[[BUF]]
// CHECK-NOT:     gpu.
func.func @scale(%out: memref<8xf32>) {
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c4 = arith.constant 4 : index
  %one = arith.constant 1.0 : f32
  %buf = gpu.alloc () : memref<8xf32>
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c2, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c4, %sy = %c1, %sz = %c1) {
    %base = arith.muli %bx, %sx : index
    %i = arith.addi %base, %tx : index
    memref.store %one, %buf[%i] : memref<8xf32>
    gpu.terminator
  }
  gpu.memcpy %out, %buf : memref<8xf32>, memref<8xf32>
  gpu.dealloc %buf : memref<8xf32>
  return
}
