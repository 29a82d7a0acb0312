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

// Left apart: the second kernel reads what the first writes (through a
// view).

// CHECK-LABEL: func.func @dependent
// CHECK-COUNT-2: gpu.launch
// CHECK-NOT:     gpu.launch
func.func @dependent(%a: memref<64xf32>, %b: memref<64xf32>) {
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
  return
}

// -----

// A kernel whose threads wait at a barrier or exchange values by shuffles
// runs only in blocks of its own size: the two of 32 threads go together,
// not with the kernel of 64.

// CHECK-LABEL: func.func @threads_together
// CHECK:         gpu.launch blocks({{.*}}) in (%{{.*}} = %c1, {{.*}}) threads({{.*}}) in (%{{.*}} = %c64,
// CHECK:         gpu.launch blocks({{.*}}) in (%{{.*}} = %c2, {{.*}}) threads({{.*}}) in (%{{.*}} = %c32,
// CHECK:           gpu.barrier
// CHECK:           gpu.shuffle
// CHECK-NOT:     gpu.launch
func.func @threads_together(%a: memref<64xf32>, %b: memref<64xf32>, %c: memref<64xf32>) {
  %c1 = arith.constant 1 : index
  %c32 = arith.constant 32 : index
  %c64 = arith.constant 64 : index
  %cst = arith.constant 1.0 : f32
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1) threads(%tx, %ty, %tz) in (%sx = %c64, %sy = %c1, %sz = %c1) {
    memref.store %cst, %a[%tx] : memref<64xf32>
    gpu.terminator
  }
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1) threads(%tx, %ty, %tz) in (%sx = %c32, %sy = %c1, %sz = %c1) {
    gpu.barrier
    memref.store %cst, %b[%tx] : memref<64xf32>
    gpu.terminator
  }
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1) threads(%tx, %ty, %tz) in (%sx = %c32, %sy = %c1, %sz = %c1) {
    %w = arith.constant 32 : i32
    %o = arith.constant 1 : i32
    %s, %ok = gpu.shuffle xor %cst, %o, %w : f32
    memref.store %s, %c[%tx] : memref<64xf32>
    gpu.terminator
  }
  return
}

// -----

// The third kernel (64 threads) writes what the second (32 threads and a
// barrier, so not in blocks of 64) writes: it cannot join the second's
// launch, nor move above it to the first's. The first, independent of the
// second, moves down instead: one launch where the third was, its block 0
// the third's, its block 1 the first's.

// CHECK-LABEL: func.func @moved_down
// CHECK:         gpu.launch blocks({{.*}}) in (%{{.*}} = %c1, {{.*}}) threads({{.*}}) in (%{{.*}} = %c32,
// CHECK:           gpu.barrier
// CHECK:           memref.store %{{.*}}, %arg1
// CHECK:         gpu.launch blocks(%[[B:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %c2, {{.*}}) threads({{.*}}) in (%{{.*}} = %c64,
// CHECK:           %[[THIRD:.*]] = arith.cmpi ult, %[[B]], %c1
// CHECK:           scf.if %[[THIRD]] {
// CHECK:             memref.store %{{.*}}, %arg1
// CHECK:           } else {
// CHECK:             memref.store %{{.*}}, %arg0
// CHECK:           }
// CHECK-NOT:     gpu.launch
func.func @moved_down(%a: memref<64xf32>, %c: memref<64xf32>) {
  %c1 = arith.constant 1 : index
  %c32 = arith.constant 32 : index
  %c64 = arith.constant 64 : index
  %cst = arith.constant 1.0 : f32
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1) threads(%tx, %ty, %tz) in (%sx = %c64, %sy = %c1, %sz = %c1) {
    memref.store %cst, %a[%tx] : memref<64xf32>
    gpu.terminator
  }
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1) threads(%tx, %ty, %tz) in (%sx = %c32, %sy = %c1, %sz = %c1) {
    gpu.barrier
    memref.store %cst, %c[%tx] : memref<64xf32>
    gpu.terminator
  }
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1) threads(%tx, %ty, %tz) in (%sx = %c64, %sy = %c1, %sz = %c1) {
    memref.store %cst, %c[%tx] : memref<64xf32>
    gpu.terminator
  }
  return
}

