//===- OptimizersToLinalg.cpp - optimizer steps and metrics to linalg -----===//
//
// An optimizer step is one elementwise op over a parameter that writes the
// new parameter and state into the old ones' tensors: bufferization then
// updates the buffers in place, and the train step returns nothing for
// them.
//
//===----------------------------------------------------------------------===//

#include "Builders.h"
#include "Patterns.h"
#include "tick/Dialect/NN/IR/NNOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace tick;
using namespace tick::lowering;

namespace {

/// An elementwise op over `shaped`'s iteration space.
SmallVector<Value> createElementwise(OpBuilder &b, Location loc,
                                     ValueRange inputs, ValueRange outputs,
                                     BodyFn body) {
  unsigned rank = cast<RankedTensorType>(outputs[0].getType()).getRank();
  SmallVector<AffineMap> maps(inputs.size() + outputs.size(),
                              b.getMultiDimIdentityMap(rank));
  return createGeneric(b, loc, inputs, outputs, maps,
                       SmallVector<utils::IteratorType>(rank, kPar), body);
}

/// torch.optim.SGD, dampening 0, no Nesterov.
struct SGDStepLowering : OpRewritePattern<nn::SGDStepOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::SGDStepOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Type element = cast<RankedTensorType>(op.getParam().getType()).getElementType();
    double lrValue = op.getLr().convertToDouble();
    double momentumValue = op.getMomentum().convertToDouble();
    double decayValue = op.getWeightDecay().convertToDouble();
    Value lr = floatConstant(rewriter, loc, element, lrValue);
    Value momentum = floatConstant(rewriter, loc, element, momentumValue);
    Value decay = floatConstant(rewriter, loc, element, decayValue);
    SmallVector<Value> results = createElementwise(
        rewriter, loc, op.getGrad(),
        ValueRange{op.getParam(), op.getMomentumBuffer()},
        [&](OpBuilder &b, Location loc, ValueRange a) {
          Value g = a[0], p = a[1], buffer = a[2];
          if (decayValue != 0)
            g = arith::AddFOp::create(b, loc, g,
                                      arith::MulFOp::create(b, loc, decay, p));
          if (momentumValue != 0)
            buffer = arith::AddFOp::create(
                b, loc, arith::MulFOp::create(b, loc, momentum, buffer), g);
          else
            buffer = g;
          Value step = arith::MulFOp::create(b, loc, lr, buffer);
          yield(b, loc, {arith::SubFOp::create(b, loc, p, step), buffer});
        });
    rewriter.replaceOp(op, results);
    return success();
  }
};

/// torch.optim.Adam and AdamW (`decoupled`), without amsgrad.
struct AdamStepLowering : OpRewritePattern<nn::AdamStepOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::AdamStepOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Type element = cast<RankedTensorType>(op.getParam().getType()).getElementType();
    auto constant = [&](double v) {
      return floatConstant(rewriter, loc, element, v);
    };
    double beta1 = op.getBeta1().convertToDouble();
    double beta2 = op.getBeta2().convertToDouble();
    double lrValue = op.getLr().convertToDouble();
    double decayValue = op.getWeightDecay().convertToDouble();
    bool decoupled = op.getDecoupled();

    // Bias corrections of step t, once per step, outside the element loop,
    // in f64 as PyTorch computes them (Python floats): in f32, 1 - 0.999^t
    // cancels to a relative error of 5e-4 at t = 2, and every early step
    // would be off by that much.
    Type f64 = rewriter.getF64Type();
    auto wide = [&](double v) { return floatConstant(rewriter, loc, f64, v); };
    Value t = tensor::ExtractOp::create(rewriter, loc, op.getStep(), ValueRange{});
    if (element != f64)
      t = arith::ExtFOp::create(rewriter, loc, f64, t);
    Value correction1 = arith::SubFOp::create(
        rewriter, loc, wide(1.0), math::PowFOp::create(rewriter, loc, wide(beta1), t));
    Value correction2 = arith::SubFOp::create(
        rewriter, loc, wide(1.0), math::PowFOp::create(rewriter, loc, wide(beta2), t));
    Value stepSize = arith::DivFOp::create(rewriter, loc, wide(lrValue), correction1);
    // Inverted once here, so that each element multiplies by it: one
    // division an element (m / denom) instead of two. Divisions and square
    // roots share one slow unit; Adam's element loop was bound by it.
    Value inverseCorrection2Sqrt =
        arith::DivFOp::create(rewriter, loc, wide(1.0),
                              math::SqrtOp::create(rewriter, loc, correction2));
    if (element != f64) {
      stepSize = arith::TruncFOp::create(rewriter, loc, element, stepSize);
      inverseCorrection2Sqrt = arith::TruncFOp::create(rewriter, loc, element,
                                                       inverseCorrection2Sqrt);
    }
    Value decay = constant(decayValue);
    Value shrink = constant(1.0 - lrValue * decayValue);
    Value oneMinusBeta1 = constant(1.0 - beta1);
    Value beta2Value = constant(beta2);
    Value oneMinusBeta2 = constant(1.0 - beta2);
    Value eps = constant(op.getEps().convertToDouble());

    SmallVector<Value> results = createElementwise(
        rewriter, loc, op.getGrad(),
        ValueRange{op.getParam(), op.getExpAvg(), op.getExpAvgSq()},
        [&](OpBuilder &b, Location loc, ValueRange a) {
          Value g = a[0], p = a[1], m = a[2], v = a[3];
          if (decayValue != 0 && !decoupled)
            g = arith::AddFOp::create(b, loc, g,
                                      arith::MulFOp::create(b, loc, decay, p));
          if (decayValue != 0 && decoupled)
            p = arith::MulFOp::create(b, loc, p, shrink);
          // m.lerp_(g, 1 - beta1) and v.mul_(beta2).addcmul_(g, g, 1 - beta2)
          m = arith::AddFOp::create(
              b, loc, m,
              arith::MulFOp::create(b, loc, oneMinusBeta1,
                                    arith::SubFOp::create(b, loc, g, m)));
          v = arith::AddFOp::create(
              b, loc, arith::MulFOp::create(b, loc, v, beta2Value),
              arith::MulFOp::create(b, loc, oneMinusBeta2,
                                    arith::MulFOp::create(b, loc, g, g)));
          Value denom = arith::AddFOp::create(
              b, loc,
              arith::MulFOp::create(b, loc, math::SqrtOp::create(b, loc, v),
                                    inverseCorrection2Sqrt),
              eps);
          Value update = arith::MulFOp::create(
              b, loc, stepSize, arith::DivFOp::create(b, loc, m, denom));
          yield(b, loc, {arith::SubFOp::create(b, loc, p, update), m, v});
        });
    rewriter.replaceOp(op, results);
    return success();
  }
};

