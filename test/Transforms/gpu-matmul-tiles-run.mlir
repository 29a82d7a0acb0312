// RUN: tick-opt %s --tick-gpu-matmul-tiles --tick-gpu-launch-to-loops --lower-affine --convert-vector-to-llvm --convert-scf-to-cf --finalize-memref-to-llvm --convert-arith-to-llvm --convert-index-to-llvm --convert-func-to-llvm --convert-cf-to-llvm --reconcile-unrealized-casts \
// RUN:   | mlir-runner -e main -entry-point-result=void -shared-libs=%mlir_runner_libs \
// RUN:   | FileCheck %s
// RUN: tick-opt %s --tick-gpu-matmul-tiles=large-tiles=1 --tick-gpu-launch-to-loops --lower-affine --convert-vector-to-llvm --convert-scf-to-cf --finalize-memref-to-llvm --convert-arith-to-llvm --convert-index-to-llvm --convert-func-to-llvm --convert-cf-to-llvm --reconcile-unrealized-casts \
// RUN:   | mlir-runner -e main -entry-point-result=void -shared-libs=%mlir_runner_libs \
// RUN:   | FileCheck %s
// RUN: tick-opt %s --tick-gpu-matmul-tiles="large-tiles=1 large-tile-threads=256" --tick-gpu-launch-to-loops --lower-affine --convert-vector-to-llvm --convert-scf-to-cf --finalize-memref-to-llvm --convert-arith-to-llvm --convert-index-to-llvm --convert-func-to-llvm --convert-cf-to-llvm --reconcile-unrealized-casts \
// RUN:   | mlir-runner -e main -entry-point-result=void -shared-libs=%mlir_runner_libs \
// RUN:   | FileCheck %s

// The matmul kernel with 4 x 4 outputs a thread, run on the CPU block by
// block (see gpu-launch-phases.mlir): C (530 x 520) starts at 1
// and takes A (530 x 40) * B (40 x 520), 17 x 17 blocks of 64 threads, the
// last row and column of tiles partly outside C, the second step of k
// partly outside A and B. A[i][k] = i % 3 and B[k][j] = k % 5 + j % 2, so
// C[i][j] = 1 + (i % 3) * (80 + 40 * (j % 2)), exactly in f32; main counts
// the elements that differ and prints C[529][519] (121). The same product
// from A and B stored transposed (A as k x m, B as n x k: both staged the
// other way) must give the same C: the third number counts the elements
// that differ. The second run takes 64 x 64 tiles of 8 x 8 outputs a
// thread (9 x 9 blocks), the third 64 x 64 tiles of 256 threads of 4 x 4.
// CHECK: [0, {{ *}}121, {{ *}}0]

#a = affine_map<(d0, d1, d2) -> (d0, d2)>
#b = affine_map<(d0, d1, d2) -> (d2, d1)>
#c = affine_map<(d0, d1, d2) -> (d0, d1)>
#kt = affine_map<(d0, d1, d2) -> (d2, d0)>
#jk = affine_map<(d0, d1, d2) -> (d1, d2)>

func.func private @printMemrefF32(memref<*xf32>)

