// RUN: tick-opt %s --tick-gpu-merge-kernel-modules | FileCheck %s

// Two outlined kernels, each alone in a module and named after the
// function they came from, end up in one module under their modules'
// (unique) names; the launches point there.

// CHECK:       gpu.module @tick_kernels
// CHECK:         gpu.func @step_kernel(
// CHECK:         gpu.func @step_kernel_0(
// CHECK-NOT:   gpu.module
// CHECK-LABEL: func.func @step
// CHECK:         gpu.launch_func  @tick_kernels::@step_kernel blocks
// CHECK:         gpu.launch_func  @tick_kernels::@step_kernel_0 blocks
module attributes {gpu.container_module} {
  gpu.module @step_kernel {
    gpu.func @step_kernel(%buf: memref<4xf32>) kernel {
      gpu.return
    }
  }
  gpu.module @step_kernel_0 {
    gpu.func @step_kernel(%buf: memref<4xf32>) kernel {
      gpu.return
    }
  }
  func.func @step(%buf: memref<4xf32>) {
    %c1 = arith.constant 1 : index
    gpu.launch_func @step_kernel::@step_kernel blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%buf : memref<4xf32>)
    gpu.launch_func @step_kernel_0::@step_kernel blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%buf : memref<4xf32>)
    return
  }
}
