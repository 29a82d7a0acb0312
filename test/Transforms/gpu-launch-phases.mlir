// RUN: tick-opt %s --tick-gpu-launch-to-loops > %t.cpu.mlir
// RUN: FileCheck %s --input-file=%t.cpu.mlir
// RUN: tick-opt %t.cpu.mlir --convert-scf-to-cf --finalize-memref-to-llvm --convert-arith-to-llvm --convert-index-to-llvm --convert-func-to-llvm --convert-cf-to-llvm --reconcile-unrealized-casts \
// RUN:   | mlir-runner -e main -entry-point-result=void -shared-libs=%mlir_runner_libs \
// RUN:   | FileCheck %s --check-prefix=RESULT

// Kernels whose threads work together run on one thread, phase by phase.
// @mirror: 2 blocks of 64 threads write their ids to workgroup memory,
// read them back mirrored after a barrier, and each warp sums what it read
// with xor shuffles. Warp 0 reads 63..32 (sum 1520), warp 1 reads 31..0
// (sum 496). Each shuffle starts a phase that reads the partner's slot.

// CHECK-LABEL: func.func @mirror
// CHECK:         %[[SHARED:.*]] = memref.alloc() {alignment = 16 : i64} : memref<64xf32>
// CHECK-NEXT:    %[[READ:.*]] = memref.alloc(%[[THREADS:.*]]) : memref<?xf32>
// CHECK-NEXT:    %[[SUM1:.*]] = memref.alloc(%[[THREADS]]) : memref<?xf32>
// CHECK:         scf.for %{{.*}} = %{{.*}} to %c2
// CHECK-NEXT:      scf.for %[[T:.*]] = %{{.*}} to %[[THREADS]] step
// CHECK:             memref.store %{{.*}}, %[[SHARED]]
// CHECK-NEXT:      }
// CHECK-NEXT:      scf.for %[[T:.*]] = %{{.*}} to %[[THREADS]] step
// CHECK:             %[[V:.*]] = memref.load %[[SHARED]]
// CHECK-NEXT:        memref.store %[[V]], %[[READ]][%[[T]]]
// CHECK-NEXT:      }
// CHECK-NEXT:      scf.for %[[T:.*]] = %{{.*}} to %[[THREADS]] step
// CHECK:             %[[PARTNER:.*]] = arith.select
// CHECK-NEXT:        %[[THEIRS:.*]] = memref.load %[[READ]][%[[PARTNER]]]
// CHECK-NEXT:        %[[MINE:.*]] = memref.load %[[READ]][%[[T]]]
// CHECK-NEXT:        %[[A1:.*]] = arith.addf %[[MINE]], %[[THEIRS]]
// CHECK-NEXT:        memref.store %[[A1]], %[[SUM1]][%[[T]]]
// CHECK-NOT:     gpu.
// CHECK:         memref.dealloc %[[SHARED]]
// CHECK:         memref.dealloc %[[READ]]

// @carried: a loop whose iterations end in barriers carries a value per
// thread; a branch that holds a barrier yields one; a branch that only
// some threads take (t < 4) holds a shuffle. Arithmetic on the thread id
// (the neighbour's index, t < 4) is computed again in each phase that
// uses it instead of kept in a slot. Thread t adds 4 times what
// its neighbour t+1 stored (t+1 mod 8, plus k in iteration k): 10, 14,
// ..., 34 and 6 for t = 7; reads them back mirrored (6, 34, 30, ...); and
// threads 0..3 swap theirs in pairs.

// CHECK-LABEL: func.func @carried
// CHECK-NOT:     memref<?xindex>
// CHECK:         %[[ACC:.*]] = memref.alloc(%[[THREADS:.*]]) : memref<?xf32>
// CHECK:         scf.for %[[T:.*]] = %{{.*}} to %[[THREADS]] step
// CHECK:           memref.store %{{.*}}, %[[ACC]][%[[T]]]
// CHECK:         scf.for %{{.*}} = %c0 to %c4 step %c1 {
// CHECK:           scf.for %[[T:.*]] = %{{.*}} to %[[THREADS]] step
// CHECK:           scf.for %[[T:.*]] = %{{.*}} to %[[THREADS]] step
// CHECK:             %[[TX:.*]] = arith.remui %{{.*}}, %c8
// CHECK:             %[[NEXT:.*]] = arith.addi %[[TX]], %c1
// CHECK-NEXT:        %[[NEIGHBOUR:.*]] = arith.remui %[[NEXT]], %c8
// CHECK-NEXT:        memref.load %{{.*}}[%[[NEIGHBOUR]]] : memref<8xf32>
// CHECK:             memref.load %[[ACC]][%[[T]]]
// CHECK:             memref.store %{{.*}}, %[[ACC]][%[[T]]]
// CHECK:         scf.for %[[T:.*]] = %{{.*}} to %[[THREADS]] step
// CHECK:           %[[LOW:.*]] = arith.cmpi ult, %{{.*}}, %c4
// CHECK-NEXT:      scf.if %[[LOW]] {
// CHECK:             memref.load %{{.*}}[%[[PARTNER:.*]]] : memref<?xf32>

