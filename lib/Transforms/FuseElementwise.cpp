//===- FuseElementwise.cpp - elementwise fusion without recomputation -----===//

#include "tick/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace tick {
#define GEN_PASS_DEF_TICKFUSEELEMENTWISE
#include "tick/Transforms/Passes.h.inc"
} // namespace tick

using namespace mlir;

namespace {

struct FuseElementwisePass
    : tick::impl::TickFuseElementwiseBase<FuseElementwisePass> {
  using Base::Base;

  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    linalg::populateElementwiseOpsFusionPatterns(
        patterns, [&](OpOperand *fused) {
          auto producer = fused->get().getDefiningOp<linalg::LinalgOp>();
          auto consumer = dyn_cast<linalg::LinalgOp>(fused->getOwner());
          // Fused into each of several readers, a producer is computed once
          // per reader (a LayerNorm's backward feeds the input gradient and
          // three parameter gradients); left alone, it is computed once and
          // stored.
          return producer && consumer &&
                 (recomputeShared || producer->hasOneUse()) &&
                 producer.getNumLoops() == consumer.getNumLoops();
        });
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