// -----

// Kernels need not be neighbours. The third kernel (16 blocks of 256
// threads) is independent of the second, so it moves above it into the
// first's launch; the second (a 2 x 2 grid of 64 threads with a barrier
// and workgroup memory) cannot run in blocks of 256 and reads what the
// first writes: it keeps a launch of its own, after the merged one. The
// fourth (a counter: one block, one thread) joins the latest launch it
// may: the second's, in its block 4, thread 0 alone.

// CHECK-LABEL: func.func @moved_up
// CHECK:         gpu.launch blocks(%[[B:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %c18, {{.*}}) threads(%{{.*}}, %{{.*}}, %{{.*}}) in (%{{.*}} = %c256,
// CHECK:           %[[FIRST:.*]] = arith.cmpi ult, %[[B]], %c2
// CHECK:           scf.if %[[FIRST]] {
// CHECK:             memref.store %{{.*}}, %arg0
// CHECK:           } else {
// CHECK:             arith.subi %[[B]], %c2
// CHECK:             memref.store %{{.*}}, %arg3
// CHECK:           }
// CHECK:         gpu.launch blocks(%[[B2:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %c5, {{.*}}) threads(%[[T2:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %c64, {{.*}}) workgroup(
// CHECK:           %[[GRID:.*]] = arith.cmpi ult, %[[B2]], %c4
// CHECK:           scf.if %[[GRID]] {
// CHECK:             gpu.barrier
// CHECK:             memref.store %{{.*}}, %arg1
// CHECK:           } else {
// CHECK:             %[[ONE:.*]] = arith.cmpi ult, %[[T2]], %c1
// CHECK:             scf.if %[[ONE]] {
// CHECK:               memref.load %arg2[]
// CHECK:               memref.store %{{.*}}, %arg2[]
// CHECK-NOT:     gpu.launch
func.func @moved_up(%a: memref<512xf32>, %b: memref<4x64xf32>, %count: memref<f32>, %c: memref<4096xf32>) {
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c16 = arith.constant 16 : index
  %c64 = arith.constant 64 : index
  %c256 = arith.constant 256 : index
  %one = arith.constant 1.0 : f32
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c2, %gy = %c1, %gz = %c1) threads(%tx, %ty, %tz) in (%sx = %c256, %sy = %c1, %sz = %c1) {
    %base = arith.muli %bx, %c256 : index
    %i = arith.addi %base, %tx : index
    memref.store %one, %a[%i] : memref<512xf32>
    gpu.terminator
  }
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c2, %gy = %c2, %gz = %c1) threads(%tx, %ty, %tz) in (%sx = %c64, %sy = %c1, %sz = %c1)
      workgroup(%tile : memref<64xf32, #gpu.address_space<workgroup>>) {
    %v = memref.load %a[%tx] : memref<512xf32>
    memref.store %v, %tile[%tx] : memref<64xf32, #gpu.address_space<workgroup>>
    gpu.barrier
    %row = arith.addi %bx, %by : index
    %w = memref.load %tile[%tx] : memref<64xf32, #gpu.address_space<workgroup>>
    memref.store %w, %b[%row, %tx] : memref<4x64xf32>
    gpu.terminator
  }
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c16, %gy = %c1, %gz = %c1) threads(%tx, %ty, %tz) in (%sx = %c256, %sy = %c1, %sz = %c1) {
    %base = arith.muli %bx, %c256 : index
    %i = arith.addi %base, %tx : index
    memref.store %one, %c[%i] : memref<4096xf32>
    gpu.terminator
  }
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1) threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
    %n = memref.load %count[] : memref<f32>
    %m = arith.addf %n, %one : f32
    memref.store %m, %count[] : memref<f32>
    gpu.terminator
  }
  return
}

// -----

