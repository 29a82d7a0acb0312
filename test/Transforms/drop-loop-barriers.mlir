// RUN: tick-opt %s --split-input-file --tick-drop-loop-barriers | FileCheck %s

// Three loops: the second neither reads nor writes what the first
// writes, but the third reads it. The third is the region's last loop (the
// region ends with a barrier), the second conflicts with nothing after it,
// and the first must wait: the loop after the second still reads its
// results, and the second no longer waits.

// CHECK-LABEL: func.func @chain
// CHECK:         omp.wsloop {
// CHECK:           memref.store %{{.*}}, %[[A:.*]][
// CHECK:         omp.wsloop nowait {
// CHECK:           memref.store %{{.*}}, %[[B:.*]][
// CHECK:         omp.wsloop nowait {
// CHECK:           memref.load %[[A]][
func.func @chain(%out: memref<8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %one = arith.constant 1.0 : f32
  %a = memref.alloc() : memref<8xf32>
  %b = memref.alloc() : memref<8xf32>
  omp.parallel {
    omp.wsloop {
      omp.loop_nest (%i) : index = (%c0) to (%c8) step (%c1) {
        memref.store %one, %a[%i] : memref<8xf32>
        omp.yield
      }
    }
    omp.wsloop {
      omp.loop_nest (%i) : index = (%c0) to (%c8) step (%c1) {
        memref.store %one, %b[%i] : memref<8xf32>
        omp.yield
      }
    }
    omp.wsloop {
      omp.loop_nest (%i) : index = (%c0) to (%c8) step (%c1) {
        %j = arith.subi %c8, %i : index
        %k = arith.subi %j, %c1 : index
        %v = memref.load %a[%k] : memref<8xf32>
        memref.store %v, %out[%i] : memref<8xf32>
        omp.yield
      }
    }
    omp.terminator
  }
  memref.dealloc %a : memref<8xf32>
  memref.dealloc %b : memref<8xf32>
  return
}

// -----

// A loop that reads what the next loop overwrites waits too.

// CHECK-LABEL: func.func @overwritten
// CHECK:         omp.wsloop {
// CHECK:           memref.load %arg0
// CHECK:         omp.wsloop nowait {
func.func @overwritten(%a: memref<8xf32>, %out: memref<8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %one = arith.constant 1.0 : f32
  omp.parallel {
    omp.wsloop {
      omp.loop_nest (%i) : index = (%c0) to (%c8) step (%c1) {
        %v = memref.load %a[%c0] : memref<8xf32>
        memref.store %v, %out[%i] : memref<8xf32>
        omp.yield
      }
    }
    omp.wsloop {
      omp.loop_nest (%i) : index = (%c0) to (%c8) step (%c1) {
        memref.store %one, %a[%i] : memref<8xf32>
        omp.yield
      }
    }
    omp.terminator
  }
  return
}

// -----

// Optimizer steps of two parameters: distinct arguments of an entry point
// are distinct memory, so neither step waits for the other.

// CHECK-LABEL: func.func @two_parameters
// CHECK:         omp.wsloop nowait {
// CHECK:         omp.wsloop nowait {
func.func @two_parameters(%w: memref<8xf32>, %b: memref<8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %half = arith.constant 0.5 : f32
  omp.parallel {
    omp.wsloop {
      omp.loop_nest (%i) : index = (%c0) to (%c8) step (%c1) {
        %v = memref.load %w[%i] : memref<8xf32>
        %u = arith.mulf %v, %half : f32
        memref.store %u, %w[%i] : memref<8xf32>
        omp.yield
      }
    }
    omp.wsloop {
      omp.loop_nest (%i) : index = (%c0) to (%c8) step (%c1) {
        %v = memref.load %b[%i] : memref<8xf32>
        %u = arith.mulf %v, %half : f32
        memref.store %u, %b[%i] : memref<8xf32>
        omp.yield
      }
    }
    omp.terminator
  }
  return
}

// -----

// Code that may touch any memory (a call), or a single reading the loop's
// results, keeps the barrier; a single is itself a barrier, so the loop
// after it does not matter.

// CHECK-LABEL: func.func @call_and_single
// CHECK:         omp.wsloop {
// CHECK:         func.call @opaque
// CHECK:         omp.wsloop {
// CHECK:         omp.single
// CHECK:           memref.load %[[A:.*]][
// CHECK:         omp.wsloop nowait {
func.func private @opaque()
func.func @call_and_single(%out: memref<8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %one = arith.constant 1.0 : f32
  %a = memref.alloc() : memref<8xf32>
  omp.parallel {
    omp.wsloop {
      omp.loop_nest (%i) : index = (%c0) to (%c8) step (%c1) {
        memref.store %one, %out[%i] : memref<8xf32>
        omp.yield
      }
    }
    func.call @opaque() : () -> ()
    omp.wsloop {
      omp.loop_nest (%i) : index = (%c0) to (%c8) step (%c1) {
        memref.store %one, %a[%i] : memref<8xf32>
        omp.yield
      }
    }
    omp.single {
      %v = memref.load %a[%c0] : memref<8xf32>
      memref.store %v, %out[%c0] : memref<8xf32>
      omp.terminator
    }
    omp.wsloop {
      omp.loop_nest (%i) : index = (%c0) to (%c8) step (%c1) {
        memref.store %one, %a[%i] : memref<8xf32>
        omp.yield
      }
    }
    omp.terminator
  }
  memref.dealloc %a : memref<8xf32>
  return
}

// -----

// A block of rows, then a loop reading the same rows: iteration i of both
// touches rows [i, i + 8) of %a only (through a subview, or by an index
// the inner loop keeps there). With the same bounds and a static schedule
// the same thread runs iteration i of both, so the first does not wait;
// both loops say schedule(static).

