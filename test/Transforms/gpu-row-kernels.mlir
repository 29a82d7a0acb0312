// RUN: tick-opt %s --split-input-file --tick-gpu-row-kernels=rows-per-block=4 --canonicalize --cse | FileCheck %s
// RUN: not tick-opt %s --split-input-file --tick-gpu-row-kernels=rows-per-block=0 2>&1 | FileCheck %s --check-prefix=BAD
// RUN: tick-opt %s --split-input-file --tick-gpu-row-kernels="rows-per-block=4 group-width=1" --canonicalize --cse | FileCheck %s --check-prefix=ONE
// RUN: not tick-opt %s --split-input-file --tick-gpu-row-kernels=group-width=3 2>&1 | FileCheck %s --check-prefix=BADWIDTH
// BAD: error: tick-gpu-row-kernels: rows-per-block must be from 1 to 32 (a block of at most 1024 threads), not 0
// BADWIDTH: error: tick-gpu-row-kernels: group-width must be 1, 2 or 4, not 3

// LayerNorm forward over 10 rows of 40: zeros copied in as the sums'
// initial values, the mean, the variance, the normalized rows. One kernel
// of 3 blocks of 4 warps; lane l loads columns l and l + 32 of its row once
// (the second clamped to the row, 40 columns), the sums combine with xor
// shuffles, and only the normalized rows are stored: the statistics and
// the zeros live in registers, and their copies are gone.

