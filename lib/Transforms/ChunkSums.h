//===- ChunkSums.h - the second step of a reduction split into chunks -----===//
//
// tick-gpu-matmul-tiles and tick-gpu-column-reductions split long
// reductions: block z reduces its chunk into P[z], and the chunks' results
// are combined after the kernel. That second step is an elementwise op over
// the output, `out = init + P[0] + ... + P[Z-1]`, not a reduction: each
// element is read from Z slices, so an op that reads the output can compute
// it instead (tick-fuse-into-consumers), and a kernel goes.
//
//===----------------------------------------------------------------------===//

#ifndef TICK_LIB_TRANSFORMS_CHUNKSUMS_H
#define TICK_LIB_TRANSFORMS_CHUNKSUMS_H

#include "FoldedInit.h"
#include "GPUReductions.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"

#include <optional>

namespace tick {

/// Builds `out = combine(... combine(init, P[0]) ..., P[Z-1])` at `b`'s
/// insertion point: a `linalg.generic` whose loops, all parallel, run over
/// `out`'s elements, reading P[z] (`partials`, shaped [Z] + `out`'s shape)
/// through the map (d...) -> (z, d...) for each z in turn. `init` is the
/// broadcast that gives `out` its initial value, read at its source (the
/// caller erases it); without one, `out` holds it.
mlir::linalg::GenericOp combineChunks(mlir::OpBuilder &b, mlir::Location loc,
                                      mlir::Value partials, mlir::Value out,
                                      Combiner combiner,
                                      const std::optional<FoldedInit> &init);

} // namespace tick

#endif // TICK_LIB_TRANSFORMS_CHUNKSUMS_H
