// RUN: tick-opt %s --tick-gpu-column-reductions="block-size=64 min-blocks=1" --tick-gpu-launch-to-loops --convert-linalg-to-loops --lower-affine --convert-scf-to-cf --finalize-memref-to-llvm --convert-arith-to-llvm --convert-index-to-llvm --convert-func-to-llvm --convert-cf-to-llvm --reconcile-unrealized-casts \
// RUN:   | mlir-runner -e main -entry-point-result=void -shared-libs=%mlir_runner_libs \
// RUN:   | FileCheck %s
// RUN: tick-opt %s --tick-gpu-column-reductions=block-size=64 --tick-gpu-launch-to-loops --convert-linalg-to-loops --lower-affine --convert-scf-to-cf --finalize-memref-to-llvm --convert-arith-to-llvm --convert-index-to-llvm --convert-func-to-llvm --convert-cf-to-llvm --reconcile-unrealized-casts \
// RUN:   | mlir-runner -e main -entry-point-result=void -shared-libs=%mlir_runner_libs \
// RUN:   | FileCheck %s

// The column-reduction kernels run on the CPU, block by block (see
// gpu-launch-phases.mlir), at sizes that fill no block evenly: 35
// columns (2 blocks of 32 lanes, the second with 3 columns) of 37 rows
// split among 2 slices (19 and 18 rows). x[r][c] = r and out[c] starts at
// c, so every column ends at 666 + c; main counts the columns that do not.
// The i64 count of r % 3 == 0 over 100 rows (34) is one lane of 64 slices.
// The second run splits the 37 rows of the sums into 4 chunks (10, 10, 10
// and 7 rows: 8 blocks), and an elementwise op adds the chunks.
// CHECK: [0, {{ *}}700, {{ *}}34]

#rows = affine_map<(d0, d1) -> (d1, d0)>
#col = affine_map<(d0, d1) -> (d0)>
#all = affine_map<(d0) -> (d0)>
#none = affine_map<(d0) -> ()>

func.func private @printMemrefF32(memref<*xf32>)

func.func @main() {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %c34 = arith.constant 34 : index
  %c35 = arith.constant 35 : index
  %c37 = arith.constant 37 : index
  %c100 = arith.constant 100 : index
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  %expected_sum = arith.constant 666.0 : f32
  %zero_i64 = arith.constant 0 : i64
  %x = memref.alloc() : memref<37x35xf32>
  %out = memref.alloc() : memref<35xf32>
  scf.for %r = %c0 to %c37 step %c1 {
    %ri = arith.index_cast %r : index to i32
    %rf = arith.sitofp %ri : i32 to f32
    scf.for %c = %c0 to %c35 step %c1 {
      memref.store %rf, %x[%r, %c] : memref<37x35xf32>
    }
  }
  scf.for %c = %c0 to %c35 step %c1 {
    %ci = arith.index_cast %c : index to i32
    %cf = arith.sitofp %ci : i32 to f32
    memref.store %cf, %out[%c] : memref<35xf32>
  }
  linalg.generic {indexing_maps = [#rows, #col], iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<37x35xf32>) outs(%out : memref<35xf32>) {
  ^bb0(%v: f32, %a: f32):
    %s = arith.addf %a, %v : f32
    linalg.yield %s : f32
  }

  %predicted = memref.alloc() : memref<100xi64>
  %labels = memref.alloc() : memref<100xi64>
  %count = memref.alloc() : memref<i64>
  scf.for %r = %c0 to %c100 step %c1 {
    %m = arith.remui %r, %c3 : index
    %mi = arith.index_cast %m : index to i64
    memref.store %mi, %predicted[%r] : memref<100xi64>
    memref.store %zero_i64, %labels[%r] : memref<100xi64>
  }
  memref.store %zero_i64, %count[] : memref<i64>
  linalg.generic {indexing_maps = [#all, #all, #none], iterator_types = ["reduction"]}
      ins(%predicted, %labels : memref<100xi64>, memref<100xi64>) outs(%count : memref<i64>) {
  ^bb0(%p: i64, %l: i64, %acc: i64):
    %hit = arith.cmpi eq, %p, %l : i64
    %n = arith.extui %hit : i1 to i64
    %s = arith.addi %acc, %n : i64
    linalg.yield %s : i64
  }

  // [columns off their expected sum, out[34], the count]
  %wrong = scf.for %c = %c0 to %c35 step %c1 iter_args(%w = %zero) -> (f32) {
    %ci = arith.index_cast %c : index to i32
    %cf = arith.sitofp %ci : i32 to f32
    %want = arith.addf %expected_sum, %cf : f32
    %got = memref.load %out[%c] : memref<35xf32>
    %off = arith.cmpf une, %got, %want : f32
    %add = arith.select %off, %one, %zero : f32
    %w2 = arith.addf %w, %add : f32
    scf.yield %w2 : f32
  }
  %report = memref.alloc() : memref<3xf32>
  memref.store %wrong, %report[%c0] : memref<3xf32>
  %last = memref.load %out[%c34] : memref<35xf32>
  memref.store %last, %report[%c1] : memref<3xf32>
  %n = memref.load %count[] : memref<i64>
  %nf = arith.sitofp %n : i64 to f32
  %c2 = arith.constant 2 : index
  memref.store %nf, %report[%c2] : memref<3xf32>
  %cast = memref.cast %report : memref<3xf32> to memref<*xf32>
  call @printMemrefF32(%cast) : (memref<*xf32>) -> ()
  memref.dealloc %x : memref<37x35xf32>
  memref.dealloc %out : memref<35xf32>
  memref.dealloc %predicted : memref<100xi64>
  memref.dealloc %labels : memref<100xi64>
  memref.dealloc %count : memref<i64>
  memref.dealloc %report : memref<3xf32>
  return
}
