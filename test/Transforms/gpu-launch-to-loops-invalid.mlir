// RUN: tick-opt %s --split-input-file --tick-gpu-launch-to-loops --verify-diagnostics -o /dev/null

// Kernels whose threads work together cannot run one thread at a time.

func.func @barrier(%buf: memref<4xf32>) {
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  // expected-error @+1 {{a kernel whose threads synchronize cannot run one thread after another}}
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c4, %sy = %c1, %sz = %c1) {
    gpu.barrier
    gpu.terminator
  }
  return
}

// -----

func.func @workgroup_memory(%buf: memref<4xf32>) {
  %c1 = arith.constant 1 : index
  // expected-error @+1 {{only a synchronous single-block kernel without workgroup memory runs on the CPU}}
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1)
             workgroup(%shared : memref<4xf32, #gpu.address_space<workgroup>>) {
    gpu.terminator
  }
  return
}
