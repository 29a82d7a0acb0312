//===- WidenReductions.cpp - partial sums across a row's chunks -----------===//
//
// Rows longer than a few registers are reduced in chunks (tick-vectorize),
// each chunk added into the row's loop-carried sum: a reduction across the
// chunk's lanes, a chain of shuffles and adds, for every chunk. Keeping
// the chunk's shape as the accumulator makes each step one vector add and
// leaves one reduction across lanes after the loop.
//
//===----------------------------------------------------------------------===//

#include "ReducedProducts.h"
#include "tick/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"

namespace tick {
#define GEN_PASS_DEF_TICKWIDENREDUCTIONS
#include "tick/Transforms/Passes.h.inc"
} // namespace tick

using namespace mlir;

namespace {

/// How one iteration adds a chunk into the loop-carried sum `acc`: the
/// chunk's shape, the dimensions reduced, and the chunk-wide step.
struct ChunkSum {
  Operation *op = nullptr;
  VectorType chunkType;
  SmallVector<int64_t> reducedDims;
  std::function<Value(OpBuilder &, Location, Value)> addInto;
};

/// The op adding a chunk into `acc` when it does nothing else with it: a
/// sum of the chunk, or of the elementwise product of two chunks.
std::optional<ChunkSum> chunkSum(BlockArgument acc) {
  if (!acc.hasOneUse())
    return std::nullopt;
  Operation *user = *acc.getUsers().begin();
  ChunkSum sum;
  sum.op = user;
  if (auto reduction = dyn_cast<vector::MultiDimReductionOp>(user)) {
    if (reduction.getKind() != vector::CombiningKind::ADD ||
        reduction.getAcc() != acc)
      return std::nullopt;
    sum.chunkType = reduction.getSourceVectorType();
    llvm::append_range(sum.reducedDims, reduction.getReductionDims());
    Value chunk = reduction.getSource();
    sum.addInto = [chunk](OpBuilder &b, Location loc, Value wide) {
      return arith::AddFOp::create(b, loc, wide, chunk).getResult();
    };
  } else if (auto contract = dyn_cast<vector::ContractionOp>(user)) {
    if (contract.getAcc() != acc ||
        !tick::isReducedElementwiseProduct(contract))
      return std::nullopt;
    sum.chunkType = contract.getLhsType();
    for (auto [dim, type] : llvm::enumerate(contract.getIteratorTypesArray()))
      if (type == vector::IteratorType::reduction)
        sum.reducedDims.push_back(dim);
    Value lhs = contract.getLhs(), rhs = contract.getRhs();
    sum.addInto = [lhs, rhs](OpBuilder &b, Location loc, Value wide) {
      return vector::FMAOp::create(b, loc, lhs, rhs, wide).getResult();
    };
  } else {
    return std::nullopt;
  }
  if (!isa<FloatType>(sum.chunkType.getElementType()) ||
      sum.chunkType.isScalable() || !user->getResult(0).hasOneUse())
    return std::nullopt;
  // The sum is what the iteration yields for acc, and nothing else reads it.
  auto yield = dyn_cast<scf::YieldOp>(*user->getResult(0).getUsers().begin());
  auto loop = cast<scf::ForOp>(acc.getOwner()->getParentOp());
  if (!yield || yield->getParentOp() != loop ||
      yield.getOperand(acc.getArgNumber() - loop.getNumInductionVars()) !=
          user->getResult(0))
    return std::nullopt;
  return sum;
}

/// Widens the first accumulator of `loop` that can be: returns the loop
/// that replaces it, or null when none can.
scf::ForOp widenOne(RewriterBase &rewriter, scf::ForOp loop) {
  for (auto [index, acc] : llvm::enumerate(loop.getRegionIterArgs())) {
    std::optional<ChunkSum> sum = chunkSum(acc);
    if (!sum)
      continue;
    Location loc = loop.getLoc();
    rewriter.setInsertionPoint(loop);
    Value zeros = arith::ConstantOp::create(
        rewriter, loc, sum->chunkType, rewriter.getZeroAttr(sum->chunkType));
    FailureOr<LoopLikeOpInterface> widened =
        loop.replaceWithAdditionalYields(
            rewriter, ValueRange{zeros}, /*replaceInitOperandUsesInLoop=*/false,
            [&](OpBuilder &b, Location loc, ArrayRef<BlockArgument> wide) {
              return SmallVector<Value>{sum->addInto(b, loc, wide.front())};
            });
    if (failed(widened))
      return nullptr;
    // The old accumulator now passes through the loop unchanged.
    auto newLoop = cast<scf::ForOp>(widened->getOperation());
    rewriter.replaceOp(sum->op, newLoop.getRegionIterArgs()[index]);
    rewriter.setInsertionPointAfter(newLoop);
    Value before = newLoop.getResult(index);
    SmallVector<bool> reduced(sum->chunkType.getRank(), false);
    for (int64_t dim : sum->reducedDims)
      reduced[dim] = true;
    Value total = vector::MultiDimReductionOp::create(
        rewriter, loc, newLoop.getResults().back(), before, reduced,
        vector::CombiningKind::ADD);
    rewriter.replaceAllUsesExcept(before, total, total.getDefiningOp());
    return newLoop;
  }
  return nullptr;
}

struct WidenReductionsPass
    : tick::impl::TickWidenReductionsBase<WidenReductionsPass> {
  void runOnOperation() override {
    SmallVector<scf::ForOp> loops;
    getOperation().walk([&](scf::ForOp loop) { loops.push_back(loop); });
    IRRewriter rewriter(&getContext());
    for (scf::ForOp loop : loops)
      while (scf::ForOp widened = widenOne(rewriter, loop))
        loop = widened;
  }
};

} // namespace
