// RUN: tick-opt %s --split-input-file --tick-gpu-column-reductions=min-blocks=1 --canonicalize --cse | FileCheck %s
// RUN: not tick-opt %s --split-input-file --tick-gpu-column-reductions=block-size=48 2>&1 | FileCheck %s --check-prefix=BAD

// BAD: error: tick-gpu-column-reductions: block-size must be a power of two from 32 to 1024, not 48

// A bias gradient: the sum over a batch of 64 rows of each of 40 columns,
// into zeros broadcast just before. Blocks of 32 columns (2 of them) with
// 32 slices of rows each: thread (slice s, lane l) adds rows s, s + 32 of
// column l in a register, stores its partial in workgroup memory, and five
// barrier-separated steps fold slices 16..31 onto 0..15, ..., 1 onto 0.
// Slice 0 of a lane that has a column adds the total to the zeros and
// stores; the broadcast is gone.

#rows = affine_map<(d0, d1) -> (d1, d0)>
#col = affine_map<(d0, d1) -> (d0)>
#scalar = affine_map<(d0) -> ()>
#vec = affine_map<(d0) -> (d0)>
// CHECK-LABEL: func.func @bias_gradient
// CHECK-DAG:     %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NOT:     linalg.generic
// CHECK:         gpu.launch blocks(%[[B:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %c2, {{.*}}) threads(%[[T:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %c1024, {{.*}}) workgroup(%[[P:.*]] : memref<32x32xf32, #gpu.address_space<workgroup>>)
// CHECK:           %[[LANE:.*]] = arith.remui %[[T]], %c32
// CHECK:           %[[SLICE:.*]] = arith.divui %[[T]], %c32
// CHECK:           %[[COL:.*]] = arith.addi
// CHECK:           %[[IN:.*]] = arith.cmpi ult, %[[COL]], %c40
// CHECK:           %[[SAFE:.*]] = arith.select %[[IN]], %[[COL]], %c0
// CHECK:           %[[PART:.*]] = scf.for %[[R:.*]] = %[[SLICE]] to %c64 step %c32 iter_args(%[[ACC:.*]] = %[[ZERO]]) -> (f32)
// CHECK:             %[[V:.*]] = memref.load %arg0[%[[R]], %[[SAFE]]]
// CHECK:             arith.addf %[[ACC]], %[[V]]
// CHECK:           memref.store %[[PART]], %[[P]][%[[SLICE]], %[[LANE]]]
// CHECK:           gpu.barrier
// CHECK:           %[[TAKES:.*]] = arith.cmpi ult, %[[SLICE]], %c16
// CHECK:           scf.if %[[TAKES]]
// CHECK:             %[[OTHER:.*]] = arith.addi %[[SLICE]], %c16
// CHECK:             %[[MINE:.*]] = memref.load %[[P]][%[[SLICE]], %[[LANE]]]
// CHECK:             %[[THEIRS:.*]] = memref.load %[[P]][%[[OTHER]], %[[LANE]]]
// CHECK:             %[[BOTH:.*]] = arith.addf %[[MINE]], %[[THEIRS]]
// CHECK:             memref.store %[[BOTH]], %[[P]][%[[SLICE]], %[[LANE]]]
// CHECK-COUNT-4:   gpu.barrier
// CHECK:           %[[FIRST:.*]] = arith.cmpi eq, %[[SLICE]], %c0
// CHECK:           %[[STORES:.*]] = arith.andi %[[FIRST]], %[[IN]]
// CHECK:           scf.if %[[STORES]]
// CHECK:             %[[TOTAL:.*]] = memref.load %[[P]][%c0, %[[LANE]]]
// CHECK:             %[[SUM:.*]] = arith.addf %[[TOTAL]], %[[ZERO]]
// CHECK:             memref.store %[[SUM]], %arg1[%[[COL]]]
// CHECK-NOT:     gpu.barrier
// CHECK-NOT:     linalg.generic
func.func @bias_gradient(%dy: memref<64x40xf32>, %db: memref<40xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.generic {indexing_maps = [#scalar, #vec], iterator_types = ["parallel"]}
      ins(%zero : f32) outs(%db : memref<40xf32>) {
  ^bb0(%in: f32, %o: f32):
    linalg.yield %in : f32
  }
  linalg.generic {indexing_maps = [#rows, #col], iterator_types = ["parallel", "reduction"]}
      ins(%dy : memref<64x40xf32>) outs(%db : memref<40xf32>) {
  ^bb0(%v: f32, %a: f32):
    %s = arith.addf %a, %v : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// Two parallel loops are one run of 4 x 8 columns, row-major: the column
// index splits into (column / 8, column % 8). A reduction of 3 rows still
// takes a whole block, 32 slices (every column-reduction kernel has
// block-size threads, so that tick-gpu-merge-launches can launch them
// together); slices past the rows add nothing, and five tree steps fold.

#in = affine_map<(d0, d1, d2) -> (d2, d0, d1)>
#out = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @two_parallel_loops
// CHECK:         gpu.launch {{.*}} in (%{{.*}} = %c1, {{.*}}) threads({{.*}}) in (%{{.*}} = %c1024, {{.*}}) workgroup(%[[P:.*]] : memref<32x32xf32, #gpu.address_space<workgroup>>)
// CHECK:           scf.for %[[R:.*]] = %{{.*}} to %c3 step %c32
// CHECK-DAG:         %[[J:.*]] = arith.remui %{{.*}}, %c8
// CHECK-DAG:         %[[I:.*]] = arith.divui %{{.*}}, %c8
// CHECK:             memref.load %arg0[%[[R]], %[[I]], %[[J]]]
// CHECK-COUNT-5:   gpu.barrier
// CHECK-NOT:       gpu.barrier
// CHECK:           scf.if
// CHECK:             memref.load %arg1[%{{.*}}, %{{.*}}]
// CHECK:             memref.store %{{.*}}, %arg1[%{{.*}}, %{{.*}}]
func.func @two_parallel_loops(%x: memref<3x4x8xf32>, %out: memref<4x8xf32>) {
  linalg.generic {indexing_maps = [#in, #out], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x : memref<3x4x8xf32>) outs(%out : memref<4x8xf32>) {
  ^bb0(%v: f32, %a: f32):
    %s = arith.maximumf %a, %v : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// The count of correct predictions: an i64 sum to a scalar is one column;
// 100 rows in 1024 slices of one lane, folded in ten steps.

#all = affine_map<(d0) -> (d0)>
#none = affine_map<(d0) -> ()>
// CHECK-LABEL: func.func @correct_count
// CHECK-DAG:     %[[ZERO:.*]] = arith.constant 0 : i64
// CHECK:         gpu.launch {{.*}} in (%{{.*}} = %c1, {{.*}}) threads(%[[T:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %c1024, {{.*}}) workgroup(%[[P:.*]] : memref<1024x1xi64, #gpu.address_space<workgroup>>)
// CHECK:           scf.for %[[R:.*]] = %[[T]] to %c100 step %c1024 iter_args(%[[ACC:.*]] = %[[ZERO]]) -> (i64)
// CHECK:             memref.load %arg0[%[[R]]]
// CHECK:             memref.load %arg1[%[[R]]]
// CHECK:             arith.addi %[[ACC]]
// CHECK-COUNT-10:  gpu.barrier
// CHECK-NOT:       gpu.barrier
// CHECK:           scf.if
// CHECK:             memref.load %[[P]][%c0, %c0]
// CHECK:             memref.load %arg2[]
// CHECK:             arith.addi
// CHECK:             memref.store %{{.*}}, %arg2[]
func.func @correct_count(%predicted: memref<100xi64>, %labels: memref<100xi64>, %count: memref<i64>) {
  linalg.generic {indexing_maps = [#all, #all, #none], iterator_types = ["reduction"]}
      ins(%predicted, %labels : memref<100xi64>, memref<100xi64>) outs(%count : memref<i64>) {
  ^bb0(%p: i64, %l: i64, %acc: i64):
    %hit = arith.cmpi eq, %p, %l : i64
    %one = arith.extui %hit : i1 to i64
    %s = arith.addi %acc, %one : i64
    linalg.yield %s : i64
  }
  return
}

// -----

// Left alone: a product (no combiner here), a contribution that reads the
// output, an elementwise op, and a reduction of unknown length.

#rows = affine_map<(d0, d1) -> (d1, d0)>
#col = affine_map<(d0, d1) -> (d0)>
#dyn = affine_map<(d0) -> (d0)>
#none = affine_map<(d0) -> ()>
// CHECK-LABEL: func.func @left_alone
// CHECK-NOT:     gpu.launch
// CHECK-COUNT-4: linalg.generic
func.func @left_alone(%x: memref<8x10xf32>, %out: memref<10xf32>, %y: memref<?xf32>, %s: memref<f32>) {
  linalg.generic {indexing_maps = [#rows, #col], iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<8x10xf32>) outs(%out : memref<10xf32>) {
  ^bb0(%v: f32, %a: f32):
    %p = arith.mulf %a, %v : f32
    linalg.yield %p : f32
  }
  linalg.generic {indexing_maps = [#rows, #col], iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<8x10xf32>) outs(%out : memref<10xf32>) {
  ^bb0(%v: f32, %a: f32):
    %t = arith.mulf %a, %v : f32
    %p = arith.addf %a, %t : f32
    linalg.yield %p : f32
  }
  linalg.generic {indexing_maps = [#dyn, #dyn], iterator_types = ["parallel"]}
      ins(%y : memref<?xf32>) outs(%y : memref<?xf32>) {
  ^bb0(%v: f32, %a: f32):
    %p = arith.addf %a, %v : f32
    linalg.yield %p : f32
  }
  linalg.generic {indexing_maps = [#dyn, #none], iterator_types = ["reduction"]}
      ins(%y : memref<?xf32>) outs(%s : memref<f32>) {
  ^bb0(%v: f32, %a: f32):
    %p = arith.addf %a, %v : f32
    linalg.yield %p : f32
  }
  return
}

// -----

// LayerNorm's parameter gradients: two sums over the batch whose initial
// values are copies of one zero-filled buffer. The copies go (the kernel
// adds its totals to the zeros), and so does the fill once the bias
// gradient after them, which sums into that buffer, starts from zero too
// (the reductions lower in order: the copies first). A copy of a buffer
// filled from memory (%bias) stays: what the kernel would read there may
// change before it runs.

#cols = affine_map<(d0, d1) -> (d1, d0)>
#col = affine_map<(d0, d1) -> (d0)>
#id = affine_map<(d0) -> (d0)>
#none1 = affine_map<(d0) -> ()>
// CHECK-LABEL: func.func @copied_zeros
// CHECK-DAG:     %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NOT:     linalg.generic
// CHECK-NOT:     memref.copy
// CHECK:         gpu.launch
// CHECK:           scf.if
// CHECK:             %[[G:.*]] = arith.addf %{{.*}}, %[[ZERO]]
// CHECK:             memref.store %[[G]], %arg1[
// CHECK:             %[[B:.*]] = arith.addf %{{.*}}, %[[ZERO]]
// CHECK:             memref.store %[[B]], %arg2[
// CHECK:         memref.copy %arg4, %arg3
// CHECK:         gpu.launch
// CHECK:             memref.load %arg3[
// CHECK:         gpu.launch
// CHECK:             %[[BIAS:.*]] = arith.addf %{{.*}}, %[[ZERO]]
// CHECK:             memref.store %[[BIAS]], %[[ZEROS:.*]][
// CHECK:         linalg.generic
// CHECK-SAME:      ins(%[[ZEROS]] : memref<8xf32>) outs(%arg5 : memref<8xf32>)
func.func @copied_zeros(%x: memref<16x8xf32>, %g: memref<8xf32>, %b: memref<8xf32>, %c: memref<8xf32>, %bias: memref<8xf32>, %keep: memref<8xf32>) {
  %zero = arith.constant 0.0 : f32
  %zeros = memref.alloc() : memref<8xf32>
  linalg.generic {indexing_maps = [#none1, #id], iterator_types = ["parallel"]}
      ins(%zero : f32) outs(%zeros : memref<8xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  }
  memref.copy %zeros, %g : memref<8xf32> to memref<8xf32>
  memref.copy %zeros, %b : memref<8xf32> to memref<8xf32>
  linalg.generic {indexing_maps = [#cols, #col, #col], iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<16x8xf32>) outs(%g, %b : memref<8xf32>, memref<8xf32>) {
  ^bb0(%v: f32, %ga: f32, %ba: f32):
    %sq = arith.mulf %v, %v : f32
    %gs = arith.addf %ga, %sq : f32
    %bs = arith.addf %ba, %v : f32
    linalg.yield %gs, %bs : f32, f32
  }
  memref.copy %bias, %c : memref<8xf32> to memref<8xf32>
  linalg.generic {indexing_maps = [#cols, #col], iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<16x8xf32>) outs(%c : memref<8xf32>) {
  ^bb0(%v: f32, %ca: f32):
    %cs = arith.addf %ca, %v : f32
    linalg.yield %cs : f32
  }
  linalg.generic {indexing_maps = [#cols, #col], iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<16x8xf32>) outs(%zeros : memref<8xf32>) {
  ^bb0(%v: f32, %za: f32):
    %zs = arith.addf %za, %v : f32
    linalg.yield %zs : f32
  }
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
      ins(%zeros : memref<8xf32>) outs(%keep : memref<8xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  }
  return
}
