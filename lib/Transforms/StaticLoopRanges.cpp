//===- StaticLoopRanges.cpp - each thread's iterations, computed inline ---===//
//
// A work-sharing loop asks the OpenMP runtime for its thread's iterations
// (__kmpc_for_static_init). Debian's libomp is built with its debug traces,
// and formats trace strings (vsnprintf) on every such call, traced or not:
// 6% of a train step of the reference net at batch 64 went there. Inside a
// parallel region every thread knows its number and the team's size, so
// each loop here computes the thread's share itself: the iterations in
// blocks of ceil(trips / threads), as OpenMP's static schedule without a
// chunk size does, and an explicit barrier where the loop had one. Loops
// with equal bounds still give each thread the same iterations, which
// tick-drop-loop-barriers relies on.
//
//===----------------------------------------------------------------------===//

#include "OpenMPQueries.h"
#include "WorkshareLoops.h"
#include "tick/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/OpenMP/OpenMPDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/PatternMatch.h"

namespace tick {
#define GEN_PASS_DEF_TICKSTATICLOOPRANGES
#include "tick/Transforms/Passes.h.inc"
} // namespace tick

using namespace mlir;

namespace {

struct StaticLoopRangesPass
    : tick::impl::TickStaticLoopRangesBase<StaticLoopRangesPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<omp::ParallelOp> regions;
    module.walk([&](omp::ParallelOp region) { regions.push_back(region); });
    IRRewriter rewriter(&getContext());
    for (omp::ParallelOp region : regions) {
      SmallVector<omp::WsloopOp> loops;
      for (Operation &op : region.getRegion().front())
        if (auto loop = dyn_cast<omp::WsloopOp>(op);
            loop && tick::staticLoopNest(loop))
          loops.push_back(loop);
      if (loops.empty())
        continue;
      Location loc = region.getLoc();
      rewriter.setInsertionPointToStart(&region.getRegion().front());
      auto index = [&](StringRef name) {
        Value number = func::CallOp::create(rewriter, loc,
                                            tick::declareOmpQuery(module, name),
                                            ValueRange())
                           .getResult(0);
        return arith::IndexCastOp::create(rewriter, loc,
                                          rewriter.getIndexType(), number)
            .getResult();
      };
      Value thread = index(tick::kOmpThreadNum);
      Value threads = index(tick::kOmpNumThreads);
      for (omp::WsloopOp loop : loops)
        rewriteLoop(rewriter, loop, thread, threads);
    }
  }

  /// for iv in [lower, upper) step s, as this thread's share:
  /// trips = ceil((upper - lower) / s), block = ceil(trips / threads),
  /// iterations [min(thread * block, trips), min(first + block, trips)).
  void rewriteLoop(IRRewriter &rewriter, omp::WsloopOp loop, Value thread,
                   Value threads) {
    omp::LoopNestOp nest = tick::staticLoopNest(loop);
    Location loc = loop.getLoc();
    rewriter.setInsertionPoint(loop);
    Value lower = nest.getLoopLowerBounds()[0];
    Value upper = nest.getLoopUpperBounds()[0];
    Value step = nest.getLoopSteps()[0];
    Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
    Value span = arith::SubIOp::create(rewriter, loc, upper, lower);
    Value trips = arith::MaxSIOp::create(
        rewriter, loc, zero,
        arith::CeilDivSIOp::create(rewriter, loc, span, step));
    Value block = arith::CeilDivSIOp::create(rewriter, loc, trips, threads);
    Value first = arith::MinSIOp::create(
        rewriter, loc, trips,
        arith::MulIOp::create(rewriter, loc, thread, block));
    Value last = arith::MinSIOp::create(
        rewriter, loc, trips,
        arith::AddIOp::create(rewriter, loc, first, block));
    auto at = [&](Value trip) {
      return arith::AddIOp::create(
          rewriter, loc, lower,
          arith::MulIOp::create(rewriter, loc, trip, step));
    };
    auto mine = scf::ForOp::create(rewriter, loc, at(first), at(last), step);
    // The body goes into an scf.execute_region, which may hold several
    // blocks: lowering the memref.alloca_scope inside splits its block,
    // which an scf.for body may not be.
    rewriter.setInsertionPoint(mine.getBody()->getTerminator());
    auto iteration = scf::ExecuteRegionOp::create(rewriter, loc, TypeRange{});
    Region &region = iteration.getRegion();
    rewriter.inlineRegionBefore(nest.getRegion(), region, region.end());
    Block &body = region.front();
    rewriter.replaceAllUsesWith(body.getArgument(0), mine.getInductionVar());
    body.eraseArgument(0);
    Operation *yield = body.getTerminator();
    rewriter.setInsertionPoint(yield);
    rewriter.replaceOpWithNewOp<scf::YieldOp>(yield);
    rewriter.setInsertionPoint(loop);
    if (!loop.getNowait())
      omp::BarrierOp::create(rewriter, loc);
    rewriter.eraseOp(loop);
  }
};

} // namespace
