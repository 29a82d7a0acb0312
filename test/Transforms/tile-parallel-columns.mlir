// RUN: tick-opt %s --tick-tile-parallel | FileCheck %s
// RUN: tick-opt %s --tick-tile-parallel=columns=32 | FileCheck %s --check-prefix=COLS32
// RUN: tick-opt %s --tick-tile-parallel=columns=12 | FileCheck %s --check-prefix=COLS12

// A batch of 8 rows is one block of rows: blocks of rows would leave all
// threads but one idle. The matmul (y = x w^T + b, w read as stored) gets
// blocks of 64 output columns instead, each with its part of the bias and
// of w; the row sum over y (a LayerNorm's mean) reads whole rows and runs
// as it is, after the parallel loop.
// CHECK-LABEL: func.func @one_block
// CHECK:         %[[Y:.*]] = scf.forall (%[[J:.*]]) = (0) to (128) step (64) shared_outs(%[[OUT:.*]] = %{{.*}}) -> (tensor<8x128xf32>)
// CHECK:           %[[W:.*]] = tensor.extract_slice %{{.*}}[%[[J]], 0] [64, 256] [1, 1]
// CHECK:           %[[B:.*]] = tensor.extract_slice %{{.*}}[%[[J]]] [64] [1]
// CHECK:           %[[INIT:.*]] = linalg.generic {{.*}} ins(%[[B]] : tensor<64xf32>) outs(%{{.*}} : tensor<8x64xf32>)
// CHECK:           linalg.generic {{.*}} ins(%{{.*}}, %[[W]] : tensor<8x256xf32>, tensor<64x256xf32>) outs(%[[INIT]] : tensor<8x64xf32>)
// CHECK:           scf.forall.in_parallel
// CHECK-NEXT:        tensor.parallel_insert_slice %{{.*}} into %[[OUT]][0, %[[J]]] [8, 64] [1, 1]
// CHECK:         %[[SUM:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%[[Y]] : tensor<8x128xf32>)
// CHECK-NOT:     scf.forall
// CHECK:         return %[[SUM]]

// A right operand read along its rows: a block is a multiple of 16 columns
// (whole vectors) dividing 96, at most 64: 48.
// CHECK-LABEL: func.func @ordinary_matmul
// CHECK:         scf.forall (%{{.*}}) = (0) to (96) step (48)
// CHECK:           linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<4x512xf32>, tensor<512x48xf32>) outs(%{{.*}} : tensor<4x48xf32>)
// COLS32-LABEL: func.func @ordinary_matmul
// COLS32:         scf.forall (%{{.*}}) = (0) to (96) step (32)
// Fewer than 16 columns per block asked for: at most that many.
// COLS12-LABEL: func.func @deep_matmul
// COLS12:         scf.forall (%{{.*}}) = (0) to (96) step (12)

// 100 columns are no whole number of 16-lane vectors: the largest divisor
// at most 64.
// CHECK-LABEL: func.func @odd_columns
// CHECK:         scf.forall (%{{.*}}) = (0) to (100) step (50)

// A block of 64 columns would read 2.5 KiB of this weight: too little work
// for a parallel loop, the matmul stays one piece.
// CHECK-LABEL: func.func @small_weight
// CHECK-NOT:     scf.forall
// CHECK:         linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<8x10xf32>, tensor<10x1024xf32>)
// CHECK-NOT:     scf.forall
// CHECK:         return

