// RUN: tick-opt %s --tick-add-parallel-for | FileCheck %s
// RUN: tick-opt %s --tick-add-parallel-for --tick-add-parallel-for | FileCheck %s --check-prefix=ONCE

// A loop over [0, count) that calls body(context, i) for each index, for
// the runtime to run on the threads of the model's code.
// CHECK-LABEL: func.func @_tick_parallel_for(
// CHECK-SAME:    %[[BODY:.*]]: !llvm.ptr, %[[CONTEXT:.*]]: !llvm.ptr, %[[COUNT:.*]]: i64)
// CHECK:         %[[N:.*]] = arith.index_cast %[[COUNT]] : i64 to index
// CHECK:         scf.parallel (%[[I:.*]]) = (%{{.*}}) to (%[[N]]) step (%{{.*}})
// CHECK:           %[[I64:.*]] = arith.index_cast %[[I]] : index to i64
// CHECK:           llvm.call %[[BODY]](%[[CONTEXT]], %[[I64]]) : !llvm.ptr, (!llvm.ptr, i64) -> ()
// CHECK:         return

// A module that has it keeps the one it has.
// ONCE-COUNT-1: func.func @_tick_parallel_for(
// ONCE-NOT:     func.func @_tick_parallel_for(
module {
  func.func @forward(%x: tensor<4xf32>) -> tensor<4xf32> {
    return %x : tensor<4xf32>
  }
}