// Two kernels with 2-D grids and workgroup memory of their own, the same
// block size, barriers: one launch of 4 + 6 blocks, each body with its own
// workgroup buffer; a block finds its (x, y) in its kernel's grid from its
// place in the kernel's range.

// CHECK-LABEL: func.func @grids_and_workgroup
// CHECK:         gpu.launch blocks(%[[B:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %c10, %{{.*}} = %c1, %{{.*}} = %c1) threads(%[[T:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %c64, %{{.*}} = %c1, %{{.*}} = %c1) workgroup(%[[W0:.*]] : memref<64xf32, #gpu.address_space<workgroup>>, %[[W1:.*]] : memref<64xf32, #gpu.address_space<workgroup>>)
// CHECK:           %[[FIRST:.*]] = arith.cmpi ult, %[[B]], %c4
// CHECK:           scf.if %[[FIRST]] {
// CHECK:             %[[X0:.*]] = arith.remui %[[B]], %c2
// CHECK:             %[[R0:.*]] = arith.divui %[[B]], %c2
// CHECK:             %[[Y0:.*]] = arith.remui %[[R0]], %c2
// CHECK:             memref.store %{{.*}}, %[[W0]][%[[T]]]
// CHECK:             gpu.barrier
// CHECK:             memref.store %{{.*}}, %arg0[%[[Y0]], %[[X0]]]
// CHECK:           } else {
// CHECK:             %[[LOCAL:.*]] = arith.subi %[[B]], %c4
// CHECK:             %[[X1:.*]] = arith.remui %[[LOCAL]], %c3
// CHECK:             %[[R1:.*]] = arith.divui %[[LOCAL]], %c3
// CHECK:             %[[Y1:.*]] = arith.remui %[[R1]], %c2
// CHECK:             memref.store %{{.*}}, %[[W1]][%[[T]]]
// CHECK:             gpu.barrier
// CHECK:             memref.store %{{.*}}, %arg1[%[[Y1]], %[[X1]]]
// CHECK:           }
// CHECK-NOT:     gpu.launch
func.func @grids_and_workgroup(%a: memref<2x2xf32>, %b: memref<2x3xf32>) {
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c64 = arith.constant 64 : index
  %one = arith.constant 1.0 : f32
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c2, %gy = %c2, %gz = %c1) threads(%tx, %ty, %tz) in (%sx = %c64, %sy = %c1, %sz = %c1)
      workgroup(%w : memref<64xf32, #gpu.address_space<workgroup>>) {
    memref.store %one, %w[%tx] : memref<64xf32, #gpu.address_space<workgroup>>
    gpu.barrier
    %v = memref.load %w[%c1] : memref<64xf32, #gpu.address_space<workgroup>>
    memref.store %v, %a[%by, %bx] : memref<2x2xf32>
    gpu.terminator
  }
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c3, %gy = %c2, %gz = %c1) threads(%tx, %ty, %tz) in (%sx = %c64, %sy = %c1, %sz = %c1)
      workgroup(%w : memref<64xf32, #gpu.address_space<workgroup>>) {
    memref.store %one, %w[%tx] : memref<64xf32, #gpu.address_space<workgroup>>
    gpu.barrier
    %v = memref.load %w[%c2] : memref<64xf32, #gpu.address_space<workgroup>>
    memref.store %v, %b[%by, %bx] : memref<2x3xf32>
    gpu.terminator
  }
  return
}

// -----

// A constant defined between the launches, used by the second body: it
// moves before the merged launch, which goes where the first one was.

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

// -----

// A kernel that joined a launch further up is no longer where it was: the
// third kernel moves up into the first's launch, so the fourth, which
// reads what the third writes, may still move above the third's old place
// into the second's launch (both 64 threads with a barrier).

