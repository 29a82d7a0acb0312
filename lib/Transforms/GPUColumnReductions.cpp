//===- GPUColumnReductions.cpp - a block per 32 columns, a tree to combine ===//
//
// A bias gradient sums a [batch, features] buffer over the batch: the
// reduction runs across rows, not along them. One thread per column (what
// tick-gpu-launch-loops gives it) walks 1024 rows alone, storing its
// running sum after every row: 210 µs per such kernel at batch 1024 on an
// H100, five of them per tick. Here a block takes 32 neighbouring columns
// (its loads are coalesced) and splits the rows among the rest of its
// threads: thread (slice s, lane l) combines rows s, s + S, ... of column
// l in a register. The S partial results of a column then meet in
// workgroup memory, in a tree of log2(S) steps, each after a barrier, and
// in a fixed order: the same inputs always give the same bits.
//
// The same kernel takes any reduction tick-gpu-row-reductions leaves: a
// reduction to a scalar of integers (the count of correct predictions) is
// one column.
//
//===----------------------------------------------------------------------===//

#include "tick/Transforms/Passes.h"

#include "GPUReductions.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

namespace tick {
#define GEN_PASS_DEF_TICKGPUCOLUMNREDUCTIONS
#include "tick/Transforms/Passes.h.inc"
} // namespace tick

using namespace mlir;
using namespace tick;

namespace {

constexpr int64_t kColumnsPerBlock = 32;

/// The loop indices of column `column` (its parallel loops, row-major: the
/// last one runs fastest, so neighbouring threads read neighbouring
/// elements) followed by `along`.
SmallVector<Value> columnIndices(OpBuilder &b, Location loc,
                                 ArrayRef<int64_t> parallelRanges, Value column,
                                 Value along) {
  SmallVector<Value> ivs(parallelRanges.size() + 1);
  ivs.back() = along;
  for (size_t d = parallelRanges.size(); d-- > 0;) {
    Value range = arith::ConstantIndexOp::create(b, loc, parallelRanges[d]);
    ivs[d] = d == 0 ? column : arith::RemUIOp::create(b, loc, column, range);
    if (d > 0)
      column = arith::DivUIOp::create(b, loc, column, range);
  }
  return ivs;
}

void lowerToBlocks(linalg::GenericOp op, ArrayRef<Combiner> combiners,
                   int64_t blockSize) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  int64_t length = ranges.back();
  ArrayRef<int64_t> parallelRanges = ArrayRef(ranges).drop_back();
  int64_t columns = 1;
  for (int64_t range : parallelRanges)
    columns *= range;
  int64_t lanes =
      std::min<int64_t>(kColumnsPerBlock, llvm::PowerOf2Ceil(columns));
  int64_t slices =
      std::min<int64_t>(blockSize / lanes, llvm::PowerOf2Ceil(length));

  // One [slices x lanes] buffer of partial results per output.
  auto workgroup =
      gpu::AddressSpaceAttr::get(b.getContext(), gpu::AddressSpace::Workgroup);
  SmallVector<Type> partialTypes;
  for (Value output : op.getDpsInits())
    partialTypes.push_back(
        MemRefType::get({slices, lanes}, getElementTypeOrSelf(output.getType()),
                        MemRefLayoutAttrInterface(), workgroup));

  auto constant = [&](int64_t v) {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  Value one = constant(1);
  auto launch = gpu::LaunchOp::create(
      b, loc, constant(llvm::divideCeil(columns, lanes)), one, one,
      constant(slices * lanes), one, one, /*dynamicSharedMemorySize=*/nullptr,
      /*asyncTokenType=*/nullptr, /*asyncDependencies=*/ValueRange(),
      /*workgroupAttributions=*/partialTypes);
  b.setInsertionPointToEnd(&launch.getBody().front());
  auto end = gpu::TerminatorOp::create(b, loc);
  b.setInsertionPoint(end);

  Value thread = launch.getThreadIds().x;
  Value lane = arith::RemUIOp::create(b, loc, thread, constant(lanes));
  Value slice = arith::DivUIOp::create(b, loc, thread, constant(lanes));
  Value column = arith::AddIOp::create(
      b, loc,
      arith::MulIOp::create(b, loc, launch.getBlockIds().x, constant(lanes)),
      lane);
  // Every thread takes part in the barriers; one past the last column
  // reduces column 0 and stores nothing.
  Value inRange = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult,
                                        column, constant(columns));
  Value safeColumn =
      arith::SelectOp::create(b, loc, inRange, column, constant(0));