#id = affine_map<(d0) -> (d0)>
#none1 = affine_map<(d0) -> ()>
#rc = affine_map<(d0, d1) -> (d0, d1)>
#r = affine_map<(d0, d1) -> (d0)>
#c = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @layer_norm
// CHECK-DAG:     %[[C3:.*]] = arith.constant 3 : index
// CHECK-DAG:     %[[C128:.*]] = arith.constant 128 : index
// CHECK-NOT:     memref.copy
// CHECK:         gpu.launch blocks(%[[B:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %[[C3]], {{.*}}) threads(%[[T:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %[[C128]],
// CHECK:           %[[LANE:.*]] = arith.remui %[[T]], %c32
// CHECK:           %[[ROW:.*]] = arith.addi
// CHECK:           %[[IN:.*]] = arith.cmpi ult, %[[ROW]], %c10
// CHECK:           %[[SAFE:.*]] = arith.select %[[IN]], %[[ROW]], %c0
// CHECK:           %[[X0:.*]] = memref.load %arg0[%[[SAFE]], %[[LANE]]]
// CHECK:           %[[SECOND:.*]] = arith.addi %[[LANE]], %c32
// CHECK:           %[[INSIDE:.*]] = arith.cmpi ult, %[[SECOND]], %c40
// CHECK:           %[[CLAMPED:.*]] = arith.minui %[[SECOND]], %c39
// CHECK:           %[[X1:.*]] = memref.load %arg0[%[[SAFE]], %[[CLAMPED]]]
// CHECK:           %[[ADD1:.*]] = arith.addf %{{.*}}, %[[X1]]
// CHECK:           %[[P:.*]] = arith.select %[[INSIDE]], %[[ADD1]], %{{.*}}
// CHECK-COUNT-5:   gpu.shuffle  xor
// CHECK:           arith.divf
// CHECK-NOT:       memref.load %arg0
// CHECK-COUNT-5:   gpu.shuffle  xor
// CHECK:           math.rsqrt
// CHECK-NOT:       memref.load %arg0
// CHECK:           scf.if %[[IN]]
// CHECK:             memref.store %{{.*}}, %arg3[%[[SAFE]], %[[LANE]]]
// CHECK:           %[[LAST:.*]] = arith.andi %[[IN]], %[[INSIDE]]
// CHECK:           scf.if %[[LAST]]
// CHECK:             memref.store %{{.*}}, %arg3[%[[SAFE]], %[[CLAMPED]]]
// CHECK-NOT:       memref.store
// CHECK:           gpu.terminator
// CHECK-NOT:     linalg.generic
// CHECK-NOT:     memref.copy
func.func @layer_norm(%x: memref<10x40xf32>, %g: memref<40xf32>, %b: memref<40xf32>, %y: memref<10x40xf32>) {
  %zero = arith.constant 0.0 : f32
  %n = arith.constant 40.0 : f32
  %eps = arith.constant 1.0e-5 : f32
  %zeros = memref.alloc() : memref<10xf32>
  linalg.generic {indexing_maps = [#none1, #id], iterator_types = ["parallel"]}
      ins(%zero : f32) outs(%zeros : memref<10xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  }
  %sum = memref.alloc() : memref<10xf32>
  memref.copy %zeros, %sum : memref<10xf32> to memref<10xf32>
  linalg.generic {indexing_maps = [#rc, #r], iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<10x40xf32>) outs(%sum : memref<10xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %s = arith.addf %acc, %v : f32
    linalg.yield %s : f32
  }
  %mean = memref.alloc() : memref<10xf32>
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
      ins(%sum : memref<10xf32>) outs(%mean : memref<10xf32>) {
  ^bb0(%s: f32, %out: f32):
    %m = arith.divf %s, %n : f32
    linalg.yield %m : f32
  }
  %squares = memref.alloc() : memref<10xf32>
  memref.copy %zeros, %squares : memref<10xf32> to memref<10xf32>
  linalg.generic {indexing_maps = [#rc, #r, #r], iterator_types = ["parallel", "reduction"]}
      ins(%x, %mean : memref<10x40xf32>, memref<10xf32>) outs(%squares : memref<10xf32>) {
  ^bb0(%v: f32, %m: f32, %acc: f32):
    %d = arith.subf %v, %m : f32
    %sq = arith.mulf %d, %d : f32
    %s = arith.addf %acc, %sq : f32
    linalg.yield %s : f32
  }
  %rstd = memref.alloc() : memref<10xf32>
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
      ins(%squares : memref<10xf32>) outs(%rstd : memref<10xf32>) {
  ^bb0(%s: f32, %out: f32):
    %var = arith.divf %s, %n : f32
    %ve = arith.addf %var, %eps : f32
    %r = math.rsqrt %ve : f32
    linalg.yield %r : f32
  }
  linalg.generic {indexing_maps = [#rc, #r, #r, #c, #c, #rc], iterator_types = ["parallel", "parallel"]}
      ins(%x, %mean, %rstd, %g, %b : memref<10x40xf32>, memref<10xf32>, memref<10xf32>, memref<40xf32>, memref<40xf32>) outs(%y : memref<10x40xf32>) {
  ^bb0(%v: f32, %m: f32, %r: f32, %gv: f32, %bv: f32, %out: f32):
    %d = arith.subf %v, %m : f32
    %xn = arith.mulf %d, %r : f32
    %sc = arith.mulf %xn, %gv : f32
    %o = arith.addf %sc, %bv : f32
    linalg.yield %o : f32
  }
  return
}

// -----

// A row's statistic that code after the run reads (an argument) is stored
// once, its last value, by lane 0 of the row's warp, at the end; the
// kernel reads the input once.

#rc = affine_map<(d0, d1) -> (d0, d1)>
#r = affine_map<(d0, d1) -> (d0)>
#id = affine_map<(d0) -> (d0)>
#none1 = affine_map<(d0) -> ()>
// CHECK-LABEL: func.func @row_max_kept
// CHECK:         gpu.launch
// CHECK:           %[[LANE:.*]] = arith.remui
// CHECK:           %[[IN:.*]] = arith.cmpi ult, %{{.*}}, %c6
// CHECK:           %[[SAFE:.*]] = arith.select %[[IN]]
// CHECK:           %[[FIRST:.*]] = arith.cmpi eq, %[[LANE]], %c0
// CHECK:           %[[LANE0:.*]] = arith.andi %[[FIRST]], %[[IN]]
// CHECK:           %[[X:.*]] = memref.load %arg0[%[[SAFE]], %[[LANE]]]
// CHECK-NOT:       memref.load
// CHECK:           gpu.shuffle  xor %[[X]], %c16_i32
// CHECK-COUNT-4:   gpu.shuffle  xor
// CHECK:           %[[MAX:.*]] = arith.maximumf
// CHECK:           %[[D:.*]] = arith.subf %[[X]], %[[MAX]]
// CHECK:           scf.if %[[IN]]
// CHECK:             memref.store %[[D]], %arg2[%[[SAFE]], %[[LANE]]]
// CHECK:           scf.if %[[LANE0]]
// CHECK-NEXT:        memref.store %[[MAX]], %arg1[%[[SAFE]]]
// CHECK-NEXT:      }
// CHECK-NEXT:      gpu.terminator
func.func @row_max_kept(%x: memref<6x32xf32>, %max: memref<6xf32>, %y: memref<6x32xf32>) {
  %ninf = arith.constant 0xFF800000 : f32
  linalg.generic {indexing_maps = [#none1, #id], iterator_types = ["parallel"]}
      ins(%ninf : f32) outs(%max : memref<6xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  }
  linalg.generic {indexing_maps = [#rc, #r], iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<6x32xf32>) outs(%max : memref<6xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %m = arith.maximumf %acc, %v : f32
    linalg.yield %m : f32
  }
  linalg.generic {indexing_maps = [#rc, #r, #rc], iterator_types = ["parallel", "parallel"]}
      ins(%x, %max : memref<6x32xf32>, memref<6xf32>) outs(%y : memref<6x32xf32>) {
  ^bb0(%v: f32, %m: f32, %out: f32):
    %d = arith.subf %v, %m : f32
    linalg.yield %d : f32
  }
  return
}

// -----

// A sum whose initial value is in memory (not written by the run) would
// have lane 0 store what other lanes read: it is left to
// tick-gpu-row-reductions. So is an op that writes a buffer the run read
// per column, and a lone elementwise op, which is no run with a reduction.

#rc = affine_map<(d0, d1) -> (d0, d1)>
#r = affine_map<(d0, d1) -> (d0)>
#c = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @left_alone
// CHECK-NOT:     gpu.launch
// CHECK-COUNT-2: linalg.generic
// CHECK-NOT:     gpu.launch
func.func @left_alone(%x: memref<4x8xf32>, %sum: memref<4xf32>, %y: memref<4x8xf32>) {
  linalg.generic {indexing_maps = [#rc, #r], iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<4x8xf32>) outs(%sum : memref<4xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %s = arith.addf %acc, %v : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#rc, #r, #rc], iterator_types = ["parallel", "parallel"]}
      ins(%x, %sum : memref<4x8xf32>, memref<4xf32>) outs(%y : memref<4x8xf32>) {
  ^bb0(%v: f32, %s: f32, %out: f32):
    %d = arith.subf %v, %s : f32
    linalg.yield %d : f32
  }
  return
}

// -----

// The third op writes %w, which the sum before it read for every row (per
// column): a lane of one row could write it before a lane of another row
// read it, so the run ends there. The third op reads %out per row, which
// the fill after it writes: lane 0 could write it before lane 5 read it,
// so that op is a run of its own, without a reduction: left alone. The
// fill and the sum after it make the second kernel.

#rc = affine_map<(d0, d1) -> (d0, d1)>
#r = affine_map<(d0, d1) -> (d0)>
#c = affine_map<(d0, d1) -> (d1)>
#id = affine_map<(d0) -> (d0)>
#none1 = affine_map<(d0) -> ()>
// CHECK-LABEL: func.func @column_written_later
// CHECK:         gpu.launch
// CHECK:           memref.load %arg1[%{{.*}}]
// CHECK:           gpu.shuffle  xor
// CHECK:           memref.store %{{.*}}, %arg2[
// CHECK:           gpu.terminator
// CHECK:         linalg.generic
// CHECK-SAME:      outs(%arg1 : memref<8xf32>)
// CHECK:         gpu.launch
// CHECK-NOT:       %arg1[
// CHECK:           gpu.terminator
// CHECK-NOT:     gpu.launch
func.func @column_written_later(%x: memref<8x8xf32>, %w: memref<8xf32>, %out: memref<8xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.generic {indexing_maps = [#none1, #id], iterator_types = ["parallel"]}
      ins(%zero : f32) outs(%out : memref<8xf32>) {
  ^bb0(%in: f32, %o: f32):
    linalg.yield %in : f32
  }
  linalg.generic {indexing_maps = [#rc, #c, #r], iterator_types = ["parallel", "reduction"]}
      ins(%x, %w : memref<8x8xf32>, memref<8xf32>) outs(%out : memref<8xf32>) {
  ^bb0(%v: f32, %wv: f32, %acc: f32):
    %p = arith.mulf %v, %wv : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
      ins(%out : memref<8xf32>) outs(%w : memref<8xf32>) {
  ^bb0(%s: f32, %o: f32):
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#none1, #id], iterator_types = ["parallel"]}
      ins(%zero : f32) outs(%out : memref<8xf32>) {
  ^bb0(%in: f32, %o: f32):
    linalg.yield %in : f32
  }
  linalg.generic {indexing_maps = [#rc, #r], iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<8x8xf32>) outs(%out : memref<8xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %s = arith.addf %acc, %v : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A split matmul's result, the bias plus its two partial results (the
// sum of chunks tick-gpu-matmul-tiles leaves), then the row's sum: the sum
// of chunks starts the run, each lane loads its elements of P[0] and
// P[1] once, and the matmul's result is stored because code after the run
// reads it, the row sums because they are an argument. The partials' deallocation, between the two ops, waits for the
// kernel.

#bias = affine_map<(d0, d1) -> (d1)>
#p0 = affine_map<(d0, d1) -> (0, d0, d1)>
#p1 = affine_map<(d0, d1) -> (1, d0, d1)>
#rc = affine_map<(d0, d1) -> (d0, d1)>
#r = affine_map<(d0, d1) -> (d0)>
#id = affine_map<(d0) -> (d0)>
#none1 = affine_map<(d0) -> ()>
// CHECK-LABEL: func.func @chunks_then_row_sum
// CHECK:         %[[H:.*]] = memref.alloc() : memref<8x32xf32>
// CHECK:         gpu.launch
// CHECK:           %[[LANE:.*]] = arith.remui
// CHECK:           %[[SAFE:.*]] = arith.select
// CHECK:           %[[B:.*]] = memref.load %arg1[%[[LANE]]]
// CHECK:           %[[Z0:.*]] = memref.load %arg0[%c0, %[[SAFE]], %[[LANE]]]
// CHECK:           %[[Z1:.*]] = memref.load %arg0[%c1, %[[SAFE]], %[[LANE]]]
// CHECK:           %[[S0:.*]] = arith.addf %[[B]], %[[Z0]]
// CHECK:           %[[S1:.*]] = arith.addf %[[S0]], %[[Z1]]
// CHECK:           memref.store %[[S1]], %[[H]][%[[SAFE]], %[[LANE]]]
// CHECK-NOT:       memref.load
// CHECK:           gpu.shuffle  xor %{{.*}}, %c16_i32
// CHECK:           memref.store %{{.*}}, %arg2[%[[SAFE]]]
// CHECK:           gpu.terminator
// CHECK-NEXT:    }
// CHECK-NEXT:    memref.dealloc %arg0
// CHECK-NOT:     linalg.generic
// CHECK:         memref.copy %[[H]], %arg3
func.func @chunks_then_row_sum(%p: memref<2x8x32xf32>, %b: memref<32xf32>, %sum: memref<8xf32>, %out: memref<8x32xf32>) {
  %h = memref.alloc() : memref<8x32xf32>
  linalg.generic {indexing_maps = [#bias, #p0, #p1, #rc], iterator_types = ["parallel", "parallel"]}
      ins(%b, %p, %p : memref<32xf32>, memref<2x8x32xf32>, memref<2x8x32xf32>) outs(%h : memref<8x32xf32>) {
  ^bb0(%init: f32, %z0: f32, %z1: f32, %o: f32):
    %s0 = arith.addf %init, %z0 : f32
    %s1 = arith.addf %s0, %z1 : f32
    linalg.yield %s1 : f32
  }
  memref.dealloc %p : memref<2x8x32xf32>
  %zero = arith.constant 0.0 : f32
  linalg.generic {indexing_maps = [#none1, #id], iterator_types = ["parallel"]}
      ins(%zero : f32) outs(%sum : memref<8xf32>) {
  ^bb0(%in: f32, %o: f32):
    linalg.yield %in : f32
  }
  linalg.generic {indexing_maps = [#rc, #r], iterator_types = ["parallel", "reduction"]}
      ins(%h : memref<8x32xf32>) outs(%sum : memref<8xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %s = arith.addf %acc, %v : f32
    linalg.yield %s : f32
  }
  memref.copy %h, %out : memref<8x32xf32> to memref<8x32xf32>
  return
}

// -----

// Between a row's maximum and the op that uses it, the sum of the maxima
// over all rows (as the loss's mean over the batch sits between the loss
// and its gradient): no row op, but it touches nothing the rest of the run
// does, so the run passes over it and it runs after the kernel, reading
// the maxima the kernel stores.

#rc = affine_map<(d0, d1) -> (d0, d1)>
#r = affine_map<(d0, d1) -> (d0)>
#id = affine_map<(d0) -> (d0)>
#none1 = affine_map<(d0) -> ()>
#none0 = affine_map<() -> ()>
// CHECK-LABEL: func.func @passes_over_batch_sum
// CHECK:         %[[M:.*]] = memref.alloc() : memref<6xf32>
// CHECK:         gpu.launch
// CHECK:           gpu.shuffle  xor
// CHECK:           arith.subf
// CHECK:           memref.store %{{.*}}, %arg2
// CHECK:           memref.store %{{.*}}, %[[M]]
// CHECK:           gpu.terminator
// CHECK:         linalg.generic {{.*}} outs(%arg1 : memref<f32>)
// CHECK:         linalg.generic {{.*}} ins(%[[M]] : memref<6xf32>) outs(%arg1 : memref<f32>)
// CHECK-NOT:     gpu.launch
func.func @passes_over_batch_sum(%x: memref<6x32xf32>, %total: memref<f32>, %y: memref<6x32xf32>) {
  %ninf = arith.constant 0xFF800000 : f32
  %zero = arith.constant 0.0 : f32
  %m = memref.alloc() : memref<6xf32>
  linalg.generic {indexing_maps = [#none1, #id], iterator_types = ["parallel"]}
      ins(%ninf : f32) outs(%m : memref<6xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  }
  linalg.generic {indexing_maps = [#rc, #r], iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<6x32xf32>) outs(%m : memref<6xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %mx = arith.maximumf %acc, %v : f32
    linalg.yield %mx : f32
  }
  linalg.generic {indexing_maps = [#none0, #none0], iterator_types = []}
      ins(%zero : f32) outs(%total : memref<f32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  }
  linalg.generic {indexing_maps = [#id, #none1], iterator_types = ["reduction"]}
      ins(%m : memref<6xf32>) outs(%total : memref<f32>) {
  ^bb0(%v: f32, %acc: f32):
    %s = arith.addf %acc, %v : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#rc, #r, #rc], iterator_types = ["parallel", "parallel"]}
      ins(%x, %m : memref<6x32xf32>, memref<6xf32>) outs(%y : memref<6x32xf32>) {
  ^bb0(%v: f32, %mx: f32, %out: f32):
    %d = arith.subf %v, %mx : f32
    linalg.yield %d : f32
  }
  return
}

// -----

// The op between writes what the next row op reads: the run ends before
// that op, which stays where it is, as does the op after it.

#rc = affine_map<(d0, d1) -> (d0, d1)>
#r = affine_map<(d0, d1) -> (d0)>
#id = affine_map<(d0) -> (d0)>
#none1 = affine_map<(d0) -> ()>
// CHECK-LABEL: func.func @blocked_pass_over
// CHECK:         gpu.launch
// CHECK:           gpu.shuffle  xor
// CHECK-NOT:       arith.subf
// CHECK:           gpu.terminator
// CHECK:         linalg.transpose ins(%arg0 : memref<6x32xf32>) outs(%arg1 : memref<6x32xf32>)
// CHECK:         linalg.generic {{.*}} ins(%arg1, %{{.*}} : memref<6x32xf32>, memref<6xf32>) outs(%arg2 : memref<6x32xf32>)
// CHECK-NOT:     gpu.launch
func.func @blocked_pass_over(%x: memref<6x32xf32>, %x2: memref<6x32xf32>, %y: memref<6x32xf32>) {
  %ninf = arith.constant 0xFF800000 : f32
  %m = memref.alloc() : memref<6xf32>
  linalg.generic {indexing_maps = [#none1, #id], iterator_types = ["parallel"]}
      ins(%ninf : f32) outs(%m : memref<6xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  }
  linalg.generic {indexing_maps = [#rc, #r], iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<6x32xf32>) outs(%m : memref<6xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %mx = arith.maximumf %acc, %v : f32
    linalg.yield %mx : f32
  }
  linalg.transpose ins(%x : memref<6x32xf32>) outs(%x2 : memref<6x32xf32>) permutation = [0, 1]
  linalg.generic {indexing_maps = [#rc, #r, #rc], iterator_types = ["parallel", "parallel"]}
      ins(%x2, %m : memref<6x32xf32>, memref<6xf32>) outs(%y : memref<6x32xf32>) {
  ^bb0(%v: f32, %mx: f32, %out: f32):
    %d = arith.subf %v, %mx : f32
    linalg.yield %d : f32
  }
  return
}

// -----

// A row matmul (`row-matmul-macs`, 1024 multiply-adds a row by default):
// logits (10 rows of 3) = bias + relu(x) (10 rows of 40) * w (3 x 40, read
// transposed), then each row's largest logit. One kernel: lane l keeps
// relu(x) at columns l and l + 32; each of the 40 columns reaches every
// lane by a `gpu.shuffle idx` from the lane that holds it; lane l computes
// logit l (lanes 3 and up a clamped copy of logit 2, stored by none) from
// the bias and the 40 products in order, then the row's maximum combines
// by xor shuffles. Only the maxima are stored: nothing after the run
// reads relu(x) or the logits.
// A matmul of 30 x 40 per row (1200 multiply-adds) is no row op: left alone.

#rc = affine_map<(d0, d1) -> (d0, d1)>
#r = affine_map<(d0, d1) -> (d0)>
#c = affine_map<(d0, d1) -> (d1)>
#mx = affine_map<(d0, d1, d2) -> (d0, d2)>
#mw = affine_map<(d0, d1, d2) -> (d1, d2)>
#mo = affine_map<(d0, d1, d2) -> (d0, d1)>
#id = affine_map<(d0) -> (d0)>
// CHECK-LABEL: func.func @row_matmul
// CHECK-NOT:     memref.store
// CHECK:         gpu.launch
// CHECK:           %[[LANE:.*]] = arith.remui %{{.*}}, %c32
// CHECK:           %[[SAFE:.*]] = arith.select
// CHECK:           %[[X0:.*]] = memref.load %arg0[%[[SAFE]], %[[LANE]]]
// CHECK:           %[[R0:.*]] = arith.maximumf %[[X0]]
// CHECK:           memref.load %arg0
// CHECK:           %[[R1:.*]] = arith.maximumf
// CHECK:           %[[J:.*]] = arith.minui %[[LANE]], %c2
// CHECK:           %[[B:.*]] = memref.load %arg2[%[[J]]]
// CHECK:           gpu.shuffle  idx %[[R0]], %c0_i32, %c32_i32
// CHECK-COUNT-31:  gpu.shuffle  idx %[[R0]]
// CHECK:           %[[LAST:[a-zA-Z0-9_]+]], %{{.*}} = gpu.shuffle  idx %[[R1]], %c7_i32, %c32_i32
// CHECK:           %[[W0:.*]] = memref.load %arg1[%[[J]], %c0]
// CHECK:           arith.mulf
// CHECK:           arith.addf %[[B]]
// CHECK-COUNT-38:  memref.load %arg1[%[[J]],
// CHECK:           %[[W39:.*]] = memref.load %arg1[%[[J]], %c39]
// CHECK:           arith.mulf %[[LAST]], %[[W39]]
// CHECK-COUNT-5:   gpu.shuffle  xor
// CHECK:           scf.if
// CHECK-NEXT:        memref.store %{{.*}}, %arg3
// CHECK:           gpu.terminator
// CHECK:         linalg.generic
// CHECK-SAME:      ins(%arg0, %arg4 : memref<10x40xf32>, memref<30x40xf32>)
// CHECK-NOT:     gpu.launch
func.func @row_matmul(%x: memref<10x40xf32>, %w: memref<3x40xf32>, %bias: memref<3xf32>,
                      %max: memref<10xf32>, %wide: memref<30x40xf32>, %out: memref<10x30xf32>) {
  %zero = arith.constant 0.0 : f32
  %lowest = arith.constant -3.40282347e+38 : f32
  %relu = memref.alloc() : memref<10x40xf32>
  %logits = memref.alloc() : memref<10x3xf32>
  linalg.generic {indexing_maps = [#rc, #rc], iterator_types = ["parallel", "parallel"]}
      ins(%x : memref<10x40xf32>) outs(%relu : memref<10x40xf32>) {
  ^bb0(%v: f32, %o: f32):
    %m = arith.maximumf %v, %zero : f32
    linalg.yield %m : f32
  }
  linalg.generic {indexing_maps = [#c, #rc], iterator_types = ["parallel", "parallel"]}
      ins(%bias : memref<3xf32>) outs(%logits : memref<10x3xf32>) {
  ^bb0(%v: f32, %o: f32):
    linalg.yield %v : f32
  }
  linalg.generic {indexing_maps = [#mx, #mw, #mo], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%relu, %w : memref<10x40xf32>, memref<3x40xf32>) outs(%logits : memref<10x3xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#id], iterator_types = ["parallel"]}
      outs(%max : memref<10xf32>) {
  ^bb0(%o: f32):
    linalg.yield %lowest : f32
  }
  linalg.generic {indexing_maps = [#rc, #r], iterator_types = ["parallel", "reduction"]}
      ins(%logits : memref<10x3xf32>) outs(%max : memref<10xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %m = arith.maximumf %acc, %v : f32
    linalg.yield %m : f32
  }
  linalg.generic {indexing_maps = [#mx, #mw, #mo], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %wide : memref<10x40xf32>, memref<30x40xf32>) outs(%out : memref<10x30xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// As @row_matmul, with the logits an argument, read after the kernel:
// they are stored once, after the matmul has added to the bias. The bias
// broadcast the matmul overwrites within the run is not stored (before,
// each lane stored its logit twice).

#rc = affine_map<(d0, d1) -> (d0, d1)>
#r = affine_map<(d0, d1) -> (d0)>
#c = affine_map<(d0, d1) -> (d1)>
#mx = affine_map<(d0, d1, d2) -> (d0, d2)>
#mw = affine_map<(d0, d1, d2) -> (d1, d2)>
#mo = affine_map<(d0, d1, d2) -> (d0, d1)>
#id = affine_map<(d0) -> (d0)>
// CHECK-LABEL: func.func @logits_kept
// CHECK:         gpu.launch
// CHECK:           %[[B:.*]] = memref.load %arg2
// CHECK-NOT:       memref.store
// CHECK:           gpu.shuffle  idx
// CHECK:           arith.addf %[[B]]
// CHECK-NOT:       memref.store
// CHECK:           scf.if
// CHECK-NEXT:        memref.store %{{.*}}, %arg3
// CHECK-NOT:       memref.store %{{.*}}, %arg3
// CHECK:           memref.store %{{.*}}, %arg4
// CHECK:           gpu.terminator
func.func @logits_kept(%x: memref<10x40xf32>, %w: memref<3x40xf32>, %bias: memref<3xf32>,
                       %logits: memref<10x3xf32>, %max: memref<10xf32>) {
  %lowest = arith.constant -3.40282347e+38 : f32
  linalg.generic {indexing_maps = [#c, #rc], iterator_types = ["parallel", "parallel"]}
      ins(%bias : memref<3xf32>) outs(%logits : memref<10x3xf32>) {
  ^bb0(%v: f32, %o: f32):
    linalg.yield %v : f32
  }
  linalg.generic {indexing_maps = [#mx, #mw, #mo], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<10x40xf32>, memref<3x40xf32>) outs(%logits : memref<10x3xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#id], iterator_types = ["parallel"]}
      outs(%max : memref<10xf32>) {
  ^bb0(%o: f32):
    linalg.yield %lowest : f32
  }
  linalg.generic {indexing_maps = [#rc, #r], iterator_types = ["parallel", "reduction"]}
      ins(%logits : memref<10x3xf32>) outs(%max : memref<10xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %m = arith.maximumf %acc, %v : f32
    linalg.yield %m : f32
  }
  return
}

// -----

// Rows of 256 (a multiple of 128): lane l holds columns 4l to 4l + 3 and
// 128 + 4l to 128 + 4l + 3, each group one 16-byte vector load from each
// chunk of a split matmul's partial results and from the bias, and one
// 16-byte store of the output. With group-width=1, lane l holds columns
// l, l + 32, ..., read and written one at a time.

// CHECK-LABEL: func.func @groups
// CHECK:         gpu.launch
// CHECK:           %[[LANE:.*]] = arith.remui %{{.*}}, %c32
// CHECK:           %[[SAFE:.*]] = arith.select %[[IN:.*]], %{{.*}}, %c0
// CHECK:           %[[FIRST:.*]] = arith.muli %[[LANE]], %c4
// CHECK:           %[[A0:.*]] = vector.load %arg0[%c0, %[[SAFE]], %[[FIRST]]] {alignment = 16 : i64} : memref<2x3x256xf32>, vector<4xf32>
// CHECK-COUNT-4:   vector.extract %[[A0]]
// CHECK:           vector.load %arg0[%c1, %[[SAFE]], %[[FIRST]]] {alignment = 16 : i64}
// CHECK:           vector.load %arg1[%[[FIRST]]] {alignment = 16 : i64} : memref<256xf32>, vector<4xf32>
// CHECK:           %[[SECOND:.*]] = arith.addi %[[FIRST]], %c128
// CHECK:           vector.load %arg0[%c0, %[[SAFE]], %[[SECOND]]]
// CHECK:           vector.load %arg0[%c1, %[[SAFE]], %[[SECOND]]]
// CHECK:           vector.load %arg1[%[[SECOND]]]
// CHECK-NOT:       memref.load
// CHECK-COUNT-5:   gpu.shuffle  xor
// CHECK:           %[[Y0:.*]] = vector.from_elements {{.*}} : vector<4xf32>
// CHECK:           scf.if %[[IN]]
// CHECK-NEXT:        vector.store %[[Y0]], %arg2[%[[SAFE]], %[[FIRST]]] {alignment = 16 : i64}
// CHECK:           %[[Y1:.*]] = vector.from_elements
// CHECK:           scf.if %[[IN]]
// CHECK-NEXT:        vector.store %[[Y1]], %arg2[%[[SAFE]], %[[SECOND]]] {alignment = 16 : i64}
// CHECK-NOT:       memref.store
// CHECK:           gpu.terminator
// ONE-LABEL: func.func @groups
// ONE:         %[[LANE:.*]] = arith.remui %{{.*}}, %c32
// ONE-NOT:     vector.load
// ONE:         memref.load %arg0[%c0, %{{.*}}, %[[LANE]]]
// ONE:         memref.load %arg0[%c1, %{{.*}}, %[[LANE]]]
// ONE:         %[[NEXT:.*]] = arith.addi %[[LANE]], %c32
// ONE:         memref.load %arg0[%c0, %{{.*}}, %[[NEXT]]]
// ONE-NOT:     vector.store
// ONE-COUNT-8: memref.store
#rc = affine_map<(d0, d1) -> (d0, d1)>
#r = affine_map<(d0, d1) -> (d0)>
#c = affine_map<(d0, d1) -> (d1)>
#z0 = affine_map<(d0, d1) -> (0, d0, d1)>
#z1 = affine_map<(d0, d1) -> (1, d0, d1)>
#id = affine_map<(d0) -> (d0)>
func.func @groups(%chunks: memref<2x3x256xf32>, %bias: memref<256xf32>, %y: memref<3x256xf32>) {
  %zero = arith.constant 0.0 : f32
  %h = memref.alloc() : memref<3x256xf32>
  linalg.generic {indexing_maps = [#z0, #z1, #c, #rc], iterator_types = ["parallel", "parallel"]}
      ins(%chunks, %chunks, %bias : memref<2x3x256xf32>, memref<2x3x256xf32>, memref<256xf32>) outs(%h : memref<3x256xf32>) {
  ^bb0(%a: f32, %b: f32, %v: f32, %o: f32):
    %s = arith.addf %a, %b : f32
    %t = arith.addf %s, %v : f32
    linalg.yield %t : f32
  }
  %sum = memref.alloc() : memref<3xf32>
  linalg.generic {indexing_maps = [#id], iterator_types = ["parallel"]}
      outs(%sum : memref<3xf32>) {
  ^bb0(%o: f32):
    linalg.yield %zero : f32
  }
  linalg.generic {indexing_maps = [#rc, #r], iterator_types = ["parallel", "reduction"]}
      ins(%h : memref<3x256xf32>) outs(%sum : memref<3xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %s = arith.addf %acc, %v : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#rc, #r, #rc], iterator_types = ["parallel", "parallel"]}
      ins(%h, %sum : memref<3x256xf32>, memref<3xf32>) outs(%y : memref<3x256xf32>) {
  ^bb0(%v: f32, %s: f32, %o: f32):
    %d = arith.subf %v, %s : f32
    linalg.yield %d : f32
  }
  return
}

// -----

// Rows of 64 go in pairs: lane l holds columns 2l and 2l + 1 (an 8-byte
// load). A row matmul reading them takes column c from lane c / 2, its
// first or second element.

// CHECK-LABEL: func.func @row_matmul_pairs
// CHECK:         gpu.launch
// CHECK:           %[[LANE:.*]] = arith.remui %{{.*}}, %c32
// CHECK:           %[[FIRST:.*]] = arith.muli %[[LANE]], %c2
// CHECK:           %[[X:.*]] = vector.load %arg0[%{{.*}}, %[[FIRST]]] {alignment = 8 : i64} : memref<5x64xf32>, vector<2xf32>
// CHECK:           %[[E0:.*]] = vector.extract %[[X]][0]
// CHECK:           %[[E1:.*]] = vector.extract %[[X]][1]
// CHECK:           %[[R0:.*]] = arith.maximumf %[[E0]]
// CHECK:           %[[R1:.*]] = arith.maximumf %[[E1]]
// CHECK:           gpu.shuffle  idx %[[R0]], %c0_i32, %c32_i32
// CHECK-NEXT:      gpu.shuffle  idx %[[R1]], %c0_i32, %c32_i32
// CHECK-NEXT:      gpu.shuffle  idx %[[R0]], %c1_i32, %c32_i32
// CHECK-NEXT:      gpu.shuffle  idx %[[R1]], %c1_i32, %c32_i32
// CHECK-COUNT-59:  gpu.shuffle  idx
// CHECK-NEXT:      gpu.shuffle  idx %[[R1]], %c31_i32, %c32_i32
// CHECK-NOT:       gpu.shuffle  idx
// CHECK:           gpu.terminator
#rc = affine_map<(d0, d1) -> (d0, d1)>
#r = affine_map<(d0, d1) -> (d0)>
#c = affine_map<(d0, d1) -> (d1)>
#mx = affine_map<(d0, d1, d2) -> (d0, d2)>
#mw = affine_map<(d0, d1, d2) -> (d1, d2)>
#mo = affine_map<(d0, d1, d2) -> (d0, d1)>
#id = affine_map<(d0) -> (d0)>
func.func @row_matmul_pairs(%x: memref<5x64xf32>, %w: memref<3x64xf32>, %max: memref<5xf32>) {
  %zero = arith.constant 0.0 : f32
  %lowest = arith.constant -3.40282347e+38 : f32
  %relu = memref.alloc() : memref<5x64xf32>
  %logits = memref.alloc() : memref<5x3xf32>
  linalg.generic {indexing_maps = [#rc, #rc], iterator_types = ["parallel", "parallel"]}
      ins(%x : memref<5x64xf32>) outs(%relu : memref<5x64xf32>) {
  ^bb0(%v: f32, %o: f32):
    %m = arith.maximumf %v, %zero : f32
    linalg.yield %m : f32
  }
  linalg.generic {indexing_maps = [#rc], iterator_types = ["parallel", "parallel"]}
      outs(%logits : memref<5x3xf32>) {
  ^bb0(%o: f32):
    linalg.yield %zero : f32
  }
  linalg.generic {indexing_maps = [#mx, #mw, #mo], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%relu, %w : memref<5x64xf32>, memref<3x64xf32>) outs(%logits : memref<5x3xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#id], iterator_types = ["parallel"]}
      outs(%max : memref<5xf32>) {
  ^bb0(%o: f32):
    linalg.yield %lowest : f32
  }
  linalg.generic {indexing_maps = [#rc, #r], iterator_types = ["parallel", "reduction"]}
      ins(%logits : memref<5x3xf32>) outs(%max : memref<5xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %m = arith.maximumf %acc, %v : f32
    linalg.yield %m : f32
  }
  return
}
