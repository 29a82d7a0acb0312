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

#include "GPUReductions.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

namespace tick {
#define GEN_PASS_DEF_TICKGPUROWREDUCTIONS
#include "tick/Transforms/Passes.h.inc"
} // namespace tick

using namespace mlir;
using namespace tick;

namespace {

constexpr int64_t kWarp = 32;

/// How each output is reduced, or nothing when the op is not a row
/// reduction this pass handles.
std::optional<SmallVector<Combiner>> rowReduction(linalg::GenericOp op) {
  // Rows and a reduction along them. A reduction of everything to a scalar
  // (the loss's mean over the batch) would be one warp walking the batch:
  // tick-gpu-column-reductions gives it a block.
  std::optional<SmallVector<Combiner>> combiners = reductionCombiners(op);
  unsigned loops = op.getNumLoops();
  if (!combiners || loops != 2)
    return std::nullopt;
  // Shuffles move 32-bit values: f32 sums and maxima, i32 indices.
  if (!outputsFitShuffles(op))
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
  return combiners;
}

void lowerToWarps(linalg::GenericOp op, ArrayRef<Combiner> combiners,
                  int64_t rowsPerBlock) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
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
  for (auto [c, output] : llvm::zip(combiners, op.getDpsInits()))
    partials.push_back(
        identity(b, loc, c, getElementTypeOrSelf(output.getType())));
  auto lanes = scf::ForOp::create(b, loc, lane, width, warp, partials);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(lanes.getBody());
    SmallVector<Value> ivs = {safeRow, lanes.getInductionVar()};
    scf::YieldOp::create(b, loc,
                         reduceOneElement(b, loc, op, ivs,
                                          lanes.getRegionIterArgs()));
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
  SmallVector<std::optional<FoldedInit>> inits = foldedInits(op);

  Value first = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, lane,
                                      constant(0));
  Value stores = arith::AndIOp::create(b, loc, first, inRange);
  auto store = scf::IfOp::create(b, loc, stores, /*withElseRegion=*/false);
  b.setInsertionPoint(store.thenBlock()->getTerminator());
  storeTotals(b, loc, op, {row, constant(0)}, totals, combiners, inits);
  eraseReduced(op, inits);
}

struct GPURowReductionsPass
    : tick::impl::TickGPURowReductionsBase<GPURowReductionsPass> {
  using Base::Base;

  void runOnOperation() override {
    if (failed(checkRowsPerBlock(getOperation(), getArgument(), rowsPerBlock)))
      return signalPassFailure();
    SmallVector<linalg::GenericOp> generics;
    getOperation().walk([&](linalg::GenericOp op) { generics.push_back(op); });
    for (linalg::GenericOp op : generics)
      if (std::optional<SmallVector<Combiner>> combiners = rowReduction(op))
        lowerToWarps(op, *combiners, rowsPerBlock);
  }
};

} // namespace
