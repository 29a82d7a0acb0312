// RUN: tick-opt %s --tick-cpu-pipeline=vector-width=16 | FileCheck %s
// RUN: tick-opt %s --tick-cpu-pipeline=vector-width=16 --mlir-print-ir-after=tick-hoist-vector-transfers 2>&1 >/dev/null | FileCheck %s --check-prefix=HOIST
// RUN: tick-opt %s '--tick-cpu-pipeline=vector-width=16 rows=16' --mlir-print-ir-after=tick-vectorize 2>&1 >/dev/null | FileCheck %s --check-prefix=ROWS16

// The whole block lowers to the LLVM and OpenMP dialects: a parallel
// region in which each thread runs its share of the row blocks (from its
// number and the team's size, no work-sharing loop calling the runtime),
// whose matmul is FMAs on rows of 32 lanes (two AVX-512 registers, which
// LLVM splits them into).
// CHECK-LABEL: llvm.func @block(
// CHECK:         omp.parallel
// CHECK-NOT:       omp.wsloop
// CHECK:           llvm.call @omp_get_thread_num()
// CHECK:           llvm.call @omp_get_num_threads()
// CHECK-NOT:       omp.wsloop
// CHECK:               llvm.intr.fmuladd(%{{.*}}, %{{.*}}, %{{.*}}) : (vector<32xf32>, vector<32xf32>, vector<32xf32>) -> vector<32xf32>
// CHECK:               llvm.intr.vector.reduce.fadd
// CHECK:               llvm.intr.sqrt
// CHECK-LABEL: llvm.func @_mlir_ciface_block(
// CHECK-LABEL: llvm.func @_tick_packed_block(
// CHECK-NOT:     {{(scf|vector|linalg|memref|tensor|arith)\.}}

