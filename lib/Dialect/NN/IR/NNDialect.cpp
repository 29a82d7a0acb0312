//===- NNDialect.cpp - nn dialect registration ----------------------------===//

#include "tick/Dialect/NN/IR/NNDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "mlir/Transforms/InliningUtils.h"
#include "tick/Dialect/NN/IR/NNOps.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace tick::nn;

#include "tick/Dialect/NN/IR/NNOpsDialect.cpp.inc"
#include "tick/Dialect/NN/IR/NNOpsEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "tick/Dialect/NN/IR/NNOpsAttributes.cpp.inc"

namespace {
/// nn ops are pure tensor computations: a call to a function made of them
/// can always be replaced by its body, which lets fusion cross the call
/// from @loss into @forward.
struct NNInlinerInterface : DialectInlinerInterface {
  using DialectInlinerInterface::DialectInlinerInterface;
  bool isLegalToInline(Operation *, Region *, bool, IRMapping &) const final {
    return true;
  }
};
} // namespace

void NNDialect::initialize() {
  addInterfaces<NNInlinerInterface>();
  addAttributes<
#define GET_ATTRDEF_LIST
#include "tick/Dialect/NN/IR/NNOpsAttributes.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "tick/Dialect/NN/IR/NNOps.cpp.inc"
      >();
}