  SmallVector<Value> partials;
  for (auto [c, type] : llvm::zip(combiners, partialTypes))
    partials.push_back(
        identity(b, loc, c, cast<MemRefType>(type).getElementType()));
  auto rows = scf::ForOp::create(b, loc, slice, constant(length),
                                 constant(slices), partials);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(rows.getBody());
    SmallVector<Value> ivs = columnIndices(b, loc, parallelRanges, safeColumn,
                                           rows.getInductionVar());
    scf::YieldOp::create(
        b, loc, reduceOneElement(b, loc, op, ivs, rows.getRegionIterArgs()));
  }
  ValueRange partialBuffers = launch.getWorkgroupAttributions();
  for (auto [partial, buffer] : llvm::zip(rows.getResults(), partialBuffers))
    memref::StoreOp::create(b, loc, partial, buffer, ValueRange{slice, lane});

  // The tree: after each barrier, slices below `half` take in the partial
  // `half` slices above theirs.
  for (int64_t half = slices / 2; half >= 1; half /= 2) {
    gpu::BarrierOp::create(b, loc);
    Value takes = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult,
                                        slice, constant(half));
    auto step = scf::IfOp::create(b, loc, takes, /*withElseRegion=*/false);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(step.thenBlock()->getTerminator());
    Value other = arith::AddIOp::create(b, loc, slice, constant(half));
    for (auto [buffer, c] : llvm::zip(partialBuffers, combiners)) {
      Value mine =
          memref::LoadOp::create(b, loc, buffer, ValueRange{slice, lane});
      Value theirs =
          memref::LoadOp::create(b, loc, buffer, ValueRange{other, lane});
      memref::StoreOp::create(b, loc, combine(b, loc, c, mine, theirs), buffer,
                              ValueRange{slice, lane});
    }
  }

  // Slice 0 wrote the last step itself: no barrier before it reads.
  SmallVector<std::optional<FoldedInit>> inits = foldedInits(op);
  Value first = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, slice,
                                      constant(0));
  auto store =
      scf::IfOp::create(b, loc, arith::AndIOp::create(b, loc, first, inRange),
                        /*withElseRegion=*/false);
  b.setInsertionPoint(store.thenBlock()->getTerminator());
  SmallVector<Value> totals;
  for (Value buffer : partialBuffers)
    totals.push_back(
        memref::LoadOp::create(b, loc, buffer, ValueRange{constant(0), lane}));
  storeTotals(b, loc, op,
              columnIndices(b, loc, parallelRanges, column, constant(0)),
              totals, combiners, inits);
  eraseReduced(op, inits);
}

struct GPUColumnReductionsPass
    : tick::impl::TickGPUColumnReductionsBase<GPUColumnReductionsPass> {
  using Base::Base;

  void runOnOperation() override {
    if (blockSize < kColumnsPerBlock || blockSize > 1024 ||
        !llvm::isPowerOf2_64(blockSize)) {
      getOperation().emitError()
          << "tick-gpu-column-reductions: block-size must be a power of two "
             "from 32 to 1024, not "
          << static_cast<int64_t>(blockSize);
      return signalPassFailure();
    }
    SmallVector<linalg::GenericOp> generics;
    getOperation().walk([&](linalg::GenericOp op) { generics.push_back(op); });
    for (linalg::GenericOp op : generics)
      if (std::optional<SmallVector<Combiner>> combiners =
              reductionCombiners(op))
        lowerToBlocks(op, *combiners, blockSize);
  }
};

} // namespace
