//===- ReducedProducts.h - sums of elementwise products --------*- C++ -*-===//

#ifndef TICK_LIB_TRANSFORMS_REDUCEDPRODUCTS_H
#define TICK_LIB_TRANSFORMS_REDUCEDPRODUCTS_H

#include "mlir/Dialect/Vector/IR/VectorOps.h"

namespace tick {

/// True for acc + the sum over some dimensions of lhs * rhs, where lhs and
/// rhs have one shape and are read elementwise (identity maps) and acc
/// keeps the other dimensions in order: what the vectorizer makes of a
/// reduction of a product (a variance, a LayerNorm weight's gradient).
inline bool isReducedElementwiseProduct(mlir::vector::ContractionOp op) {
  llvm::SmallVector<mlir::AffineMap> maps = op.getIndexingMapsArray();
  if (op.getKind() != mlir::vector::CombiningKind::ADD ||
      op.getLhsType() != op.getRhsType() || maps[0] != maps[1] ||
      !maps[0].isIdentity())
    return false;
  llvm::SmallVector<mlir::AffineExpr> kept;
  for (auto [dim, type] : llvm::enumerate(op.getIteratorTypesArray()))
    if (type == mlir::vector::IteratorType::parallel)
      kept.push_back(mlir::getAffineDimExpr(dim, op.getContext()));
  return maps[2] ==
         mlir::AffineMap::get(maps[0].getNumDims(), 0, kept, op.getContext());
}

} // namespace tick

#endif // TICK_LIB_TRANSFORMS_REDUCEDPRODUCTS_H
