//===- FoldedInit.cpp - an output's initial value, read at its source -----===//

#include "FoldedInit.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

using namespace mlir;
using namespace tick;

/// `out[...] = in[projection]` over all of `out`, or `out[...] = scalar`.
static bool isBroadcastInto(linalg::GenericOp op, Value out) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInputs() != 1 ||
      op.getNumDpsInits() != 1 || op.getDpsInits()[0] != out ||
      op.getNumReductionLoops() != 0)
    return false;
  OpOperand *init = op.getDpsInitOperand(0);
  if (!op.getMatchingIndexingMap(init).isIdentity())
    return false;
  AffineMap inputMap = op.getMatchingIndexingMap(op.getDpsInputOperand(0));
  if (!inputMap.isProjectedPermutation())
    return false;
  Block &body = op.getRegion().front();
  return body.getOperations().size() == 1 &&
         body.getTerminator()->getOperand(0) == body.getArgument(0);
}

/// Whether an op of `block` that uses `v` lies strictly between `from`
/// and `to`.
static bool usedBetween(Value v, Block *block, Operation *from,
                        Operation *to) {
  return llvm::any_of(v.getUsers(), [&](Operation *other) {
    Operation *top = block->findAncestorOpInBlock(*other);
    return !top || (from->isBeforeInBlock(top) && top->isBeforeInBlock(to));
  });
}

/// The latest op before `user` that may write `buffer`: ops that only read
/// it (copies from it, ops taking it as an input) pass.
static Operation *latestWriterBefore(Operation *user, Value buffer) {
  Block *block = user->getBlock();
  Operation *latest = nullptr;
  for (OpOperand &use : buffer.getUses()) {
    Operation *top = block->findAncestorOpInBlock(*use.getOwner());
    if (!top || !top->isBeforeInBlock(user))
      continue;
    auto copy = dyn_cast<memref::CopyOp>(top);
    auto linalgOp = dyn_cast<linalg::LinalgOp>(top);
    bool onlyReads =
        (copy && use.getOwner() == top && copy.getTarget() != buffer) ||
        (linalgOp && use.getOwner() == top && linalgOp.isDpsInput(&use));
    if (!onlyReads && (!latest || latest->isBeforeInBlock(top)))
      latest = top;
  }
  return latest;
}

std::optional<FoldedInit> FoldedInit::find(Operation *user, Value out) {
  Block *block = user->getBlock();
  // The latest op before `user` that uses `out`: the broadcast.
  Operation *latest = nullptr;
  for (Operation *other : out.getUsers()) {
    Operation *top = block->findAncestorOpInBlock(*other);
    if (!top)
      return std::nullopt;
    if (top->isBeforeInBlock(user) &&
        (!latest || latest->isBeforeInBlock(top)))
      latest = top;
  }
  // Or a copy of a buffer that a scalar (zeros) was broadcast into: the
  // copy goes, the buffer and its broadcast stay for their other readers.
  if (auto copy = dyn_cast_or_null<memref::CopyOp>(latest)) {
    if (copy.getTarget() != out || copy.getSource() == out)
      return std::nullopt;
    auto filled = dyn_cast_or_null<linalg::GenericOp>(
        latestWriterBefore(copy, copy.getSource()));
    if (!filled || !isBroadcastInto(filled, copy.getSource()) ||
        isa<MemRefType>(filled.getDpsInputs()[0].getType()))
      return std::nullopt;
    return FoldedInit(copy, filled);
  }
  auto broadcast = dyn_cast_or_null<linalg::GenericOp>(latest);
  if (!broadcast || !isBroadcastInto(broadcast, out))
    return std::nullopt;
  // Its source is read later, by the kernel: nothing may write it between.
  Value source = broadcast.getDpsInputs()[0];
  if (source == out ||
      (isa<MemRefType>(source.getType()) &&
       usedBetween(source, block, broadcast, user)))
    return std::nullopt;
  return FoldedInit(broadcast, broadcast);
}

Value FoldedInit::valueAt(OpBuilder &b, Location loc, ValueRange indices) {
  OpOperand *input = broadcast.getDpsInputOperand(0);
  Value source = input->get();
  if (!isa<MemRefType>(source.getType()))
    return source;
  AffineMap map = broadcast.getMatchingIndexingMap(input);
  SmallVector<Value> sourceIndices;
  for (AffineExpr expr : map.getResults())
    sourceIndices.push_back(indices[cast<AffineDimExpr>(expr).getPosition()]);
  return memref::LoadOp::create(b, loc, source, sourceIndices);
}

std::pair<Value, AffineMap> FoldedInit::source() const {
  linalg::GenericOp op = broadcast;
  OpOperand *input = op.getDpsInputOperand(0);
  return {input->get(), op.getMatchingIndexingMap(input)};
}
