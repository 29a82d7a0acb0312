// RUN: tick-opt %s --split-input-file --tick-pack-entry-points --verify-diagnostics | FileCheck %s

// Each C interface gets a packed twin that reads its arguments from an array.
// CHECK-LABEL: llvm.func @_tick_packed_forward(
// CHECK-SAME:    %[[ARGS:.*]]: !llvm.ptr)
// CHECK:         %[[P0:.*]] = llvm.getelementptr %[[ARGS]][0] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// CHECK:         %[[A0:.*]] = llvm.load %[[P0]] : !llvm.ptr -> !llvm.ptr
// CHECK:         %[[P1:.*]] = llvm.getelementptr %[[ARGS]][1] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// CHECK:         %[[A1:.*]] = llvm.load %[[P1]] : !llvm.ptr -> !llvm.ptr
// CHECK:         llvm.call @_mlir_ciface_forward(%[[A0]], %[[A1]]) : (!llvm.ptr, !llvm.ptr) -> ()
// CHECK:         llvm.return
// And a constant that says how many pointers that is.
// CHECK:       llvm.mlir.global external constant @_tick_arity_forward(2 : i64)
// CHECK-NOT:   @_tick_packed_helper
// CHECK-NOT:   @_tick_arity_helper
llvm.func @_mlir_ciface_forward(%in: !llvm.ptr, %out: !llvm.ptr) {
  llvm.return
}
llvm.func @helper(%x: !llvm.ptr) {
  llvm.return
}

// -----

// expected-error @+1 {{expects a C interface that takes pointers and returns nothing}}
llvm.func @_mlir_ciface_odd(%x: i64) -> i64 {
  llvm.return %x : i64
}
