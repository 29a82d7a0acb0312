//===- DropLoopBarriers.cpp - loops that nothing waits for ----------------===//
//
// Every work-sharing loop ends with a barrier: a thread that finished its
// iterations waits for the others. Where nothing the threads run before
// the next barrier reads what the loop writes, or writes what it reads or
// writes (the optimizer steps of different parameters, a transposed
// weight computed beside an unrelated loop), the wait protects nothing,
// and the loop becomes `nowait`. The end of the parallel region is a
// barrier of its own.
//
// Consecutive loops over the same blocks of rows (a matmul's block, then
// its LayerNorm's statistics, then its output) also depend on each other
// only within a block: where every access of a buffer both touch is to
// iteration i's rows [i, i + step), and both loops have the same bounds
// and a static schedule, iteration i of both runs on the same thread (as
// tick-static-loop-ranges divides them, and as OpenMP's static schedule
// does), in order, so the first need not wait either.
//
//===----------------------------------------------------------------------===//

#include "BufferEffects.h"
#include "WorkshareLoops.h"
#include "tick/Transforms/Passes.h"

#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Interfaces/ValueBoundsOpInterface.h"
#include "mlir/Interfaces/VectorInterfaces.h"

namespace tick {
#define GEN_PASS_DEF_TICKDROPLOOPBARRIERS
#include "tick/Transforms/Passes.h.inc"
} // namespace tick

using namespace mlir;

