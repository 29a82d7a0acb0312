//===- GPURowReductions.cpp - a warp per row, shuffles to combine ---------===//
//
// One thread per row (what tick-gpu-launch-loops gives a reduction) leaves
// a LayerNorm over 64 rows of 1024 with 64 threads, each reading a row
// alone. Here a warp reduces a row: its 32 lanes read neighbouring
// elements (coalesced), each keeps a partial result, and xor shuffles
// combine the partials in five steps.
//
//===----------------------------------------------------------------------===//

#include "tick/Transforms/Passes.h"

#include "FoldedInit.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"

#include <limits>

namespace tick {
#define GEN_PASS_DEF_TICKGPUROWREDUCTIONS
#include "tick/Transforms/Passes.h.inc"
} // namespace tick

using namespace mlir;
using tick::FoldedInit;

namespace {

constexpr int64_t kWarp = 32;

enum class Combiner { Add, Max };

/// How each output is reduced, or nothing when the op is not a row
/// reduction this pass handles.
std::optional<SmallVector<Combiner>> rowReduction(linalg::GenericOp op) {
  // Rows and a reduction along them, or a reduction of everything to a
  // scalar (one row: the loss's mean over the batch).
  unsigned loops = op.getNumLoops();
  if (!op.hasPureBufferSemantics() || loops < 1 || loops > 2 ||
      op.getNumReductionLoops() != 1 ||
      op.getIteratorTypesArray()[loops - 1] != utils::IteratorType::reduction)
    return std::nullopt;
  if (llvm::any_of(op.getStaticLoopRanges(), ShapedType::isDynamic))
    return std::nullopt;
  // The reduction runs along rows: the innermost index of every input
  // that reads along it.
  AffineExpr along = getAffineDimExpr(loops - 1, op.getContext());
  for (OpOperand *input : op.getDpsInputOperands()) {
    AffineMap map = op.getMatchingIndexingMap(input);
    for (unsigned r = 0; r < map.getNumResults(); ++r)
      if (map.getResult(r).isFunctionOfDim(loops - 1) &&
          (r + 1 != map.getNumResults() || map.getResult(r) != along))
        return std::nullopt;
  }
  Block &body = op.getRegion().front();
  auto outs = body.getArguments().drop_front(op.getNumDpsInputs());
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  SmallVector<Combiner> combiners;
  for (auto [value, out] : llvm::zip(yield.getValues(), outs)) {
    if (!value.getType().isF32())
      return std::nullopt;
    Operation *combine = value.getDefiningOp();
    if (!combine || !isa<arith::AddFOp, arith::MaximumFOp>(combine) ||
        combine->getBlock() != &body)
      return std::nullopt;
    Value lhs = combine->getOperand(0), rhs = combine->getOperand(1);
    Value contribution = lhs == out ? rhs : rhs == out ? lhs : Value();
    if (!contribution)
      return std::nullopt;
    combiners.push_back(isa<arith::AddFOp>(combine) ? Combiner::Add
                                                    : Combiner::Max);
  }
  // Outputs are read only by their own combining step: a lane's partial
  // result then stands for the output everywhere.
  for (auto [out, value] : llvm::zip(outs, yield.getValues()))
    for (Operation *user : out.getUsers())
      if (user != value.getDefiningOp())
        return std::nullopt;
  return combiners;
}

Value combine(OpBuilder &b, Location loc, Combiner c, Value x, Value y) {
  if (c == Combiner::Add)
    return arith::AddFOp::create(b, loc, x, y);
  return arith::MaximumFOp::create(b, loc, x, y);
}

Value identity(OpBuilder &b, Location loc, Combiner c) {
  float value = c == Combiner::Add ? 0.0f
                                   : -std::numeric_limits<float>::infinity();
  return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(value));
}

/// The element of `operand` at loop indices `ivs`.
Value load(OpBuilder &b, Location loc, linalg::GenericOp op, OpOperand *operand,
           ValueRange ivs) {
  AffineMap map = op.getMatchingIndexingMap(operand);
  SmallVector<Value> indices;
  for (AffineExpr expr : map.getResults())
    indices.push_back(affine::AffineApplyOp::create(
        b, loc, AffineMap::get(map.getNumDims(), 0, expr), ivs));
  return memref::LoadOp::create(b, loc, operand->get(), indices);
}

