// RUN: tick-opt %s --tick-fold-transposes-into-matmuls | FileCheck %s
// RUN: tick-opt %s --tick-fold-transposes-into-matmuls="dot-product-lanes=16 dot-product-bytes=4096" | FileCheck %s --check-prefix=CPU
// RUN: tick-opt %s --tick-fold-transposes-into-matmuls=dot-product-lanes=16 | FileCheck %s --check-prefix=L2

// x · Wᵀ (a Linear layer) and Xᵀ · dY (a weight gradient): the matmuls read
// W and X through transposed maps, and the transposes are gone. A
// transpose that something else also reads stays.

// CHECK-DAG:   #[[IK:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG:   #[[JK:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG:   #[[KI:.*]] = affine_map<(d0, d1, d2) -> (d2, d0)>
// CHECK-DAG:   #[[KJ:.*]] = affine_map<(d0, d1, d2) -> (d2, d1)>
// CHECK-DAG:   #[[IJ:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @linear
// CHECK-NOT:     linalg.transpose
// CHECK:         linalg.generic {indexing_maps = [#[[IK]], #[[JK]], #[[IJ]]], iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK-SAME:      ins(%arg0, %arg1 : tensor<8x784xf32>, tensor<128x784xf32>)
// CHECK:           arith.mulf
// CHECK:           arith.addf
func.func @linear(%x: tensor<8x784xf32>, %w: tensor<128x784xf32>, %init: tensor<8x128xf32>) -> tensor<8x128xf32> {
  %wt_init = tensor.empty() : tensor<784x128xf32>
  %wt = linalg.transpose ins(%w : tensor<128x784xf32>) outs(%wt_init : tensor<784x128xf32>) permutation = [1, 0]
  %y = linalg.matmul ins(%x, %wt : tensor<8x784xf32>, tensor<784x128xf32>) outs(%init : tensor<8x128xf32>) -> tensor<8x128xf32>
  return %y : tensor<8x128xf32>
}

// CHECK-LABEL: func.func @weight_gradient
// CHECK:         %[[T:.*]] = linalg.transpose
// CHECK:         linalg.generic {indexing_maps = [#[[KI]], #[[KJ]], #[[IJ]]]
// CHECK-SAME:      ins(%arg0, %arg1 : tensor<8x64xf32>, tensor<8x10xf32>)
// CHECK:         return %{{.*}}, %[[T]]
func.func @weight_gradient(%x: tensor<8x64xf32>, %dy: tensor<8x10xf32>, %init: tensor<64x10xf32>) -> (tensor<64x10xf32>, tensor<64x8xf32>) {
  %xt_init = tensor.empty() : tensor<64x8xf32>
  %xt = linalg.transpose ins(%x : tensor<8x64xf32>) outs(%xt_init : tensor<64x8xf32>) permutation = [1, 0]
  %dw = linalg.matmul ins(%xt, %dy : tensor<64x8xf32>, tensor<8x10xf32>) outs(%init : tensor<64x10xf32>) -> tensor<64x10xf32>
  return %dw, %xt : tensor<64x10xf32>, tensor<64x8xf32>
}

// On the CPU only x · Wᵀ is folded, where the reduction (784 = 49 x 16)
// fills whole vectors and W has at least dot-product-bytes; the weight
// gradient's small transpose stays, as does Wᵀ of a reduction of 40.
// By default only weights of 1 MiB or more: a 128 x 784 W (392 KiB) keeps
// its transpose.
// L2-LABEL: func.func @linear
// L2:         linalg.transpose
// L2:         linalg.matmul
// CPU-LABEL: func.func @linear
// CPU-NOT:     linalg.transpose
// CPU:         linalg.generic
// CPU-LABEL: func.func @weight_gradient
// CPU:         linalg.transpose
// CPU:         linalg.matmul
// CPU-LABEL: func.func @narrow_linear
// CPU:         linalg.transpose
// CPU:         linalg.matmul
func.func @narrow_linear(%x: tensor<8x40xf32>, %w: tensor<128x40xf32>, %init: tensor<8x128xf32>) -> tensor<8x128xf32> {
  %wt_init = tensor.empty() : tensor<40x128xf32>
  %wt = linalg.transpose ins(%w : tensor<128x40xf32>) outs(%wt_init : tensor<40x128xf32>) permutation = [1, 0]
  %y = linalg.matmul ins(%x, %wt : tensor<8x40xf32>, tensor<40x128xf32>) outs(%init : tensor<8x128xf32>) -> tensor<8x128xf32>
  return %y : tensor<8x128xf32>
}