func.func @main() {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c5 = arith.constant 5 : index
  %c40 = arith.constant 40 : index
  %c519 = arith.constant 519 : index
  %c520 = arith.constant 520 : index
  %c529 = arith.constant 529 : index
  %c530 = arith.constant 530 : index
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  %eighty = arith.constant 80.0 : f32
  %forty = arith.constant 40.0 : f32
  %x = memref.alloc() : memref<530x40xf32>
  %w = memref.alloc() : memref<40x520xf32>
  %y = memref.alloc() : memref<530x520xf32>
  scf.for %i = %c0 to %c530 step %c1 {
    %m = arith.remui %i, %c3 : index
    %mi = arith.index_cast %m : index to i32
    %mf = arith.sitofp %mi : i32 to f32
    scf.for %k = %c0 to %c40 step %c1 {
      memref.store %mf, %x[%i, %k] : memref<530x40xf32>
    }
    scf.for %j = %c0 to %c520 step %c1 {
      memref.store %one, %y[%i, %j] : memref<530x520xf32>
    }
  }
  scf.for %k = %c0 to %c40 step %c1 {
    %km = arith.remui %k, %c5 : index
    scf.for %j = %c0 to %c520 step %c1 {
      %jm = arith.remui %j, %c2 : index
      %s = arith.addi %km, %jm : index
      %si = arith.index_cast %s : index to i32
      %sf = arith.sitofp %si : i32 to f32
      memref.store %sf, %w[%k, %j] : memref<40x520xf32>
    }
  }
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<530x40xf32>, memref<40x520xf32>) outs(%y : memref<530x520xf32>) {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %p = arith.mulf %in, %in_0 : f32
    %s = arith.addf %out, %p : f32
    linalg.yield %s : f32
  }

  %wrong = scf.for %i = %c0 to %c530 step %c1 iter_args(%acc = %zero) -> (f32) {
    %m = arith.remui %i, %c3 : index
    %mi = arith.index_cast %m : index to i32
    %mf = arith.sitofp %mi : i32 to f32
    %row = scf.for %j = %c0 to %c520 step %c1 iter_args(%racc = %acc) -> (f32) {
      %jm = arith.remui %j, %c2 : index
      %ji = arith.index_cast %jm : index to i32
      %jf = arith.sitofp %ji : i32 to f32
      %extra = arith.mulf %jf, %forty : f32
      %per = arith.addf %eighty, %extra : f32
      %prod = arith.mulf %mf, %per : f32
      %want = arith.addf %one, %prod : f32
      %got = memref.load %y[%i, %j] : memref<530x520xf32>
      %off = arith.cmpf une, %got, %want : f32
      %add = arith.select %off, %one, %zero : f32
      %next = arith.addf %racc, %add : f32
      scf.yield %next : f32
    }
    scf.yield %row : f32
  }

  %xt = memref.alloc() : memref<40x530xf32>
  %wt = memref.alloc() : memref<520x40xf32>
  %yt = memref.alloc() : memref<530x520xf32>
  scf.for %k = %c0 to %c40 step %c1 {
    scf.for %i = %c0 to %c530 step %c1 {
      %v = memref.load %x[%i, %k] : memref<530x40xf32>
      memref.store %v, %xt[%k, %i] : memref<40x530xf32>
    }
    scf.for %j = %c0 to %c520 step %c1 {
      %v = memref.load %w[%k, %j] : memref<40x520xf32>
      memref.store %v, %wt[%j, %k] : memref<520x40xf32>
    }
  }
  scf.for %i = %c0 to %c530 step %c1 {
    scf.for %j = %c0 to %c520 step %c1 {
      memref.store %one, %yt[%i, %j] : memref<530x520xf32>
    }
  }
  linalg.generic {indexing_maps = [#kt, #jk, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%xt, %wt : memref<40x530xf32>, memref<520x40xf32>) outs(%yt : memref<530x520xf32>) {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %p = arith.mulf %in, %in_0 : f32
    %s = arith.addf %out, %p : f32
    linalg.yield %s : f32
  }
  %differ = scf.for %i = %c0 to %c530 step %c1 iter_args(%acc = %zero) -> (f32) {
    %row = scf.for %j = %c0 to %c520 step %c1 iter_args(%racc = %acc) -> (f32) {
      %a = memref.load %y[%i, %j] : memref<530x520xf32>
      %b = memref.load %yt[%i, %j] : memref<530x520xf32>
      %off = arith.cmpf une, %a, %b : f32
      %add = arith.select %off, %one, %zero : f32
      %next = arith.addf %racc, %add : f32
      scf.yield %next : f32
    }
    scf.yield %row : f32
  }

  %report = memref.alloc() : memref<3xf32>
  memref.store %wrong, %report[%c0] : memref<3xf32>
  %last = memref.load %y[%c529, %c519] : memref<530x520xf32>
  memref.store %last, %report[%c1] : memref<3xf32>
  memref.store %differ, %report[%c2] : memref<3xf32>
  %cast = memref.cast %report : memref<3xf32> to memref<*xf32>
  call @printMemrefF32(%cast) : (memref<*xf32>) -> ()
  memref.dealloc %x : memref<530x40xf32>
  memref.dealloc %w : memref<40x520xf32>
  memref.dealloc %y : memref<530x520xf32>
  memref.dealloc %xt : memref<40x530xf32>
  memref.dealloc %wt : memref<520x40xf32>
  memref.dealloc %yt : memref<530x520xf32>
  memref.dealloc %report : memref<3xf32>
  return
}
