// RUN: %expect-exit 1 tick-opt %s --nn-specialize-batch=batch-size=0 2>&1 | FileCheck %s
// CHECK: error: batch-size must be positive, got 0
func.func @f(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  return %x : tensor<?x4xf32>
}
