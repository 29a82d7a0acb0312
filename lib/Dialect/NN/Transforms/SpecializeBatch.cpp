//===- SpecializeBatch.cpp - static batch size ----------------------------===//
//
// The code generators tile and vectorize static shapes; the batch is the
// only dimension a model leaves dynamic, so fixing it makes every shape
// static. Types are rewritten in place: the nn ops' shape rules hold for
// any batch size, so they stay valid.
//
//===----------------------------------------------------------------------===//

#include "tick/Dialect/NN/IR/NNOps.h"
#include "tick/Dialect/NN/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace tick::nn {
#define GEN_PASS_DEF_NNSPECIALIZEBATCH
#include "tick/Dialect/NN/Transforms/Passes.h.inc"
} // namespace tick::nn

using namespace mlir;
using namespace tick::nn;

namespace {

struct SpecializeBatchPass
    : tick::nn::impl::NNSpecializeBatchBase<SpecializeBatchPass> {
  using Base::Base;

  void runOnOperation() override {
    if (batchSize <= 0) {
      getOperation().emitError("batch-size must be positive, got ")
          << static_cast<int64_t>(batchSize);
      return signalPassFailure();
    }
    WalkResult result = getOperation().walk([&](Operation *op) {
      for (Region &region : op->getRegions())
        for (Block &block : region)
          for (BlockArgument arg : block.getArguments())
            if (failed(specialize(arg, op->getLoc())))
              return WalkResult::interrupt();
      for (Value v : op->getResults())
        if (failed(specialize(v, op->getLoc())))
          return WalkResult::interrupt();
      if (auto func = dyn_cast<func::FuncOp>(op))
        func.setType(specialize(func.getFunctionType()));
      return WalkResult::advance();
    });
    if (result.wasInterrupted())
      signalPassFailure();
  }

  /// The type with a static batch, or null if a non-batch dim is dynamic.
  RankedTensorType specialize(RankedTensorType type) {
    if (type.getRank() == 0 || !ShapedType::isDynamic(type.getDimSize(0)))
      return type;
    SmallVector<int64_t> shape(type.getShape());
    shape[0] = batchSize;
    return type.clone(shape);
  }

  Type specialize(Type type) {
    auto tensor = dyn_cast<RankedTensorType>(type);
    return tensor ? specialize(tensor) : type;
  }

  FunctionType specialize(FunctionType type) {
    auto map = [&](TypeRange types) {
      return llvm::map_to_vector(types, [&](Type t) { return specialize(t); });
    };
    return FunctionType::get(type.getContext(), map(type.getInputs()),
                             map(type.getResults()));
  }

  LogicalResult specialize(Value value, Location loc) {
    auto type = dyn_cast<RankedTensorType>(value.getType());
    if (!type)
      return success();
    RankedTensorType fixed = specialize(type);
    if (!fixed.hasStaticShape())
      return emitError(loc, "expects only the batch dimension (0) to be "
                            "dynamic, got ")
             << type;
    value.setType(fixed);
    return success();
  }
};

} // namespace
