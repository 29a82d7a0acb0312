// RUN: tick-opt %s --tick-gpu-matmul-tiles=large-tiles=0 --canonicalize --cse | FileCheck %s
// RUN: tick-opt %s --tick-gpu-matmul-tiles="min-warps=0 large-tiles=0 row-matmul-macs=0" --canonicalize --cse | FileCheck %s --check-prefix=NOSPLIT
// RUN: tick-opt %s --tick-gpu-matmul-tiles --canonicalize --cse | FileCheck %s --check-prefix=LARGE
// RUN: tick-opt %s --tick-gpu-matmul-tiles=large-tiles=1 --canonicalize --cse | FileCheck %s --check-prefix=FORCED
// RUN: tick-opt %s --tick-gpu-matmul-tiles="large-tiles=1 large-tile-threads=256" --canonicalize --cse | FileCheck %s --check-prefix=FORCED256
// RUN: not tick-opt %s --tick-gpu-matmul-tiles=large-tile-threads=128 2>&1 | FileCheck %s --check-prefix=BAD
// BAD: error: tick-gpu-matmul-tiles: large-tile-threads must be 64 or 256, not 128

// The maps of @split_k's sum of partials.
// CHECK-DAG:     #[[ZBIAS:map[0-9]*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG:     #[[P0:map[0-9]*]] = affine_map<(d0, d1) -> (0, d0, d1)>
// CHECK-DAG:     #[[P3:map[0-9]*]] = affine_map<(d0, d1) -> (3, d0, d1)>

// C (40 x 50) += A (40 x 70) * B (70 x 50): 2 x 2 blocks of 256 threads,
// each a 32 x 32 tile of C. Per step of 32 along k the tiles of A and B go
// k-major to workgroup memory (rows of 32 padded to 36; zero past the
// edges): A, contiguous along k, eight elements of k at a time for 32 rows
// (thread t at [t % 8, t / 8]); B by rows of k (t at [t / 32, t % 32]). A
// barrier, then per element of k, eight to an iteration, a thread's four
// rows of A are one 16-byte read and its column of B one more; a barrier;
// each in-range output is added to C once at the end.

// CHECK-LABEL: func.func @matmul
// CHECK-DAG:     %[[C2:.*]] = arith.constant 2 : index
// CHECK-DAG:     %[[C256:.*]] = arith.constant 256 : index
// CHECK:         gpu.launch blocks({{.*}}) in (%{{[a-z0-9]+}} = %[[C2]], %{{[a-z0-9]+}} = %[[C2]], %{{[a-z0-9]+}} = %c1) threads(%[[T:[a-z0-9]+]], {{.*}}) in (%{{[a-z0-9]+}} = %[[C256]], %{{[a-z0-9]+}} = %c1, %{{[a-z0-9]+}} = %c1)
// CHECK-SAME:      workgroup(%[[ATILE:[a-z0-9]+]] : memref<32x36xf32, #gpu.address_space<workgroup>>, %[[BTILE:[a-z0-9]+]] : memref<32x36xf32, #gpu.address_space<workgroup>>)
// CHECK:           %[[OUTCOL:.*]] = arith.remui %[[T]], %c32
// CHECK:           %[[OUTROW:.*]] = arith.divui %[[T]], %c32
// CHECK:           %[[ACC:.*]]:4 = scf.for %[[K0:.*]] = %c0 to %c70 step %c32 iter_args(
// CHECK:             %[[AK:.*]] = arith.remui %[[T]], %c8
// CHECK:             %[[AI:.*]] = arith.divui %[[T]], %c8
// CHECK:             memref.load %arg0
// CHECK:             memref.store %{{.*}}, %[[ATILE]][%[[AK]], %[[AI]]]
// CHECK-COUNT-3:     memref.store %{{.*}}, %[[ATILE]][%{{.*}}, %[[AI]]]
// CHECK:             memref.load %arg1
// CHECK:             memref.store %{{.*}}, %[[BTILE]][%[[OUTROW]], %[[OUTCOL]]]
// CHECK-COUNT-3:     memref.store %{{.*}}, %[[BTILE]][%{{.*}}, %[[OUTCOL]]]
// CHECK:             gpu.barrier
// CHECK:             scf.for %[[KK:.*]] = %c0 to %c32 step %c8 iter_args(
// CHECK:               %[[ROWS:.*]] = arith.muli %[[OUTROW]], %c4
// CHECK:               vector.load %[[ATILE]][%[[KK]], %[[ROWS]]] {alignment = 16 : i64} : memref<32x36xf32, #gpu.address_space<workgroup>>, vector<4xf32>
// CHECK:               memref.load %[[BTILE]][%[[KK]], %[[OUTCOL]]]
// CHECK-COUNT-4:       arith.mulf
// CHECK:               %[[K1:.*]] = arith.addi %[[KK]], %c1
// CHECK:               vector.load %[[ATILE]][%[[K1]], %[[ROWS]]]
// CHECK:               memref.load %[[BTILE]][%[[K1]], %[[OUTCOL]]]
// CHECK-COUNT-6:       vector.load %[[ATILE]]
// CHECK-NOT:           vector.load
// CHECK:             gpu.barrier
// CHECK:           scf.if
// CHECK:             %[[OLD:.*]] = memref.load %arg2
// CHECK:             %[[NEW:.*]] = arith.addf %[[OLD]], %[[ACC]]#0
// CHECK:             memref.store %[[NEW]], %arg2
// CHECK-COUNT-3:   scf.if
// CHECK-NOT:     linalg.generic
#a = affine_map<(d0, d1, d2) -> (d0, d2)>
#b = affine_map<(d0, d1, d2) -> (d2, d1)>
#c = affine_map<(d0, d1, d2) -> (d0, d1)>
func.func @matmul(%x: memref<40x70xf32>, %w: memref<70x50xf32>, %y: memref<40x50xf32>) {
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<40x70xf32>, memref<70x50xf32>) outs(%y : memref<40x50xf32>) {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %p = arith.mulf %in, %in_0 : f32
    %s = arith.addf %out, %p : f32
    linalg.yield %s : f32
  }
  return
}