// CHECK-LABEL: func.func @moved_kernel_leaves_its_place
// CHECK:         gpu.launch blocks({{.*}}) in (%{{.*}} = %c2, {{.*}}) threads({{.*}}) in (%{{.*}} = %c256,
// CHECK:           memref.store %{{.*}}, %arg0
// CHECK:           memref.store %{{.*}}, %arg2
// CHECK:         gpu.launch blocks({{.*}}) in (%{{.*}} = %c2, {{.*}}) threads({{.*}}) in (%{{.*}} = %c64,
// CHECK:           memref.store %{{.*}}, %arg1
// CHECK:           memref.load %arg2
// CHECK:           memref.store %{{.*}}, %arg3
// CHECK-NOT:     gpu.launch
func.func @moved_kernel_leaves_its_place(%a: memref<256xf32>, %b: memref<64xf32>, %c: memref<256xf32>, %d: memref<64xf32>) {
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %c256 = arith.constant 256 : index
  %one = arith.constant 1.0 : f32
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1) threads(%tx, %ty, %tz) in (%sx = %c256, %sy = %c1, %sz = %c1) {
    memref.store %one, %a[%tx] : memref<256xf32>
    gpu.terminator
  }
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1) threads(%tx, %ty, %tz) in (%sx = %c64, %sy = %c1, %sz = %c1) {
    gpu.barrier
    memref.store %one, %b[%tx] : memref<64xf32>
    gpu.terminator
  }
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1) threads(%tx, %ty, %tz) in (%sx = %c256, %sy = %c1, %sz = %c1) {
    memref.store %one, %c[%tx] : memref<256xf32>
    gpu.terminator
  }
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1) threads(%tx, %ty, %tz) in (%sx = %c64, %sy = %c1, %sz = %c1) {
    gpu.barrier
    %v = memref.load %c[%tx] : memref<256xf32>
    memref.store %v, %d[%tx] : memref<64xf32>
    gpu.terminator
  }
  return
}

// -----

// Vector reads count as reads like scalar ones: @vector_reads' kernels
// read %a (one by 4-element vectors) and write different buffers, and
// become one launch; in @vector_read_after_write the second reads by
// vectors what the first writes, and they stay apart.

// CHECK-LABEL: func.func @vector_reads
// CHECK:         gpu.launch blocks({{.*}}) in (%{{.*}} = %c2,
// CHECK:           vector.load %arg0
// CHECK-NOT:     gpu.launch
// CHECK-LABEL: func.func @vector_read_after_write
// CHECK-COUNT-2: gpu.launch
// CHECK-NOT:     gpu.launch
func.func @vector_reads(%a: memref<256xf32>, %x: memref<64xf32>, %y: memref<64xf32>) {
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c64 = arith.constant 64 : index
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1) threads(%tx, %ty, %tz) in (%sx = %c64, %sy = %c1, %sz = %c1) {
    %i = arith.muli %tx, %c4 : index
    %v = vector.load %a[%i] : memref<256xf32>, vector<4xf32>
    %e = vector.extract %v[0] : f32 from vector<4xf32>
    memref.store %e, %x[%tx] : memref<64xf32>
    gpu.terminator
  }
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1) threads(%tx, %ty, %tz) in (%sx = %c64, %sy = %c1, %sz = %c1) {
    %v = memref.load %a[%tx] : memref<256xf32>
    memref.store %v, %y[%tx] : memref<64xf32>
    gpu.terminator
  }
  return
}
func.func @vector_read_after_write(%a: memref<256xf32>, %x: memref<64xf32>) {
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c64 = arith.constant 64 : index
  %zero = arith.constant 0.0 : f32
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1) threads(%tx, %ty, %tz) in (%sx = %c64, %sy = %c1, %sz = %c1) {
    memref.store %zero, %a[%tx] : memref<256xf32>
    gpu.terminator
  }
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1) threads(%tx, %ty, %tz) in (%sx = %c64, %sy = %c1, %sz = %c1) {
    %i = arith.muli %tx, %c4 : index
    %v = vector.load %a[%i] : memref<256xf32>, vector<4xf32>
    %e = vector.extract %v[0] : f32 from vector<4xf32>
    memref.store %e, %x[%tx] : memref<64xf32>
    gpu.terminator
  }
  return
}
