//===- NNGradients.cpp - the gradient rule of each nn op ------------------===//
//
// nn-autodiff walks a loss function backwards and asks each op for the
// gradients of its operands. Each rule returns null for an operand whose
// gradient nobody needs, so no unused backward op is built (the first
// layer's input gradient, say).
//
//===----------------------------------------------------------------------===//

#include "tick/Dialect/NN/IR/NNOps.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace tick::nn;

#include "tick/Dialect/NN/IR/NNInterfaces.cpp.inc"

SmallVector<Value> LinearOp::buildGradients(OpBuilder &b, ValueRange grads,
                                            ArrayRef<bool> needed) {
  SmallVector<Value> result(getNumOperands());
  Value dy = grads[0];
  if (!dy)
    return result;
  Location loc = getLoc();
  if (needed[0])
    result[0] = LinearGradInputOp::create(b, loc, dy, getWeight());
  if (needed[1])
    result[1] = LinearGradWeightOp::create(b, loc, dy, getInput());
  if (getBias() && needed[2])
    result[2] = LinearGradBiasOp::create(b, loc, dy);
  return result;
}

SmallVector<Value> LayerNormOp::buildGradients(OpBuilder &b, ValueRange grads,
                                               ArrayRef<bool> needed) {
  SmallVector<Value> result(getNumOperands());
  if (!grads[0] || llvm::none_of(needed, [](bool n) { return n; }))
    return result;
  auto grad = LayerNormGradOp::create(b, getLoc(), grads[0], getInput(),
                                      getWeight(), getEpsAttr());
  for (unsigned i = 0; i < 3; ++i)
    if (needed[i])
      result[i] = grad->getResult(i);
  return result;
}

SmallVector<Value> ReLUOp::buildGradients(OpBuilder &b, ValueRange grads,
                                          ArrayRef<bool> needed) {
  if (!grads[0] || !needed[0])
    return {Value()};
  return {ReLUGradOp::create(b, getLoc(), grads[0], getInput())};
}

SmallVector<Value> FlattenOp::buildGradients(OpBuilder &b, ValueRange grads,
                                             ArrayRef<bool> needed) {
  if (!grads[0] || !needed[0])
    return {Value()};
  int64_t rank = cast<RankedTensorType>(getInput().getType()).getRank();
  ReassociationIndices features = llvm::to_vector(llvm::seq<int64_t>(1, rank));
  return {tensor::ExpandShapeOp::create(
      b, getLoc(), getInput().getType(), grads[0],
      SmallVector<ReassociationIndices>{{0}, features})};
}

SmallVector<Value> CrossEntropyOp::buildGradients(OpBuilder &b,
                                                  ValueRange grads,
                                                  ArrayRef<bool> needed) {
  // Labels are integers: only the logits have a gradient.
  if (!grads[0] || !needed[0])
    return {Value(), Value()};
  return {CrossEntropyGradOp::create(b, getLoc(), getLogits().getType(),
                                     getLogits(), getLabels(), grads[0]),
          Value()};
}