// C (544 x 512) += A (544 x 64) * B (64 x 512): 17 x 16 blocks, enough to
// fill an H100: 64 threads a 32 x 32 tile of C. Per step of 32 along k the
// tiles of A and B go to workgroup memory (16 elements a thread, zero past
// the edges), a barrier, then per element of k one 16-byte read of A and
// one of B give a thread's 16 outputs (rows 4 (t / 8) to 4 (t / 8) + 3,
// columns 4 (t % 8) to 4 (t % 8) + 3), a barrier; each in-range output is
// added to C once at the end.

// CHECK-LABEL: func.func @many_tiles
// CHECK-DAG:     %[[C16:.*]] = arith.constant 16 : index
// CHECK-DAG:     %[[C64:.*]] = arith.constant 64 : index
// CHECK:         gpu.launch blocks({{.*}}) in (%{{[a-z0-9]+}} = %[[C16]], %{{[a-z0-9]+}} = %c17, %{{[a-z0-9]+}} = %c1) threads(%[[T:[a-z0-9]+]], {{.*}}) in (%{{[a-z0-9]+}} = %[[C64]], %{{[a-z0-9]+}} = %c1, %{{[a-z0-9]+}} = %c1)
// CHECK-SAME:      workgroup(%[[ATILE:[a-z0-9]+]] : memref<32x36xf32, #gpu.address_space<workgroup>>, %[[BTILE:[a-z0-9]+]] : memref<32x36xf32, #gpu.address_space<workgroup>>)
// CHECK:           %[[OUTCOL:.*]] = arith.remui %[[T]], %c8
// CHECK:           %[[OUTROW:.*]] = arith.divui %[[T]], %c8
// CHECK:           %[[ACC:.*]]:16 = scf.for %[[K0:.*]] = %c0 to %c64 step %c32 iter_args(
// CHECK-COUNT-16:    memref.store %{{.*}}, %[[ATILE]]
// CHECK-COUNT-16:    memref.store %{{.*}}, %[[BTILE]]
// CHECK:             gpu.barrier
// CHECK:             scf.for %[[KK:.*]] = %c0 to %c32 step %c8 iter_args(
// CHECK:               %[[ROWS:.*]] = arith.muli %[[OUTROW]], %c4
// CHECK:               vector.load %[[ATILE]][%[[KK]], %[[ROWS]]] {{.*}} vector<4xf32>
// CHECK:               %[[COLS:.*]] = arith.muli %[[OUTCOL]], %c4
// CHECK:               vector.load %[[BTILE]][%[[KK]], %[[COLS]]] {{.*}} vector<4xf32>
// CHECK-NOT:           memref.load
// CHECK-COUNT-16:      arith.mulf
// CHECK:               vector.load %[[ATILE]]
// CHECK:             gpu.barrier
// CHECK:           %[[ROW0:.*]] = arith.muli %[[OUTROW]], %c4
// CHECK:           %[[COL0:.*]] = arith.muli %[[OUTCOL]], %c4
// CHECK:           scf.if
// CHECK:             %[[OLD:.*]] = memref.load %arg2
// CHECK:             %[[NEW:.*]] = arith.addf %[[OLD]], %[[ACC]]#0
// CHECK:             memref.store %[[NEW]], %arg2
// CHECK-COUNT-15:  scf.if
// CHECK-NOT:     linalg.generic
func.func @many_tiles(%x: memref<544x64xf32>, %w: memref<64x512xf32>, %y: memref<544x512xf32>) {
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<544x64xf32>, memref<64x512xf32>) outs(%y : memref<544x512xf32>) {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %p = arith.mulf %in, %in_0 : f32
    %s = arith.addf %out, %p : f32
    linalg.yield %s : f32
  }
  return
}