// 16 rows are two blocks of rows: tiled by rows as before.
// CHECK-LABEL: func.func @two_row_blocks
// CHECK:         scf.forall (%{{.*}}) = (0) to (16) step (8)
// CHECK:           linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<8x512xf32>, tensor<512x96xf32>)
#bias = affine_map<(d0, d1) -> (d1)>
#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>
#x = affine_map<(d0, d1, d2) -> (d0, d2)>
#wt = affine_map<(d0, d1, d2) -> (d1, d2)>
#y = affine_map<(d0, d1, d2) -> (d0, d1)>
module {
  func.func @one_block(%x: tensor<8x256xf32>, %w: tensor<128x256xf32>, %b: tensor<128xf32>) -> tensor<8xf32> {
    %zero = arith.constant 0.000000e+00 : f32
    %0 = tensor.empty() : tensor<8x128xf32>
    %init = linalg.generic {indexing_maps = [#bias, #id], iterator_types = ["parallel", "parallel"]} ins(%b : tensor<128xf32>) outs(%0 : tensor<8x128xf32>) {
    ^bb0(%in: f32, %out: f32):
      linalg.yield %in : f32
    } -> tensor<8x128xf32>
    %y = linalg.generic {indexing_maps = [#x, #wt, #y], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x, %w : tensor<8x256xf32>, tensor<128x256xf32>) outs(%init : tensor<8x128xf32>) {
    ^bb0(%a: f32, %c: f32, %acc: f32):
      %p = arith.mulf %a, %c : f32
      %s = arith.addf %acc, %p : f32
      linalg.yield %s : f32
    } -> tensor<8x128xf32>
    %1 = tensor.empty() : tensor<8xf32>
    %2 = linalg.fill ins(%zero : f32) outs(%1 : tensor<8xf32>) -> tensor<8xf32>
    %sum = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "reduction"]} ins(%y : tensor<8x128xf32>) outs(%2 : tensor<8xf32>) {
    ^bb0(%in: f32, %acc: f32):
      %s = arith.addf %acc, %in : f32
      linalg.yield %s : f32
    } -> tensor<8xf32>
    return %sum : tensor<8xf32>
  }

  func.func @ordinary_matmul(%x: tensor<4x512xf32>, %w: tensor<512x96xf32>) -> tensor<4x96xf32> {
    %zero = arith.constant 0.000000e+00 : f32
    %0 = tensor.empty() : tensor<4x96xf32>
    %1 = linalg.fill ins(%zero : f32) outs(%0 : tensor<4x96xf32>) -> tensor<4x96xf32>
    %2 = linalg.matmul ins(%x, %w : tensor<4x512xf32>, tensor<512x96xf32>) outs(%1 : tensor<4x96xf32>) -> tensor<4x96xf32>
    return %2 : tensor<4x96xf32>
  }

  func.func @odd_columns(%x: tensor<2x1024xf32>, %w: tensor<1024x100xf32>) -> tensor<2x100xf32> {
    %zero = arith.constant 0.000000e+00 : f32
    %0 = tensor.empty() : tensor<2x100xf32>
    %1 = linalg.fill ins(%zero : f32) outs(%0 : tensor<2x100xf32>) -> tensor<2x100xf32>
    %2 = linalg.matmul ins(%x, %w : tensor<2x1024xf32>, tensor<1024x100xf32>) outs(%1 : tensor<2x100xf32>) -> tensor<2x100xf32>
    return %2 : tensor<2x100xf32>
  }

  func.func @small_weight(%x: tensor<8x10xf32>, %w: tensor<10x1024xf32>) -> tensor<8x1024xf32> {
    %zero = arith.constant 0.000000e+00 : f32
    %0 = tensor.empty() : tensor<8x1024xf32>
    %1 = linalg.fill ins(%zero : f32) outs(%0 : tensor<8x1024xf32>) -> tensor<8x1024xf32>
    %2 = linalg.matmul ins(%x, %w : tensor<8x10xf32>, tensor<10x1024xf32>) outs(%1 : tensor<8x1024xf32>) -> tensor<8x1024xf32>
    return %2 : tensor<8x1024xf32>
  }

  func.func @deep_matmul(%x: tensor<2x2048xf32>, %w: tensor<2048x96xf32>) -> tensor<2x96xf32> {
    %zero = arith.constant 0.000000e+00 : f32
    %0 = tensor.empty() : tensor<2x96xf32>
    %1 = linalg.fill ins(%zero : f32) outs(%0 : tensor<2x96xf32>) -> tensor<2x96xf32>
    %2 = linalg.matmul ins(%x, %w : tensor<2x2048xf32>, tensor<2048x96xf32>) outs(%1 : tensor<2x96xf32>) -> tensor<2x96xf32>
    return %2 : tensor<2x96xf32>
  }

  func.func @two_row_blocks(%x: tensor<16x512xf32>, %w: tensor<512x96xf32>) -> tensor<16x96xf32> {
    %zero = arith.constant 0.000000e+00 : f32
    %0 = tensor.empty() : tensor<16x96xf32>
    %1 = linalg.fill ins(%zero : f32) outs(%0 : tensor<16x96xf32>) -> tensor<16x96xf32>
    %2 = linalg.matmul ins(%x, %w : tensor<16x512xf32>, tensor<512x96xf32>) outs(%1 : tensor<16x96xf32>) -> tensor<16x96xf32>
    return %2 : tensor<16x96xf32>
  }
}
