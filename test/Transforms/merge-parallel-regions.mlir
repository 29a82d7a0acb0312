// RUN: tick-opt %s --split-input-file --tick-merge-parallel-regions | FileCheck %s

// Two loops with serial code between them become one region: the buffer
// is allocated above it, the copy runs once in omp.single, and the value
// the second loop needs is read again by every thread after the single,
// with a barrier before anyone may write what it read.

// CHECK-LABEL: func.func @merge
// CHECK:         %[[TMP:.*]] = memref.alloca() : memref<8xf32>
// CHECK:         omp.parallel {
// CHECK:           omp.wsloop
// CHECK:             memref.store
// CHECK:           omp.single {
// CHECK:             memref.copy %arg0, %[[TMP]]
// CHECK:             omp.terminator
// CHECK:           }
// CHECK:           %[[S:.*]] = memref.load %arg1[%c0]
// CHECK:           omp.barrier
// CHECK:           omp.wsloop
// CHECK:             memref.store %[[S]], %arg0
// CHECK:           omp.terminator
// CHECK:         }
// CHECK-NOT:     omp.parallel
func.func @merge(%a: memref<8xf32>, %b: memref<8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %one = arith.constant 1.0 : f32
  omp.parallel {
    omp.wsloop {
      omp.loop_nest (%i) : index = (%c0) to (%c8) step (%c1) {
        memref.store %one, %a[%i] : memref<8xf32>
        omp.yield
      }
    }
    omp.terminator
  }
  %tmp = memref.alloca() : memref<8xf32>
  memref.copy %a, %tmp : memref<8xf32> to memref<8xf32>
  %s = memref.load %b[%c0] : memref<8xf32>
  omp.parallel {
    omp.wsloop {
      omp.loop_nest (%i) : index = (%c0) to (%c8) step (%c1) {
        memref.store %s, %a[%i] : memref<8xf32>
        omp.yield
      }
    }
    omp.terminator
  }
  return
}

// -----

// A value read before the serial code overwrites its memory cannot be read
// again later: the regions stay apart.

// CHECK-LABEL: func.func @read_then_written
// CHECK:         omp.parallel
// CHECK:         memref.load %arg0[%c0]
// CHECK:         memref.store
// CHECK:         omp.parallel
func.func @read_then_written(%a: memref<8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %one = arith.constant 1.0 : f32
  omp.parallel {
    omp.wsloop {
      omp.loop_nest (%i) : index = (%c0) to (%c8) step (%c1) {
        memref.store %one, %a[%i] : memref<8xf32>
        omp.yield
      }
    }
    omp.terminator
  }
  %old = memref.load %a[%c0] : memref<8xf32>
  memref.store %one, %a[%c0] : memref<8xf32>
  omp.parallel {
    omp.wsloop {
      omp.loop_nest (%i) : index = (%c0) to (%c8) step (%c1) {
        memref.store %old, %a[%i] : memref<8xf32>
        omp.yield
      }
    }
    omp.terminator
  }
  return
}

// -----

// Serial code whose value is needed after the last region stays outside.

// CHECK-LABEL: func.func @used_after
// CHECK:         omp.parallel
// CHECK:         %[[S:.*]] = memref.load %arg1[%c0]
// CHECK:         omp.parallel
// CHECK:         memref.store %[[S]], %arg1
func.func @used_after(%a: memref<8xf32>, %b: memref<8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %one = arith.constant 1.0 : f32
  omp.parallel {
    omp.wsloop {
      omp.loop_nest (%i) : index = (%c0) to (%c8) step (%c1) {
        memref.store %one, %a[%i] : memref<8xf32>
        omp.yield
      }
    }
    omp.terminator
  }
  %s = memref.load %b[%c0] : memref<8xf32>
  omp.parallel {
    omp.wsloop {
      omp.loop_nest (%i) : index = (%c0) to (%c8) step (%c1) {
        memref.store %s, %a[%i] : memref<8xf32>
        omp.yield
      }
    }
    omp.terminator
  }
  memref.store %s, %b[%c1] : memref<8xf32>
  return
}

