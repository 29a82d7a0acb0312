//===- GPUReductions.cpp - what the GPU reduction kernels share -----------===//

#include "GPUReductions.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/IRMapping.h"

#include <limits>

using namespace mlir;

namespace tick {

std::optional<SmallVector<Combiner>> reductionCombiners(linalg::GenericOp op) {
  unsigned loops = op.getNumLoops();
  if (!op.hasPureBufferSemantics() || loops < 1 ||
      op.getNumReductionLoops() != 1 ||
      op.getIteratorTypesArray()[loops - 1] != utils::IteratorType::reduction)
    return std::nullopt;
  if (llvm::any_of(op.getStaticLoopRanges(), ShapedType::isDynamic))
    return std::nullopt;
  Block &body = op.getRegion().front();
  auto outs = body.getArguments().drop_front(op.getNumDpsInputs());
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  SmallVector<Combiner> combiners;
  for (auto [value, out] : llvm::zip(yield.getValues(), outs)) {
    Operation *combine = value.getDefiningOp();
    if (!combine || combine->getBlock() != &body)
      return std::nullopt;
    if (isa<arith::AddFOp>(combine) && value.getType().isF32())
      combiners.push_back(Combiner::AddF);
    else if (isa<arith::MaximumFOp>(combine) && value.getType().isF32())
      combiners.push_back(Combiner::MaxF);
    else if (isa<arith::AddIOp>(combine))
      combiners.push_back(Combiner::AddI);
    else if (isa<arith::MinSIOp>(combine))
      combiners.push_back(Combiner::MinSI);
    else
      return std::nullopt;
    Value lhs = combine->getOperand(0), rhs = combine->getOperand(1);
    if (lhs != out && rhs != out)
      return std::nullopt;
  }
  // Outputs are read only by their own combining step: a thread's partial
  // result then stands for the output everywhere.
  for (auto [out, value] : llvm::zip(outs, yield.getValues()))
    for (Operation *user : out.getUsers())
      if (user != value.getDefiningOp())
        return std::nullopt;
  return combiners;
}

bool outputsFitShuffles(linalg::GenericOp op) {
  return llvm::all_of(op.getDpsInits(), [](Value output) {
    return getElementTypeOrSelf(output.getType()).getIntOrFloatBitWidth() == 32;
  });
}

Value combine(OpBuilder &b, Location loc, Combiner c, Value x, Value y) {
  switch (c) {
  case Combiner::AddF:
    return arith::AddFOp::create(b, loc, x, y);
  case Combiner::MaxF:
    return arith::MaximumFOp::create(b, loc, x, y);
  case Combiner::AddI:
    return arith::AddIOp::create(b, loc, x, y);
  case Combiner::MinSI:
    return arith::MinSIOp::create(b, loc, x, y);
  }
  llvm_unreachable("unknown combiner");
}

LogicalResult checkRowsPerBlock(Operation *op, StringRef pass,
                                int64_t rowsPerBlock) {
  if (rowsPerBlock >= 1 && rowsPerBlock <= 32)
    return success();
  return op->emitError() << pass
                         << ": rows-per-block must be from 1 to 32 (a block "
                            "of at most 1024 threads), not "
                         << rowsPerBlock;
}

Value identity(OpBuilder &b, Location loc, Combiner c, Type type) {
  switch (c) {
  case Combiner::AddF:
    return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0.0f));
  case Combiner::MaxF:
    return arith::ConstantOp::create(
        b, loc, b.getF32FloatAttr(-std::numeric_limits<float>::infinity()));
  case Combiner::AddI:
    return arith::ConstantOp::create(b, loc, b.getIntegerAttr(type, 0));
  case Combiner::MinSI:
    return arith::ConstantOp::create(
        b, loc,
        b.getIntegerAttr(type, APInt::getSignedMaxValue(
                                   type.getIntOrFloatBitWidth())));
  }
  llvm_unreachable("unknown combiner");
}

/// The indices of `map` at loop indices `ivs`.
static SmallVector<Value> indicesAt(OpBuilder &b, Location loc, AffineMap map,
                                    ValueRange ivs) {
  SmallVector<Value> indices;
  for (AffineExpr expr : map.getResults())
    indices.push_back(affine::AffineApplyOp::create(
        b, loc, AffineMap::get(map.getNumDims(), 0, expr), ivs));
  return indices;
}

SmallVector<Value> applyBody(OpBuilder &b, linalg::GenericOp op, ValueRange ivs,
                             ValueRange inputs, ValueRange outputs) {
  Block &body = op.getRegion().front();
  IRMapping mapping;
  mapping.map(body.getArguments().take_front(op.getNumDpsInputs()), inputs);
  mapping.map(body.getArguments().drop_front(op.getNumDpsInputs()), outputs);
  for (Operation &bodyOp : body.without_terminator()) {
    if (auto index = dyn_cast<linalg::IndexOp>(bodyOp)) {
      mapping.map(index.getResult(), ivs[index.getDim()]);
      continue;
    }
    b.clone(bodyOp, mapping);
  }
  SmallVector<Value> next;
  for (Value v : body.getTerminator()->getOperands())
    next.push_back(mapping.lookupOrDefault(v));
  return next;
}

SmallVector<Value> reduceOneElement(OpBuilder &b, Location loc,
                                    linalg::GenericOp op, ValueRange ivs,
                                    ValueRange partials) {
  SmallVector<Value> inputs;
  for (OpOperand *input : op.getDpsInputOperands())
    inputs.push_back(memref::LoadOp::create(
        b, loc, input->get(),
        indicesAt(b, loc, op.getMatchingIndexingMap(input), ivs)));
  return applyBody(b, op, ivs, inputs, partials);
}

SmallVector<std::optional<FoldedInit>> foldedInits(linalg::GenericOp op) {
  SmallVector<std::optional<FoldedInit>> inits;
  for (Value output : op.getDpsInits())
    inits.push_back(llvm::count(op.getDpsInits(), output) == 1
                        ? FoldedInit::find(op, output)
                        : std::nullopt);
  return inits;
}

void storeTotals(OpBuilder &b, Location loc, linalg::GenericOp op,
                 ValueRange ivs, ValueRange totals,
                 ArrayRef<Combiner> combiners,
                 MutableArrayRef<std::optional<FoldedInit>> inits) {
  for (auto [output, total, c, init] :
       llvm::zip(op.getDpsInitsMutable(), totals, combiners, inits)) {
    SmallVector<Value> indices =
        indicesAt(b, loc, op.getMatchingIndexingMap(&output), ivs);
    Value initial =
        init
            ? init->valueAt(b, loc, indices)
            : memref::LoadOp::create(b, loc, output.get(), indices).getResult();
    memref::StoreOp::create(b, loc, combine(b, loc, c, initial, total),
                            output.get(), indices);
  }
}

void eraseReduced(linalg::GenericOp op,
                  MutableArrayRef<std::optional<FoldedInit>> inits) {
  op.erase();
  for (std::optional<FoldedInit> &init : inits)
    if (init)
      init->erase();
}

} // namespace tick
