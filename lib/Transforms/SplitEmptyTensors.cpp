//===- SplitEmptyTensors.cpp - a tensor.empty for each op that fills one --===//
//
// CSE leaves one `tensor.empty` per shape, the init of every op whose
// result has that shape. One-shot bufferization then writes an op's result
// into the buffer an earlier op's result lived in once that result is dead:
// on the GPU, a LayerNorm backward overwriting the activations the last
// layer's weight gradient read before it. The reuse saves a buffer but
// orders the two kernels (the second may not start before the first has
// read), which kept them from launching as one. With an empty tensor of
// its own, each op's result gets a buffer of its own, and only real data
// dependences order kernels.
//
//===----------------------------------------------------------------------===//

#include "tick/Transforms/Passes.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"

namespace tick {
#define GEN_PASS_DEF_TICKSPLITEMPTYTENSORS
#include "tick/Transforms/Passes.h.inc"
} // namespace tick

using namespace mlir;

namespace {

struct SplitEmptyTensorsPass
    : tick::impl::TickSplitEmptyTensorsBase<SplitEmptyTensorsPass> {
  void runOnOperation() override {
    SmallVector<tensor::EmptyOp> empties;
    getOperation().walk([&](tensor::EmptyOp op) { empties.push_back(op); });
    for (tensor::EmptyOp empty : empties) {
      if (empty->hasOneUse() || empty->use_empty())
        continue;
      // Each use gets a copy just before its user.
      SmallVector<OpOperand *> uses = llvm::map_to_vector(
          empty->getUses(), [](OpOperand &use) { return &use; });
      for (OpOperand *use : uses) {
        OpBuilder b(use->getOwner());
        use->set(b.clone(*empty)->getResult(0));
      }
      empty->erase();
    }
  }
};

} // namespace