/// counter + 1, written into the counter's tensor.
struct IncrementLowering : OpRewritePattern<nn::IncrementOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::IncrementOp op,
                                PatternRewriter &rewriter) const override {
    Type element = cast<RankedTensorType>(op.getType()).getElementType();
    Value one = floatConstant(rewriter, op.getLoc(), element, 1.0);
    SmallVector<Value> results = createElementwise(
        rewriter, op.getLoc(), ValueRange{}, op.getCounter(),
        [&](OpBuilder &b, Location loc, ValueRange a) {
          yield(b, loc, arith::AddFOp::create(b, loc, a[0], one).getResult());
        });
    rewriter.replaceOp(op, results);
    return success();
  }
};

/// Rows whose first maximal logit is at the label, counted in i64.
struct CorrectCountLowering : OpRewritePattern<nn::CorrectCountOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::CorrectCountOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    Value logits = op.getLogits();
    auto type = cast<RankedTensorType>(logits.getType());
    MatrixMaps m(ctx);
    SoftmaxStatistics stats = buildSoftmaxStatistics(rewriter, loc, logits);
    // Class indices in i32: a GPU warp combines them with 32-bit shuffles.
    Type i32 = rewriter.getI32Type(), i64 = rewriter.getI64Type();
    auto rowIndexType = RankedTensorType::get({type.getDimSize(0)}, i32);
    Value classes = arith::ConstantOp::create(
        rewriter, loc, rewriter.getI32IntegerAttr(type.getDimSize(1)));
    // The smallest index whose logit is the row's maximum: a minimum
    // reduction whose step does not read the output (non-maxima count as
    // `classes`), which the GPU row kernels and the CPU vectorizer take.
    Value firstMax = createGeneric(
        rewriter, loc, ValueRange{logits, stats.max},
        createFilled(rewriter, loc, rowIndexType, logits, classes),
        {m.matrix, m.row, m.row}, {kPar, kRed},
        [&](OpBuilder &b, Location loc, ValueRange a) {
          Value j = arith::IndexCastOp::create(b, loc, i32,
                                               linalg::IndexOp::create(b, loc, 1));
          Value isMax =
              arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, a[0], a[1]);
          Value candidate = arith::SelectOp::create(b, loc, isMax, j, classes);
          yield(b, loc, arith::MinSIOp::create(b, loc, candidate, a[2]).getResult());
        })[0];
    Value zero = arith::ConstantOp::create(rewriter, loc, rewriter.getI64IntegerAttr(0));
    Value count = createFilled(rewriter, loc, RankedTensorType::get({}, i64),
                               logits, zero);
    AffineMap vector = AffineMap::getMultiDimIdentityMap(1, ctx);
    Value result = createGeneric(
        rewriter, loc, ValueRange{firstMax, op.getLabels()}, count,
        {vector, vector, AffineMap::get(1, 0, {}, ctx)}, {kRed},
        [&](OpBuilder &b, Location loc, ValueRange a) {
          Value predicted = arith::ExtSIOp::create(b, loc, i64, a[0]);
          Value label = a[1];
          if (label.getType() != i64)
            label = arith::ExtSIOp::create(b, loc, i64, label);
          Value hit = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                            predicted, label);
          Value add = arith::ExtUIOp::create(b, loc, i64, hit);
          yield(b, loc, arith::AddIOp::create(b, loc, a[2], add).getResult());
        })[0];
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void tick::lowering::populateOptimizerLoweringPatterns(
    RewritePatternSet &patterns) {
  patterns.add<SGDStepLowering, AdamStepLowering, IncrementLowering,
               CorrectCountLowering>(
      patterns.getContext());
}
