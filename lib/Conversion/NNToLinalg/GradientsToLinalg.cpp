//===- GradientsToLinalg.cpp - backward ops to linalg ---------------------===//
//
// Weight gradients are reductions over the batch: their loops put the
// feature dimension first, parallel, so the CPU pipeline splits them into
// row blocks of features the way it splits forward ops into batch rows.
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

Value zeroFilled(OpBuilder &b, Location loc, RankedTensorType type,
                 Value source) {
  return createFilled(b, loc, type, source,
                      floatConstant(b, loc, type.getElementType(), 0.0));
}

/// dx = dy * W: [batch, out] x [out, in].
struct LinearGradInputLowering : OpRewritePattern<nn::LinearGradInputOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::LinearGradInputOp op,
                                PatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getType());
    Value init = zeroFilled(rewriter, op.getLoc(), type, op.getResultGrad());
    rewriter.replaceOpWithNewOp<linalg::MatmulOp>(
        op, TypeRange{type}, ValueRange{op.getResultGrad(), op.getWeight()},
        ValueRange{init});
    return success();
  }
};

/// dW = transpose(dy) * x: [out, batch] x [batch, in].
struct LinearGradWeightLowering : OpRewritePattern<nn::LinearGradWeightOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::LinearGradWeightOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getType());
    auto dyType = cast<RankedTensorType>(op.getResultGrad().getType());
    auto transposedType = RankedTensorType::get(
        {dyType.getDimSize(1), dyType.getDimSize(0)}, dyType.getElementType());
    SmallVector<Value> batch;
    if (ShapedType::isDynamic(dyType.getDimSize(0)))
      batch.push_back(tensor::DimOp::create(rewriter, loc, op.getResultGrad(), 0));
    Value empty = tensor::EmptyOp::create(rewriter, loc, transposedType, batch);
    Value dyT = linalg::TransposeOp::create(rewriter, loc, op.getResultGrad(),
                                            empty, ArrayRef<int64_t>{1, 0})
                    .getResult()[0];
    Value init = createFilled(
        rewriter, loc, type, op.getResultGrad(),
        floatConstant(rewriter, loc, type.getElementType(), 0.0));
    rewriter.replaceOpWithNewOp<linalg::MatmulOp>(
        op, TypeRange{type}, ValueRange{dyT, op.getInput()}, ValueRange{init});
    return success();
  }
};

