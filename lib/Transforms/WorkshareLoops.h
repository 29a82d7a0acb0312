//===- WorkshareLoops.h - who runs which iterations, who waits --*- C++ -*-===//

#ifndef TICK_LIB_TRANSFORMS_WORKSHARELOOPS_H
#define TICK_LIB_TRANSFORMS_WORKSHARELOOPS_H

#include "mlir/Dialect/OpenMP/OpenMPDialect.h"

namespace tick {

/// Whether `op` (in a parallel region's body) leaves every thread waiting
/// for the others when it ends.
inline bool isBarrier(mlir::Operation *op) {
  if (auto loop = llvm::dyn_cast_or_null<mlir::omp::WsloopOp>(op))
    return !loop.getNowait();
  if (auto single = llvm::dyn_cast_or_null<mlir::omp::SingleOp>(op))
    return !single.getNowait();
  return llvm::isa_and_nonnull<mlir::omp::BarrierOp>(op);
}

/// The loop of a work-sharing loop whose iterations tick-static-loop-ranges
/// divides among the threads itself: directly in a parallel region's body,
/// one index induction variable, exclusive upper bound, static schedule (or
/// none) without a chunk size, no reduction, no other clause. Each thread
/// runs one block of ceil(trips / threads) iterations, in thread order, so
/// two such loops with equal bounds give each thread the same iterations.
/// Null for any other loop.
inline mlir::omp::LoopNestOp staticLoopNest(mlir::omp::WsloopOp loop) {
  auto nest =
      llvm::dyn_cast_or_null<mlir::omp::LoopNestOp>(loop.getWrappedLoop());
  if (!nest || nest.getLoopSteps().size() != 1 || nest.getLoopInclusive() ||
      !nest.getLoopSteps()[0].getType().isIndex() ||
      !llvm::isa<mlir::omp::ParallelOp>(loop->getParentOp()) ||
      !loop.getReductionVars().empty() || loop.getScheduleChunk() ||
      loop.getOrdered() || !loop.getLinearVars().empty() ||
      !loop.getPrivateVars().empty() || loop.getOrder())
    return nullptr;
  std::optional<mlir::omp::ClauseScheduleKind> kind = loop.getScheduleKind();
  if (kind && *kind != mlir::omp::ClauseScheduleKind::Static)
    return nullptr;
  return nest;
}

} // namespace tick

#endif // TICK_LIB_TRANSFORMS_WORKSHARELOOPS_H
