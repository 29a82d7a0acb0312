//===- GPUReductions.h - what the GPU reduction kernels share -------------===//
//
// tick-gpu-row-reductions and tick-gpu-column-reductions both turn a
// `linalg.generic` whose results are `out + f(...)` (or max, or an integer
// sum) into a kernel in which threads keep partial results and combine them
// at the end. This is the part of that which does not depend on how the
// threads split the work: which ops qualify, how partials combine, one
// iteration of the op's body, and the final store.
//
//===----------------------------------------------------------------------===//

#ifndef TICK_LIB_TRANSFORMS_GPUREDUCTIONS_H
#define TICK_LIB_TRANSFORMS_GPUREDUCTIONS_H

#include "FoldedInit.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"

#include <optional>

namespace tick {

enum class Combiner { AddF, MaxF, AddI, MinSI };

/// How each output of `op` is combined, or nothing when `op` is not a
/// reduction the GPU kernels take: on buffers, static loop ranges, one
/// reduction loop and it the innermost (tick-parallel-dims-first puts it
/// there), each result `combine(out, f(...))` with `f` independent of the
/// outputs and `combine` an f32 add or maximum, or an integer add or
/// signed minimum.
std::optional<llvm::SmallVector<Combiner>>
reductionCombiners(mlir::linalg::GenericOp op);

/// Whether every output of `op` is a 32-bit value, which one warp shuffle
/// moves (f32 sums and maxima, i32 indices).
bool outputsFitShuffles(mlir::linalg::GenericOp op);

mlir::Value combine(mlir::OpBuilder &b, mlir::Location loc, Combiner c,
                    mlir::Value x, mlir::Value y);

/// Fails with an error on `op` unless `rowsPerBlock` warps (a row each)
/// make a block a GPU can run: 1 to 32.
mlir::LogicalResult checkRowsPerBlock(mlir::Operation *op,
                                      llvm::StringRef pass,
                                      int64_t rowsPerBlock);

/// The value `c` leaves unchanged, of type `type`.
mlir::Value identity(mlir::OpBuilder &b, mlir::Location loc, Combiner c,
                     mlir::Type type);

/// `op`'s body cloned at loop indices `ivs` (what `linalg.index` gives),
/// its block arguments standing for `inputs` and `outputs`: the values it
/// yields.
llvm::SmallVector<mlir::Value> applyBody(mlir::OpBuilder &b,
                                         mlir::linalg::GenericOp op,
                                         mlir::ValueRange ivs,
                                         mlir::ValueRange inputs,
                                         mlir::ValueRange outputs);

/// One iteration of `op`'s body at loop indices `ivs`, with `partials`
/// standing for the outputs: the inputs are loaded, the body cloned, and
/// the values it yields returned.
llvm::SmallVector<mlir::Value> reduceOneElement(mlir::OpBuilder &b,
                                                mlir::Location loc,
                                                mlir::linalg::GenericOp op,
                                                mlir::ValueRange ivs,
                                                mlir::ValueRange partials);

/// The initial value of each output that a broadcast writes just before
/// `op` (see FoldedInit), to read at its source.
llvm::SmallVector<std::optional<FoldedInit>>
foldedInits(mlir::linalg::GenericOp op);

/// Stores `combine(initial, total)` into each output of `op` at loop
/// indices `ivs` (the reduction index among them is ignored), the initial
/// value read from `inits` where folded, else from the output.
void storeTotals(mlir::OpBuilder &b, mlir::Location loc,
                 mlir::linalg::GenericOp op, mlir::ValueRange ivs,
                 mlir::ValueRange totals, llvm::ArrayRef<Combiner> combiners,
                 llvm::MutableArrayRef<std::optional<FoldedInit>> inits);

/// Erases `op`, whose kernel now stores every element of its outputs, and
/// the broadcasts that initialized them (read at their sources instead).
void eraseReduced(mlir::linalg::GenericOp op,
                  llvm::MutableArrayRef<std::optional<FoldedInit>> inits);

} // namespace tick

#endif // TICK_LIB_TRANSFORMS_GPUREDUCTIONS_H