/// db[o] = sum over the batch of dy[b, o], the output feature loop first.
struct LinearGradBiasLowering : OpRewritePattern<nn::LinearGradBiasOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::LinearGradBiasOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    auto type = cast<RankedTensorType>(op.getType());
    AffineExpr o, b;
    bindDims(ctx, o, b);
    Value result = createGeneric(
        rewriter, loc, op.getResultGrad(),
        zeroFilled(rewriter, loc, type, op.getResultGrad()),
        {AffineMap::get(2, 0, {b, o}, ctx), AffineMap::get(2, 0, {o}, ctx)},
        {kPar, kRed}, [](OpBuilder &b, Location loc, ValueRange a) {
          yield(b, loc, arith::AddFOp::create(b, loc, a[1], a[0]).getResult());
        })[0];
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// dx = dy where x > 0, else 0 (also for x = 0 and NaN, as PyTorch).
struct ReLUGradLowering : OpRewritePattern<nn::ReLUGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::ReLUGradOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getType());
    unsigned rank = type.getRank();
    AffineMap id = rewriter.getMultiDimIdentityMap(rank);
    Value zero = floatConstant(rewriter, loc, type.getElementType(), 0.0);
    Value result = createGeneric(
        rewriter, loc, ValueRange{op.getResultGrad(), op.getInput()},
        createEmpty(rewriter, loc, type, op.getInput()), {id, id, id},
        SmallVector<utils::IteratorType>(rank, kPar),
        [&](OpBuilder &b, Location loc, ValueRange a) {
          Value positive =
              arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, a[1], zero);
          yield(b, loc, arith::SelectOp::create(b, loc, positive, a[0], zero).getResult());
        })[0];
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// With x̂ = (x - mean)·rstd and g = dy·w:
///   dw[j] = Σ_b dy·x̂, db[j] = Σ_b dy              (one column sweep)
///   dx = rstd·(g - Σ_j g / N - x̂·Σ_j g·x̂ / N)      (one row sweep, then
///                                                   one elementwise op)
struct LayerNormGradLowering : OpRewritePattern<nn::LayerNormGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::LayerNormGradOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    Value x = op.getInput(), dy = op.getResultGrad(), w = op.getWeight();
    auto type = cast<RankedTensorType>(x.getType());
    RankedTensorType rowType = rowsOf(type), colType = columnsOf(type);
    Type element = type.getElementType();
    MatrixMaps m(ctx);
    RowStatistics stats =
        buildRowStatistics(rewriter, loc, x, op.getEps().convertToDouble());
    Value features = dimAsFloat(rewriter, loc, x, 1, element);

    // Columns: loops (j, b), j parallel.
    AffineExpr j, bb;
    bindDims(ctx, j, bb);
    AffineMap cell = AffineMap::get(2, 0, {bb, j}, ctx);
    AffineMap perRow = AffineMap::get(2, 0, {bb}, ctx);
    AffineMap perColumn = AffineMap::get(2, 0, {j}, ctx);
    SmallVector<Value> columnSums = createGeneric(
        rewriter, loc, ValueRange{dy, x, stats.mean, stats.invStd},
        ValueRange{zeroFilled(rewriter, loc, colType, w),
                   zeroFilled(rewriter, loc, colType, w)},
        {cell, cell, perRow, perRow, perColumn, perColumn}, {kPar, kRed},
        [](OpBuilder &b, Location loc, ValueRange a) {
          Value xhat = arith::MulFOp::create(
              b, loc, arith::SubFOp::create(b, loc, a[1], a[2]), a[3]);
          Value dw = arith::AddFOp::create(
              b, loc, a[4], arith::MulFOp::create(b, loc, a[0], xhat));
          Value db = arith::AddFOp::create(b, loc, a[5], a[0]);
          yield(b, loc, {dw, db});
        });

    // Rows: Σ_j g and Σ_j g·x̂.
    SmallVector<Value> rowSums = createGeneric(
        rewriter, loc, ValueRange{dy, x, stats.mean, stats.invStd, w},
        ValueRange{zeroFilled(rewriter, loc, rowType, x),
                   zeroFilled(rewriter, loc, rowType, x)},
        {m.matrix, m.matrix, m.row, m.row, m.column, m.row, m.row},
        {kPar, kRed}, [](OpBuilder &b, Location loc, ValueRange a) {
          Value xhat = arith::MulFOp::create(
              b, loc, arith::SubFOp::create(b, loc, a[1], a[2]), a[3]);
          Value g = arith::MulFOp::create(b, loc, a[0], a[4]);
          Value sumG = arith::AddFOp::create(b, loc, a[5], g);
          Value sumGX = arith::AddFOp::create(
              b, loc, a[6], arith::MulFOp::create(b, loc, g, xhat));
          yield(b, loc, {sumG, sumGX});
        });

    Value dx = createGeneric(
        rewriter, loc,
        ValueRange{dy, x, stats.mean, stats.invStd, w, rowSums[0], rowSums[1]},
        createEmpty(rewriter, loc, type, x),
        {m.matrix, m.matrix, m.row, m.row, m.column, m.row, m.row, m.matrix},
        {kPar, kPar}, [&](OpBuilder &b, Location loc, ValueRange a) {
          Value xhat = arith::MulFOp::create(
              b, loc, arith::SubFOp::create(b, loc, a[1], a[2]), a[3]);
          Value g = arith::MulFOp::create(b, loc, a[0], a[4]);
          Value meanG = arith::DivFOp::create(b, loc, a[5], features);
          Value meanGX = arith::DivFOp::create(b, loc, a[6], features);
          Value inner = arith::SubFOp::create(
              b, loc, arith::SubFOp::create(b, loc, g, meanG),
              arith::MulFOp::create(b, loc, xhat, meanGX));
          yield(b, loc, arith::MulFOp::create(b, loc, a[3], inner).getResult());
        })[0];
    rewriter.replaceOp(op, {dx, columnSums[0], columnSums[1]});
    return success();
  }
};

/// dlogits = dloss / batch · (exp(l - max) / Σ exp(l - max) - onehot(label)).
struct CrossEntropyGradLowering : OpRewritePattern<nn::CrossEntropyGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::CrossEntropyGradOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value logits = op.getLogits();
    auto type = cast<RankedTensorType>(logits.getType());
    Type element = type.getElementType();
    MatrixMaps m(op.getContext());
    SoftmaxStatistics stats = buildSoftmaxStatistics(rewriter, loc, logits);
    Value dloss = tensor::ExtractOp::create(rewriter, loc, op.getLossGrad(),
                                            ValueRange{});
    Value scale = arith::DivFOp::create(
        rewriter, loc, dloss, dimAsFloat(rewriter, loc, logits, 0, element));
    Value zero = floatConstant(rewriter, loc, element, 0.0);
    Value one = floatConstant(rewriter, loc, element, 1.0);
    Value result = createGeneric(
        rewriter, loc, ValueRange{logits, stats.max, stats.sumExp, op.getLabels()},
        createEmpty(rewriter, loc, type, logits),
        {m.matrix, m.row, m.row, m.row, m.matrix}, {kPar, kPar},
        [&](OpBuilder &b, Location loc, ValueRange a) {
          Value e = math::ExpOp::create(b, loc,
                                        arith::SubFOp::create(b, loc, a[0], a[1]));
          Value softmax = arith::DivFOp::create(b, loc, e, a[2]);
          Value label = arith::IndexCastOp::create(b, loc, b.getIndexType(), a[3]);
          Value isLabel = arith::CmpIOp::create(
              b, loc, arith::CmpIPredicate::eq, linalg::IndexOp::create(b, loc, 1),
              label);
          Value target = arith::SelectOp::create(b, loc, isLabel, one, zero);
          Value diff = arith::SubFOp::create(b, loc, softmax, target);
          yield(b, loc, arith::MulFOp::create(b, loc, diff, scale).getResult());
        })[0];
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void tick::lowering::populateGradientLoweringPatterns(
    RewritePatternSet &patterns) {
  patterns.add<LinearGradInputLowering, LinearGradWeightLowering,
               LinearGradBiasLowering, ReLUGradLowering, LayerNormGradLowering,
               CrossEntropyGradLowering>(patterns.getContext());
}
