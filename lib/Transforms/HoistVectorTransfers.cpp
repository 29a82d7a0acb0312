//===- HoistVectorTransfers.cpp - accumulators in registers ---------------===//

#include "tick/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/Transforms/Hoisting.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/LoopInvariantCodeMotionUtils.h"

namespace tick {
#define GEN_PASS_DEF_TICKHOISTVECTORTRANSFERS
#include "tick/Transforms/Passes.h.inc"
} // namespace tick

namespace {

struct HoistVectorTransfersPass
    : tick::impl::TickHoistVectorTransfersBase<HoistVectorTransfersPass> {
  void runOnOperation() override {
    // On tensors: a transfer_read/transfer_write pair on a loop-carried
    // tensor at loop-invariant indices becomes a loop-carried vector. Values
    // cannot alias, so this holds wherever the block's result is stored
    // later (a slice of a buffer the backward pass reads, not only a
    // private one). Innermost loops first: the walk is post-order.
    llvm::SmallVector<mlir::scf::ForOp> loops;
    getOperation().walk([&](mlir::scf::ForOp loop) { loops.push_back(loop); });
    mlir::IRRewriter rewriter(&getContext());
    for (mlir::scf::ForOp loop : loops)
      mlir::hoistLoopInvariantSubsets(rewriter, loop);
    // On memrefs (what bufferization leaves): hoisting only walks scf.for;
    // verifyNonZeroTrip keeps a read from moving above a loop that might
    // not run.
    mlir::linalg::hoistRedundantVectorTransfers(getOperation(),
                                                /*verifyNonZeroTrip=*/true);
  }
};

} // namespace
