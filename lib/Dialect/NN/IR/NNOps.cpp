//===- NNOps.cpp - nn dialect operations ----------------------------------===//
//
// Verifiers of the nn ops. Every shape rule a model can break has its own
// message carrying the offending sizes, so a wrong model gets a
// `file:line:col: error:` that says what to fix. Sizes are compared only
// when both are static: a dynamic batch (`?`) matches any batch.
//
//===----------------------------------------------------------------------===//

#include "tick/Dialect/NN/IR/NNOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpImplementation.h"

using namespace mlir;
using namespace tick::nn;

/// True when two dimension sizes can be equal at run time.
static bool dimsMatch(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) || ShapedType::isDynamic(b) || a == b;
}

static ShapedType shapedOf(Value v) { return cast<ShapedType>(v.getType()); }

/// The nn ops compute in one floating-point type; mixing f32 and f64 would
/// need implicit casts that PyTorch does not do either.
static LogicalResult verifyOneElementType(Operation *op) {
  Type first;
  for (Type t : llvm::concat<Type>(op->getOperandTypes(), op->getResultTypes())) {
    Type element = cast<ShapedType>(t).getElementType();
    if (!isa<FloatType>(element))
      continue;
    if (!first)
      first = element;
    else if (element != first)
      return op->emitOpError("expects one element type for all float operands "
                             "and the result, got ")
             << first << " and " << element;
  }
  return success();
}

//===----------------------------------------------------------------------===//
// ParameterOp
//===----------------------------------------------------------------------===//

LogicalResult ParameterOp::verify() {
  RankedTensorType type = getTensorType();
  if (!isa<Float32Type, Float64Type>(type.getElementType()))
    return emitOpError("expects a tensor of f32 or f64, got ") << type;
  if (!type.hasStaticShape() || type.getNumElements() == 0)
    return emitOpError("expects a static, non-empty shape, got ") << type;

  InitKind init = getInit();
  if (getFanIn() && init != InitKind::FanInUniform)
    return emitOpError("expects fan_in only with fan_in_uniform, got ")
           << stringifyInitKind(init);
  if (init == InitKind::KaimingUniform && type.getRank() != 2)
    return emitOpError("expects a rank-2 [out, in] weight for "
                       "kaiming_uniform, got ")
           << type;
  if (init == InitKind::FanInUniform) {
    if (!getFanIn())
      return emitOpError("expects fan_in_uniform to state its fan_in");
    if (*getFanIn() <= 0)
      return emitOpError("expects a positive fan_in, got ") << *getFanIn();
  }
  return success();
}

//===----------------------------------------------------------------------===//
// GetParameterOp
//===----------------------------------------------------------------------===//

LogicalResult
GetParameterOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  auto param =
      symbolTable.lookupNearestSymbolFrom<ParameterOp>(*this, getNameAttr());
  if (!param)
    return emitOpError("expects an nn.parameter named @")
           << getName() << " in an enclosing module";
  if (param.getType() != getType())
    return emitOpError("expects the declared type of @")
           << getName() << ", " << param.getType() << ", got " << getType();
  return success();
}

//===----------------------------------------------------------------------===//
// LinearOp
//===----------------------------------------------------------------------===//

LogicalResult LinearOp::verify() {
  if (failed(verifyOneElementType(*this)))
    return failure();
  ShapedType input = shapedOf(getInput()), weight = shapedOf(getWeight()),
             result = shapedOf(getResult());
  int64_t inFeatures = weight.getDimSize(1), outFeatures = weight.getDimSize(0);
  if (!dimsMatch(input.getDimSize(1), inFeatures))
    return emitOpError("expects input features to equal the weight's "
                       "in_features, got ")
           << input.getDimSize(1) << " and " << inFeatures;
  if (getBias() && !dimsMatch(shapedOf(getBias()).getDimSize(0), outFeatures))
    return emitOpError("expects bias size to equal the weight's "
                       "out_features, got ")
           << shapedOf(getBias()).getDimSize(0) << " and " << outFeatures;
  if (!dimsMatch(result.getDimSize(0), input.getDimSize(0)))
    return emitOpError("expects result batch size to equal the input's, got ")
           << result.getDimSize(0) << " and " << input.getDimSize(0);
  if (!dimsMatch(result.getDimSize(1), outFeatures))
    return emitOpError("expects result features to equal the weight's "
                       "out_features, got ")
           << result.getDimSize(1) << " and " << outFeatures;
  return success();
}

//===----------------------------------------------------------------------===//
// LayerNormOp
//===----------------------------------------------------------------------===//

LogicalResult LayerNormOp::verify() {
  if (failed(verifyOneElementType(*this)))
    return failure();
  ShapedType input = shapedOf(getInput()), result = shapedOf(getResult());
  int64_t features = input.getDimSize(1);
  int64_t weightSize = shapedOf(getWeight()).getDimSize(0);
  int64_t biasSize = shapedOf(getBias()).getDimSize(0);
  if (!dimsMatch(weightSize, features))
    return emitOpError("expects weight size to equal the normalized "
                       "features, got ")
           << weightSize << " and " << features;
  if (!dimsMatch(biasSize, features))
    return emitOpError("expects bias size to equal the normalized "
                       "features, got ")
           << biasSize << " and " << features;
  if (!dimsMatch(result.getDimSize(0), input.getDimSize(0)) ||
      !dimsMatch(result.getDimSize(1), features))
    return emitOpError("expects the result shape to equal the input shape, "
                       "got ")
           << result << " and " << input;
  if (!(getEps().convertToDouble() > 0.0))
    return emitOpError("expects a positive eps, got ")
           << getEps().convertToDouble();
  return success();
}

//===----------------------------------------------------------------------===//
// FlattenOp
//===----------------------------------------------------------------------===//

LogicalResult FlattenOp::verify() {
  if (failed(verifyOneElementType(*this)))
    return failure();
  ShapedType input = shapedOf(getInput()), result = shapedOf(getResult());
  if (input.getRank() < 2)
    return emitOpError("expects an input of rank 2 or more, got ") << input;
  int64_t features = 1;
  for (int64_t size : input.getShape().drop_front()) {
    if (ShapedType::isDynamic(size))
      return emitOpError("expects static feature dimensions, got ") << input;
    features *= size;
  }
  if (!dimsMatch(result.getDimSize(0), input.getDimSize(0)))
    return emitOpError("expects result batch size to equal the input's, got ")
           << result.getDimSize(0) << " and " << input.getDimSize(0);
  if (!dimsMatch(result.getDimSize(1), features))
    return emitOpError("expects result features to equal the product of the "
                       "input's feature dimensions, got ")
           << result.getDimSize(1) << " and " << features;
  return success();
}

//===----------------------------------------------------------------------===//
// CrossEntropyOp
//===----------------------------------------------------------------------===//

LogicalResult CrossEntropyOp::verify() {
  if (failed(verifyOneElementType(*this)))
    return failure();
  ShapedType logits = shapedOf(getLogits()), labels = shapedOf(getLabels());
  if (!dimsMatch(labels.getDimSize(0), logits.getDimSize(0)))
    return emitOpError("expects one label per row of logits, got ")
           << labels.getDimSize(0) << " labels and " << logits.getDimSize(0)
           << " rows";
  if (logits.getDimSize(1) == 0)
    return emitOpError("expects at least one class");
  return success();
}

#define GET_OP_CLASSES
#include "tick/Dialect/NN/IR/NNOps.cpp.inc"