void lowerToWarps(linalg::GenericOp op, ArrayRef<Combiner> combiners,
                  int64_t rowsPerBlock) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  bool scalar = ranges.size() == 1;
  if (scalar)
    ranges.insert(ranges.begin(), 1);
  rowsPerBlock = std::min(rowsPerBlock, ranges[0]);
  auto constant = [&](int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); };
  Value rows = constant(ranges[0]), width = constant(ranges[1]);
  Value warp = constant(kWarp);
  Value grid = constant((ranges[0] + rowsPerBlock - 1) / rowsPerBlock);
  Value one = constant(1);
  auto launch = gpu::LaunchOp::create(b, loc, grid, one, one,
                                      constant(rowsPerBlock * kWarp), one, one);
  b.setInsertionPointToEnd(&launch.getBody().front());
  auto end = gpu::TerminatorOp::create(b, loc);
  b.setInsertionPoint(end);

  Value thread = launch.getThreadIds().x;
  Value lane = arith::RemUIOp::create(b, loc, thread, warp);
  Value row = arith::AddIOp::create(
      b, loc,
      arith::MulIOp::create(b, loc, launch.getBlockIds().x,
                            constant(rowsPerBlock)),
      arith::DivUIOp::create(b, loc, thread, warp));
  // Every lane of every warp takes part in the shuffles; a warp past the
  // last row reads row 0 and stores nothing.
  Value inRange =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, row, rows);
  Value safeRow = arith::SelectOp::create(b, loc, inRange, row, constant(0));

  SmallVector<Value> partials;
  for (Combiner c : combiners)
    partials.push_back(identity(b, loc, c));
  auto lanes = scf::ForOp::create(b, loc, lane, width, warp, partials);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(lanes.getBody());
    SmallVector<Value> ivs = {lanes.getInductionVar()};
    if (!scalar)
      ivs.insert(ivs.begin(), safeRow);
    Block &body = op.getRegion().front();
    IRMapping mapping;
    for (OpOperand *input : op.getDpsInputOperands())
      mapping.map(body.getArgument(input->getOperandNumber()),
                  load(b, loc, op, input, ivs));
    for (auto [out, partial] :
         llvm::zip(body.getArguments().drop_front(op.getNumDpsInputs()),
                   lanes.getRegionIterArgs()))
      mapping.map(out, partial);
    for (Operation &bodyOp : body.without_terminator()) {
      if (auto index = dyn_cast<linalg::IndexOp>(bodyOp)) {
        mapping.map(index.getResult(), ivs[index.getDim()]);
        continue;
      }
      b.clone(bodyOp, mapping);
    }
    SmallVector<Value> next;
    for (Value v : body.getTerminator()->getOperands())
      next.push_back(mapping.lookup(v));
    scf::YieldOp::create(b, loc, next);
  }

  SmallVector<Value> totals(lanes.getResults());
  Value warpWidth = arith::ConstantIntOp::create(b, loc, kWarp, 32);
  for (int64_t offset = kWarp / 2; offset >= 1; offset /= 2) {
    Value distance = arith::ConstantIntOp::create(b, loc, offset, 32);
    for (auto [total, c] : llvm::zip(totals, combiners)) {
      auto shuffle = gpu::ShuffleOp::create(b, loc, total, distance, warpWidth,
                                            gpu::ShuffleMode::XOR);
      total = combine(b, loc, c, total, shuffle.getShuffleResult());
    }
  }

  // Each output's initial value: a broadcast written just before (zeros,
  // mostly) is read at its source, and goes.
  SmallVector<std::optional<FoldedInit>> inits;
  for (Value output : op.getDpsInits())
    inits.push_back(llvm::count(op.getDpsInits(), output) == 1
                        ? FoldedInit::find(op, output)
                        : std::nullopt);

  Value first = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, lane,
                                      constant(0));
  Value stores = arith::AndIOp::create(b, loc, first, inRange);
  auto store = scf::IfOp::create(b, loc, stores, /*withElseRegion=*/false);
  b.setInsertionPoint(store.thenBlock()->getTerminator());
  SmallVector<Value> ivs = {constant(0)};
  if (!scalar)
    ivs.insert(ivs.begin(), row);
  for (auto [output, total, c, init] :
       llvm::zip(op.getDpsInitsMutable(), totals, combiners, inits)) {
    AffineMap map = op.getMatchingIndexingMap(&output);
    SmallVector<Value> indices;
    for (AffineExpr expr : map.getResults())
      indices.push_back(affine::AffineApplyOp::create(
          b, loc, AffineMap::get(map.getNumDims(), 0, expr), ivs));
    Value initial =
        init ? init->valueAt(b, loc, indices)
             : memref::LoadOp::create(b, loc, output.get(), indices).getResult();
    memref::StoreOp::create(b, loc, combine(b, loc, c, initial, total),
                            output.get(), indices);
  }
  op.erase();
  // Every row of every output is stored: the broadcasts are overwritten.
  for (std::optional<FoldedInit> &init : inits)
    if (init)
      init->erase();
}

struct GPURowReductionsPass
    : tick::impl::TickGPURowReductionsBase<GPURowReductionsPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<linalg::GenericOp> generics;
    getOperation().walk([&](linalg::GenericOp op) { generics.push_back(op); });
    for (linalg::GenericOp op : generics)
      if (std::optional<SmallVector<Combiner>> combiners = rowReduction(op))
        lowerToWarps(op, *combiners, rowsPerBlock);
  }
};

} // namespace
