//===- MergeParallelRegions.cpp - one OpenMP region per entry point -------===//
//
// convert-scf-to-openmp opens one omp.parallel region per parallel loop, so
// a train step forks and joins the thread team some forty times. This pass
// merges the consecutive regions of a block into one: the work-sharing
// loops keep their implicit barriers, and the serial code that lay between
// two regions ("glue") runs in omp.single, whose end is a barrier too,
// unless it only reads.
//
// Glue is handled in four parts:
//  - allocations and ops without memory effects whose operands exist before
//    the first region move above it, so every thread sees the same buffers;
//  - glue that only reads memory (a bias vector loaded into registers)
//    runs in every thread, with no single, and a barrier after it only if
//    the next loop may write what it read;
//  - everything else runs once, in omp.single, in its original order;
//  - values the other glue hands to later code (Adam's bias-corrected step
//    size, computed from the step count it increments) are recomputed by
//    every thread after the single from the same reads, and a barrier
//    follows, so nobody writes what another thread is still reading. Such a read must not be followed
//    by a write in its glue, or the recomputation would see the new value.
// Glue that does not fit (it hands out a value computed by writing memory,
// or holds a parallel region itself) ends the merge there.
//
//===----------------------------------------------------------------------===//

#include "WorkshareLoops.h"
#include "BufferEffects.h"
#include "tick/Transforms/Passes.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/OpenMP/OpenMPDialect.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace tick {
#define GEN_PASS_DEF_TICKMERGEPARALLELREGIONS
#include "tick/Transforms/Passes.h.inc"
} // namespace tick

using namespace mlir;

