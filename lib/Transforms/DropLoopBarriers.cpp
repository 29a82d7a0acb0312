//===- DropLoopBarriers.cpp - loops that nothing waits for ----------------===//
//
// Every work-sharing loop ends with a barrier: a thread that finished its
// iterations waits for the others. Where nothing the threads run before
// the next barrier reads what the loop writes, or writes what it reads or
// writes (the optimizer steps of different parameters, a transposed
// weight computed beside an unrelated loop), the wait protects nothing,
// and the loop becomes `nowait`. The end of the parallel region is a
// barrier of its own.
//
//===----------------------------------------------------------------------===//

#include "Barriers.h"
#include "BufferEffects.h"
#include "tick/Transforms/Passes.h"

namespace tick {
#define GEN_PASS_DEF_TICKDROPLOOPBARRIERS
#include "tick/Transforms/Passes.h.inc"
} // namespace tick

using namespace mlir;

namespace {

/// Whether `loop`'s threads may go on without waiting: no op after it, up
/// to and including the first that ends with a barrier, conflicts with it.
bool needsNoBarrier(omp::WsloopOp loop) {
  // A reduction's result is combined at the loop's end.
  if (!loop.getReductionVars().empty())
    return false;
  FailureOr<tick::BufferAccesses> own = tick::nestedAccesses(loop);
  if (failed(own))
    return false;
  for (Operation *op = loop->getNextNode();
       op && !op->hasTrait<OpTrait::IsTerminator>(); op = op->getNextNode()) {
    FailureOr<tick::BufferAccesses> later = tick::nestedAccesses(op);
    if (failed(later) || own->conflictsWith(*later))
      return false;
    if (tick::isBarrier(op))
      return true;
  }
  return true;
}

struct DropLoopBarriersPass
    : tick::impl::TickDropLoopBarriersBase<DropLoopBarriersPass> {
  void runOnOperation() override {
    getOperation()->walk([&](omp::ParallelOp region) {
      // Last loop first: whether a loop waits decides how far the threads
      // of the loops before it may run ahead.
      SmallVector<omp::WsloopOp> loops;
      for (Operation &op : region.getRegion().front())
        if (auto loop = dyn_cast<omp::WsloopOp>(op))
          loops.push_back(loop);
      for (omp::WsloopOp loop : llvm::reverse(loops))
        if (!loop.getNowait() && needsNoBarrier(loop))
          loop.setNowait(true);
    });
  }
};

} // namespace
