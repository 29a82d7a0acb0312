// RUN: tick-opt %s --tick-widen-reductions --canonicalize | FileCheck %s

// A row's sum and sum of squares over chunks of 64 lanes: each chunk was
// reduced across its lanes into a vector<1xf32>. The accumulators become
// vector<1x64xf32> partial sums (an add and an FMA per chunk), reduced
// across lanes once, after the loop, into the incoming sums.
// CHECK-LABEL: func.func @sums
// CHECK:         %[[ZERO:.*]] = arith.constant dense<0.000000e+00> : vector<1x64xf32>
// CHECK:         %[[R:.*]]:2 = scf.for {{.*}} iter_args(%[[S:.*]] = %[[ZERO]], %[[Q:.*]] = %[[ZERO]]) -> (vector<1x64xf32>, vector<1x64xf32>)
// CHECK:           %[[X:.*]] = vector.transfer_read
// CHECK-NOT:       vector.multi_reduction
// CHECK-NOT:       vector.contract
// CHECK-DAG:       %[[S2:.*]] = arith.addf %[[S]], %[[X]] : vector<1x64xf32>
// CHECK-DAG:       %[[Q2:.*]] = vector.fma %[[X]], %[[X]], %[[Q]] : vector<1x64xf32>
// CHECK:           scf.yield %[[S2]], %[[Q2]]
// CHECK-DAG:     vector.multi_reduction <add>, %[[R]]#0, %arg1 [1] : vector<1x64xf32> to vector<1xf32>
// CHECK-DAG:     vector.multi_reduction <add>, %[[R]]#1, %arg1 [1] : vector<1x64xf32> to vector<1xf32>
func.func @sums(%x: tensor<4x256xf32>, %init: vector<1xf32>) -> (vector<1xf32>, vector<1xf32>) {
  %c0 = arith.constant 0 : index
  %c64 = arith.constant 64 : index
  %c256 = arith.constant 256 : index
  %p = ub.poison : f32
  %r:2 = scf.for %k = %c0 to %c256 step %c64 iter_args(%s = %init, %q = %init) -> (vector<1xf32>, vector<1xf32>) {
    %chunk = vector.transfer_read %x[%c0, %k], %p {in_bounds = [true, true]} : tensor<4x256xf32>, vector<1x64xf32>
    %s2 = vector.multi_reduction <add>, %chunk, %s [1] : vector<1x64xf32> to vector<1xf32>
    %q2 = vector.contract {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"], kind = #vector.kind<add>} %chunk, %chunk, %q : vector<1x64xf32>, vector<1x64xf32> into vector<1xf32>
    scf.yield %s2, %q2 : vector<1xf32>, vector<1xf32>
  }
  return %r#0, %r#1 : vector<1xf32>, vector<1xf32>
}

// Left alone: a maximum (no partial sums to add), and a sum whose running
// value the loop also reads (each iteration needs it across lanes).
// CHECK-LABEL: func.func @not_sums
// CHECK:         scf.for {{.*}} -> (vector<1xf32>, vector<1xf32>, tensor<4xf32>)
// CHECK:           vector.multi_reduction <maximumf>, %{{.*}} : vector<1x64xf32> to vector<1xf32>
// CHECK:           vector.multi_reduction <add>, %{{.*}} : vector<1x64xf32> to vector<1xf32>
func.func @not_sums(%x: tensor<4x256xf32>, %init: vector<1xf32>, %out: tensor<4xf32>) -> (vector<1xf32>, vector<1xf32>, tensor<4xf32>) {
  %c0 = arith.constant 0 : index
  %c64 = arith.constant 64 : index
  %c256 = arith.constant 256 : index
  %p = ub.poison : f32
  %r:3 = scf.for %k = %c0 to %c256 step %c64 iter_args(%m = %init, %s = %init, %o = %out) -> (vector<1xf32>, vector<1xf32>, tensor<4xf32>) {
    %chunk = vector.transfer_read %x[%c0, %k], %p {in_bounds = [true, true]} : tensor<4x256xf32>, vector<1x64xf32>
    %m2 = vector.multi_reduction <maximumf>, %chunk, %m [1] : vector<1x64xf32> to vector<1xf32>
    %s2 = vector.multi_reduction <add>, %chunk, %s [1] : vector<1x64xf32> to vector<1xf32>
    %o2 = vector.transfer_write %s, %o[%c0] {in_bounds = [true]} : vector<1xf32>, tensor<4xf32>
    scf.yield %m2, %s2, %o2 : vector<1xf32>, vector<1xf32>, tensor<4xf32>
  }
  return %r#0, %r#1, %r#2 : vector<1xf32>, vector<1xf32>, tensor<4xf32>
}