namespace {

/// The ops strictly between two ops of the same block.
SmallVector<Operation *> opsBetween(Operation *first, Operation *last) {
  SmallVector<Operation *> ops;
  for (Operation *op = first->getNextNode(); op != last; op = op->getNextNode())
    ops.push_back(op);
  return ops;
}

bool isDefinedBefore(Value value, Operation *anchor) {
  Operation *def = value.getDefiningOp();
  Block *block = def ? def->getBlock() : value.getParentBlock();
  if (block != anchor->getBlock())
    return true; // a block argument or a value from an enclosing block
  return def && def->isBeforeInBlock(anchor);
}

/// Allocations and effect-free ops computable before `anchor`.
bool isHoistable(Operation *op, Operation *anchor) {
  if (op->getNumRegions() || op->hasTrait<OpTrait::IsTerminator>())
    return false;
  if (!isa<memref::AllocOp, memref::AllocaOp>(op) && !isMemoryEffectFree(op))
    return false;
  return llvm::all_of(op->getOperands(),
                      [&](Value v) { return isDefinedBefore(v, anchor); });
}

bool isReadOnly(Operation *op) {
  if (op->getNumRegions())
    return false;
  if (isMemoryEffectFree(op))
    return true;
  auto effects = dyn_cast<MemoryEffectOpInterface>(op);
  return effects && effects.onlyHasEffect<MemoryEffects::Read>();
}

/// The glue ops whose values are used after the glue, with the glue ops
/// they are computed from, in block order; failure if every thread could
/// not recompute them safely.
FailureOr<SmallVector<Operation *>> handedOut(ArrayRef<Operation *> glue) {
  llvm::SmallPtrSet<Operation *, 16> inGlue(glue.begin(), glue.end());
  llvm::SmallPtrSet<Operation *, 16> needed;
  SmallVector<Operation *> worklist;
  for (Operation *op : glue)
    for (Operation *user : op->getUsers()) {
      Operation *ancestor = op->getBlock()->findAncestorOpInBlock(*user);
      if (!ancestor || !inGlue.contains(ancestor)) {
        worklist.push_back(op);
        break;
      }
    }
  while (!worklist.empty()) {
    Operation *op = worklist.pop_back_val();
    if (!needed.insert(op).second)
      continue;
    if (!isReadOnly(op))
      return failure();
    for (Value operand : op->getOperands())
      if (Operation *def = operand.getDefiningOp(); def && inGlue.contains(def))
        worklist.push_back(def);
  }
  // Scanning backwards: what the glue writes after each op.
  SmallVector<Operation *> ordered;
  SmallVector<Value> writtenLater;
  bool writesAnythingLater = false;
  for (Operation *op : llvm::reverse(glue)) {
    if (needed.contains(op)) {
      FailureOr<SmallVector<Value>> read = tick::readBuffers(op);
      if (failed(read) && (writesAnythingLater || !writtenLater.empty()))
        return failure();
      for (Value buffer : succeeded(read) ? *read : SmallVector<Value>())
        if (writesAnythingLater ||
            llvm::any_of(writtenLater,
                         [&](Value w) { return tick::mayAlias(buffer, w); }))
          return failure(); // a read of memory the glue writes afterwards
      ordered.push_back(op);
    }
    FailureOr<SmallVector<Value>> written = tick::writtenBuffers(op);
    if (failed(written))
      writesAnythingLater = true;
    else
      llvm::append_range(writtenLater, *written);
  }
  std::reverse(ordered.begin(), ordered.end());
  return ordered;
}

bool isMergeable(omp::ParallelOp region) {
  return region->getNumOperands() == 0 && !region.getProcBindKind() &&
         region.getRegion().hasOneBlock() &&
         region.getRegion().front().getNumArguments() == 0;
}

bool containsParallelRegion(Operation *op) {
  return op->walk([](omp::ParallelOp) { return WalkResult::interrupt(); })
      .wasInterrupted();
}

/// Whether the region's last op leaves every thread waiting for the others.
bool endsWithBarrier(omp::ParallelOp region) {
  Operation *terminator = region.getRegion().front().getTerminator();
  return tick::isBarrier(terminator->getPrevNode());
}

/// Whether the body of `region`, up to the end of its first op that is a
/// barrier, may write memory that `readers` read: a thread running ahead
/// would write it while another thread is still reading.
bool mayOverwriteBeforeBarrier(ArrayRef<Operation *> readers,
                               omp::ParallelOp region) {
  tick::BufferAccesses glue;
  for (Operation *op : readers) {
    FailureOr<SmallVector<Value>> buffers = tick::readBuffers(op);
    if (failed(buffers))
      return true;
    llvm::append_range(glue.read, *buffers);
  }
  if (glue.read.empty())
    return false;
  for (Operation &op : region.getRegion().front().without_terminator()) {
    FailureOr<tick::BufferAccesses> accesses = tick::nestedAccesses(&op);
    if (failed(accesses) || glue.conflictsWith(*accesses))
      return true;
    if (tick::isBarrier(&op))
      return false;
  }
  return true;
}

/// The region between two parallel regions and what it needs.
struct Glue {
  SmallVector<Operation *> ops;        // in block order
  SmallVector<Operation *> recomputed; // by every thread after the single
  bool valid = false;
};

Glue analyzeGlue(omp::ParallelOp before, omp::ParallelOp after) {
  Glue glue;
  glue.ops = opsBetween(before, after);
  if (!isMergeable(before) || !isMergeable(after) ||
      llvm::any_of(glue.ops, containsParallelRegion))
    return glue;
  FailureOr<SmallVector<Operation *>> recomputed = handedOut(glue.ops);
  if (failed(recomputed))
    return glue;
  glue.recomputed = std::move(*recomputed);
  glue.valid = true;
  return glue;
}

/// Whether a value of `glue` is used after `last` (outside a merged region
/// that ends with `last`).
bool isUsedAfter(const Glue &glue, Operation *last) {
  for (Operation *op : glue.ops)
    for (Operation *user : op->getUsers()) {
      Operation *ancestor = op->getBlock()->findAncestorOpInBlock(*user);
      if (ancestor && last->isBeforeInBlock(ancestor))
        return true;
    }
  return false;
}

/// Appends `glue` (in every thread if it only reads, else in an omp.single
/// with its handed-out values recomputed) and the body of `next` to the
/// body of `first`, and erases `next`.
void appendRegion(IRRewriter &rewriter, omp::ParallelOp first,
                  const Glue &glue, omp::ParallelOp next) {
  Block &body = first.getRegion().front();
  Operation *terminator = body.getTerminator();
  Location loc = next.getLoc();
  rewriter.setInsertionPoint(terminator);
  if (!endsWithBarrier(first))
    omp::BarrierOp::create(rewriter, loc);
  if (!glue.ops.empty() && llvm::all_of(glue.ops, isReadOnly)) {
    // Glue that only reads (a bias vector loaded into registers) runs in
    // every thread, after the barrier above: no single, and no barrier
    // after it unless the next loop writes what it read.
    for (Operation *op : glue.ops)
      op->moveBefore(terminator);
    if (mayOverwriteBeforeBarrier(glue.ops, next))
      omp::BarrierOp::create(rewriter, loc);
  } else if (!glue.ops.empty()) {
    auto single = omp::SingleOp::create(rewriter, loc, omp::SingleOperands{});
    Block *singleBody = rewriter.createBlock(&single.getRegion());
    rewriter.setInsertionPointToEnd(singleBody);
    auto singleEnd = omp::TerminatorOp::create(rewriter, loc);
    for (Operation *op : glue.ops)
      op->moveBefore(singleEnd);
    rewriter.setInsertionPoint(terminator);
    IRMapping mapping;
    for (Operation *op : glue.recomputed) {
      Operation *copy = rewriter.clone(*op, mapping);
      for (auto [original, replica] : llvm::zip(op->getResults(), copy->getResults()))
        original.replaceUsesWithIf(replica, [&](OpOperand &use) {
          return !single->isAncestor(use.getOwner());
        });
    }
    if (!glue.recomputed.empty())
      omp::BarrierOp::create(rewriter, loc);
  }
  Block &nextBody = next.getRegion().front();
  rewriter.eraseOp(nextBody.getTerminator());
  body.getOperations().splice(terminator->getIterator(), nextBody.getOperations());
  rewriter.eraseOp(next);
}

struct MergeParallelRegionsPass
    : tick::impl::TickMergeParallelRegionsBase<MergeParallelRegionsPass> {
  void runOnOperation() override {
    SmallVector<Block *> blocks;
    getOperation()->walk([&](Block *block) { blocks.push_back(block); });
    for (Block *block : blocks)
      mergeInBlock(*block);
  }

  void mergeInBlock(Block &block) {
    SmallVector<omp::ParallelOp> regions;
    for (Operation &op : block)
      if (auto region = dyn_cast<omp::ParallelOp>(op))
        regions.push_back(region);
    if (regions.size() < 2)
      return;

    // Allocations and effect-free computations move above the first
    // region: always correct, and what is left between regions is the
    // serial code proper.
    for (Operation *op : opsBetween(regions.front(), regions.back()))
      if (!isa<omp::ParallelOp>(op) && isHoistable(op, regions.front()))
        op->moveBefore(regions.front());

    // glues[k]: between regions[k] and regions[k + 1].
    SmallVector<Glue> glues;
    for (size_t k = 0; k + 1 < regions.size(); ++k)
      glues.push_back(analyzeGlue(regions[k], regions[k + 1]));

    IRRewriter rewriter(&getContext());
    for (size_t start = 0; start < regions.size();) {
      // The longest run of valid glue after `start` whose values are not
      // needed after the run's last region.
      size_t end = start;
      while (end < glues.size() && glues[end].valid)
        ++end;
      auto escapes = [&](size_t last) {
        for (size_t k = start; k < last; ++k)
          if (isUsedAfter(glues[k], regions[last]))
            return true;
        return false;
      };
      while (end > start && escapes(end))
        --end;
      for (size_t k = start; k < end; ++k)
        appendRegion(rewriter, regions[start], glues[k], regions[k + 1]);
      start = end + 1;
    }
  }
};

} // namespace
