//===- Passes.td - Tick conversion passes ------------------*- tablegen -*-===//

#ifndef TICK_CONVERSION_PASSES_TD
#define TICK_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertNNToLinalg : Pass<"convert-nn-to-linalg"> {
  let summary = "Lower nn layer and loss ops to linalg on tensors";
  let description = [{
    Linear becomes a linalg.transpose of the [out, in] weight and a
    linalg.matmul that accumulates onto the broadcast bias;
    LayerNorm becomes two row reductions (mean, then the biased variance
    around it, which stays accurate when the mean is large) and one
    elementwise op; ReLU is elementwise; flatten is a tensor.collapse_shape;
    cross-entropy is a row max, a row sum of exp(x - max) that also picks
    the labelled logit, and a mean over the batch. The backward ops become
    matmuls (input and weight gradients), column reductions (bias, LayerNorm
    weight and bias) and row sweeps; optimizer steps become one elementwise
    op that writes the new parameter and state into the old ones' tensors,
    with Adam's bias corrections computed once per step in f64. Parameters
    (`nn.parameter`, `nn.get_parameter`, `nn.set_parameter`) are left for
    `nn-materialize-parameters`.
  }];
  let dependentDialects = [
    "mlir::arith::ArithDialect", "mlir::linalg::LinalgDialect",
    "mlir::math::MathDialect", "mlir::tensor::TensorDialect"
  ];
}

#endif // TICK_CONVERSION_PASSES_TD