// CHECK-LABEL: func.func @same_rows
// CHECK:         omp.wsloop nowait schedule(static) {
// CHECK:           memref.subview %[[A:.*]][%{{.*}}, 0] [8, 4] [1, 1]
// CHECK:         omp.wsloop nowait schedule(static) {
// CHECK:           memref.load %[[A]][
func.func @same_rows(%out: memref<16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %c16 = arith.constant 16 : index
  %one = arith.constant 1.0 : f32
  %a = memref.alloc() : memref<16x4xf32>
  omp.parallel {
    omp.wsloop {
      omp.loop_nest (%i) : index = (%c0) to (%c16) step (%c8) {
        %rows = memref.subview %a[%i, 0] [8, 4] [1, 1] : memref<16x4xf32> to memref<8x4xf32, strided<[4, 1], offset: ?>>
        linalg.fill ins(%one : f32) outs(%rows : memref<8x4xf32, strided<[4, 1], offset: ?>>)
        omp.yield
      }
    }
    omp.wsloop {
      omp.loop_nest (%i) : index = (%c0) to (%c16) step (%c8) {
        scf.for %j = %c0 to %c8 step %c1 {
          %row = arith.addi %i, %j : index
          %v = memref.load %a[%row, %c0] : memref<16x4xf32>
          memref.store %v, %out[%row] : memref<16xf32>
        }
        omp.yield
      }
    }
    omp.terminator
  }
  memref.dealloc %a : memref<16x4xf32>
  return
}

// -----

// Reading the next block's rows (i + 8), or the same rows of a loop with
// other bounds, depends on what another thread writes: the barrier stays.

// CHECK-LABEL: func.func @other_rows
// CHECK:         omp.wsloop {
// CHECK:         omp.wsloop {
// CHECK:         omp.wsloop nowait {
func.func @other_rows(%out: memref<16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c8 = arith.constant 8 : index
  %c16 = arith.constant 16 : index
  %one = arith.constant 1.0 : f32
  %a = memref.alloc() : memref<24xf32>
  omp.parallel {
    omp.wsloop {
      omp.loop_nest (%i) : index = (%c0) to (%c16) step (%c8) {
        %rows = memref.subview %a[%i] [8] [1] : memref<24xf32> to memref<8xf32, strided<[1], offset: ?>>
        linalg.fill ins(%one : f32) outs(%rows : memref<8xf32, strided<[1], offset: ?>>)
        omp.yield
      }
    }
    omp.wsloop {
      omp.loop_nest (%i) : index = (%c0) to (%c16) step (%c8) {
        %next = arith.addi %i, %c8 : index
        %v = memref.load %a[%next] : memref<24xf32>
        memref.store %v, %out[%i] : memref<16xf32>
        omp.yield
      }
    }
    omp.wsloop {
      omp.loop_nest (%i) : index = (%c0) to (%c16) step (%c4) {
        %v = memref.load %a[%i] : memref<24xf32>
        memref.store %v, %out[%i] : memref<16xf32>
        omp.yield
      }
    }
    omp.terminator
  }
  memref.dealloc %a : memref<24xf32>
  return
}

// -----

// An op with a region of its own that writes the whole buffer (linalg.fill
// on buffers) is no access to a block of rows: the barrier stays.

// CHECK-LABEL: func.func @whole_buffer_op
// CHECK:         omp.wsloop {
// CHECK:         omp.wsloop nowait {
// CHECK:           linalg.fill
func.func @whole_buffer_op(%out: memref<16xf32>) {
  %c0 = arith.constant 0 : index
  %c8 = arith.constant 8 : index
  %c16 = arith.constant 16 : index
  %one = arith.constant 1.0 : f32
  %a = memref.alloc() : memref<16xf32>
  omp.parallel {
    omp.wsloop {
      omp.loop_nest (%i) : index = (%c0) to (%c16) step (%c8) {
        %rows = memref.subview %a[%i] [8] [1] : memref<16xf32> to memref<8xf32, strided<[1], offset: ?>>
        linalg.fill ins(%one : f32) outs(%rows : memref<8xf32, strided<[1], offset: ?>>)
        omp.yield
      }
    }
    omp.wsloop {
      omp.loop_nest (%i) : index = (%c0) to (%c16) step (%c8) {
        linalg.fill ins(%one : f32) outs(%a : memref<16xf32>)
        omp.yield
      }
    }
    omp.terminator
  }
  memref.dealloc %a : memref<16xf32>
  return
}

// -----

// Every thread reads %a[0] between the loops (a value loaded into
// registers), and the third loop overwrites %a. The second loop touches
// neither, but its barrier is what keeps a thread that is done with it
// from overwriting %a while another thread has yet to read it: it stays.

// CHECK-LABEL: func.func @read_by_every_thread
// CHECK:         omp.wsloop {
// CHECK:         memref.load %arg0[%c0]
// CHECK:         omp.wsloop {
// CHECK:           memref.store %{{.*}}, %arg1
// CHECK:         omp.wsloop nowait {
// CHECK:           memref.store %{{.*}}, %arg0
func.func @read_by_every_thread(%a: memref<8xf32>, %b: memref<8xf32>) {
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
    %s = memref.load %a[%c0] : memref<8xf32>
    omp.wsloop {
      omp.loop_nest (%i) : index = (%c0) to (%c8) step (%c1) {
        memref.store %s, %b[%i] : memref<8xf32>
        omp.yield
      }
    }
    omp.wsloop {
      omp.loop_nest (%i) : index = (%c0) to (%c8) step (%c1) {
        memref.store %one, %a[%i] : memref<8xf32>
        omp.yield
      }
    }
    omp.terminator
  }
  return
}
