// RUN: tick-opt %s --split-input-file --tick-fuse-into-consumers | FileCheck %s

// A weight gradient summed from 4 chunks (a split matmul's partials) and
// read only by the optimizer's update: the update reads the chunks itself,
// adds them in the producer's order before its own body, and the gradient
// buffer goes. The partials' deallocation moves after the update; the
// kernel between the two reads the partials and writes elsewhere.

// CHECK-DAG:   #[[ZERO:map[0-9]*]] = affine_map<(d0, d1) -> ()>
// CHECK-DAG:   #[[P0:map[0-9]*]] = affine_map<(d0, d1) -> (0, d1, d0)>
// CHECK-DAG:   #[[P1:map[0-9]*]] = affine_map<(d0, d1) -> (1, d1, d0)>
// CHECK-DAG:   #[[ALL:map[0-9]*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @gradient_into_update
// CHECK-NOT:     memref.alloc() : memref<8x16xf32>
// CHECK:         gpu.launch
// CHECK:         linalg.generic {indexing_maps = [#[[ALL]], #[[ZERO]], #[[P0]], #[[P1]], #[[ALL]]], iterator_types = ["parallel", "parallel"]} ins(%arg2, %cst, %arg0, %arg0 : memref<16x8xf32>, f32, memref<2x8x16xf32>, memref<2x8x16xf32>) outs(%arg1 : memref<16x8xf32>)
// CHECK-NEXT:    ^bb0(%[[LR:.*]]: f32, %[[INIT:.*]]: f32, %[[Z0:.*]]: f32, %[[Z1:.*]]: f32, %[[W:.*]]: f32):
// CHECK-NEXT:      %[[S0:.*]] = arith.addf %[[INIT]], %[[Z0]]
// CHECK-NEXT:      %[[S1:.*]] = arith.addf %[[S0]], %[[Z1]]
// CHECK-NEXT:      %[[STEP:.*]] = arith.mulf %[[S1]], %[[LR]]
// CHECK-NEXT:      %[[NEW:.*]] = arith.subf %[[W]], %[[STEP]]
// CHECK-NEXT:      linalg.yield %[[NEW]]
// CHECK-NEXT:    }
// CHECK-NEXT:    memref.dealloc %arg0
// CHECK-NEXT:    return
#zero = affine_map<(d0, d1) -> ()>
#p0 = affine_map<(d0, d1) -> (0, d0, d1)>
#p1 = affine_map<(d0, d1) -> (1, d0, d1)>
#all = affine_map<(d0, d1) -> (d0, d1)>
#transposed = affine_map<(d0, d1) -> (d1, d0)>
func.func @gradient_into_update(%p: memref<2x8x16xf32>, %w: memref<16x8xf32>,
                                %lr: memref<16x8xf32>, %other: memref<8x16xf32>) {
  %zero = arith.constant 0.0 : f32
  %g = memref.alloc() : memref<8x16xf32>
  linalg.generic {indexing_maps = [#zero, #p0, #p1, #all], iterator_types = ["parallel", "parallel"]}
      ins(%zero, %p, %p : f32, memref<2x8x16xf32>, memref<2x8x16xf32>) outs(%g : memref<8x16xf32>) {
  ^bb0(%init: f32, %z0: f32, %z1: f32, %out: f32):
    %s0 = arith.addf %init, %z0 : f32
    %s1 = arith.addf %s0, %z1 : f32
    linalg.yield %s1 : f32
  }
  memref.dealloc %p : memref<2x8x16xf32>
  %c1 = arith.constant 1 : index
  gpu.launch blocks(%bx, %by, %bz) in (%x = %c1, %y = %c1, %z = %c1)
             threads(%tx, %ty, %tz) in (%a = %c1, %b = %c1, %c = %c1) {
    %v = memref.load %p[%tx, %tx, %tx] : memref<2x8x16xf32>
    memref.store %v, %other[%tx, %tx] : memref<8x16xf32>
    gpu.barrier
    gpu.terminator
  }
  linalg.generic {indexing_maps = [#transposed, #all, #all], iterator_types = ["parallel", "parallel"]}
      ins(%g, %lr : memref<8x16xf32>, memref<16x8xf32>) outs(%w : memref<16x8xf32>) {
  ^bb0(%grad: f32, %rate: f32, %weight: f32):
    %step = arith.mulf %grad, %rate : f32
    %new = arith.subf %weight, %step : f32
    linalg.yield %new : f32
  }
  memref.dealloc %g : memref<8x16xf32>
  return
}

// -----

// A kernel between the two writes what the producer reads: the consumer
// would see other values. Nothing changes.

// CHECK-LABEL: func.func @input_written_between
// CHECK:         %[[G:.*]] = memref.alloc()
// CHECK:         linalg.generic {{.*}} outs(%[[G]] :
// CHECK:         gpu.launch
// CHECK:         linalg.generic {{.*}} ins(%[[G]] :
#all = affine_map<(d0) -> (d0)>
func.func @input_written_between(%x: memref<8xf32>, %w: memref<8xf32>) {
  %g = memref.alloc() : memref<8xf32>
  linalg.generic {indexing_maps = [#all, #all], iterator_types = ["parallel"]}
      ins(%x : memref<8xf32>) outs(%g : memref<8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %twice = arith.addf %in, %in : f32
    linalg.yield %twice : f32
  }
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f32
  gpu.launch blocks(%bx, %by, %bz) in (%sx = %c1, %sy = %c1, %sz = %c1)
             threads(%tx, %ty, %tz) in (%a = %c1, %b = %c1, %c = %c1) {
    memref.store %zero, %x[%tx] : memref<8xf32>
    gpu.terminator
  }
  linalg.generic {indexing_maps = [#all, #all], iterator_types = ["parallel"]}
      ins(%g : memref<8xf32>) outs(%w : memref<8xf32>) {
  ^bb0(%grad: f32, %weight: f32):
    %new = arith.subf %weight, %grad : f32
    linalg.yield %new : f32
  }
  return
}

// -----

// The buffer is read again after its consumer: computing it twice is not
// what the producer's kernel saves. A consumer that reads it through a
// broadcast would compute each element several times. A producer that
// reads what its output held is not a function of its inputs. Nothing
// changes in any of them.

// CHECK-LABEL: func.func @read_twice
// CHECK-COUNT-3: linalg.generic
// CHECK-LABEL: func.func @broadcast_read
// CHECK-COUNT-2: linalg.generic
// CHECK-LABEL: func.func @accumulating_producer
// CHECK-COUNT-2: linalg.generic
#all = affine_map<(d0) -> (d0)>
#rows = affine_map<(d0, d1) -> (d1)>
#all2 = affine_map<(d0, d1) -> (d0, d1)>
func.func @read_twice(%x: memref<8xf32>, %a: memref<8xf32>, %b: memref<8xf32>) {
  %g = memref.alloc() : memref<8xf32>
  linalg.generic {indexing_maps = [#all, #all], iterator_types = ["parallel"]}
      ins(%x : memref<8xf32>) outs(%g : memref<8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %twice = arith.addf %in, %in : f32
    linalg.yield %twice : f32
  }
  linalg.generic {indexing_maps = [#all, #all], iterator_types = ["parallel"]}
      ins(%g : memref<8xf32>) outs(%a : memref<8xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  }
  linalg.generic {indexing_maps = [#all, #all], iterator_types = ["parallel"]}
      ins(%g : memref<8xf32>) outs(%b : memref<8xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  }
  return
}
func.func @broadcast_read(%x: memref<8xf32>, %a: memref<4x8xf32>) {
  %g = memref.alloc() : memref<8xf32>
  linalg.generic {indexing_maps = [#all, #all], iterator_types = ["parallel"]}
      ins(%x : memref<8xf32>) outs(%g : memref<8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %twice = arith.addf %in, %in : f32
    linalg.yield %twice : f32
  }
  linalg.generic {indexing_maps = [#rows, #all2], iterator_types = ["parallel", "parallel"]}
      ins(%g : memref<8xf32>) outs(%a : memref<4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  }
  return
}
func.func @accumulating_producer(%x: memref<8xf32>, %a: memref<8xf32>) {
  %g = memref.alloc() : memref<8xf32>
  linalg.generic {indexing_maps = [#all, #all], iterator_types = ["parallel"]}
      ins(%x : memref<8xf32>) outs(%g : memref<8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %sum = arith.addf %in, %out : f32
    linalg.yield %sum : f32
  }
  linalg.generic {indexing_maps = [#all, #all], iterator_types = ["parallel"]}
      ins(%g : memref<8xf32>) outs(%a : memref<8xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  }
  return
}