// @gather: shuffles that send values of an earlier phase share one phase
// (a row matmul's elements sent to every lane, tick-gpu-row-kernels):
// thread t computes t * t, reads all 8 of them (gpu.shuffle idx from lanes
// 0..7) in one phase and sums c * c * (c + 1) + t = 924 + t; the xor
// shuffle of that sum starts a phase of its own, and each thread adds its
// partner's: 1848 + t + (t xor 1).

// CHECK-LABEL: func.func @gather
// CHECK:         %[[SQUARES:.*]] = memref.alloc(%[[THREADS:.*]]) : memref<?xf32>
// CHECK:         %[[SUMS:.*]] = memref.alloc(%[[THREADS]]) : memref<?xf32>
// CHECK:         scf.for %[[T:.*]] = %{{.*}} to %[[THREADS]] step
// CHECK:           memref.store %{{.*}}, %[[SQUARES]][%[[T]]]
// CHECK-NEXT:    }
// CHECK-NEXT:    scf.for %[[T:.*]] = %{{.*}} to %[[THREADS]] step
// CHECK-COUNT-8:   memref.load %[[SQUARES]]
// CHECK-NOT:       scf.for
// CHECK:           memref.store %{{.*}}, %[[SUMS]][%[[T]]]
// CHECK-NEXT:    }
// CHECK-NEXT:    scf.for %[[T:.*]] = %{{.*}} to %[[THREADS]] step
// CHECK:           memref.load %[[SUMS]]
// CHECK:           memref.load %[[SUMS]][%[[T]]]

// RESULT: [1520,  496,  1520,  496]
// RESULT: [34,  6,  26,  30,  22,  18,  14,  10]
// RESULT: [1849,  1849,  1853,  1853,  1857,  1857,  1861,  1861]

func.func private @printMemrefF32(memref<*xf32>)

func.func @mirror(%out: memref<4xf32>) {
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
  return
}

func.func @carried(%out: memref<8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c7 = arith.constant 7 : index
  %c8 = arith.constant 8 : index
  %c1_i32 = arith.constant 1 : i32
  %c8_i32 = arith.constant 8 : i32
  %zero = arith.constant 0.0 : f32
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c8, %sy = %c1, %sz = %c1)
             workgroup(%shared : memref<8xf32, #gpu.address_space<workgroup>>) {
    %next = arith.addi %tx, %c1 : index
    %neighbour = arith.remui %next, %c8 : index
    %sum = scf.for %k = %c0 to %c4 step %c1 iter_args(%acc = %zero) -> f32 {
      %mine = arith.addi %tx, %k : index
      %mine_i = arith.index_cast %mine : index to i32
      %mine_f = arith.sitofp %mine_i : i32 to f32
      memref.store %mine_f, %shared[%tx] : memref<8xf32, #gpu.address_space<workgroup>>
      gpu.barrier
      %theirs = memref.load %shared[%neighbour] : memref<8xf32, #gpu.address_space<workgroup>>
      %more = arith.addf %acc, %theirs : f32
      gpu.barrier
      scf.yield %more : f32
    }
    %first_block = arith.cmpi eq, %bx, %c0 : index
    %mirrored = scf.if %first_block -> f32 {
      memref.store %sum, %shared[%tx] : memref<8xf32, #gpu.address_space<workgroup>>
      gpu.barrier
      %opposite = arith.subi %c7, %tx : index
      %r = memref.load %shared[%opposite] : memref<8xf32, #gpu.address_space<workgroup>>
      scf.yield %r : f32
    } else {
      scf.yield %sum : f32
    }
    %low = arith.cmpi ult, %tx, %c4 : index
    %swapped = scf.if %low -> f32 {
      %s, %valid = gpu.shuffle xor %mirrored, %c1_i32, %c8_i32 : f32
      scf.yield %s : f32
    } else {
      scf.yield %mirrored : f32
    }
    memref.store %swapped, %out[%tx] : memref<8xf32>
    gpu.terminator
  }
  return
}

