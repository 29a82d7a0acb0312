//===- NNToLinalg.cpp - nn to linalg-on-tensors conversion ----------------===//
//
// Each nn layer becomes a few linalg.generic ops whose loops the CPU and GPU
// pipelines can tile, fuse and vectorize. Row statistics (LayerNorm's mean
// and inverse standard deviation, the loss's row max) are computed once per
// row in ops of their own, so fusing the elementwise ops that follow does
// not recompute them per element.
//
//===----------------------------------------------------------------------===//

#include "tick/Conversion/NNToLinalg/NNToLinalg.h"
#include "Builders.h"
#include "Patterns.h"
#include "tick/Conversion/Passes.h"
#include "tick/Dialect/NN/IR/NNOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/DialectConversion.h"

namespace tick {
#define GEN_PASS_DEF_CONVERTNNTOLINALG
#include "tick/Conversion/Passes.h.inc"
} // namespace tick

using namespace mlir;
using namespace tick;
using namespace tick::lowering;

namespace {

//===----------------------------------------------------------------------===//
// Linear
//===----------------------------------------------------------------------===//

struct LinearLowering : OpRewritePattern<nn::LinearOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(nn::LinearOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    auto type = cast<RankedTensorType>(op.getType());
    Type element = type.getElementType();
    AffineExpr i, j;
    bindDims(ctx, i, j);

    // The bias is the initial accumulator: adding it costs no pass over
    // the output, and the contraction's epilogue starts from it.
    Value init;
    if (Value bias = op.getBias()) {
      Value empty = createEmpty(rewriter, loc, type, op.getInput());
      init = createGeneric(
          rewriter, loc, bias, empty,
          {AffineMap::get(2, 0, {j}, ctx), AffineMap::get(2, 0, {i, j}, ctx)},
          {kPar, kPar},
          [](OpBuilder &b, Location loc, ValueRange args) {
            linalg::YieldOp::create(b, loc, args[0]);
          })[0];
    } else {
      init = createFilled(rewriter, loc, type, op.getInput(),
                          floatConstant(rewriter, loc, element, 0.0));
    }

    // y = x * wT with the weight transposed once per call into [in, out]:
    // the contraction then reads contiguous rows of wT along the output
    // features, which is the dimension the code generators vectorize.
    // The transpose is O(in * out), the matmul O(batch * in * out).
    auto weightType = cast<RankedTensorType>(op.getWeight().getType());
    auto transposedType = RankedTensorType::get(
        {weightType.getDimSize(1), weightType.getDimSize(0)}, element);
    Value transposed =
        linalg::TransposeOp::create(
            rewriter, loc, op.getWeight(),
            tensor::EmptyOp::create(rewriter, loc, transposedType, ValueRange{}),
            ArrayRef<int64_t>{1, 0})
            .getResult()[0];
    Value result = linalg::MatmulOp::create(rewriter, loc, TypeRange{type},
                                            ValueRange{op.getInput(), transposed},
                                            ValueRange{init})
                       .getResult(0);
    rewriter.replaceOp(op, result);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// LayerNorm
//===----------------------------------------------------------------------===//

struct LayerNormLowering : OpRewritePattern<nn::LayerNormOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(nn::LayerNormOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = op.getInput();
    auto type = cast<RankedTensorType>(op.getType());
    MatrixMaps m(op.getContext());
    RowStatistics stats =
        buildRowStatistics(rewriter, loc, x, op.getEps().convertToDouble());
    Value result = createGeneric(
        rewriter, loc,
        ValueRange{x, stats.mean, stats.invStd, op.getWeight(), op.getBias()},
        createEmpty(rewriter, loc, type, x),
        {m.matrix, m.row, m.row, m.column, m.column, m.matrix}, {kPar, kPar},
        [&](OpBuilder &b, Location loc, ValueRange args) {
          Value centered = arith::SubFOp::create(b, loc, args[0], args[1]);
          Value normalized = arith::MulFOp::create(b, loc, centered, args[2]);
          Value scaled = arith::MulFOp::create(b, loc, normalized, args[3]);
          yield(b, loc, arith::AddFOp::create(b, loc, scaled, args[4]).getResult());
        })[0];
    rewriter.replaceOp(op, result);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// ReLU and flatten
//===----------------------------------------------------------------------===//

struct ReLULowering : OpRewritePattern<nn::ReLUOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(nn::ReLUOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getType());
    unsigned rank = type.getRank();
    AffineMap identity = rewriter.getMultiDimIdentityMap(rank);
    Value zero = floatConstant(rewriter, loc, type.getElementType(), 0.0);
    Value result = createGeneric(
        rewriter, loc, op.getInput(),
        createEmpty(rewriter, loc, type, op.getInput()), {identity, identity},
        SmallVector<utils::IteratorType>(rank, kPar),
        [&](OpBuilder &b, Location loc, ValueRange args) {
          // maximumf propagates NaN, as torch.relu does.
          linalg::YieldOp::create(
              b, loc, ValueRange{arith::MaximumFOp::create(b, loc, args[0], zero)});
        })[0];
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct FlattenLowering : OpRewritePattern<nn::FlattenOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(nn::FlattenOp op,
                                PatternRewriter &rewriter) const override {
    int64_t rank = cast<RankedTensorType>(op.getInput().getType()).getRank();
    ReassociationIndices features =
        llvm::to_vector(llvm::seq<int64_t>(1, rank));
    rewriter.replaceOpWithNewOp<tensor::CollapseShapeOp>(
        op, op.getType(), op.getInput(),
        SmallVector<ReassociationIndices>{{0}, features});
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Cross-entropy
//===----------------------------------------------------------------------===//

struct CrossEntropyLowering : OpRewritePattern<nn::CrossEntropyOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(nn::CrossEntropyOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    Value logits = op.getLogits(), labels = op.getLabels();
    auto logitsType = cast<RankedTensorType>(logits.getType());
    auto resultType = cast<RankedTensorType>(op.getType());
    RankedTensorType rowType = rowsOf(logitsType);
    Type element = logitsType.getElementType();
    AffineExpr i, j;
    bindDims(ctx, i, j);
    AffineMap matrix = AffineMap::get(2, 0, {i, j}, ctx);
    AffineMap row = AffineMap::get(2, 0, {i}, ctx);
    AffineMap vector = AffineMap::getMultiDimIdentityMap(1, ctx);
    AffineMap scalar = AffineMap::get(1, 0, {}, ctx);

    Value zero = floatConstant(rewriter, loc, element, 0.0);
    Value minusInf = arith::ConstantOp::create(
        rewriter, loc, element,
        rewriter.getFloatAttr(
            element, APFloat::getInf(cast<FloatType>(element).getFloatSemantics(),
                                     /*Negative=*/true)));

    Value rowMax = createGeneric(
        rewriter, loc, logits,
        createFilled(rewriter, loc, rowType, logits, minusInf), {matrix, row},
        {kPar, kRed}, [](OpBuilder &b, Location loc, ValueRange args) {
          linalg::YieldOp::create(
              b, loc, ValueRange{arith::MaximumFOp::create(b, loc, args[1], args[0])});
        })[0];

    // One sweep over each row sums exp(x - max) and picks the logit of the
    // row's label; labels outside [0, classes) pick nothing, and the runtime
    // rejects them before they get here.
    SmallVector<Value> sums = createGeneric(
        rewriter, loc, ValueRange{logits, rowMax, labels},
        ValueRange{createFilled(rewriter, loc, rowType, logits, zero),
                   createFilled(rewriter, loc, rowType, logits, zero)},
        {matrix, row, row, row, row}, {kPar, kRed},
        [&](OpBuilder &b, Location loc, ValueRange args) {
          Value shifted = arith::SubFOp::create(b, loc, args[0], args[1]);
          Value sumExp = arith::AddFOp::create(
              b, loc, args[3], math::ExpOp::create(b, loc, shifted));
          Value label = arith::IndexCastOp::create(b, loc, b.getIndexType(),
                                                   args[2]);
          Value isLabel = arith::CmpIOp::create(
              b, loc, arith::CmpIPredicate::eq, linalg::IndexOp::create(b, loc, 1),
              label);
          Value picked = arith::SelectOp::create(b, loc, isLabel, args[0], zero);
          linalg::YieldOp::create(
              b, loc,
              ValueRange{sumExp, arith::AddFOp::create(b, loc, args[4], picked)});
        });

    Value one = floatConstant(rewriter, loc, element, 1.0);
    Value invBatch = arith::DivFOp::create(
        rewriter, loc, one, dimAsFloat(rewriter, loc, logits, 0, element));
    Value init = createFilled(rewriter, loc, resultType, logits, zero);
    // loss = mean_i (log(sum_j exp(x_ij - max_i)) + max_i - x_i,label_i)
    Value loss = createGeneric(
        rewriter, loc, ValueRange{sums[0], rowMax, sums[1]}, init,
        {vector, vector, vector, scalar}, {kRed},
        [&](OpBuilder &b, Location loc, ValueRange args) {
          Value logSum = math::LogOp::create(b, loc, args[0]);
          Value rowLoss = arith::SubFOp::create(
              b, loc, arith::AddFOp::create(b, loc, logSum, args[1]), args[2]);
          Value scaled = arith::MulFOp::create(b, loc, rowLoss, invBatch);
          linalg::YieldOp::create(
              b, loc, ValueRange{arith::AddFOp::create(b, loc, args[3], scaled)});
        })[0];
    rewriter.replaceOp(op, loss);
    return success();
  }
};

struct ConvertNNToLinalgPass
    : tick::impl::ConvertNNToLinalgBase<ConvertNNToLinalgPass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    ConversionTarget target(*ctx);
    // Everything the patterns produce is legal, and so are the parameter
    // ops: binding parameters to arguments and results is
    // nn-materialize-parameters' job, which may run before or after this
    // pass.
    target.addLegalDialect<arith::ArithDialect, linalg::LinalgDialect,
                           math::MathDialect, tensor::TensorDialect>();
    target.addLegalOp<nn::ParameterOp, nn::GetParameterOp,
                      nn::SetParameterOp>();
    target.addIllegalDialect<nn::NNDialect>();
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });

    RewritePatternSet patterns(ctx);
    populateNNToLinalgConversionPatterns(patterns);
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

void tick::populateNNToLinalgConversionPatterns(RewritePatternSet &patterns) {
  patterns.add<LinearLowering, LayerNormLowering, ReLULowering,
               FlattenLowering, CrossEntropyLowering>(patterns.getContext());
  lowering::populateGradientLoweringPatterns(patterns);
  lowering::populateOptimizerLoweringPatterns(patterns);
}
