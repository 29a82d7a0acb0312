// RUN: tick-opt %s --split-input-file --tick-gpu-launch-loops=block-size=128 --canonicalize | FileCheck %s

// A step counter bumped by scalar code, then a parallel loop that scales by
// it. The scalar code runs as a single-thread kernel and hands the new value
// to the parallel kernel through a device buffer; the loop runs one thread
// per element (12 of them, in one block of 128, row-major). The temporary
// and the copy become their gpu forms; every allocation is freed at the end.

// CHECK-LABEL: func.func @step
// CHECK-DAG:     %[[C12:.*]] = arith.constant 12 : index
// CHECK-DAG:     %[[C128:.*]] = arith.constant 128 : index
// CHECK-DAG:     %[[C3:.*]] = arith.constant 3 : index
// CHECK-DAG:     %[[C1:.*]] = arith.constant 1 : index
// CHECK:         %[[PASSED:.*]] = gpu.alloc  () : memref<f32>
// CHECK:         %[[TMP:.*]] = gpu.alloc  () : memref<4x3xf32>
// CHECK:         gpu.launch blocks({{.*}}) in ({{.*}} = %[[C1]], {{.*}} = %[[C1]], {{.*}} = %[[C1]]) threads({{.*}}) in ({{.*}} = %[[C1]], {{.*}} = %[[C1]], {{.*}} = %[[C1]])
// CHECK:           %[[S:.*]] = memref.load %arg1[]
// CHECK:           %[[NEXT:.*]] = arith.addf %[[S]]
// CHECK:           memref.store %[[NEXT]], %[[PASSED]][]
// CHECK:           memref.store %[[NEXT]], %arg1[]
// CHECK:           gpu.terminator
// CHECK:         gpu.launch blocks(%[[BX:.*]], %{{.*}}, %{{.*}}) in ({{.*}} = %[[C1]], {{.*}}) threads(%[[TX:.*]], %{{.*}}, %{{.*}}) in ({{.*}} = %[[C128]], {{.*}} = %[[C1]], {{.*}} = %[[C1]])
// CHECK:           %[[IN:.*]] = arith.cmpi ult, %[[TX]], %[[C12]]
// CHECK:           scf.if %[[IN]]
// CHECK:             %[[J:.*]] = arith.remui %[[TX]], %[[C3]]
// CHECK:             %[[I:.*]] = arith.divui %[[TX]], %[[C3]]
// CHECK:             %[[SCALE:.*]] = memref.load %[[PASSED]][]
// CHECK:             %[[V:.*]] = memref.load %arg0[%[[I]], %[[J]]]
// CHECK:             %[[W:.*]] = arith.mulf %[[V]], %[[SCALE]]
// CHECK:             memref.store %[[W]], %[[TMP]][%[[I]], %[[J]]]
// CHECK:         gpu.memcpy  %arg2, %[[TMP]]
// CHECK-NOT:     memref.dealloc
// CHECK-DAG:     gpu.dealloc  %[[TMP]]
// CHECK-DAG:     gpu.dealloc  %[[PASSED]]
// CHECK:         return
func.func @step(%x: memref<4x3xf32>, %step: memref<f32>, %out: memref<4x3xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %c4 = arith.constant 4 : index
  %one = arith.constant 1.0 : f32
  %tmp = memref.alloc() : memref<4x3xf32>
  %s = memref.load %step[] : memref<f32>
  %next = arith.addf %s, %one : f32
  memref.store %next, %step[] : memref<f32>
  scf.parallel (%i, %j) = (%c0, %c0) to (%c4, %c3) step (%c1, %c1) {
    %v = memref.load %x[%i, %j] : memref<4x3xf32>
    %w = arith.mulf %v, %next : f32
    memref.store %w, %tmp[%i, %j] : memref<4x3xf32>
    scf.reduce
  }
  memref.copy %tmp, %out : memref<4x3xf32> to memref<4x3xf32>
  memref.dealloc %tmp : memref<4x3xf32>
  return
}

// -----

// Bounds and steps other than 0 and 1, and more threads than one block:
// 300 iterations of (i from 2 by 3) in blocks of 128 make 3 blocks; the
// thread's iteration is block * 128 + thread. Serial code on both sides of
// a loop becomes two kernels; a value the first computes is reloaded in
// the second.

// CHECK-LABEL: func.func @strided
// CHECK-DAG:     %[[C300:.*]] = arith.constant 300 : index
// CHECK-DAG:     %[[C3:.*]] = arith.constant 3 : index
// CHECK-DAG:     %[[C2:.*]] = arith.constant 2 : index
// CHECK:         %[[PASSED:.*]] = gpu.alloc  () : memref<f32>
// CHECK:         gpu.launch
// CHECK:           memref.store %{{.*}}, %[[PASSED]][]
// CHECK:         gpu.launch blocks(%[[BX:.*]], %{{.*}}, %{{.*}}) in ({{.*}} = %[[C3]], {{.*}}) threads(%[[TX:.*]], %{{.*}}, %{{.*}}) in
// CHECK:           %[[BASE:.*]] = arith.muli %[[BX]], %c128
// CHECK:           %[[ID:.*]] = arith.addi %[[BASE]], %[[TX]]
// CHECK:           arith.cmpi ult, %[[ID]], %[[C300]]
// CHECK:             %[[OFF:.*]] = arith.muli %[[ID]], %[[C3]]
// CHECK:             %[[I:.*]] = arith.addi %[[OFF]], %[[C2]]
// CHECK:             memref.store %{{.*}}, %arg0[%[[I]]]
// CHECK:         gpu.launch
// CHECK:           %[[AGAIN:.*]] = memref.load %[[PASSED]][]
// CHECK:           memref.store %[[AGAIN]], %arg1[]
func.func @strided(%buf: memref<902xf32>, %acc: memref<f32>) {
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c902 = arith.constant 902 : index
  %zero = arith.constant 0.0 : f32
  %a = memref.load %acc[] : memref<f32>
  %b = arith.addf %a, %a : f32
  memref.store %zero, %acc[] : memref<f32>
  scf.parallel (%i) = (%c2) to (%c902) step (%c3) {
    memref.store %zero, %buf[%i] : memref<902xf32>
    scf.reduce
  }
  memref.store %b, %acc[] : memref<f32>
  return
}

// -----

// A function with no memory accesses on the host launches nothing.

// CHECK-LABEL: func.func @empty
// CHECK-NOT:     gpu.launch
func.func @empty(%a: index) -> index {
  %b = arith.addi %a, %a : index
  return %b : index
}