func.func @gather(%out: memref<8xf32>) {
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %c1_i32 = arith.constant 1 : i32
  %c8_i32 = arith.constant 8 : i32
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c8, %sy = %c1, %sz = %c1) {
    %t_i = arith.index_cast %tx : index to i32
    %t_f = arith.sitofp %t_i : i32 to f32
    %square = arith.mulf %t_f, %t_f : f32
    %l0 = arith.constant 0 : i32
    %l1 = arith.constant 1 : i32
    %l2 = arith.constant 2 : i32
    %l3 = arith.constant 3 : i32
    %l4 = arith.constant 4 : i32
    %l5 = arith.constant 5 : i32
    %l6 = arith.constant 6 : i32
    %l7 = arith.constant 7 : i32
    %w1 = arith.constant 1.0 : f32
    %w2 = arith.constant 2.0 : f32
    %w3 = arith.constant 3.0 : f32
    %w4 = arith.constant 4.0 : f32
    %w5 = arith.constant 5.0 : f32
    %w6 = arith.constant 6.0 : f32
    %w7 = arith.constant 7.0 : f32
    %w8 = arith.constant 8.0 : f32
    %g0, %v0 = gpu.shuffle idx %square, %l0, %c8_i32 : f32
    %g1, %v1 = gpu.shuffle idx %square, %l1, %c8_i32 : f32
    %g2, %v2 = gpu.shuffle idx %square, %l2, %c8_i32 : f32
    %g3, %v3 = gpu.shuffle idx %square, %l3, %c8_i32 : f32
    %g4, %v4 = gpu.shuffle idx %square, %l4, %c8_i32 : f32
    %g5, %v5 = gpu.shuffle idx %square, %l5, %c8_i32 : f32
    %g6, %v6 = gpu.shuffle idx %square, %l6, %c8_i32 : f32
    %g7, %v7 = gpu.shuffle idx %square, %l7, %c8_i32 : f32
    %p0 = arith.mulf %g0, %w1 : f32
    %s0 = arith.addf %t_f, %p0 : f32
    %p1 = arith.mulf %g1, %w2 : f32
    %s1 = arith.addf %s0, %p1 : f32
    %p2 = arith.mulf %g2, %w3 : f32
    %s2 = arith.addf %s1, %p2 : f32
    %p3 = arith.mulf %g3, %w4 : f32
    %s3 = arith.addf %s2, %p3 : f32
    %p4 = arith.mulf %g4, %w5 : f32
    %s4 = arith.addf %s3, %p4 : f32
    %p5 = arith.mulf %g5, %w6 : f32
    %s5 = arith.addf %s4, %p5 : f32
    %p6 = arith.mulf %g6, %w7 : f32
    %s6 = arith.addf %s5, %p6 : f32
    %p7 = arith.mulf %g7, %w8 : f32
    %s7 = arith.addf %s6, %p7 : f32
    %partner, %valid = gpu.shuffle xor %s7, %c1_i32, %c8_i32 : f32
    %both = arith.addf %s7, %partner : f32
    memref.store %both, %out[%tx] : memref<8xf32>
    gpu.terminator
  }
  return
}

func.func @main() {
  %sums = memref.alloc() : memref<4xf32>
  call @mirror(%sums) : (memref<4xf32>) -> ()
  %sums_cast = memref.cast %sums : memref<4xf32> to memref<*xf32>
  call @printMemrefF32(%sums_cast) : (memref<*xf32>) -> ()
  memref.dealloc %sums : memref<4xf32>
  %swapped = memref.alloc() : memref<8xf32>
  call @carried(%swapped) : (memref<8xf32>) -> ()
  %swapped_cast = memref.cast %swapped : memref<8xf32> to memref<*xf32>
  call @printMemrefF32(%swapped_cast) : (memref<*xf32>) -> ()
  memref.dealloc %swapped : memref<8xf32>
  %gathered = memref.alloc() : memref<8xf32>
  call @gather(%gathered) : (memref<8xf32>) -> ()
  %gathered_cast = memref.cast %gathered : memref<8xf32> to memref<*xf32>
  call @printMemrefF32(%gathered_cast) : (memref<*xf32>) -> ()
  memref.dealloc %gathered : memref<8xf32>
  return
}
