//===- Barriers.h - where the threads of a team wait ------------*- C++ -*-===//

#ifndef TICK_LIB_TRANSFORMS_BARRIERS_H
#define TICK_LIB_TRANSFORMS_BARRIERS_H

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

} // namespace tick

#endif // TICK_LIB_TRANSFORMS_BARRIERS_H
