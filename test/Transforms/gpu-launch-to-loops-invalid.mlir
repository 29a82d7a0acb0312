// RUN: tick-opt %s --tick-gpu-launch-to-loops --split-input-file --verify-diagnostics -o /dev/null

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

// -----

// A barrier in a loop whose trip count differs by thread: not every
// thread reaches it as often, which has no meaning on the GPU either.

func.func @thread_bounds(%buf: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c4, %sy = %c1, %sz = %c1) {
    // expected-error @+1 {{cannot run on the CPU: a loop with a barrier or shuffle has bounds that differ by thread}}
    scf.for %i = %c0 to %tx step %c1 {
      gpu.barrier
    }
    gpu.terminator
  }
  return
}

// -----

// Bounds read from memory might differ by thread: the loop is refused.

func.func @loaded_bounds(%buf: memref<4xf32>, %n: memref<index>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c4, %sy = %c1, %sz = %c1) {
    %count = memref.load %n[] : memref<index>
    // expected-error @+1 {{cannot run on the CPU: a loop with a barrier or shuffle has bounds that differ by thread}}
    scf.for %i = %c0 to %count step %c1 {
      gpu.barrier
    }
    gpu.terminator
  }
  return
}

// -----

func.func @while_loop(%buf: memref<4xf32>) {
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %false = arith.constant false
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c4, %sy = %c1, %sz = %c1) {
    // expected-error @+1 {{cannot run on the CPU: only scf.for and scf.if may hold a barrier or shuffle}}
    scf.while : () -> () {
      gpu.barrier
      scf.condition(%false)
    } do {
      scf.yield
    }
    gpu.terminator
  }
  return
}

// -----

// A thread's view of memory cannot wait in a slot for the next phase.

func.func @view_across_barrier(%buf: memref<16xf32>) {
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %zero = arith.constant 0.0 : f32
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c4, %sy = %c1, %sz = %c1) {
    %start = arith.muli %tx, %c4 : index
    // expected-error @+1 {{cannot run on the CPU: a value of type 'memref<4xf32, strided<[1], offset: ?>>' lives across a barrier or shuffle}}
    %mine = memref.subview %buf[%start] [4] [1] : memref<16xf32> to memref<4xf32, strided<[1], offset: ?>>
    gpu.barrier
    memref.store %zero, %mine[%c1] : memref<4xf32, strided<[1], offset: ?>>
    gpu.terminator
  }
  return
}

// -----

func.func @memref_carried(%buf: memref<16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c4, %sy = %c1, %sz = %c1) {
    // expected-error @+1 {{cannot run on the CPU: a value of type 'memref<16xf32>' lives across a barrier or shuffle}}
    %last = scf.for %i = %c0 to %c4 step %c1 iter_args(%view = %buf) -> memref<16xf32> {
      gpu.barrier
      scf.yield %view : memref<16xf32>
    }
    gpu.terminator
  }
  return
}

// -----

func.func @private_memory(%buf: memref<4xf32>) {
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  // expected-error @+1 {{cannot run on the CPU: private attributions}}
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c4, %sy = %c1, %sz = %c1)
             private(%mine : memref<1xf32, #gpu.address_space<private>>) {
    gpu.terminator
  }
  return
}