// -----

// Serial code that only reads (a bias loaded into registers, and a value
// computed from it) runs in every thread, with no single: the first
// loop's barrier comes before the reads. The second loop writes a buffer
// of its own, which the reads cannot see: no barrier either.

// CHECK-LABEL: func.func @read_only
// CHECK:         omp.parallel {
// CHECK:           omp.wsloop
// CHECK-NOT:       omp.single
// CHECK-NOT:       omp.barrier
// CHECK:           %[[S:.*]] = memref.load %arg1[%c0]
// CHECK:           %[[T:.*]] = arith.addf %[[S]], %[[S]]
// CHECK-NOT:       omp.single
// CHECK-NOT:       omp.barrier
// CHECK:           omp.wsloop
// CHECK:             memref.store %[[T]], %[[TMP:.*]][
// CHECK:           omp.terminator
// CHECK:         }
// CHECK-NOT:     omp.parallel
func.func @read_only(%a: memref<8xf32>, %b: memref<8xf32>) -> memref<8xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %one = arith.constant 1.0 : f32
  %tmp = memref.alloc() : memref<8xf32>
  omp.parallel {
    omp.wsloop {
      omp.loop_nest (%i) : index = (%c0) to (%c8) step (%c1) {
        memref.store %one, %a[%i] : memref<8xf32>
        omp.yield
      }
    }
    omp.terminator
  }
  %s = memref.load %b[%c0] : memref<8xf32>
  %t = arith.addf %s, %s : f32
  omp.parallel {
    omp.wsloop {
      omp.loop_nest (%i) : index = (%c0) to (%c8) step (%c1) {
        memref.store %t, %tmp[%i] : memref<8xf32>
        omp.yield
      }
    }
    omp.terminator
  }
  return %tmp : memref<8xf32>
}

// -----

// Here the second loop overwrites the memory the serial code read: a
// barrier keeps the writes after every thread's read.

// CHECK-LABEL: func.func @read_only_then_written
// CHECK:         omp.parallel {
// CHECK:           omp.wsloop
// CHECK-NOT:       omp.single
// CHECK:           %[[S:.*]] = memref.load %arg0[%c0]
// CHECK-NEXT:      omp.barrier
// CHECK-NEXT:      omp.wsloop
// CHECK:             memref.store %[[S]], %arg0
func.func @read_only_then_written(%a: memref<8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %one = arith.constant 1.0 : f32
  omp.parallel {
    omp.wsloop {
      omp.loop_nest (%i) : index = (%c0) to (%c8) step (%c1) {
        memref.store %one, %a[%i] : memref<8xf32>
        omp.yield
      }
    }
    omp.terminator
  }
  %s = memref.load %a[%c0] : memref<8xf32>
  omp.parallel {
    omp.wsloop {
      omp.loop_nest (%i) : index = (%c0) to (%c8) step (%c1) {
        memref.store %s, %a[%i] : memref<8xf32>
        omp.yield
      }
    }
    omp.terminator
  }
  return
}

// -----

// Another argument is other memory (the buffers passed to an entry point
// do not overlap): no barrier.

// CHECK-LABEL: func.func @read_only_other_argument
// CHECK:           %[[S:.*]] = memref.load %arg1[%c0]
// CHECK-NOT:       omp.barrier
// CHECK:           omp.wsloop
// CHECK:             memref.store %[[S]], %arg0
func.func @read_only_other_argument(%a: memref<8xf32>, %b: memref<8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %one = arith.constant 1.0 : f32
  omp.parallel {
    omp.wsloop {
      omp.loop_nest (%i) : index = (%c0) to (%c8) step (%c1) {
        memref.store %one, %a[%i] : memref<8xf32>
        omp.yield
      }
    }
    omp.terminator
  }
  %s = memref.load %b[%c0] : memref<8xf32>
  omp.parallel {
    omp.wsloop {
      omp.loop_nest (%i) : index = (%c0) to (%c8) step (%c1) {
        memref.store %s, %a[%i] : memref<8xf32>
        omp.yield
      }
    }
    omp.terminator
  }
  return
}
