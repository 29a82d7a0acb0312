//===- Builders.h - pieces shared by the nn lowering patterns ---*- C++ -*-===//

#ifndef TICK_LIB_CONVERSION_NNTOLINALG_BUILDERS_H
#define TICK_LIB_CONVERSION_NNTOLINALG_BUILDERS_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Builders.h"

namespace tick::lowering {

constexpr mlir::utils::IteratorType kPar = mlir::utils::IteratorType::parallel;
constexpr mlir::utils::IteratorType kRed = mlir::utils::IteratorType::reduction;

/// A tensor.empty of `type` whose dynamic sizes are read from the same
/// dimensions of `source` (the op's input, whose leading dimensions the
/// result shares: the batch, or every dimension of an elementwise op).
mlir::Value createEmpty(mlir::OpBuilder &b, mlir::Location loc,
                        mlir::RankedTensorType type, mlir::Value source);

/// A tensor of `type` filled with `value`, the init of a reduction.
mlir::Value createFilled(mlir::OpBuilder &b, mlir::Location loc,
                         mlir::RankedTensorType type, mlir::Value source,
                         mlir::Value value);

mlir::Value floatConstant(mlir::OpBuilder &b, mlir::Location loc,
                          mlir::Type type, double value);

/// Size `dim` of `tensor` as a float of type `type`.
mlir::Value dimAsFloat(mlir::OpBuilder &b, mlir::Location loc,
                       mlir::Value tensor, int64_t dim, mlir::Type type);

/// [rows] of the element type of a [rows, cols] matrix type.
mlir::RankedTensorType rowsOf(mlir::RankedTensorType matrix);
/// [cols] of the element type of a [rows, cols] matrix type.
mlir::RankedTensorType columnsOf(mlir::RankedTensorType matrix);

using BodyFn =
    llvm::function_ref<void(mlir::OpBuilder &, mlir::Location, mlir::ValueRange)>;

/// A linalg.generic whose results are its `outputs`' types.
llvm::SmallVector<mlir::Value>
createGeneric(mlir::OpBuilder &b, mlir::Location loc, mlir::ValueRange inputs,
              mlir::ValueRange outputs, llvm::ArrayRef<mlir::AffineMap> maps,
              llvm::ArrayRef<mlir::utils::IteratorType> iterators, BodyFn body);

void yield(mlir::OpBuilder &b, mlir::Location loc, mlir::ValueRange values);

/// The maps of a [rows, cols] iteration: the matrix, a value per row, a
/// value per column.
struct MatrixMaps {
  mlir::AffineMap matrix, row, column;
  explicit MatrixMaps(mlir::MLIRContext *ctx);
};

/// Per row of x: the mean and 1 / sqrt(biased variance + eps), the
/// variance taken around the mean (no E[x²] - E[x]² cancellation).
struct RowStatistics {
  mlir::Value mean, invStd;
};
RowStatistics buildRowStatistics(mlir::OpBuilder &b, mlir::Location loc,
                                 mlir::Value x, double eps);

/// Per row of logits: the maximum, and the sum of exp(logit - maximum).
struct SoftmaxStatistics {
  mlir::Value max, sumExp;
};
SoftmaxStatistics buildSoftmaxStatistics(mlir::OpBuilder &b, mlir::Location loc,
                                         mlir::Value logits);

} // namespace tick::lowering

#endif // TICK_LIB_CONVERSION_NNTOLINALG_BUILDERS_H
