//===- VerifyLowered.cpp - no nn op may reach the code generators ---------===//

#include "tick/Dialect/NN/IR/NNDialect.h"
#include "tick/Dialect/NN/Transforms/Passes.h"

namespace tick::nn {
#define GEN_PASS_DEF_NNVERIFYLOWERED
#include "tick/Dialect/NN/Transforms/Passes.h.inc"
} // namespace tick::nn

using namespace mlir;

namespace {

struct VerifyLoweredPass
    : tick::nn::impl::NNVerifyLoweredBase<VerifyLoweredPass> {
  void runOnOperation() override {
    WalkResult result = getOperation().walk([](Operation *op) {
      if (!isa<tick::nn::NNDialect>(op->getDialect()))
        return WalkResult::advance();
      op->emitError("nn op '")
          << op->getName()
          << "' was not lowered: run nn-materialize-parameters and "
             "convert-nn-to-linalg before code generation";
      return WalkResult::interrupt();
    });
    if (result.wasInterrupted())
      signalPassFailure();
  }
};

} // namespace
