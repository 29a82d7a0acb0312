// RUN: tick-opt %s --split-input-file --tick-gpu-row-reductions=rows-per-block=4 --canonicalize --cse | FileCheck %s
// RUN: not tick-opt %s --split-input-file --tick-gpu-row-reductions=rows-per-block=0 2>&1 | FileCheck %s --check-prefix=BAD
// BAD: error: tick-gpu-row-reductions: rows-per-block must be from 1 to 32 (a block of at most 1024 threads), not 0

// A LayerNorm variance: each warp of a 4-warp block sums one row's squared
// deviations. Lane l reads columns l, l + 32, ... (10 rows: 3 blocks of 128
// threads); five xor shuffles add the lanes' partial sums; lane 0 of a warp
// that has a row adds the total to the output.

#row = affine_map<(d0, d1) -> (d0, d1)>
#stat = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func.func @variance
// CHECK-DAG:     %[[C3:.*]] = arith.constant 3 : index
// CHECK-DAG:     %[[C128:.*]] = arith.constant 128 : index
// CHECK-DAG:     %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK:         gpu.launch blocks(%[[B:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %[[C3]], {{.*}}) threads(%[[T:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %[[C128]],
// CHECK:           %[[LANE:.*]] = arith.remui %[[T]], %c32
// CHECK:           %[[ROW:.*]] = arith.addi
// CHECK:           %[[IN:.*]] = arith.cmpi ult, %[[ROW]], %c10
// CHECK:           %[[SAFE:.*]] = arith.select %[[IN]], %[[ROW]], %c0
// CHECK:           %[[PART:.*]] = scf.for %[[K:.*]] = %[[LANE]] to %c100 step %c32 iter_args(%[[ACC:.*]] = %[[ZERO]]) -> (f32)
// CHECK:             memref.load %arg0[%[[SAFE]], %[[K]]]
// CHECK:             memref.load %arg1[%[[SAFE]]]
// CHECK:             arith.addf %[[ACC]]
// CHECK:           gpu.shuffle  xor %[[PART]], %c16_i32, %c32_i32 : f32
// CHECK:           gpu.shuffle  xor %{{.*}}, %c8_i32, %c32_i32 : f32
// CHECK:           gpu.shuffle  xor %{{.*}}, %c4_i32, %c32_i32 : f32
// CHECK:           gpu.shuffle  xor %{{.*}}, %c2_i32, %c32_i32 : f32
// CHECK:           %[[S:.*]], %{{.*}} = gpu.shuffle  xor %{{.*}}, %c1_i32, %c32_i32 : f32
// CHECK:           %[[TOTAL:.*]] = arith.addf %{{.*}}, %[[S]]
// CHECK:           %[[FIRST:.*]] = arith.cmpi eq, %[[LANE]], %c0
// CHECK:           %[[STORES:.*]] = arith.andi %[[FIRST]], %[[IN]]
// CHECK:           scf.if %[[STORES]]
// CHECK:             %[[INIT:.*]] = memref.load %arg2[%[[ROW]]]
// CHECK:             %[[SUM:.*]] = arith.addf %[[INIT]], %[[TOTAL]]
// CHECK:             memref.store %[[SUM]], %arg2[%[[ROW]]]
// CHECK-NOT:     linalg.generic
func.func @variance(%x: memref<10x100xf32>, %mean: memref<10xf32>, %out: memref<10xf32>) {
  linalg.generic {indexing_maps = [#row, #stat, #stat], iterator_types = ["parallel", "reduction"]}
      ins(%x, %mean : memref<10x100xf32>, memref<10xf32>) outs(%out : memref<10xf32>) {
  ^bb0(%v: f32, %m: f32, %acc: f32):
    %d = arith.subf %v, %m : f32
    %sq = arith.mulf %d, %d : f32
    %s = arith.addf %acc, %sq : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A row maximum starts from -inf and combines with maximumf; a second
// output in the same op (a masked sum using the column index) is reduced
// alongside it.

#row = affine_map<(d0, d1) -> (d0, d1)>
#stat = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func.func @max_and_masked_sum
// CHECK-DAG:     %[[NEGINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK-DAG:     %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK:         scf.for %[[K:.*]] = {{.*}} iter_args(%[[M:.*]] = %[[NEGINF]], %[[S:.*]] = %[[ZERO]]) -> (f32, f32)
// CHECK:           arith.maximumf %[[M]]
// CHECK:           arith.cmpi eq, %[[K]]
// CHECK:           arith.addf %[[S]]
// CHECK:         gpu.shuffle  xor
// CHECK:         arith.maximumf
// CHECK:         gpu.shuffle  xor
// CHECK:         arith.addf
func.func @max_and_masked_sum(%x: memref<8x10xf32>, %labels: memref<8xindex>, %max: memref<8xf32>, %picked: memref<8xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.generic {indexing_maps = [#row, #stat, #stat, #stat], iterator_types = ["parallel", "reduction"]}
      ins(%x, %labels : memref<8x10xf32>, memref<8xindex>) outs(%max, %picked : memref<8xf32>, memref<8xf32>) {
  ^bb0(%v: f32, %label: index, %m: f32, %p: f32):
    %m2 = arith.maximumf %m, %v : f32
    %j = linalg.index 1 : index
    %hit = arith.cmpi eq, %j, %label : index
    %c = arith.select %hit, %v, %zero : f32
    %p2 = arith.addf %p, %c : f32
    linalg.yield %m2, %p2 : f32, f32
  }
  return
}

// -----

// Left alone: a sum over the batch (the reduction runs across rows, not
// along them: one thread per column reads coalesced), a reduction whose
// contribution reads the output (not a plain sum), and an i64 minimum
// (a shuffle moves 32 bits).

#row = affine_map<(d0, d1) -> (d0, d1)>
#colmajor = affine_map<(d0, d1) -> (d1, d0)>
#stat = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func.func @left_alone
// CHECK-NOT:     gpu.launch
// CHECK-COUNT-3: linalg.generic
func.func @left_alone(%dy: memref<64x10xf32>, %x: memref<8x10xf32>, %bias: memref<10xf32>, %acc: memref<8xf32>, %arg: memref<8xi64>) {
  linalg.generic {indexing_maps = [#colmajor, #stat], iterator_types = ["parallel", "reduction"]}
      ins(%dy : memref<64x10xf32>) outs(%bias : memref<10xf32>) {
  ^bb0(%v: f32, %a: f32):
    %s = arith.addf %a, %v : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#row, #stat], iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<8x10xf32>) outs(%acc : memref<8xf32>) {
  ^bb0(%v: f32, %a: f32):
    %t = arith.mulf %a, %v : f32
    %s = arith.addf %a, %t : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#row, #stat], iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<8x10xf32>) outs(%arg : memref<8xi64>) {
  ^bb0(%v: f32, %a: i64):
    %j = linalg.index 1 : index
    %ji = arith.index_cast %j : index to i64
    %s = arith.minsi %ji, %a : i64
    linalg.yield %s : i64
  }
  return
}

// -----

// The first index of a row's maximum (the predicted class): an i32
// minimum over the columns whose logit equals the maximum, the others
// counting as 10. A lane starts from i32's largest value (lanes past the
// row keep it); shuffles move i32 and combine with minsi; the output's
// initial value joins last.

#row = affine_map<(d0, d1) -> (d0, d1)>
#stat = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func.func @first_max
// CHECK-DAG:     %[[NONE:.*]] = arith.constant 10 : i32
// CHECK-DAG:     %[[IMAX:.*]] = arith.constant 2147483647 : i32
// CHECK:         gpu.launch
// CHECK:           %[[LANE:.*]] = arith.remui
// CHECK:           %[[PART:.*]] = scf.for %[[K:.*]] = %[[LANE]] to %c10 step %c32 iter_args(%[[ACC:.*]] = %[[IMAX]]) -> (i32)
// CHECK:             %[[EQ:.*]] = arith.cmpf oeq
// CHECK:             %[[CAND:.*]] = arith.select %[[EQ]], %{{.*}}, %[[NONE]] : i32
// CHECK:             arith.minsi %[[CAND]], %[[ACC]] : i32
// CHECK:           %[[S16:.*]], %{{.*}} = gpu.shuffle  xor %[[PART]], %c16_i32, %c32_i32 : i32
// CHECK:           arith.minsi %[[PART]], %[[S16]] : i32
// CHECK-COUNT-4:   gpu.shuffle  xor %{{.*}} : i32
// CHECK:           %[[TOTAL:.*]] = arith.minsi
// CHECK:           scf.if
// CHECK:             %[[INIT:.*]] = memref.load %arg2
// CHECK:             %[[FIRST:.*]] = arith.minsi %[[INIT]], %[[TOTAL]] : i32
// CHECK:             memref.store %[[FIRST]], %arg2
// CHECK-NOT:     linalg.generic
func.func @first_max(%logits: memref<8x10xf32>, %max: memref<8xf32>, %first: memref<8xi32>) {
  %none = arith.constant 10 : i32
  linalg.generic {indexing_maps = [#row, #stat, #stat], iterator_types = ["parallel", "reduction"]}
      ins(%logits, %max : memref<8x10xf32>, memref<8xf32>) outs(%first : memref<8xi32>) {
  ^bb0(%v: f32, %m: f32, %a: i32):
    %j = linalg.index 1 : index
    %ji = arith.index_cast %j : index to i32
    %eq = arith.cmpf oeq, %v, %m : f32
    %c = arith.select %eq, %ji, %none : i32
    %s = arith.minsi %c, %a : i32
    linalg.yield %s : i32
  }
  return
}

// -----

// A reduction to a scalar (the loss's sum over the batch) would be one
// warp walking the batch: it is left to tick-gpu-column-reductions.

#all = affine_map<(d0) -> (d0)>
#none = affine_map<(d0) -> ()>
// CHECK-LABEL: func.func @batch_sum
// CHECK-NOT:     gpu.launch
// CHECK:         linalg.generic
func.func @batch_sum(%losses: memref<1000xf32>, %sum: memref<f32>) {
  linalg.generic {indexing_maps = [#all, #none], iterator_types = ["reduction"]}
      ins(%losses : memref<1000xf32>) outs(%sum : memref<f32>) {
  ^bb0(%v: f32, %acc: f32):
    %s = arith.addf %acc, %v : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// Zeros broadcast into the output just before are not a kernel of their
// own: the total is added to the constant.

#row = affine_map<(d0, d1) -> (d0, d1)>
#stat = affine_map<(d0, d1) -> (d0)>
#scalar = affine_map<(d0) -> ()>
#vec = affine_map<(d0) -> (d0)>
// CHECK-LABEL: func.func @zeroed_sum
// CHECK-DAG:     %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NOT:     linalg.generic
// CHECK:         gpu.launch
// CHECK:           scf.if
// CHECK-NOT:         memref.load %arg1
// CHECK:             %[[SUM:.*]] = arith.addf %{{.*}}, %[[ZERO]] : f32
// CHECK:             memref.store %[[SUM]], %arg1
func.func @zeroed_sum(%x: memref<10x100xf32>, %out: memref<10xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.generic {indexing_maps = [#scalar, #vec], iterator_types = ["parallel"]}
      ins(%zero : f32) outs(%out : memref<10xf32>) {
  ^bb0(%in: f32, %o: f32):
    linalg.yield %in : f32
  }
  linalg.generic {indexing_maps = [#row, #stat], iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<10x100xf32>) outs(%out : memref<10xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %s = arith.addf %acc, %v : f32
    linalg.yield %s : f32
  }
  return
}
