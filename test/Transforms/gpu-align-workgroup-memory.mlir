// RUN: tick-opt %s --tick-gpu-align-workgroup-memory | FileCheck %s
// RUN: tick-opt %s --tick-gpu-align-workgroup-memory=alignment=128 | FileCheck %s --check-prefix=WIDE
// RUN: tick-opt %s --tick-gpu-align-workgroup-memory --convert-gpu-to-nvvm | FileCheck %s --check-prefix=NVVM

// Every workgroup buffer of every kernel gets at least 16 bytes: one
// without an alignment and one with 4 get 16, one with 64 keeps it; the
// NVVM lowering places the buffers so.

// CHECK-LABEL: gpu.func @tiles
// CHECK-SAME:    workgroup(%{{.*}} : memref<32x36xf32, #gpu.address_space<workgroup>> {llvm.align = 16 : i64}, %{{.*}} : memref<8xf32, #gpu.address_space<workgroup>> {llvm.align = 16 : i64}, %{{.*}} : memref<8xf32, #gpu.address_space<workgroup>> {llvm.align = 64 : i64})
// WIDE-LABEL:  gpu.func @tiles
// WIDE-SAME:     {llvm.align = 128 : i64}, %{{.*}} {llvm.align = 128 : i64}, %{{.*}} {llvm.align = 128 : i64})
// NVVM-DAG:    llvm.mlir.global internal @__wg_tiles_0() {addr_space = 3 : i32, alignment = 16 : i64}
// NVVM-DAG:    llvm.mlir.global internal @__wg_tiles_1() {addr_space = 3 : i32, alignment = 16 : i64}
// NVVM-DAG:    llvm.mlir.global internal @__wg_tiles_2() {addr_space = 3 : i32, alignment = 64 : i64}
module attributes {gpu.container_module} {
  gpu.module @kernels {
    gpu.func @tiles()
        workgroup(%a : memref<32x36xf32, #gpu.address_space<workgroup>>,
                  %b : memref<8xf32, #gpu.address_space<workgroup>> {llvm.align = 4 : i64},
                  %c : memref<8xf32, #gpu.address_space<workgroup>> {llvm.align = 64 : i64})
        kernel {
      gpu.return
    }
  }
}
