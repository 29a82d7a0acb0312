// RUN: tick-opt %s --split-input-file --tick-static-loop-ranges | FileCheck %s

// Each thread asks once for its number and the team's size, then runs its
// own block of ceil(trips / threads) iterations of each loop: trips =
// ceil((16 - 0) / 4), iterations [min(t * block, trips), min(first +
// block, trips)). A loop that waited ends with a barrier; a nowait loop
// does not. The body keeps its own region (scf.execute_region), where a
// memref.alloca_scope may later become several blocks.

// CHECK:       func.func private @omp_get_num_threads() -> i32
// CHECK:       func.func private @omp_get_thread_num() -> i32
// CHECK-LABEL: func.func @two_loops
// CHECK:         omp.parallel {
// CHECK:           %[[T32:.*]] = func.call @omp_get_thread_num() : () -> i32
// CHECK:           %[[T:.*]] = arith.index_cast %[[T32]] : i32 to index
// CHECK:           %[[N32:.*]] = func.call @omp_get_num_threads() : () -> i32
// CHECK:           %[[N:.*]] = arith.index_cast %[[N32]] : i32 to index
// CHECK:           %[[SPAN:.*]] = arith.subi %[[C16:.*]], %[[C0:.*]] : index
// CHECK:           %[[CEIL:.*]] = arith.ceildivsi %[[SPAN]], %[[C4:.*]] : index
// CHECK:           %[[TRIPS:.*]] = arith.maxsi %{{.*}}, %[[CEIL]] : index
// CHECK:           %[[BLOCK:.*]] = arith.ceildivsi %[[TRIPS]], %[[N]] : index
// CHECK:           %[[START:.*]] = arith.muli %[[T]], %[[BLOCK]] : index
// CHECK:           %[[FIRST:.*]] = arith.minsi %[[TRIPS]], %[[START]] : index
// CHECK:           %[[END:.*]] = arith.addi %[[FIRST]], %[[BLOCK]] : index
// CHECK:           %[[LAST:.*]] = arith.minsi %[[TRIPS]], %[[END]] : index
// CHECK:           %[[LOFF:.*]] = arith.muli %[[FIRST]], %[[C4]] : index
// CHECK:           %[[LO:.*]] = arith.addi %[[C0]], %[[LOFF]] : index
// CHECK:           %[[HOFF:.*]] = arith.muli %[[LAST]], %[[C4]] : index
// CHECK:           %[[HI:.*]] = arith.addi %[[C0]], %[[HOFF]] : index
// CHECK:           scf.for %[[I:.*]] = %[[LO]] to %[[HI]] step %[[C4]] {
// CHECK-NEXT:        scf.execute_region {
// CHECK-NEXT:          memref.store %{{.*}}, %{{.*}}[%[[I]]]
// CHECK-NEXT:          scf.yield
// CHECK-NEXT:        }
// CHECK-NEXT:      }
// CHECK-NEXT:      omp.barrier
// CHECK:           scf.for
// CHECK:             memref.store
// CHECK-NOT:       omp.barrier
// CHECK:           omp.terminator
// CHECK-NOT:     omp.wsloop
func.func @two_loops(%a: memref<16xf32>, %b: memref<16xf32>) {
  %c0 = arith.constant 0 : index
  %c4 = arith.constant 4 : index
  %c16 = arith.constant 16 : index
  %one = arith.constant 1.0 : f32
  omp.parallel {
    omp.wsloop {
      omp.loop_nest (%i) : index = (%c0) to (%c16) step (%c4) {
        memref.store %one, %a[%i] : memref<16xf32>
        omp.yield
      }
    }
    omp.wsloop nowait {
      omp.loop_nest (%i) : index = (%c0) to (%c16) step (%c4) {
        memref.store %one, %b[%i] : memref<16xf32>
        omp.yield
      }
    }
    omp.terminator
  }
  return
}

// -----

// A dynamic schedule asks the runtime for iterations as it goes: left as
// it is.

// CHECK-LABEL: func.func @dynamic
// CHECK:         omp.wsloop schedule(dynamic)
// CHECK-NOT:     omp_get_thread_num
func.func @dynamic(%a: memref<16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %one = arith.constant 1.0 : f32
  omp.parallel {
    omp.wsloop schedule(dynamic) {
      omp.loop_nest (%i) : index = (%c0) to (%c16) step (%c1) {
        memref.store %one, %a[%i] : memref<16xf32>
        omp.yield
      }
    }
    omp.terminator
  }
  return
}
