//===- LowerVectors.cpp - vector ops down to FMAs and shuffles ------------===//

#include "tick/Transforms/Passes.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace tick {
#define GEN_PASS_DEF_TICKLOWERVECTORS
#include "tick/Transforms/Passes.h.inc"
} // namespace tick

using namespace mlir;

namespace {

/// A transfer that reads one element and broadcasts it (a row's mean
/// stretched over the row: permutation map (d0) -> (d0, 0) into 1x1024) is a
/// scalar load and a splat. The generic lowering reads vector<1xf32>,
/// broadcasts it to 1024x1 and transposes that one element at a time: 1024
/// extract/insert pairs per row, which LLVM folds back into a splat only
/// after seconds of compile time.
struct SplatOneElementRead : OpRewritePattern<vector::TransferReadOp> {
  SplatOneElementRead(MLIRContext *context)
      : OpRewritePattern(context, /*benefit=*/2) {}

  LogicalResult matchAndRewrite(vector::TransferReadOp op,
                                PatternRewriter &rewriter) const override {
    VectorType type = op.getVectorType();
    if (!isa<MemRefType>(op.getBase().getType()) || op.getMask() ||
        type.isScalable() || op.getPermutationMap().isMinorIdentity())
      return failure();
    // Every vector dimension either broadcasts or reads exactly one element.
    for (auto [dim, result] : llvm::enumerate(op.getPermutationMap().getResults())) {
      bool broadcast = isa<AffineConstantExpr>(result);
      if (!broadcast && (type.getDimSize(dim) != 1 || !op.isDimInBounds(dim)))
        return failure();
    }
    Value scalar = memref::LoadOp::create(rewriter, op.getLoc(), op.getBase(),
                                          op.getIndices());
    rewriter.replaceOpWithNewOp<vector::BroadcastOp>(op, type, scalar);
    return success();
  }
};

struct LowerVectorsPass : tick::impl::TickLowerVectorsBase<LowerVectorsPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<SplatOneElementRead>(&getContext());
    // A matmul block (rows x k=1) x (1 x lanes) is an outer product: one
    // broadcast of x[i, k] and one FMA per accumulator row.
    vector::populateVectorContractLoweringPatterns(
        patterns, vector::VectorContractLowering::OuterProduct);
    vector::populateVectorOuterProductLoweringPatterns(patterns);
    vector::populateVectorMultiReductionLoweringPatterns(
        patterns, vector::VectorMultiReductionLowering::InnerReduction);
    vector::populateVectorTransposeLoweringPatterns(
        patterns, vector::VectorTransposeLowering::Shuffle16x16);
    vector::populateVectorTransferPermutationMapLoweringPatterns(patterns);
    vector::populateVectorBroadcastLoweringPatterns(patterns);
    vector::populateVectorShapeCastLoweringPatterns(patterns);
    vector::populateVectorMaskOpLoweringPatterns(patterns);
    vector::populateVectorTransferLoweringPatterns(patterns,
                                                   /*maxTransferRank=*/1);
    vector::populateVectorRankReducingFMAPattern(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
