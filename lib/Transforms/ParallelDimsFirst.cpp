//===- ParallelDimsFirst.cpp - parallel loops outermost -------------------===//

#include "tick/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/IR/PatternMatch.h"

namespace tick {
#define GEN_PASS_DEF_TICKPARALLELDIMSFIRST
#include "tick/Transforms/Passes.h.inc"
} // namespace tick

using namespace mlir;

namespace {

/// Loop positions with the parallel ones first, each kind in its order;
/// empty when they already are.
SmallVector<unsigned> parallelFirst(linalg::GenericOp op) {
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  SmallVector<unsigned> order;
  for (auto [i, kind] : llvm::enumerate(iterators))
    if (kind == utils::IteratorType::parallel)
      order.push_back(i);
  for (auto [i, kind] : llvm::enumerate(iterators))
    if (kind != utils::IteratorType::parallel)
      order.push_back(i);
  if (llvm::equal(order, llvm::seq<unsigned>(0, iterators.size())))
    return {};
  return order;
}

struct ParallelDimsFirstPass
    : tick::impl::TickParallelDimsFirstBase<ParallelDimsFirstPass> {
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    SmallVector<linalg::GenericOp> generics;
    getOperation().walk([&](linalg::GenericOp op) { generics.push_back(op); });
    for (linalg::GenericOp op : generics) {
      SmallVector<unsigned> order = parallelFirst(op);
      if (order.empty())
        continue;
      rewriter.setInsertionPoint(op);
      // `order` is a permutation of the op's loops: this cannot fail.
      FailureOr<linalg::GenericOp> reordered =
          linalg::interchangeGenericOp(rewriter, op, order);
      assert(succeeded(reordered) && "a permutation of the loops applies");
      (void)reordered;
    }
  }
};

} // namespace
