//===- Matmuls.h - matmuls on buffers, and who computes them ----*- C++ -*-===//
//
// tick-gpu-matmul-tiles computes most matmuls in tiles staged through
// workgroup memory; a matmul whose rows are short and whose right operand
// is small (the last layer's, at a few multiply-adds per row) is left to
// tick-gpu-row-kernels, where a warp computes a row of it beside the row
// ops around it instead of in a kernel of its own. Both passes ask
// `isRowMatmul` with the same bound.
//
//===----------------------------------------------------------------------===//

#ifndef TICK_LIB_TRANSFORMS_MATMULS_H
#define TICK_LIB_TRANSFORMS_MATMULS_H

#include "MatmulMaps.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"

#include <optional>

namespace tick {

/// How a matmul reads its operands: each may be stored transposed (A as
/// k x m, B as n x k), as when a transpose was folded into it.
struct MatmulLayout {
  bool lhsTransposed = false, rhsTransposed = false;
};

/// The layout of `op` if it computes `C[i, j] += A[i, k] * B[k, j]` on
/// static f32 buffers, A and B in either layout.
std::optional<MatmulLayout> matmulLayout(mlir::linalg::GenericOp op);

/// Whether the matmul `op` is one a warp per row of C computes: A is read
/// by rows (not transposed) and a row of C takes at most `maxMacsPerRow`
/// multiply-adds (n x k; 0: none is).
bool isRowMatmul(mlir::linalg::GenericOp op, MatmulLayout layout,
                 int64_t maxMacsPerRow);

} // namespace tick

#endif // TICK_LIB_TRANSFORMS_MATMULS_H
