//===- NNDialect.cpp - nn dialect registration ----------------------------===//

#include "tick/Dialect/NN/IR/NNDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "tick/Dialect/NN/IR/NNOps.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace tick::nn;

#include "tick/Dialect/NN/IR/NNOpsDialect.cpp.inc"
#include "tick/Dialect/NN/IR/NNOpsEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "tick/Dialect/NN/IR/NNOpsAttributes.cpp.inc"

void NNDialect::initialize() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "tick/Dialect/NN/IR/NNOpsAttributes.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "tick/Dialect/NN/IR/NNOps.cpp.inc"
      >();
}
