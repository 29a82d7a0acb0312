// RUN: tick-opt %s --tick-vectorize=vector-width=16 --canonicalize | FileCheck %s

// Rows longer than four registers are processed in chunks of 64 lanes: a
// 1024-lane vector value would be split and spilled by LLVM. A row sum
// accumulates its chunks into the row's result.

// CHECK-LABEL: func.func @long_rows
// CHECK:         scf.for %{{.*}} = %c0 to %c8 step %c1
// CHECK:           scf.for %{{.*}} = %c0 to %c1024 step %c64
// CHECK:             vector.multi_reduction <add>, %{{.*}}, %{{.*}} [1] : vector<1x64xf32> to vector<1xf32>
// CHECK:         scf.for %{{.*}} = %c0 to %c8 step %c1
// CHECK:           scf.for %{{.*}} = %c0 to %c1024 step %c64
// CHECK:             arith.maximumf %{{.*}} : vector<64xf32>
// CHECK-NOT:     vector<1x1024xf32>
func.func @long_rows(%x: tensor<8x1024xf32>) -> (tensor<8xf32>, tensor<8x1024xf32>) {
  %zero = arith.constant 0.0 : f32
  %rows = tensor.empty() : tensor<8xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%rows : tensor<8xf32>) -> tensor<8xf32>
  %sum = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<8x1024xf32>) outs(%acc : tensor<8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = arith.addf %in, %out : f32
    linalg.yield %0 : f32
  } -> tensor<8xf32>
  %init = tensor.empty() : tensor<8x1024xf32>
  %relu = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<8x1024xf32>) outs(%init : tensor<8x1024xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = arith.maximumf %in, %zero : f32
    linalg.yield %0 : f32
  } -> tensor<8x1024xf32>
  return %sum, %relu : tensor<8xf32>, tensor<8x1024xf32>
}