// Not a plain matmul (a max-plus product, an operand read along a
// broadcast): left alone.

// CHECK-LABEL: func.func @not_matmuls
// CHECK-NOT:     gpu.launch
// CHECK-COUNT-2: linalg.generic
#at = affine_map<(d0, d1, d2) -> (d2, d2)>
func.func @not_matmuls(%x: memref<40x70xf32>, %w: memref<70x50xf32>, %xt: memref<70x70xf32>, %y: memref<40x50xf32>) {
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<40x70xf32>, memref<70x50xf32>) outs(%y : memref<40x50xf32>) {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %p = arith.addf %in, %in_0 : f32
    %s = arith.maximumf %out, %p : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#at, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%xt, %w : memref<70x70xf32>, memref<70x50xf32>) outs(%y : memref<40x50xf32>) {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %p = arith.mulf %in, %in_0 : f32
    %s = arith.addf %out, %p : f32
    linalg.yield %s : f32
  }
  return
}

// Transposed operands (folded transposes: A stored k x m, B stored n x k)
// are read in their own row-major order, coalesced: A, now contiguous
// along m, by rows of k (thread t at [t / 32, t % 32]); B, contiguous along
// k, eight elements of k at a time (t at [t % 8, t / 8]).

// CHECK-LABEL: func.func @transposed
// CHECK:         gpu.launch
// CHECK:           %[[COL:.*]] = arith.remui %[[T:[a-z0-9]+]], %c32
// CHECK:           %[[ROW:.*]] = arith.divui %[[T]], %c32
// CHECK:           scf.for
// CHECK:             memref.load %arg0
// CHECK:             memref.store %{{.*}}, %{{.*}}[%[[ROW]], %[[COL]]]
// CHECK:             %[[K8:.*]] = arith.remui %[[T]], %c8
// CHECK:             %[[X8:.*]] = arith.divui %[[T]], %c8
// CHECK:             memref.load %arg1
// CHECK:             memref.store %{{.*}}, %{{.*}}[%[[K8]], %[[X8]]]
#kt = affine_map<(d0, d1, d2) -> (d2, d0)>
#jk = affine_map<(d0, d1, d2) -> (d1, d2)>
func.func @transposed(%xt: memref<70x40xf32>, %wt: memref<50x70xf32>, %y: memref<40x50xf32>) {
  linalg.generic {indexing_maps = [#kt, #jk, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%xt, %wt : memref<70x40xf32>, memref<50x70xf32>) outs(%y : memref<40x50xf32>) {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %p = arith.mulf %in, %in_0 : f32
    %s = arith.addf %out, %p : f32
    linalg.yield %s : f32
  }
  return
}

// The bias broadcast written into C just before is read at its source by
// the kernel's last step, and goes: C = bias + A * B in one kernel.

// CHECK-LABEL: func.func @with_bias
// CHECK-NOT:     linalg.generic
// CHECK:         gpu.launch
// CHECK:           scf.if
// CHECK:             %[[BIAS:.*]] = memref.load %arg2[%{{.*}}] : memref<50xf32>
// CHECK:             %[[OUT:.*]] = arith.addf %[[BIAS]], %{{.*}}#0
// CHECK:             memref.store %[[OUT]], %arg3
#bias = affine_map<(d0, d1) -> (d1)>
#rows = affine_map<(d0, d1) -> (d0, d1)>
func.func @with_bias(%x: memref<40x70xf32>, %w: memref<70x50xf32>, %b: memref<50xf32>, %y: memref<40x50xf32>) {
  linalg.generic {indexing_maps = [#bias, #rows], iterator_types = ["parallel", "parallel"]}
      ins(%b : memref<50xf32>) outs(%y : memref<40x50xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  }
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<40x70xf32>, memref<70x50xf32>) outs(%y : memref<40x50xf32>) {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %p = arith.mulf %in, %in_0 : f32
    %s = arith.addf %out, %p : f32
    linalg.yield %s : f32
  }
  return
}

// Not folded: something reads C between the broadcast and the matmul, or
// writes the bias.

// CHECK-LABEL: func.func @read_between
// CHECK:         linalg.generic
// CHECK:         memref.copy
// CHECK:         gpu.launch
// CHECK:             memref.load %arg3[
// CHECK-LABEL: func.func @bias_written_between
// CHECK:         linalg.generic
// CHECK:         memref.store
// CHECK:         gpu.launch
func.func @read_between(%x: memref<40x70xf32>, %w: memref<70x50xf32>, %b: memref<50xf32>, %y: memref<40x50xf32>, %copy: memref<40x50xf32>) {
  linalg.generic {indexing_maps = [#bias, #rows], iterator_types = ["parallel", "parallel"]}
      ins(%b : memref<50xf32>) outs(%y : memref<40x50xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  }
  memref.copy %y, %copy : memref<40x50xf32> to memref<40x50xf32>
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<40x70xf32>, memref<70x50xf32>) outs(%y : memref<40x50xf32>) {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %p = arith.mulf %in, %in_0 : f32
    %s = arith.addf %out, %p : f32
    linalg.yield %s : f32
  }
  return
}
func.func @bias_written_between(%x: memref<40x70xf32>, %w: memref<70x50xf32>, %b: memref<50xf32>, %y: memref<40x50xf32>) {
  %zero = arith.constant 0.0 : f32
  %c0 = arith.constant 0 : index
  linalg.generic {indexing_maps = [#bias, #rows], iterator_types = ["parallel", "parallel"]}
      ins(%b : memref<50xf32>) outs(%y : memref<40x50xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  }
  memref.store %zero, %b[%c0] : memref<50xf32>
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<40x70xf32>, memref<70x50xf32>) outs(%y : memref<40x50xf32>) {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %p = arith.mulf %in, %in_0 : f32
    %s = arith.addf %out, %p : f32
    linalg.yield %s : f32
  }
  return
}

// Enough tiles for 64 threads of 4 x 4 outputs (17 x 16 = 272), but only
// 544 warps: k (8 steps) is split while the kernel has fewer than 4096
// warps and each chunk keeps two steps: 4 chunks, 1088 blocks of 64 threads.

// CHECK-LABEL: func.func @few_warps
// CHECK:         memref.alloc() : memref<4x544x512xf32>
// CHECK:         gpu.launch blocks({{.*}}) in (%{{[a-z0-9]+}} = %c16, %{{[a-z0-9]+}} = %c17, %{{[a-z0-9]+}} = %c4) threads({{.*}}) in (%{{[a-z0-9]+}} = %c64,
// NOSPLIT-LABEL: func.func @few_warps
// NOSPLIT:         gpu.launch blocks({{.*}}) in (%{{[a-z0-9]+}} = %c16, %{{[a-z0-9]+}} = %c17, %{{[a-z0-9]+}} = %c1) threads({{.*}}) in (%{{[a-z0-9]+}} = %c64,
func.func @few_warps(%x: memref<544x256xf32>, %w: memref<256x512xf32>, %y: memref<544x512xf32>) {
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<544x256xf32>, memref<256x512xf32>) outs(%y : memref<544x512xf32>) {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %p = arith.mulf %in, %in_0 : f32
    %s = arith.addf %out, %p : f32
    linalg.yield %s : f32
  }
  return
}

// A long k and few tiles: C (40 x 50, 4 tiles) += A (40 x 300) * B, 10
// steps of k. Split in 4 chunks: block z of the 2 x 2 x 4 grid sums steps
// 10 z / 4 to 10 (z + 1) / 4 (2, 3, 2 and 3 steps of 32; past 300 the tiles
// read zeros) into P[z] of a buffer allocated before the kernel. After it, an elementwise
// op sets C to the bias (read at its source: the broadcast goes) plus
// P[0], ..., P[3] in that order; the buffer is freed after it.

// CHECK-LABEL: func.func @split_k
// CHECK-NOT:     linalg.generic
// CHECK:         %[[P:.*]] = memref.alloc() : memref<4x40x50xf32>
// CHECK:         gpu.launch blocks(%{{.*}}, %{{.*}}, %[[Z:.*]]) in (%{{.*}} = %c2, %{{.*}} = %c2, %{{.*}} = %c4)
// CHECK:           %[[ZS:.*]] = arith.muli %[[Z]], %c10
// CHECK:           %[[FIRST:.*]] = arith.divui %[[ZS]], %c4
// CHECK:           %[[BEGIN:.*]] = arith.muli %[[FIRST]], %c32
// CHECK:           %[[NEXT:.*]] = arith.addi %[[Z]], %c1
// CHECK:           %[[NS:.*]] = arith.muli %[[NEXT]], %c10
// CHECK:           %[[LAST:.*]] = arith.divui %[[NS]], %c4
// CHECK:           %[[END:.*]] = arith.muli %[[LAST]], %c32
// CHECK:           scf.for %{{.*}} = %[[BEGIN]] to %[[END]] step %c32
// CHECK:           scf.if
// CHECK-NOT:         memref.load %arg2
// CHECK:             memref.store %{{.*}}, %[[P]][%[[Z]], %{{.*}}, %{{.*}}] : memref<4x40x50xf32>
// CHECK:         linalg.generic {indexing_maps = [#[[ZBIAS]], #[[P0]], #{{.*}}, #{{.*}}, #[[P3]], #{{.*}}], iterator_types = ["parallel", "parallel"]} ins(%arg2, %[[P]], %[[P]], %[[P]], %[[P]] : memref<50xf32>, {{.*}}) outs(%arg3 : memref<40x50xf32>)
// CHECK-NEXT:    ^bb0(%[[B:[a-z0-9_]+]]: f32, %[[Z0:[a-z0-9_]+]]: f32, %[[Z1:[a-z0-9_]+]]: f32, %[[Z2:[a-z0-9_]+]]: f32, %[[Z3:[a-z0-9_]+]]: f32, %{{.*}}: f32):
// CHECK-NEXT:      %[[S0:.*]] = arith.addf %[[B]], %[[Z0]]
// CHECK-NEXT:      %[[S1:.*]] = arith.addf %[[S0]], %[[Z1]]
// CHECK-NEXT:      %[[S2:.*]] = arith.addf %[[S1]], %[[Z2]]
// CHECK-NEXT:      %[[S3:.*]] = arith.addf %[[S2]], %[[Z3]]
// CHECK-NEXT:      linalg.yield %[[S3]]
// CHECK:         memref.dealloc %[[P]]
// NOSPLIT-LABEL: func.func @split_k
// NOSPLIT-NOT:     memref.alloc
// NOSPLIT:         gpu.launch {{.*}} in (%{{.*}} = %c2, %{{.*}} = %c2, %{{.*}} = %c1)
// NOSPLIT:           scf.for %{{.*}} = %c0 to %c300 step %c32
// NOSPLIT-NOT:     linalg.generic {{.*}}reduction
func.func @split_k(%x: memref<40x300xf32>, %w: memref<300x50xf32>, %b: memref<50xf32>, %y: memref<40x50xf32>) {
  linalg.generic {indexing_maps = [#bias, #rows], iterator_types = ["parallel", "parallel"]}
      ins(%b : memref<50xf32>) outs(%y : memref<40x50xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  }
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<40x300xf32>, memref<300x50xf32>) outs(%y : memref<40x50xf32>) {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %p = arith.mulf %in, %in_0 : f32
    %s = arith.addf %out, %p : f32
    linalg.yield %s : f32
  }
  return
}

// With 264 tiles of 64 x 64 or more (`large-tiles`), 64 x 64 tiles of 64
// threads, each 8 x 8 outputs: rows 4 (t / 8) to 4 (t / 8) + 3 and 32 more,
// columns likewise from 4 (t % 8).
// @few_warps has 72 such tiles: 32 x 32 tiles as above. @many_large_tiles
// (C 1100 x 1000, k 64) has 18 x 16: 288 blocks, k not split (two steps).
// @large_tiles, forced: C (100 x 130) += A (100 x 70) * B (70 x 130), 3 x 2
// blocks; per step of 32 along k, A's 64 x 32 tile and B's 32 x 64 tile go
// to workgroup memory (k-major, rows of 64 padded to 68), 32 elements each a
// thread; per element of k, two 16-byte reads of A and two of B feed 64
// multiply-adds. By default
// @large_tiles takes 32 x 32 tiles.

// LARGE-LABEL: func.func @few_warps
// LARGE:         gpu.launch blocks({{.*}}) in (%{{[a-z0-9]+}} = %c16, %{{[a-z0-9]+}} = %c17, %{{[a-z0-9]+}} = %c4) threads({{.*}}) in (%{{[a-z0-9]+}} = %c64,
// LARGE-SAME:      workgroup(%{{.*}} : memref<32x36xf32, #gpu.address_space<workgroup>>, %{{.*}} : memref<32x36xf32, #gpu.address_space<workgroup>>)
// LARGE-LABEL: func.func @large_tiles
// LARGE:         gpu.launch {{.*}} workgroup(%{{.*}} : memref<32x36xf32, #gpu.address_space<workgroup>>, %{{.*}} : memref<32x36xf32, #gpu.address_space<workgroup>>)
// LARGE-LABEL: func.func @many_large_tiles
// LARGE-NOT:     memref.alloc
// LARGE:         gpu.launch blocks({{.*}}) in (%{{[a-z0-9]+}} = %c16, %{{[a-z0-9]+}} = %c18, %{{[a-z0-9]+}} = %c1) threads({{.*}}) in (%{{[a-z0-9]+}} = %c64,
// LARGE-SAME:      workgroup(%{{.*}} : memref<32x68xf32, #gpu.address_space<workgroup>>, %{{.*}} : memref<32x68xf32, #gpu.address_space<workgroup>>)

// FORCED-LABEL: func.func @large_tiles
// FORCED-DAG:     %[[C2:.*]] = arith.constant 2 : index
// FORCED-DAG:     %[[C3:.*]] = arith.constant 3 : index
// FORCED-DAG:     %[[C64:.*]] = arith.constant 64 : index
// FORCED:         gpu.launch blocks({{.*}}) in (%{{[a-z0-9]+}} = %[[C3]], %{{[a-z0-9]+}} = %[[C2]], %{{[a-z0-9]+}} = %c1) threads(%[[T:[a-z0-9]+]], {{.*}}) in (%{{[a-z0-9]+}} = %[[C64]], %{{[a-z0-9]+}} = %c1, %{{[a-z0-9]+}} = %c1)
// FORCED-SAME:      workgroup(%[[ATILE:[a-z0-9]+]] : memref<32x68xf32, #gpu.address_space<workgroup>>, %[[BTILE:[a-z0-9]+]] : memref<32x68xf32, #gpu.address_space<workgroup>>)
// FORCED:           %[[OUTCOL:.*]] = arith.remui %[[T]], %c8
// FORCED:           %[[OUTROW:.*]] = arith.divui %[[T]], %c8
// FORCED:           %[[ACC:.*]]:64 = scf.for %[[K0:.*]] = %c0 to %c70 step %c32 iter_args(
// FORCED-COUNT-32:    memref.store %{{.*}}, %[[ATILE]]
// FORCED-COUNT-32:    memref.store %{{.*}}, %[[BTILE]]
// FORCED:             gpu.barrier
// FORCED:             scf.for %[[KK:.*]] = %c0 to %c32 step %c8 iter_args(
// FORCED:               %[[ROWS:.*]] = arith.muli %[[OUTROW]], %c4
// FORCED:               vector.load %[[ATILE]][%[[KK]], %[[ROWS]]]
// FORCED:               %[[ROWS2:.*]] = arith.addi %[[ROWS]], %c32
// FORCED:               vector.load %[[ATILE]][%[[KK]], %[[ROWS2]]]
// FORCED:               %[[COLS:.*]] = arith.muli %[[OUTCOL]], %c4
// FORCED:               vector.load %[[BTILE]][%[[KK]], %[[COLS]]]
// FORCED:               %[[COLS2:.*]] = arith.addi %[[COLS]], %c32
// FORCED:               vector.load %[[BTILE]][%[[KK]], %[[COLS2]]]
// FORCED-NOT:           memref.load
// FORCED-COUNT-64:      arith.mulf
// FORCED:             gpu.barrier
// FORCED-COUNT-64: scf.if
// FORCED-NOT:      scf.if
// FORCED-NOT:    linalg.generic
// FORCED-LABEL: func.func @many_large_tiles

// With large-tile-threads=256 the same 64 x 64 tile takes 256 threads of
// 4 x 4 outputs (rows 4 (t / 16) to 4 (t / 16) + 3, columns from
// 4 (t % 16)): one 16-byte read of A and one of B per element of k.

// FORCED256-LABEL: func.func @large_tiles
// FORCED256:         gpu.launch blocks({{.*}}) in (%{{[a-z0-9]+}} = %c3, %{{[a-z0-9]+}} = %c2, %{{[a-z0-9]+}} = %c1) threads(%[[T:[a-z0-9]+]], {{.*}}) in (%{{[a-z0-9]+}} = %c256, %{{[a-z0-9]+}} = %c1, %{{[a-z0-9]+}} = %c1)
// FORCED256-SAME:      workgroup(%[[ATILE:[a-z0-9]+]] : memref<32x68xf32, #gpu.address_space<workgroup>>, %[[BTILE:[a-z0-9]+]] : memref<32x68xf32, #gpu.address_space<workgroup>>)
// FORCED256:           %[[OUTCOL:.*]] = arith.remui %[[T]], %c16
// FORCED256:           %[[OUTROW:.*]] = arith.divui %[[T]], %c16
// FORCED256:           %[[ACC:.*]]:16 = scf.for
// FORCED256-COUNT-8:     memref.store %{{.*}}, %[[ATILE]]
// FORCED256-COUNT-8:     memref.store %{{.*}}, %[[BTILE]]
// FORCED256:             gpu.barrier
// FORCED256:             scf.for %[[KK:.*]] = %c0 to %c32 step %c8 iter_args(
// FORCED256:               %[[ROWS:.*]] = arith.muli %[[OUTROW]], %c4
// FORCED256:               vector.load %[[ATILE]][%[[KK]], %[[ROWS]]]
// FORCED256:               %[[COLS:.*]] = arith.muli %[[OUTCOL]], %c4
// FORCED256:               vector.load %[[BTILE]][%[[KK]], %[[COLS]]]
// FORCED256-NOT:           memref.load
// FORCED256-COUNT-16:      arith.mulf
// FORCED256-COUNT-16: scf.if
// FORCED256-NOT:      scf.if
// FORCED256-LABEL: func.func @many_large_tiles
func.func @large_tiles(%x: memref<100x70xf32>, %w: memref<70x130xf32>, %y: memref<100x130xf32>) {
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<100x70xf32>, memref<70x130xf32>) outs(%y : memref<100x130xf32>) {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %p = arith.mulf %in, %in_0 : f32
    %s = arith.addf %out, %p : f32
    linalg.yield %s : f32
  }
  return
}

func.func @many_large_tiles(%x: memref<1100x64xf32>, %w: memref<64x1000xf32>, %y: memref<1100x1000xf32>) {
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<1100x64xf32>, memref<64x1000xf32>) outs(%y : memref<1100x1000xf32>) {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %p = arith.mulf %in, %in_0 : f32
    %s = arith.addf %out, %p : f32
    linalg.yield %s : f32
  }
  return
}

// A matmul of at most `row-matmul-macs` multiply-adds a row (1024 by
// default; here 10 x 70) that reads its left operand by rows is left to
// tick-gpu-row-kernels; with row-matmul-macs=0 it takes tiles too.

// CHECK-LABEL: func.func @row_matmul
// CHECK-NOT:     gpu.launch
// CHECK:         linalg.generic
// NOSPLIT-LABEL: func.func @row_matmul
// NOSPLIT:         gpu.launch
// NOSPLIT-NOT:     linalg.generic
func.func @row_matmul(%x: memref<40x70xf32>, %w: memref<70x10xf32>, %y: memref<40x10xf32>) {
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<40x70xf32>, memref<70x10xf32>) outs(%y : memref<40x10xf32>) {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %p = arith.mulf %in, %in_0 : f32
    %s = arith.addf %out, %p : f32
    linalg.yield %s : f32
  }
  return
}
