//===- MatmulMaps.h - indexing maps of a matmul -----------------*- C++ -*-===//

#ifndef TICK_LIB_TRANSFORMS_MATMULMAPS_H
#define TICK_LIB_TRANSFORMS_MATMULMAPS_H

#include "mlir/IR/AffineMap.h"
#include "llvm/ADT/SmallVector.h"

namespace tick {

/// The indexing maps of C[i, j] += A[i, k] * B[k, j] over loops (i, j, k),
/// with A read as A[k, i] and B as B[j, k] where they are transposed.
inline llvm::SmallVector<mlir::AffineMap>
matmulMaps(mlir::MLIRContext *context, bool lhsTransposed,
           bool rhsTransposed) {
  mlir::AffineExpr i = mlir::getAffineDimExpr(0, context),
                   j = mlir::getAffineDimExpr(1, context),
                   k = mlir::getAffineDimExpr(2, context);
  auto map = [&](mlir::AffineExpr r, mlir::AffineExpr c) {
    return mlir::AffineMap::get(3, 0, {r, c}, context);
  };
  return {lhsTransposed ? map(k, i) : map(i, k),
          rhsTransposed ? map(j, k) : map(k, j), map(i, j)};
}

} // namespace tick

#endif // TICK_LIB_TRANSFORMS_MATMULMAPS_H
