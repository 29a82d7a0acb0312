// RUN: tick-opt %s --tick-gpu-merge-kernel-modules --verify-diagnostics -o /dev/null

// Outlining gives each kernel a module of its own; anything else is refused.

module attributes {gpu.container_module} {
  // expected-error @+1 {{expects one kernel per outlined module}}
  gpu.module @two {
    gpu.func @a() kernel {
      gpu.return
    }
    gpu.func @b() kernel {
      gpu.return
    }
  }
}
