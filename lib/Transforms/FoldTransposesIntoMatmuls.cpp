//===- FoldTransposesIntoMatmuls.cpp - matmuls of transposed operands -----===//

#include "MatmulMaps.h"
#include "tick/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/PatternMatch.h"

namespace tick {
#define GEN_PASS_DEF_TICKFOLDTRANSPOSESINTOMATMULS
#include "tick/Transforms/Passes.h.inc"
} // namespace tick

using namespace mlir;

namespace {

/// The input of a 2-D transpose producing `v`, or null.
Value transposed(Value v) {
  auto transpose = v.getDefiningOp<linalg::TransposeOp>();
  if (!transpose || transpose.getPermutation() != ArrayRef<int64_t>{1, 0})
    return Value();
  return transpose.getInput();
}

void fold(linalg::MatmulOp matmul, int64_t dotProductLanes,
          int64_t dotProductBytes) {
  Value lhs = matmul.getInputs()[0], rhs = matmul.getInputs()[1];
  Value lhsSource = transposed(lhs), rhsSource = transposed(rhs);
  if (dotProductLanes > 0) {
    auto type = cast<ShapedType>(rhs.getType());
    lhsSource = Value();
    if (!type.hasStaticShape() || type.getDimSize(0) % dotProductLanes != 0 ||
        type.getNumElements() * type.getElementTypeBitWidth() / 8 <
            dotProductBytes)
      rhsSource = Value();
  }
  if (!lhsSource && !rhsSource)
    return;
  SmallVector<AffineMap> maps = tick::matmulMaps(
      matmul.getContext(), bool(lhsSource), bool(rhsSource));
  IRRewriter rewriter(matmul);
  auto generic = linalg::GenericOp::create(
      rewriter, matmul.getLoc(), matmul.getResultTypes(),
      ValueRange{lhsSource ? lhsSource : lhs, rhsSource ? rhsSource : rhs},
      matmul.getOutputs(), maps,
      {utils::IteratorType::parallel, utils::IteratorType::parallel,
       utils::IteratorType::reduction},
      [](OpBuilder &b, Location loc, ValueRange args) {
        Value product = arith::MulFOp::create(b, loc, args[0], args[1]);
        linalg::YieldOp::create(b, loc,
                                ValueRange{arith::AddFOp::create(
                                    b, loc, args[2], product)});
      });
  rewriter.replaceOp(matmul, generic.getResults());
  for (Value operand : {lhs, rhs})
    if (Operation *transpose = operand.getDefiningOp<linalg::TransposeOp>())
      if (transpose->use_empty())
        rewriter.eraseOp(transpose);
}

struct FoldTransposesIntoMatmulsPass
    : tick::impl::TickFoldTransposesIntoMatmulsBase<
          FoldTransposesIntoMatmulsPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<linalg::MatmulOp> matmuls;
    getOperation().walk([&](linalg::MatmulOp op) {
      if (op.hasPureTensorSemantics() &&
          cast<ShapedType>(op.getResultTypes()[0]).getElementType().isF32())
        matmuls.push_back(op);
    });
    for (linalg::MatmulOp matmul : matmuls)
      fold(matmul, dotProductLanes, dotProductBytes);
  }
};

} // namespace
