//===- DotProducts.h - matmuls of a transposed right operand ----*- C++ -*-===//
//
// y = x * w^T (a Linear layer's forward, w in PyTorch's [out, in] layout)
// reads both operands along the reduction. Rather than transposing w every
// tick, each output block keeps one vector accumulator per output element,
// multiplying `lanes` steps of the reduction at a time, and adds the
// accumulators' lanes once at the end of the reduction.
//
// Where x is a parallel block of a few 16-lane vectors of rows,
// transposing x (and the block of y) is cheaper still: y^T = w x^T is
// then an ordinary matmul whose register blocks broadcast elements of w
// against vectors of x^T rows, with no lanes to add up at the end.
//
//===----------------------------------------------------------------------===//

#ifndef TICK_LIB_TRANSFORMS_DOTPRODUCTS_H
#define TICK_LIB_TRANSFORMS_DOTPRODUCTS_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/PatternMatch.h"

namespace tick {

/// True for C[i, j] += A[i, k] * B[j, k] on static f32 tensors whose
/// reduction is a whole number of `lanes`-wide vectors.
bool isDotProductMatmul(mlir::linalg::LinalgOp op, int64_t lanes);

/// The [rows, columns] of output elements one register block computes:
/// at most `lanes` accumulators, dividing the op's ranges.
std::pair<int64_t, int64_t> dotProductBlock(mlir::linalg::LinalgOp op,
                                            int64_t lanes);

/// Replaces `op` (a dot-product matmul tiled to one register block) with
/// vector code on its tensors.
void vectorizeDotProducts(mlir::RewriterBase &rewriter,
                          mlir::linalg::LinalgOp op, int64_t lanes);

/// True for a dot-product matmul whose rows (of x and y) are a whole
/// number of `lanes`-wide vectors, 16 lanes or more, and whose transposed
/// x and y take at most `maxBytes` each.
bool isTransposableRowBlock(mlir::linalg::LinalgOp op, int64_t lanes,
                            int64_t maxBytes);

/// Replaces `op` (y += x w^T) with transposes of x and y, the matmul
/// y^T += w x^T, and the transpose of its result back into y.
void transposeRowBlock(mlir::RewriterBase &rewriter,
                       mlir::linalg::LinalgOp op);

} // namespace tick

#endif // TICK_LIB_TRANSFORMS_DOTPRODUCTS_H