// The matmul's accumulators stay in registers across the reduction loop:
// they are read before it and written after it, not in every iteration.
// HOIST-LABEL: IR Dump After TickHoistVectorTransfers
// HOIST:         %[[ACC:.*]] = vector.transfer_read {{.*}} : memref<{{.*}}>, vector<8x32xf32>
// HOIST:         %[[SUM:.*]] = scf.for {{.*}} iter_args(%[[IT:.*]] = %[[ACC]]) -> (vector<8x32xf32>)
// HOIST-NOT:       vector.transfer_write
// HOIST:           vector.contract
// HOIST:           scf.yield
// HOIST:         vector.transfer_write %[[SUM]]
// Larger parallel blocks keep 8-row register blocks: 16 rows x 32 lanes
// would need more accumulators than there are registers (the spills and
// their stack temporaries overflowed the stack on wide layers).
// ROWS16-LABEL: IR Dump After TickVectorize
// ROWS16:         scf.for %{{.*}} = %c0 to %c16 step %c8
// ROWS16:           scf.for %{{.*}} = %c0 to %c37 step %c1
// ROWS16:             vector.contract {{.*}} : vector<8x1xf32>, vector<1x32xf32> into vector<8x32xf32>
// ROWS16-NOT:     vector<16x32xf32>
#map = affine_map<(d0, d1) -> (d1)>
#map1 = affine_map<(d0, d1) -> (d0, d1)>
#map2 = affine_map<(d0, d1) -> (d0)>
#map3 = affine_map<(d0) -> (d0)>
module {
  func.func @block(%arg0: tensor<16x37xf32>, %arg1: tensor<32x37xf32>, %arg2: tensor<32xf32>, %arg3: tensor<32xf32>, %arg4: tensor<32xf32>) -> tensor<16x32xf32> attributes {llvm.emit_c_interface} {
    %cst = arith.constant 9.99999974E-6 : f32
    %cst_0 = arith.constant 3.200000e+01 : f32
    %cst_1 = arith.constant 0.000000e+00 : f32
    %0 = tensor.empty() : tensor<16x32xf32>
    %1 = linalg.generic {indexing_maps = [#map, #map1], iterator_types = ["parallel", "parallel"]} ins(%arg2 : tensor<32xf32>) outs(%0 : tensor<16x32xf32>) {
    ^bb0(%in: f32, %out: f32):
      linalg.yield %in : f32
    } -> tensor<16x32xf32>
    %2 = tensor.empty() : tensor<37x32xf32>
    %transposed = linalg.transpose ins(%arg1 : tensor<32x37xf32>) outs(%2 : tensor<37x32xf32>) permutation = [1, 0] 
    %3 = linalg.matmul ins(%arg0, %transposed : tensor<16x37xf32>, tensor<37x32xf32>) outs(%1 : tensor<16x32xf32>) -> tensor<16x32xf32>
    %4 = tensor.empty() : tensor<16xf32>
    %5 = linalg.fill ins(%cst_1 : f32) outs(%4 : tensor<16xf32>) -> tensor<16xf32>
    %6 = linalg.generic {indexing_maps = [#map1, #map2], iterator_types = ["parallel", "reduction"]} ins(%3 : tensor<16x32xf32>) outs(%5 : tensor<16xf32>) {
    ^bb0(%in: f32, %out: f32):
      %12 = arith.addf %out, %in : f32
      linalg.yield %12 : f32
    } -> tensor<16xf32>
    %7 = linalg.generic {indexing_maps = [#map3, #map3], iterator_types = ["parallel"]} ins(%6 : tensor<16xf32>) outs(%4 : tensor<16xf32>) {
    ^bb0(%in: f32, %out: f32):
      %12 = arith.divf %in, %cst_0 : f32
      linalg.yield %12 : f32
    } -> tensor<16xf32>
    %8 = linalg.generic {indexing_maps = [#map1, #map2, #map2], iterator_types = ["parallel", "reduction"]} ins(%3, %7 : tensor<16x32xf32>, tensor<16xf32>) outs(%5 : tensor<16xf32>) {
    ^bb0(%in: f32, %in_2: f32, %out: f32):
      %12 = arith.subf %in, %in_2 : f32
      %13 = arith.mulf %12, %12 : f32
      %14 = arith.addf %out, %13 : f32
      linalg.yield %14 : f32
    } -> tensor<16xf32>
    %9 = linalg.generic {indexing_maps = [#map3, #map3], iterator_types = ["parallel"]} ins(%8 : tensor<16xf32>) outs(%4 : tensor<16xf32>) {
    ^bb0(%in: f32, %out: f32):
      %12 = arith.divf %in, %cst_0 : f32
      %13 = arith.addf %12, %cst : f32
      %14 = math.rsqrt %13 : f32
      linalg.yield %14 : f32
    } -> tensor<16xf32>
    %10 = linalg.generic {indexing_maps = [#map1, #map2, #map2, #map, #map, #map1], iterator_types = ["parallel", "parallel"]} ins(%3, %7, %9, %arg3, %arg4 : tensor<16x32xf32>, tensor<16xf32>, tensor<16xf32>, tensor<32xf32>, tensor<32xf32>) outs(%0 : tensor<16x32xf32>) {
    ^bb0(%in: f32, %in_2: f32, %in_3: f32, %in_4: f32, %in_5: f32, %out: f32):
      %12 = arith.subf %in, %in_2 : f32
      %13 = arith.mulf %12, %in_3 : f32
      %14 = arith.mulf %13, %in_4 : f32
      %15 = arith.addf %14, %in_5 : f32
      linalg.yield %15 : f32
    } -> tensor<16x32xf32>
    %11 = linalg.generic {indexing_maps = [#map1, #map1], iterator_types = ["parallel", "parallel"]} ins(%10 : tensor<16x32xf32>) outs(%0 : tensor<16x32xf32>) {
    ^bb0(%in: f32, %out: f32):
      %12 = arith.maximumf %in, %cst_1 : f32
      linalg.yield %12 : f32
    } -> tensor<16x32xf32>
    return %11 : tensor<16x32xf32>
  }
}

