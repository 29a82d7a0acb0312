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
#include "mlir/IR/TypeUtilities.h"

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

/// A parameter read or write must name an nn.parameter and use its type.
static LogicalResult verifyParameterUse(Operation *op,
                                        SymbolTableCollection &symbolTable,
                                        FlatSymbolRefAttr name, Type type) {
  auto param = symbolTable.lookupNearestSymbolFrom<ParameterOp>(op, name);
  if (!param)
    return op->emitOpError("expects an nn.parameter named @")
           << name.getValue() << " in an enclosing module";
  if (param.getType() != type)
    return op->emitOpError("expects the declared type of @")
           << name.getValue() << ", " << param.getType() << ", got " << type;
  return success();
}

LogicalResult
GetParameterOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  return verifyParameterUse(*this, symbolTable, getNameAttr(), getType());
}

LogicalResult
SetParameterOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  return verifyParameterUse(*this, symbolTable, getNameAttr(),
                            getValue().getType());
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

/// Labels index the rows of the logits one to one.
static LogicalResult verifyLabels(Operation *op, Value logitsValue,
                                  Value labelsValue) {
  ShapedType logits = shapedOf(logitsValue), labels = shapedOf(labelsValue);
  if (!dimsMatch(labels.getDimSize(0), logits.getDimSize(0)))
    return op->emitOpError("expects one label per row of logits, got ")
           << labels.getDimSize(0) << " labels and " << logits.getDimSize(0)
           << " rows";
  if (logits.getDimSize(1) == 0)
    return op->emitOpError("expects at least one class");
  return success();
}

LogicalResult CrossEntropyOp::verify() {
  if (failed(verifyOneElementType(*this)))
    return failure();
  return verifyLabels(*this, getLogits(), getLabels());
}

//===----------------------------------------------------------------------===//
// Gradient ops
//===----------------------------------------------------------------------===//

static RankedTensorType matrixType(int64_t rows, int64_t cols, Type element) {
  return RankedTensorType::get({rows, cols}, element);
}

/// The [rows, cols] tensor type of `v`, or null. Result types are inferred
/// while parsing, before the operand type constraints are checked, so the
/// inference must not assume them.
static RankedTensorType matrixOf(Value v) {
  auto type = dyn_cast<RankedTensorType>(v.getType());
  return type && type.getRank() == 2 ? type : RankedTensorType();
}

static LogicalResult notMatrices(std::optional<Location> loc) {
  return emitOptionalError(loc, "expects 2D tensor operands");
}

LogicalResult LinearGradInputOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<Type> &inferred) {
  RankedTensorType dy = matrixOf(adaptor.getResultGrad());
  RankedTensorType w = matrixOf(adaptor.getWeight());
  if (!dy || !w)
    return notMatrices(loc);
  inferred.push_back(
      matrixType(dy.getDimSize(0), w.getDimSize(1), dy.getElementType()));
  return success();
}

LogicalResult LinearGradInputOp::verify() {
  int64_t features = shapedOf(getResultGrad()).getDimSize(1);
  int64_t out = shapedOf(getWeight()).getDimSize(0);
  if (!dimsMatch(features, out))
    return emitOpError("expects output gradient features to equal the "
                       "weight's out_features, got ")
           << features << " and " << out;
  return verifyOneElementType(*this);
}

LogicalResult LinearGradWeightOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<Type> &inferred) {
  RankedTensorType dy = matrixOf(adaptor.getResultGrad());
  RankedTensorType x = matrixOf(adaptor.getInput());
  if (!dy || !x)
    return notMatrices(loc);
  inferred.push_back(
      matrixType(dy.getDimSize(1), x.getDimSize(1), dy.getElementType()));
  return success();
}

LogicalResult LinearGradWeightOp::verify() {
  int64_t dyBatch = shapedOf(getResultGrad()).getDimSize(0);
  int64_t xBatch = shapedOf(getInput()).getDimSize(0);
  if (!dimsMatch(dyBatch, xBatch))
    return emitOpError("expects output gradient and input batch sizes to "
                       "match, got ")
           << dyBatch << " and " << xBatch;
  return verifyOneElementType(*this);
}

LogicalResult LinearGradBiasOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<Type> &inferred) {
  RankedTensorType dy = matrixOf(adaptor.getResultGrad());
  if (!dy)
    return notMatrices(loc);
  inferred.push_back(
      RankedTensorType::get({dy.getDimSize(1)}, dy.getElementType()));
  return success();
}

LogicalResult LayerNormGradOp::inferReturnTypes(
    MLIRContext *, std::optional<Location>, Adaptor adaptor,
    SmallVectorImpl<Type> &inferred) {
  inferred.push_back(adaptor.getInput().getType());
  inferred.push_back(adaptor.getWeight().getType());
  inferred.push_back(adaptor.getWeight().getType());
  return success();
}

LogicalResult LayerNormGradOp::verify() {
  ShapedType dy = shapedOf(getResultGrad()), x = shapedOf(getInput());
  if (failed(verifyCompatibleShape(dy, x)))
    return emitOpError("expects the output gradient shape to equal the input "
                       "shape, got ")
           << dy << " and " << x;
  int64_t weightSize = shapedOf(getWeight()).getDimSize(0);
  if (!dimsMatch(weightSize, x.getDimSize(1)))
    return emitOpError("expects weight size to equal the normalized "
                       "features, got ")
           << weightSize << " and " << x.getDimSize(1);
  return verifyOneElementType(*this);
}

LogicalResult CrossEntropyGradOp::verify() {
  if (failed(verifyOneElementType(*this)))
    return failure();
  return verifyLabels(*this, getLogits(), getLabels());
}

//===----------------------------------------------------------------------===//
// Metrics and optimizers
//===----------------------------------------------------------------------===//

LogicalResult CorrectCountOp::inferReturnTypes(
    MLIRContext *context, std::optional<Location>, Adaptor,
    SmallVectorImpl<Type> &inferred) {
  inferred.push_back(RankedTensorType::get({}, IntegerType::get(context, 64)));
  return success();
}

LogicalResult CorrectCountOp::verify() {
  return verifyLabels(*this, getLogits(), getLabels());
}

LogicalResult SGDStepOp::verify() {
  if (getLr().convertToDouble() < 0 || getMomentum().convertToDouble() < 0 ||
      getWeightDecay().convertToDouble() < 0)
    return emitOpError("expects non-negative lr, momentum and weight_decay");
  return success();
}

LogicalResult AdamStepOp::verify() {
  double beta1 = getBeta1().convertToDouble();
  double beta2 = getBeta2().convertToDouble();
  if (getLr().convertToDouble() < 0 || beta1 < 0 || beta1 >= 1 || beta2 < 0 ||
      beta2 >= 1 || !(getEps().convertToDouble() > 0) ||
      getWeightDecay().convertToDouble() < 0)
    return emitOpError("expects lr >= 0, betas in [0, 1), eps > 0 and "
                       "weight_decay >= 0");
  if (shapedOf(getStep()).getElementType() !=
      shapedOf(getParam()).getElementType())
    return emitOpError("expects the step count in the parameter's element "
                       "type, got ")
           << getStep().getType();
  return success();
}

#define GET_OP_CLASSES
#include "tick/Dialect/NN/IR/NNOps.cpp.inc"