namespace {

bool sameIterations(omp::LoopNestOp a, omp::LoopNestOp b) {
  auto same = [](Value x, Value y) {
    std::optional<int64_t> cx = getConstantIntValue(x);
    std::optional<int64_t> cy = getConstantIntValue(y);
    return x == y || (cx && cy && *cx == *cy);
  };
  return same(a.getLoopLowerBounds()[0], b.getLoopLowerBounds()[0]) &&
         same(a.getLoopUpperBounds()[0], b.getLoopUpperBounds()[0]) &&
         same(a.getLoopSteps()[0], b.getLoopSteps()[0]) &&
         a.getLoopInclusive() == b.getLoopInclusive();
}

/// Whether `access` (a memref an op in `nest` reads or writes) is a view
/// of the iteration's block of rows: a subview that `nest` takes of the
/// buffer itself, rows [iv, iv + step).
bool isRowBlockView(Value access, omp::LoopNestOp nest) {
  Value iv = nest.getRegion().front().getArgument(0);
  std::optional<int64_t> step = getConstantIntValue(nest.getLoopSteps()[0]);
  while (auto view = access.getDefiningOp<ViewLikeOpInterface>()) {
    Value source = view.getViewSource();
    if (source.getDefiningOp<ViewLikeOpInterface>()) {
      access = source;
      continue;
    }
    auto rows = dyn_cast<memref::SubViewOp>(view.getOperation());
    if (!rows || !nest->isAncestor(rows) || !step)
      return false;
    std::optional<int64_t> size = getConstantIntValue(rows.getMixedSizes()[0]);
    std::optional<int64_t> stride =
        getConstantIntValue(rows.getMixedStrides()[0]);
    return dyn_cast_if_present<Value>(rows.getMixedOffsets()[0]) == iv &&
           size == step && stride == 1;
  }
  return false;
}

/// The first index and the number of rows an op reading or writing a
/// buffer by indices touches from it; nullopt for other ops.
std::optional<std::pair<Value, int64_t>> rowsByIndex(Operation *op) {
  if (auto load = dyn_cast<memref::LoadOp>(op))
    return std::make_pair(load.getIndices()[0], int64_t{1});
  if (auto store = dyn_cast<memref::StoreOp>(op))
    return std::make_pair(store.getIndices()[0], int64_t{1});
  auto transfer = dyn_cast<VectorTransferOpInterface>(op);
  if (!transfer || transfer.getIndices().empty())
    return std::nullopt;
  // Rows a vector dimension runs along, or one row.
  int64_t rows = 1;
  AffineExpr row = getAffineDimExpr(0, op->getContext());
  for (auto [position, result] :
       llvm::enumerate(transfer.getPermutationMap().getResults()))
    if (result == row)
      rows = transfer.getVectorType().getDimSize(position);
  return std::make_pair(transfer.getIndices()[0], rows);
}

/// Whether every access of `buffer` in `loop` stays in the rows of its
/// iteration [iv, iv + step): through a subview of those rows, or by an
/// index that the loop bounds keep there (iv + j, j < step).
bool touchesOnlyItsRows(omp::WsloopOp loop, omp::LoopNestOp nest,
                        Value buffer) {
  Value iv = nest.getRegion().front().getArgument(0);
  std::optional<int64_t> step = getConstantIntValue(nest.getLoopSteps()[0]);
  if (!step)
    return false;
  MLIRContext *context = loop.getContext();
  // offset(index) = index - iv
  AffineMap offset = AffineMap::get(
      0, 2, getAffineSymbolExpr(0, context) - getAffineSymbolExpr(1, context));
  Builder builder(context);
  WalkResult walk = loop->walk([&](Operation *op) {
    FailureOr<tick::BufferAccesses> accesses = tick::ownAccesses(op);
    if (failed(accesses))
      return WalkResult::interrupt();
    SmallVector<Value> values(accesses->read);
    llvm::append_range(values, accesses->written);
    for (Value value : values) {
      if (tick::rootBuffer(value) != buffer || isRowBlockView(value, nest))
        continue;
      std::optional<std::pair<Value, int64_t>> rows = rowsByIndex(op);
      if (value != buffer || !rows)
        return WalkResult::interrupt();
      using Bounds = ValueBoundsConstraintSet;
      Bounds::Variable first(offset, ValueRange{rows->first, iv});
      if (!Bounds::compare(first, Bounds::ComparisonOperator::GE,
                           Bounds::Variable(builder.getIndexAttr(0))) ||
          !Bounds::compare(
              first, Bounds::ComparisonOperator::LE,
              Bounds::Variable(builder.getIndexAttr(*step - rows->second))))
        return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  return !walk.wasInterrupted();
}

/// Whether `loop`'s threads may go on without waiting. Its barrier
/// separates what the threads run before it, since the previous barrier
/// (`loop`, and code every thread runs, such as a bias read into
/// registers), from what they run after it, up to and including the next
/// op that ends with a barrier. Without it, a thread may be in the first
/// part while another is in the second, so no op of the one may touch
/// memory an op of the other touches, one of them writing; except that
/// `loop` and a later loop with the same iterations may share buffers
/// they touch only in the rows of their own iteration. Those loops are
/// added to `sameRows`.
bool needsNoBarrier(omp::WsloopOp loop,
                    SmallVectorImpl<omp::WsloopOp> &sameRows) {
  // A reduction's result is combined at the loop's end.
  if (!loop.getReductionVars().empty())
    return false;
  FailureOr<tick::BufferAccesses> own = tick::nestedAccesses(loop);
  if (failed(own))
    return false;
  tick::BufferAccesses before;
  for (Operation *op = loop->getPrevNode(); op && !tick::isBarrier(op);
       op = op->getPrevNode()) {
    FailureOr<tick::BufferAccesses> accesses = tick::nestedAccesses(op);
    if (failed(accesses))
      return false;
    llvm::append_range(before.read, accesses->read);
    llvm::append_range(before.written, accesses->written);
  }
  omp::LoopNestOp nest = tick::staticLoopNest(loop);
  for (Operation *op = loop->getNextNode();
       op && !op->hasTrait<OpTrait::IsTerminator>(); op = op->getNextNode()) {
    FailureOr<tick::BufferAccesses> later = tick::nestedAccesses(op);
    if (failed(later) || before.conflictsWith(*later))
      return false;
    if (own->conflictsWith(*later)) {
      auto laterLoop = dyn_cast<omp::WsloopOp>(op);
      omp::LoopNestOp laterNest =
          laterLoop ? tick::staticLoopNest(laterLoop) : nullptr;
      if (!nest || !laterNest || !sameIterations(nest, laterNest) ||
          !own->conflictsAllowed(*later, [&](Value mine, Value theirs) {
            Value buffer = tick::rootBuffer(mine);
            return buffer == tick::rootBuffer(theirs) &&
                   touchesOnlyItsRows(loop, nest, buffer) &&
                   touchesOnlyItsRows(laterLoop, laterNest, buffer);
          }))
        return false;
      sameRows.push_back(laterLoop);
    }
    if (tick::isBarrier(op))
      return true;
  }
  return true;
}

struct DropLoopBarriersPass
    : tick::impl::TickDropLoopBarriersBase<DropLoopBarriersPass> {
  void runOnOperation() override {
    getOperation()->walk([&](omp::ParallelOp region) {
      // Last loop first: whether a loop waits decides how far the threads
      // of the loops before it may run ahead.
      SmallVector<omp::WsloopOp> loops;
      for (Operation &op : region.getRegion().front())
        if (auto loop = dyn_cast<omp::WsloopOp>(op))
          loops.push_back(loop);
      for (omp::WsloopOp loop : llvm::reverse(loops)) {
        SmallVector<omp::WsloopOp> sameRows;
        if (loop.getNowait() || !needsNoBarrier(loop, sameRows))
          continue;
        loop.setNowait(true);
        // The same thread runs the same rows of both only under a static
        // schedule: say so rather than rely on the default.
        if (!sameRows.empty())
          sameRows.push_back(loop);
        for (omp::WsloopOp partner : sameRows)
          partner.setScheduleKind(omp::ClauseScheduleKind::Static);
      }
    });
  }
};

} // namespace
