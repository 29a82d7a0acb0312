// RUN: tick-opt %s --split-input-file --tick-gpu-launch-loops --verify-diagnostics -o /dev/null

// What tick-gpu-launch-loops refuses, with the reason.

func.func @reductions(%buf: memref<8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %zero = arith.constant 0.0 : f32
  // expected-error @+1 {{a parallel loop with reductions cannot run as a kernel yet}}
  %sum = scf.parallel (%i) = (%c0) to (%c8) step (%c1) init (%zero) -> f32 {
    %v = memref.load %buf[%i] : memref<8xf32>
    scf.reduce(%v : f32) {
    ^bb0(%l: f32, %r: f32):
      %s = arith.addf %l, %r : f32
      scf.reduce.return %s : f32
    }
  }
  memref.store %sum, %buf[%c0] : memref<8xf32>
  return
}

// -----

// expected-error @+1 {{expects a function of one block}}
func.func @blocks(%buf: memref<f32>) {
  cf.br ^next
^next:
  return
}

// -----

func.func @strided_copy(%a: memref<8x8xf32>, %b: memref<4x4xf32>) {
  %view = memref.subview %a[0, 0] [4, 4] [1, 1] : memref<8x8xf32> to memref<4x4xf32, strided<[8, 1]>>
  // expected-error @+1 {{a copy between strided views cannot run on the GPU yet}}
  memref.copy %view, %b : memref<4x4xf32, strided<[8, 1]>> to memref<4x4xf32>
  return
}

// -----

func.func @returns_buffer() -> memref<4xf32> {
  %a = memref.alloc() : memref<4xf32>
  // expected-error @+1 {{a function run on the GPU returns its buffers as out-parameters}}
  return %a : memref<4xf32>
}

// -----

func.func @vector_value(%a: memref<vector<4xf32>>, %b: memref<8xvector<4xf32>>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  // expected-error @+1 {{a value of this type cannot be passed from one GPU kernel to another}}
  %v = memref.load %a[] : memref<vector<4xf32>>
  scf.parallel (%i) = (%c0) to (%c8) step (%c1) {
    memref.store %v, %b[%i] : memref<8xvector<4xf32>>
    scf.reduce
  }
  return
}

// -----

func.func @size_from_memory(%n: memref<index>) {
  %size = memref.load %n[] : memref<index>
  // expected-error @+1 {{uses on the host a value computed on the GPU}}
  %a = memref.alloc(%size) : memref<?xf32>
  return
}
