// RUN: tick-opt %s --tick-gpu-launch-to-loops --verify-diagnostics -o /dev/null

// Asynchronous launches (after gpu-async-region) are not for the CPU.

func.func @async(%buf: memref<4xf32>) {
  %c1 = arith.constant 1 : index
  %token = gpu.wait async
  // expected-error @+1 {{only a synchronous single-block kernel runs on the CPU}}
  %done = gpu.launch async [%token] blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
    gpu.terminator
  }
  gpu.wait [%done]
  return
}
