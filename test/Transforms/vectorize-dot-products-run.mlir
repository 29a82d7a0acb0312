// DEFINE: %{lower} = --canonicalize --one-shot-bufferize=bufferize-function-boundaries --convert-linalg-to-loops --tick-lower-vectors --convert-vector-to-scf --lower-affine --convert-scf-to-cf --convert-vector-to-llvm --finalize-memref-to-llvm --convert-arith-to-llvm --convert-index-to-llvm --convert-ub-to-llvm --convert-func-to-llvm --convert-cf-to-llvm --reconcile-unrealized-casts
// DEFINE: %{run} = mlir-runner -e main -entry-point-result=void -shared-libs=%mlir_runner_libs
// RUN: tick-opt %s --tick-vectorize=vector-width=16 %{lower} | %{run} | FileCheck %s
// RUN: tick-opt %s --tick-vectorize=vector-width=8 %{lower} | %{run} | FileCheck %s
// RUN: tick-opt %s --tick-vectorize=vector-width=4 %{lower} | %{run} | FileCheck %s

// Dot-product blocks that fill no vector of sums evenly: 3 x 5 outputs are
// one block of 15 accumulators with 16 lanes (a 16th of zeros pads the
// fold), 5 of 8 lanes with 8, and 1 x 4 of 4 lanes with 4 (each
// accumulator then folded onto itself). y = 1 + x wᵀ with x[i][k] = i + k
// and w[j][k] = j + k mod 3, exact in f32.
// CHECK:      [487,   983,   1479,   1975,   2471],
// CHECK-NEXT: [518,   1046,   1574,   2102,   2630],
// CHECK-NEXT: [549,   1109,   1669,   2229,   2789]]
#ik = affine_map<(d0, d1, d2) -> (d0, d2)>
#jk = affine_map<(d0, d1, d2) -> (d1, d2)>
#ij = affine_map<(d0, d1, d2) -> (d0, d1)>
func.func private @printMemrefF32(memref<*xf32>)

func.func @dot(%x: tensor<3x32xf32>, %w: tensor<5x32xf32>, %init: tensor<3x5xf32>) -> tensor<3x5xf32> {
  %y = linalg.generic {indexing_maps = [#ik, #jk, #ij], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x, %w : tensor<3x32xf32>, tensor<5x32xf32>) outs(%init : tensor<3x5xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %c, %p : f32
    linalg.yield %s : f32
  } -> tensor<3x5xf32>
  return %y : tensor<3x5xf32>
}

func.func @main() {
  %x = tensor.generate {
  ^bb0(%i: index, %k: index):
    %s = arith.addi %i, %k : index
    %v = arith.index_cast %s : index to i32
    %f = arith.sitofp %v : i32 to f32
    tensor.yield %f : f32
  } : tensor<3x32xf32>
  %w = tensor.generate {
  ^bb0(%j: index, %k: index):
    %c3 = arith.constant 3 : index
    %m = arith.remui %k, %c3 : index
    %s = arith.addi %j, %m : index
    %v = arith.index_cast %s : index to i32
    %f = arith.sitofp %v : i32 to f32
    tensor.yield %f : f32
  } : tensor<5x32xf32>
  %one = arith.constant 1.0 : f32
  %e = tensor.empty() : tensor<3x5xf32>
  %init = linalg.fill ins(%one : f32) outs(%e : tensor<3x5xf32>) -> tensor<3x5xf32>
  %y = func.call @dot(%x, %w, %init) : (tensor<3x32xf32>, tensor<5x32xf32>, tensor<3x5xf32>) -> tensor<3x5xf32>
  %m = bufferization.to_buffer %y : tensor<3x5xf32> to memref<3x5xf32>
  %u = memref.cast %m : memref<3x5xf32> to memref<*xf32>
  func.call @printMemrefF32(%u) : (memref<*xf32>) -> ()
  return
}
