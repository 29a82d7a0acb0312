// RUN: tick-opt %s --split-input-file --tick-gpu-merge-launches --canonicalize | FileCheck %s

// Two updates of different buffers (2 and 1 blocks of 64 threads) become
// one launch of 3 blocks: blocks 0 and 1 run the first body, block 2 the
// second as its block 0.

// CHECK-LABEL: func.func @independent
// CHECK:         gpu.launch blocks(%[[B:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %c3, {{.*}}) threads(%[[T:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %c64,
// CHECK:           %[[FIRST:.*]] = arith.cmpi ult, %[[B]], %c2
// CHECK:           scf.if %[[FIRST]] {
// CHECK:             arith.muli %[[B]], %c64
// CHECK:             memref.store %{{.*}}, %arg0
// CHECK:           } else {
// CHECK:             %[[LOCAL:.*]] = arith.subi %[[B]], %c2
// CHECK:             arith.muli %[[LOCAL]], %c64
// CHECK:             memref.store %{{.*}}, %arg1
// CHECK:           }
// CHECK-NOT:     gpu.launch
func.func @independent(%w: memref<100xf32>, %b: memref<10xf32>, %g: memref<100xf32>, %gb: memref<10xf32>) {
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c64 = arith.constant 64 : index
  %c100 = arith.constant 100 : index
  %c10 = arith.constant 10 : index
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c2, %gy = %c1, %gz = %c1) threads(%tx, %ty, %tz) in (%sx = %c64, %sy = %c1, %sz = %c1) {
    %base = arith.muli %bx, %c64 : index
    %i = arith.addi %base, %tx : index
    %in = arith.cmpi ult, %i, %c100 : index
    scf.if %in {
      %v = memref.load %w[%i] : memref<100xf32>
      %d = memref.load %g[%i] : memref<100xf32>
      %n = arith.subf %v, %d : f32
      memref.store %n, %w[%i] : memref<100xf32>
    }
    gpu.terminator
  }
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1) threads(%tx, %ty, %tz) in (%sx = %c64, %sy = %c1, %sz = %c1) {
    %base = arith.muli %bx, %c64 : index
    %i = arith.addi %base, %tx : index
    %in = arith.cmpi ult, %i, %c10 : index
    scf.if %in {
      %v = memref.load %b[%i] : memref<10xf32>
      %d = memref.load %gb[%i] : memref<10xf32>
      %n = arith.subf %v, %d : f32
      memref.store %n, %b[%i] : memref<10xf32>
    }
    gpu.terminator
  }
  return
}

// -----

// Not merged: the second reads what the first writes (through a view), a
// kernel with a barrier, and blocks of another size.

// CHECK-LABEL: func.func @left_apart
// CHECK-COUNT-4: gpu.launch
func.func @left_apart(%a: memref<64xf32>, %b: memref<64xf32>, %c: memref<64xf32>) {
  %c1 = arith.constant 1 : index
  %c32 = arith.constant 32 : index
  %c64 = arith.constant 64 : index
  %cst = arith.constant 1.0 : f32
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1) threads(%tx, %ty, %tz) in (%sx = %c64, %sy = %c1, %sz = %c1) {
    memref.store %cst, %a[%tx] : memref<64xf32>
    gpu.terminator
  }
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1) threads(%tx, %ty, %tz) in (%sx = %c64, %sy = %c1, %sz = %c1) {
    %view = memref.subview %a[0] [32] [1] : memref<64xf32> to memref<32xf32, strided<[1]>>
    %v = memref.load %view[%c1] : memref<32xf32, strided<[1]>>
    memref.store %v, %b[%tx] : memref<64xf32>
    gpu.terminator
  }
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1) threads(%tx, %ty, %tz) in (%sx = %c64, %sy = %c1, %sz = %c1) {
    gpu.barrier
    memref.store %cst, %c[%tx] : memref<64xf32>
    gpu.terminator
  }
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1) threads(%tx, %ty, %tz) in (%sx = %c32, %sy = %c1, %sz = %c1) {
    memref.store %cst, %c[%tx] : memref<64xf32>
    gpu.terminator
  }
  return
}

// -----

// A constant defined between the launches, used by the second body: the
// merged launch goes where the last one was, after it.

// CHECK-LABEL: func.func @constant_between
// CHECK:         gpu.launch blocks({{.*}}) in (%{{.*}} = %c2,
// CHECK-NOT:     gpu.launch
func.func @constant_between(%a: memref<64xf32>, %b: memref<64xf32>) {
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %one = arith.constant 1.0 : f32
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1) threads(%tx, %ty, %tz) in (%sx = %c64, %sy = %c1, %sz = %c1) {
    memref.store %one, %a[%tx] : memref<64xf32>
    gpu.terminator
  }
  %two = arith.constant 2.0 : f32
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1) threads(%tx, %ty, %tz) in (%sx = %c64, %sy = %c1, %sz = %c1) {
    memref.store %two, %b[%tx] : memref<64xf32>
    gpu.terminator
  }
  return
}
