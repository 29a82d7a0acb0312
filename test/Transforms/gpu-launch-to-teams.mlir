// RUN: tick-opt %s --tick-gpu-launch-to-loops > %t.cpu.mlir
// RUN: FileCheck %s --input-file=%t.cpu.mlir
// RUN: tick-opt %t.cpu.mlir --convert-scf-to-cf --convert-openmp-to-llvm --finalize-memref-to-llvm --convert-arith-to-llvm --convert-index-to-llvm --convert-func-to-llvm --convert-cf-to-llvm --reconcile-unrealized-casts \
// RUN:   | env KMP_BLOCKTIME=0 mlir-runner -e main -entry-point-result=void -shared-libs=%mlir_runner_libs \
// RUN:   | FileCheck %s --check-prefix=RESULT

// A kernel whose threads work together runs each block as an OpenMP team
// of one thread per GPU thread: 2 blocks of 64 threads write their ids to
// workgroup memory, read them back mirrored after a barrier, and each warp
// sums what it read with xor shuffles. Warp 0 reads 63..32 (sum 1520),
// warp 1 reads 31..0 (sum 496).

// CHECK:       func.func private @omp_get_thread_num() -> i32
// CHECK-LABEL: func.func @main
// CHECK:         scf.for %{{.*}} = %c0{{.*}} to %c2
// CHECK:           %[[SHARED:.*]] = memref.alloc() : memref<64xf32>
// CHECK:           %[[SCRATCH:.*]] = memref.alloc(%{{.*}}) : memref<?xf32>
// CHECK:           omp.parallel num_threads(%{{.*}} : i32) {
// CHECK:             func.call @omp_get_thread_num()
// CHECK:             memref.store %{{.*}}, %[[SHARED]]
// CHECK:             omp.barrier
// CHECK:             memref.load %[[SHARED]]
// CHECK:             memref.store %{{.*}}, %[[SCRATCH]]
// CHECK-NEXT:        omp.barrier
// CHECK-NEXT:        memref.load %[[SCRATCH]]
// CHECK-NEXT:        omp.barrier
// CHECK-NOT:         gpu.
// CHECK:             omp.terminator
// CHECK:           memref.dealloc %[[SHARED]]
// CHECK:           memref.dealloc %[[SCRATCH]]

// RESULT: [1520,  496,  1520,  496]

func.func private @printMemrefF32(memref<*xf32>)

func.func @main() {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c4 = arith.constant 4 : index
  %c32 = arith.constant 32 : index
  %c63 = arith.constant 63 : index
  %c64 = arith.constant 64 : index
  %c1_i32 = arith.constant 1 : i32
  %c2_i32 = arith.constant 2 : i32
  %c4_i32 = arith.constant 4 : i32
  %c8_i32 = arith.constant 8 : i32
  %c16_i32 = arith.constant 16 : i32
  %c32_i32 = arith.constant 32 : i32
  %out = memref.alloc() : memref<4xf32>
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c2, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c64, %sy = %c1, %sz = %c1)
             workgroup(%shared : memref<64xf32, #gpu.address_space<workgroup>>) {
    %t = arith.index_cast %tx : index to i32
    %f = arith.sitofp %t : i32 to f32
    memref.store %f, %shared[%tx] : memref<64xf32, #gpu.address_space<workgroup>>
    gpu.barrier
    %mirror = arith.subi %c63, %tx : index
    %v = memref.load %shared[%mirror] : memref<64xf32, #gpu.address_space<workgroup>>
    %s1, %p1 = gpu.shuffle xor %v, %c16_i32, %c32_i32 : f32
    %a1 = arith.addf %v, %s1 : f32
    %s2, %p2 = gpu.shuffle xor %a1, %c8_i32, %c32_i32 : f32
    %a2 = arith.addf %a1, %s2 : f32
    %s3, %p3 = gpu.shuffle xor %a2, %c4_i32, %c32_i32 : f32
    %a3 = arith.addf %a2, %s3 : f32
    %s4, %p4 = gpu.shuffle xor %a3, %c2_i32, %c32_i32 : f32
    %a4 = arith.addf %a3, %s4 : f32
    %s5, %p5 = gpu.shuffle xor %a4, %c1_i32, %c32_i32 : f32
    %a5 = arith.addf %a4, %s5 : f32
    %lane = arith.remui %tx, %c32 : index
    %first = arith.cmpi eq, %lane, %c0 : index
    scf.if %first {
      %warp = arith.divui %tx, %c32 : index
      %b2 = arith.muli %bx, %c2 : index
      %slot = arith.addi %b2, %warp : index
      memref.store %a5, %out[%slot] : memref<4xf32>
    }
    gpu.terminator
  }
  %cast = memref.cast %out : memref<4xf32> to memref<*xf32>
  call @printMemrefF32(%cast) : (memref<*xf32>) -> ()
  memref.dealloc %out : memref<4xf32>
  return
}
