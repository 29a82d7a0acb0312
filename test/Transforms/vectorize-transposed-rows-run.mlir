// DEFINE: %{lower} = --canonicalize --one-shot-bufferize=bufferize-function-boundaries --convert-linalg-to-loops --tick-lower-vectors --convert-vector-to-scf --lower-affine --convert-scf-to-cf --convert-vector-to-llvm --finalize-memref-to-llvm --convert-arith-to-llvm --convert-index-to-llvm --convert-ub-to-llvm --convert-func-to-llvm --convert-cf-to-llvm --reconcile-unrealized-casts
// DEFINE: %{run} = mlir-runner -e main -entry-point-result=void -shared-libs=%mlir_runner_libs
// RUN: tick-opt %s --tick-vectorize=vector-width=16 %{lower} | %{run} | FileCheck %s

// A block of 16 rows of y = y0 + x wᵀ, computed as (y0ᵀ + w xᵀ)ᵀ with
// 16-lane vectors. x[i][k] = i + k, w[j][k] = j + k mod 3 and
// y0[i][j] = i - j, whose transpose would show up in every output if it
// were wrong; exact in f32. Rows 0 and 15:
// CHECK:      {{\[}}[486,{{ +}}981,{{ +}}1476,{{ +}}1971,{{ +}}2466,{{ +}}2961,{{ +}}3456,{{ +}}3951,{{ +}}4446,{{ +}}4941,{{ +}}5436,{{ +}}5931,{{ +}}6426,{{ +}}6921,{{ +}}7416,{{ +}}7911,{{ +}}8406,{{ +}}8901,{{ +}}9396,{{ +}}9891,{{ +}}10386,{{ +}}10881,{{ +}}11376,{{ +}}11871],
// CHECK:      [966,{{ +}}1941,{{ +}}2916,{{ +}}3891,{{ +}}4866,{{ +}}5841,{{ +}}6816,{{ +}}7791,{{ +}}8766,{{ +}}9741,{{ +}}10716,{{ +}}11691,{{ +}}12666,{{ +}}13641,{{ +}}14616,{{ +}}15591,{{ +}}16566,{{ +}}17541,{{ +}}18516,{{ +}}19491,{{ +}}20466,{{ +}}21441,{{ +}}22416,{{ +}}23391]]
// y0 = b broadcast over the rows (the bias) is computed transposed,
// b[j] = 1000 j; rows 0 and 15:
// CHECK:      {{\[}}[486,{{ +}}1982,{{ +}}3478,{{ +}}4974,{{ +}}6470,{{ +}}7966,{{ +}}9462,{{ +}}10958,{{ +}}12454,{{ +}}13950,{{ +}}15446,{{ +}}16942,{{ +}}18438,{{ +}}19934,{{ +}}21430,{{ +}}22926,{{ +}}24422,{{ +}}25918,{{ +}}27414,{{ +}}28910,{{ +}}30406,{{ +}}31902,{{ +}}33398,{{ +}}34894],
// CHECK:      [951,{{ +}}2927,{{ +}}4903,{{ +}}6879,{{ +}}8855,{{ +}}10831,{{ +}}12807,{{ +}}14783,{{ +}}16759,{{ +}}18735,{{ +}}20711,{{ +}}22687,{{ +}}24663,{{ +}}26639,{{ +}}28615,{{ +}}30591,{{ +}}32567,{{ +}}34543,{{ +}}36519,{{ +}}38495,{{ +}}40471,{{ +}}42447,{{ +}}44423,{{ +}}46399]]
#ik = affine_map<(d0, d1, d2) -> (d0, d2)>
#jk = affine_map<(d0, d1, d2) -> (d1, d2)>
#ij = affine_map<(d0, d1, d2) -> (d0, d1)>
func.func private @printMemrefF32(memref<*xf32>)

func.func @linear(%x: tensor<16x32xf32>, %w: tensor<24x32xf32>, %init: tensor<16x24xf32>) -> tensor<16x24xf32> {
  %y = linalg.generic {indexing_maps = [#ik, #jk, #ij], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x, %w : tensor<16x32xf32>, tensor<24x32xf32>) outs(%init : tensor<16x24xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %c, %p : f32
    linalg.yield %s : f32
  } -> tensor<16x24xf32>
  return %y : tensor<16x24xf32>
}

func.func @linear_bias(%x: tensor<16x32xf32>, %w: tensor<24x32xf32>, %b: tensor<24xf32>) -> tensor<16x24xf32> {
  %e = tensor.empty() : tensor<16x24xf32>
  %init = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%b : tensor<24xf32>) outs(%e : tensor<16x24xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<16x24xf32>
  %y = linalg.generic {indexing_maps = [#ik, #jk, #ij], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x, %w : tensor<16x32xf32>, tensor<24x32xf32>) outs(%init : tensor<16x24xf32>) {
  ^bb0(%a: f32, %c: f32, %acc: f32):
    %p = arith.mulf %a, %c : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<16x24xf32>
  return %y : tensor<16x24xf32>
}

func.func @main() {
  %x = tensor.generate {
  ^bb0(%i: index, %k: index):
    %s = arith.addi %i, %k : index
    %v = arith.index_cast %s : index to i32
    %f = arith.sitofp %v : i32 to f32
    tensor.yield %f : f32
  } : tensor<16x32xf32>
  %w = tensor.generate {
  ^bb0(%j: index, %k: index):
    %c3 = arith.constant 3 : index
    %m = arith.remui %k, %c3 : index
    %s = arith.addi %j, %m : index
    %v = arith.index_cast %s : index to i32
    %f = arith.sitofp %v : i32 to f32
    tensor.yield %f : f32
  } : tensor<24x32xf32>
  %init = tensor.generate {
  ^bb0(%i: index, %j: index):
    %s = arith.subi %i, %j : index
    %v = arith.index_cast %s : index to i32
    %f = arith.sitofp %v : i32 to f32
    tensor.yield %f : f32
  } : tensor<16x24xf32>
  %y = func.call @linear(%x, %w, %init) : (tensor<16x32xf32>, tensor<24x32xf32>, tensor<16x24xf32>) -> tensor<16x24xf32>
  %m = bufferization.to_buffer %y : tensor<16x24xf32> to memref<16x24xf32>
  %u = memref.cast %m : memref<16x24xf32> to memref<*xf32>
  func.call @printMemrefF32(%u) : (memref<*xf32>) -> ()
  %b = tensor.generate {
  ^bb0(%j: index):
    %c1000 = arith.constant 1000 : index
    %s = arith.muli %j, %c1000 : index
    %v = arith.index_cast %s : index to i32
    %f = arith.sitofp %v : i32 to f32
    tensor.yield %f : f32
  } : tensor<24xf32>
  %yb = func.call @linear_bias(%x, %w, %b) : (tensor<16x32xf32>, tensor<24x32xf32>, tensor<24xf32>) -> tensor<16x24xf32>
  %mb = bufferization.to_buffer %yb : tensor<16x24xf32> to memref<16x24xf32>
  %ub = memref.cast %mb : memref<16x24xf32> to memref<*xf32>
  func.call @printMemrefF32(%ub) : (memref<*xf32>) -> ()
  return
}
