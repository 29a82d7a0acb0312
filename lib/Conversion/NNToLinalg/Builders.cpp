//===- Builders.cpp - pieces shared by the nn lowering patterns -----------===//

#include "Builders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;

namespace tick::lowering {

Value createEmpty(OpBuilder &b, Location loc, RankedTensorType type,
                  Value source) {
  SmallVector<Value> dynamicSizes;
  for (auto [dim, size] : llvm::enumerate(type.getShape()))
    if (ShapedType::isDynamic(size))
      dynamicSizes.push_back(tensor::DimOp::create(b, loc, source, dim));
  return tensor::EmptyOp::create(b, loc, type, dynamicSizes);
}

Value createFilled(OpBuilder &b, Location loc, RankedTensorType type,
                   Value source, Value value) {
  Value empty = createEmpty(b, loc, type, source);
  return linalg::FillOp::create(b, loc, value, empty).getResult(0);
}

Value floatConstant(OpBuilder &b, Location loc, Type type, double value) {
  return arith::ConstantOp::create(b, loc, type, b.getFloatAttr(type, value));
}

Value dimAsFloat(OpBuilder &b, Location loc, Value tensor, int64_t dim,
                 Type type) {
  int64_t size = cast<RankedTensorType>(tensor.getType()).getDimSize(dim);
  if (!ShapedType::isDynamic(size))
    return floatConstant(b, loc, type, static_cast<double>(size));
  Value index = tensor::DimOp::create(b, loc, tensor, dim);
  Value integer = arith::IndexCastUIOp::create(b, loc, b.getI64Type(), index);
  return arith::UIToFPOp::create(b, loc, type, integer);
}

RankedTensorType rowsOf(RankedTensorType matrix) {
  return RankedTensorType::get({matrix.getDimSize(0)}, matrix.getElementType());
}

RankedTensorType columnsOf(RankedTensorType matrix) {
  return RankedTensorType::get({matrix.getDimSize(1)}, matrix.getElementType());
}

SmallVector<Value> createGeneric(OpBuilder &b, Location loc, ValueRange inputs,
                                 ValueRange outputs, ArrayRef<AffineMap> maps,
                                 ArrayRef<utils::IteratorType> iterators,
                                 BodyFn body) {
  auto generic = linalg::GenericOp::create(b, loc, TypeRange(outputs), inputs,
                                           outputs, maps, iterators, body);
  return SmallVector<Value>(generic.getResults());
}

void yield(OpBuilder &b, Location loc, ValueRange values) {
  linalg::YieldOp::create(b, loc, values);
}

MatrixMaps::MatrixMaps(MLIRContext *ctx) {
  AffineExpr i, j;
  bindDims(ctx, i, j);
  matrix = AffineMap::get(2, 0, {i, j}, ctx);
  row = AffineMap::get(2, 0, {i}, ctx);
  column = AffineMap::get(2, 0, {j}, ctx);
}

RowStatistics buildRowStatistics(OpBuilder &b, Location loc, Value x,
                                 double epsValue) {
  auto type = cast<RankedTensorType>(x.getType());
  RankedTensorType rowType = rowsOf(type);
  Type element = type.getElementType();
  MatrixMaps m(b.getContext());
  AffineMap vector = AffineMap::getMultiDimIdentityMap(1, b.getContext());
  Value zero = floatConstant(b, loc, element, 0.0);
  Value features = dimAsFloat(b, loc, x, 1, element);
  Value eps = floatConstant(b, loc, element, epsValue);

  Value sum = createGeneric(b, loc, x, createFilled(b, loc, rowType, x, zero),
                            {m.matrix, m.row}, {kPar, kRed},
                            [](OpBuilder &b, Location loc, ValueRange a) {
                              yield(b, loc, arith::AddFOp::create(b, loc, a[1], a[0]).getResult());
                            })[0];
  Value mean = createGeneric(b, loc, sum, createEmpty(b, loc, rowType, x),
                             {vector, vector}, {kPar},
                             [&](OpBuilder &b, Location loc, ValueRange a) {
                               yield(b, loc, arith::DivFOp::create(b, loc, a[0], features).getResult());
                             })[0];
  Value squares = createGeneric(
      b, loc, ValueRange{x, mean}, createFilled(b, loc, rowType, x, zero),
      {m.matrix, m.row, m.row}, {kPar, kRed},
      [](OpBuilder &b, Location loc, ValueRange a) {
        Value d = arith::SubFOp::create(b, loc, a[0], a[1]);
        Value d2 = arith::MulFOp::create(b, loc, d, d);
        yield(b, loc, arith::AddFOp::create(b, loc, a[2], d2).getResult());
      })[0];
  Value invStd = createGeneric(
      b, loc, squares, createEmpty(b, loc, rowType, x), {vector, vector},
      {kPar}, [&](OpBuilder &b, Location loc, ValueRange a) {
        Value var = arith::DivFOp::create(b, loc, a[0], features);
        Value shifted = arith::AddFOp::create(b, loc, var, eps);
        yield(b, loc, math::RsqrtOp::create(b, loc, shifted).getResult());
      })[0];
  return {mean, invStd};
}

SoftmaxStatistics buildSoftmaxStatistics(OpBuilder &b, Location loc,
                                         Value logits) {
  auto type = cast<RankedTensorType>(logits.getType());
  RankedTensorType rowType = rowsOf(type);
  Type element = type.getElementType();
  MatrixMaps m(b.getContext());
  Value zero = floatConstant(b, loc, element, 0.0);
  Value minusInf = arith::ConstantOp::create(
      b, loc, element,
      b.getFloatAttr(element,
                     APFloat::getInf(cast<FloatType>(element).getFloatSemantics(),
                                     /*Negative=*/true)));
  Value max = createGeneric(
      b, loc, logits, createFilled(b, loc, rowType, logits, minusInf),
      {m.matrix, m.row}, {kPar, kRed},
      [](OpBuilder &b, Location loc, ValueRange a) {
        yield(b, loc, arith::MaximumFOp::create(b, loc, a[1], a[0]).getResult());
      })[0];
  Value sumExp = createGeneric(
      b, loc, ValueRange{logits, max},
      createFilled(b, loc, rowType, logits, zero), {m.matrix, m.row, m.row},
      {kPar, kRed}, [](OpBuilder &b, Location loc, ValueRange a) {
        Value shifted = arith::SubFOp::create(b, loc, a[0], a[1]);
        Value e = math::ExpOp::create(b, loc, shifted);
        yield(b, loc, arith::AddFOp::create(b, loc, a[2], e).getResult());
      })[0];
  return {max, sumExp};
}

} // namespace tick::lowering
