//===- GPUBlockPhases.h - threads as loops between barriers -*- C++ -*-===//
//
// tick-gpu-launch-to-loops runs a kernel on one CPU thread, its threads
// communicating through barriers, shuffles and workgroup memory as they
// would on the GPU: the body is cut at every barrier and shuffle into
// phases, and each phase runs as a loop over the block's threads.
//
//===----------------------------------------------------------------------===//

#ifndef TICK_LIB_TRANSFORMS_GPUBLOCKPHASES_H
#define TICK_LIB_TRANSFORMS_GPUBLOCKPHASES_H

#include "mlir/Dialect/GPU/IR/GPUDialect.h"

namespace tick {

/// Replaces `launch` by loops over its blocks, in each of which the body
/// runs phase after phase, every phase a loop over the block's threads. A
/// value that one phase computes and a later one uses lives in a buffer
/// with a slot per thread; so do the loop-carried values of a loop with a
/// barrier in it and the results of an `scf.if` with one. A shuffle reads
/// its partner's slot. Values that only depend on block ids, sizes and
/// values from outside the kernel are computed once per block (arithmetic
/// on thread ids again in each phase that uses it); a loop with
/// a barrier in it must have such bounds (as on the GPU, where every
/// thread of the block reaches the barrier). Reports an error and leaves
/// `launch` as it is when another kind of op holds a barrier or shuffle,
/// or when a value of another type than a scalar would cross a phase.
mlir::LogicalResult launchToPhases(mlir::gpu::LaunchOp launch);

} // namespace tick

#endif // TICK_LIB_TRANSFORMS_GPUBLOCKPHASES_H
