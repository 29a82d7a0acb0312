// RUN: tick-opt %s --tick-gpu-fuse-multiply-add | FileCheck %s

// Floating-point arith ops inside a kernel may be contracted; flags they
// already have stay. Host code is left as it is.

// CHECK-LABEL: func.func @kernel_and_host
// CHECK:         gpu.launch
// CHECK:           %[[P:.*]] = arith.mulf %{{.*}}, %{{.*}} fastmath<contract> : f32
// CHECK:           arith.addf %{{.*}}, %[[P]] fastmath<contract> : f32
// CHECK:           arith.subf %{{.*}}, %{{.*}} fastmath<nnan,contract> : f32
// CHECK:           arith.divf %{{.*}}, %{{.*}} fastmath<contract> : f32
// CHECK:           arith.addi %{{.*}}, %{{.*}} : index
// CHECK:         }
// CHECK:         %[[H:.*]] = arith.mulf %{{.*}}, %{{.*}} : f32
// CHECK-NEXT:    arith.addf %{{.*}}, %[[H]] : f32
func.func @kernel_and_host(%a: memref<64xf32>, %x: f32) -> f32 {
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1) threads(%tx, %ty, %tz) in (%sx = %c64, %sy = %c1, %sz = %c1) {
    %v = memref.load %a[%tx] : memref<64xf32>
    %p = arith.mulf %v, %x : f32
    %s = arith.addf %v, %p : f32
    %d = arith.subf %s, %x fastmath<nnan> : f32
    %q = arith.divf %d, %x : f32
    %i = arith.addi %tx, %c1 : index
    %j = arith.remui %i, %c64 : index
    memref.store %q, %a[%j] : memref<64xf32>
    gpu.terminator
  }
  %h = arith.mulf %x, %x : f32
  %r = arith.addf %x, %h : f32
  return %r : f32
}
