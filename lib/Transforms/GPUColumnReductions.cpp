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
// A few columns over many rows (a bias gradient of 64 features at batch
// 1024) make a block or two: each thread then walks 32 rows one load after
// another, and two of an H100's 132 multiprocessors pull the rows through
// 4 KiB of loads in flight (7 to 11 µs per kernel). Such a reduction is
// split along the rows: block (c, z) reduces chunk z of the rows into a
// partial result P[z], and an elementwise linalg.generic (ChunkSums.h)
// adds the output's initial value and P[0], ..., P[Z-1] in that order,
// left for the op that reads the output to compute where it can
// (tick-fuse-into-consumers).
//
// The same kernel takes any reduction tick-gpu-row-reductions leaves: a
// reduction to a scalar of integers (the count of correct predictions) is
// one column.
//
//===----------------------------------------------------------------------===//

#include "tick/Transforms/Passes.h"

#include "ChunkSums.h"
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

/// Chunks of rows to split a reduction into. Splitting costs the sum over
/// chunks (a kernel of about 2 µs on an H100 where the op reading the
/// output cannot add the chunks itself) and saves each thread's loads one
/// after another (about 0.25 µs each): only threads with 16 rows or more
/// split, doubling while the blocks are fewer than `minBlocks` and
/// every thread keeps 4 rows of each chunk.
int64_t splitsFor(int64_t blocks, int64_t length, int64_t slices,
                  int64_t minBlocks) {
  int64_t splits = 1;
  if (length / slices < 16)
    return splits;
  while (blocks * splits < minBlocks && length / (2 * splits * slices) >= 4)
    splits *= 2;
  return splits;
}

/// Whether each output is indexed by the parallel loops in order, so that
/// a partial result per chunk of rows has the shape [chunks] + columns.
bool outputsAreColumns(linalg::GenericOp op) {
  unsigned parallel = op.getNumLoops() - 1;
  return llvm::all_of(op.getDpsInitsMutable(), [&](OpOperand &output) {
    AffineMap map = op.getMatchingIndexingMap(&output);
    if (map.getNumResults() != parallel)
      return false;
    for (unsigned d = 0; d < parallel; ++d)
      if (map.getResult(d) != getAffineDimExpr(d, op.getContext()))
        return false;
    return true;
  });
}

/// Lowers `op` to a kernel; a split reduction to a kernel and the
/// elementwise sum of its chunks' totals.
void lowerToBlocks(linalg::GenericOp op, ArrayRef<Combiner> combiners,
                   int64_t blockSize, int64_t minBlocks) {
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
  // A whole block even for a short reduction: kernels of one block size
  // with barriers can launch together (tick-gpu-merge-launches).
  int64_t slices = blockSize / lanes;
  int64_t blocks = llvm::divideCeil(columns, lanes);
  int64_t splits = outputsAreColumns(op)
                       ? splitsFor(blocks, length, slices, minBlocks)
                       : 1;
  int64_t chunk = llvm::divideCeil(length, splits);

  // One [slices x lanes] buffer of partial results per output.
  auto workgroup =
      gpu::AddressSpaceAttr::get(b.getContext(), gpu::AddressSpace::Workgroup);
  SmallVector<Type> partialTypes;
  for (Value output : op.getDpsInits())
    partialTypes.push_back(
        MemRefType::get({slices, lanes}, getElementTypeOrSelf(output.getType()),
                        MemRefLayoutAttrInterface(), workgroup));
  // Split: each output's partial results P[z][columns...], in device memory.
  SmallVector<Value> chunkTotals;
  if (splits > 1)
    for (Value output : op.getDpsInits()) {
      SmallVector<int64_t> shape = {splits};
      llvm::append_range(shape, parallelRanges);
      chunkTotals.push_back(memref::AllocOp::create(
          b, loc,
          MemRefType::get(shape, getElementTypeOrSelf(output.getType()))));
    }

  auto constant = [&](int64_t v) {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  Value one = constant(1);
  auto launch = gpu::LaunchOp::create(
      b, loc, constant(blocks), constant(splits), one,
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

  // This block's rows: all of them, or its chunk.
  Value firstRow = slice, endRow = constant(length);
  if (splits > 1) {
    Value chunkBegin = arith::MulIOp::create(b, loc, launch.getBlockIds().y,
                                             constant(chunk));
    firstRow = arith::AddIOp::create(b, loc, chunkBegin, slice);
    endRow = arith::MinUIOp::create(
        b, loc, arith::AddIOp::create(b, loc, chunkBegin, constant(chunk)),
        constant(length));
  }
  SmallVector<Value> partials;
  for (auto [c, type] : llvm::zip(combiners, partialTypes))
    partials.push_back(
        identity(b, loc, c, cast<MemRefType>(type).getElementType()));
  auto rows =
      scf::ForOp::create(b, loc, firstRow, endRow, constant(slices), partials);
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
  SmallVector<Value> outputIndices =
      columnIndices(b, loc, parallelRanges, column, constant(0));
  SmallVector<std::optional<FoldedInit>> inits = foldedInits(op);
  if (splits > 1) {
    // The chunk's totals; the output's initial value waits for the sum
    // over chunks.
    SmallVector<Value> indices = {launch.getBlockIds().y};
    llvm::append_range(indices, ArrayRef(outputIndices).drop_back());
    for (auto [total, buffer] : llvm::zip(totals, chunkTotals))
      memref::StoreOp::create(b, loc, total, buffer, indices);
    b.setInsertionPoint(op);
    for (auto [buffer, output, c, init] :
         llvm::zip(chunkTotals, op.getDpsInits(), combiners, inits))
      combineChunks(b, loc, buffer, output, c, init);
    for (Value buffer : chunkTotals)
      memref::DeallocOp::create(b, loc, buffer);
  } else {
    storeTotals(b, loc, op, outputIndices, totals, combiners, inits);
  }
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
    // In order: a reduction whose initial value is a copy of zeros goes
    // before the one that reduces into those zeros (FoldedInit), and the
    // broadcasts erased with a reduction come before it.
    for (linalg::GenericOp op : generics) {
      std::optional<SmallVector<Combiner>> combiners = reductionCombiners(op);
      if (!combiners)
        continue;
      lowerToBlocks(op, *combiners, blockSize, minBlocks);
    }
  }
};

} // namespace
