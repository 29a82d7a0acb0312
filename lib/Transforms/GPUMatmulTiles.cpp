//===- GPUMatmulTiles.cpp - matmuls tiled through workgroup memory --------===//
//
// A block computes a tile of C = A * B (+ C). Per step of 32 along k it
// stages A's tile (tile rows x 32) and B's (32 x tile columns) in
// workgroup memory: thread t loads elements t, t + T, ... of each in
// row-major order (T threads), so a warp reads neighbouring elements.
// After a barrier, each thread accumulates its outputs from the tiles.
// Most matmuls take 32 x 32 tiles. With enough blocks to fill the GPU, 64
// threads take 4 x 4 outputs each: four reads of A and four of B from
// workgroup memory per 16 multiply-adds (one column and four rows a thread
// took five reads for four, which bounded the first layer's weight
// gradient at batch 1024). With fewer blocks, 256 threads take 4 x 1 each:
// more warps to hide the loads' latency. Matmuls with enough 64 x 64
// tiles to fill the GPU (`large-tiles`) take those, 64 threads with 8 x 8
// outputs each: eight reads of A and eight of B per 64 multiply-adds. Tile
// rows are padded by one so that column accesses fall into different
// banks. Small matmuls that read A by rows are left to tick-gpu-row-kernels
// (Matmuls.h).
//
// A weight gradient at batch 1024 has few tiles (128 x 64: 8) and a long
// k (1024): 8 blocks walk 32 steps each, one load latency after another,
// with 124 of the H100's 132 multiprocessors idle (37 µs). Such a matmul is
// split along k: block z of `splits` computes the steps of its own chunk of
// k into a partial result P[z], and an elementwise linalg.generic
// (ChunkSums.h) adds C's initial value and P[0], ..., P[Z-1] in that order,
// left for the op that reads C to compute where it can.
//
// What hides the loads' latency is warps, not blocks: k is split until the
// kernel has `min-warps` warps. On an H200 the first layer's weight
// gradient at batch 1024 (800 blocks of 2 warps, 4 steps each) took 17.4 µs
// and its forward matmul, the same multiply-adds in 512 blocks of 2 warps
// of 7 steps, 24.4 µs.
//
//===----------------------------------------------------------------------===//

#include "tick/Transforms/Passes.h"

#include "ChunkSums.h"
#include "FoldedInit.h"
#include "Matmuls.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

namespace tick {
#define GEN_PASS_DEF_TICKGPUMATMULTILES
#include "tick/Transforms/Passes.h.inc"
} // namespace tick

using namespace mlir;
using namespace tick;

namespace {

/// Columns of A's tile and rows of B's: one step of k.
constexpr int64_t kStep = 32;
constexpr int64_t kWarp = 32;
/// Blocks from which a matmul's threads each take a 4 x 4 block of outputs
/// (two per multiprocessor of an H100 or H200).
constexpr int64_t kManyBlocks = 264;

/// How a block's threads share its tile's outputs: `rows` x `columns`
/// threads, each taking `outputRows` x `outputColumns` outputs, thread t the
/// outputs (t / columns + rows i, t % columns + columns j).
struct ThreadGrid {
  int64_t rows, columns, outputRows, outputColumns;
  int64_t threads() const { return rows * columns; }
  int64_t tileRows() const { return rows * outputRows; }
  int64_t tileColumns() const { return columns * outputColumns; }
};

/// 32 x 32 tiles. With enough blocks to fill the GPU, 64 threads of 4 x 4
/// outputs: per element of k, four reads of A and four of B from workgroup
/// memory feed 16 multiply-adds (the weight gradient of the first layer at
/// batch 1024 on an H200: 24.4 -> 17.5 µs). With fewer blocks, 256 threads
/// of 4 x 1: a block of 64 threads leaves too few warps to hide the latency
/// of its loads (the second layer at batch 1024, 64 blocks: 6.0 -> 12.7 µs).
ThreadGrid smallTileGrid(int64_t blocks) {
  return blocks >= kManyBlocks ? ThreadGrid{8, 8, 4, 4}
                               : ThreadGrid{8, 32, 4, 1};
}

/// 64 x 64 tiles of 64 threads with 8 x 8 outputs: eight reads of A and
/// eight of B from workgroup memory per 64 multiply-adds, half the reads of
/// 4 x 4 per multiply-add, and each element staged from global memory feeds
/// twice the outputs. Only where there are enough such tiles to fill the
/// GPU (`large-tiles`): on an H100, the first layer's matmul at batch 1024
/// in 256 blocks of two warps (k split in 8) took 16.1 µs against 15.2 µs
/// in 1024 blocks of 32 x 32 tiles, and the train step of the wide net at
/// batch 256 went from 234 to 256 µs; at batch 16384, from 533 to 479 µs.
constexpr ThreadGrid kLargeTileGrid{8, 8, 8, 8};

/// The thread grid of a matmul kernel of `blocks` blocks.
ThreadGrid gridFor(bool largeTiles, int64_t blocks) {
  return largeTiles ? kLargeTileGrid : smallTileGrid(blocks);
}

/// The warps of a matmul kernel of `blocks` blocks.
int64_t warpsFor(bool largeTiles, int64_t blocks) {
  return blocks * gridFor(largeTiles, blocks).threads() / kWarp;
}

/// Chunks of k to split a matmul of `tiles` tiles and `steps` steps of k
/// into: doubled while its kernel has fewer than `minWarps` warps and each
/// chunk keeps at least two steps (so that staging the first tiles and
/// storing the partial results stay a share of a block's work, not all of
/// it).
int64_t splitsFor(bool largeTiles, int64_t tiles, int64_t steps,
                  int64_t minWarps) {
  int64_t splits = 1;
  while (warpsFor(largeTiles, tiles * splits) < minWarps &&
         steps / (2 * splits) >= 2)
    splits *= 2;
  return splits;
}

void lowerToTiles(linalg::GenericOp op, MatmulLayout layout, int64_t minWarps,
                  int64_t largeTilesFrom) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  Value lhs = op.getDpsInputs()[0], rhs = op.getDpsInputs()[1],
        out = op.getDpsInits()[0];
  ArrayRef<int64_t> outShape = cast<MemRefType>(out.getType()).getShape();
  int64_t m = outShape[0], n = outShape[1];
  int64_t k = op.getStaticLoopRanges()[2];
  auto constant = [&](int64_t v) {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  Value one = constant(1);
  auto tilesOf = [&](int64_t side) -> int64_t {
    return llvm::divideCeil(m, side) * llvm::divideCeil(n, side);
  };
  int64_t largeSide = kLargeTileGrid.tileRows();
  bool largeTiles = largeTilesFrom > 0 && tilesOf(largeSide) >= largeTilesFrom;
  int64_t tiles = tilesOf(largeTiles ? largeSide : 32);
  int64_t kSteps = llvm::divideCeil(k, kStep);
  int64_t splits = splitsFor(largeTiles, tiles, kSteps, minWarps);
  ThreadGrid grid = gridFor(largeTiles, tiles * splits);
  int64_t tileRows = grid.tileRows(), tileColumns = grid.tileColumns();
  // Split: the partial results P[z][i][j], reduced after the kernel.
  Value partials;
  if (splits > 1)
    partials = memref::AllocOp::create(
        b, loc, MemRefType::get({splits, m, n}, b.getF32Type()));
  auto workgroup =
      gpu::AddressSpaceAttr::get(b.getContext(), gpu::AddressSpace::Workgroup);
  // A's tile is A[i][k] and B's B[k][j] whatever the sources' layouts,
  // rows padded by one so that column accesses fall into different banks.
  auto tileType = [&](int64_t rows, int64_t columns) {
    return MemRefType::get({rows, columns + 1}, b.getF32Type(),
                           MemRefLayoutAttrInterface(), workgroup);
  };
  auto launch = gpu::LaunchOp::create(
      b, loc, constant(llvm::divideCeil(n, tileColumns)),
      constant(llvm::divideCeil(m, tileRows)), constant(splits),
      constant(grid.threads()), one, one, /*dynamicSharedMemorySize=*/nullptr,
      /*asyncTokenType=*/nullptr, /*asyncDependencies=*/{},
      /*workgroupAttributions=*/
      TypeRange{tileType(tileRows, kStep), tileType(kStep, tileColumns)});
  Value lhsTile = launch.getWorkgroupAttributions()[0];
  Value rhsTile = launch.getWorkgroupAttributions()[1];
  b.setInsertionPointToEnd(&launch.getBody().front());
  auto end = gpu::TerminatorOp::create(b, loc);
  b.setInsertionPoint(end);

  Value zero = constant(0);
  Value rowBase =
      arith::MulIOp::create(b, loc, launch.getBlockIds().y, constant(tileRows));
  Value colBase = arith::MulIOp::create(b, loc, launch.getBlockIds().x,
                                        constant(tileColumns));
  Value thread = launch.getThreadIds().x;
  // Products: outputs (outRow + rows i, outCol + columns j) of the tile.
  Value outCol = arith::RemUIOp::create(b, loc, thread, constant(grid.columns));
  Value outRow = arith::DivUIOp::create(b, loc, thread, constant(grid.columns));
  auto offset = [&](Value base, int64_t i, int64_t spread) {
    return arith::AddIOp::create(b, loc, base, constant(i * spread))
        .getResult();
  };
  int64_t outputRows = grid.outputRows, outputColumns = grid.outputColumns;
  Value fzero = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0.0f));

  // `source[row, col]`, or 0 outside its `rows` x `cols`.
  auto loadOrZero = [&](Value source, Value row, Value col, int64_t rows,
                        int64_t cols) {
    Value inRows = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, row,
                                         constant(rows));
    Value inCols = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, col,
                                         constant(cols));
    Value inside = arith::AndIOp::create(b, loc, inRows, inCols);
    Value safeRow = arith::SelectOp::create(b, loc, inRows, row, zero);
    Value safeCol = arith::SelectOp::create(b, loc, inCols, col, zero);
    Value v =
        memref::LoadOp::create(b, loc, source, ValueRange{safeRow, safeCol});
    return arith::SelectOp::create(b, loc, inside, v, fzero).getResult();
  };

  // This block's chunk of k: steps z * kSteps / splits up to (z + 1) *
  // kSteps / splits, rounded down. Steps past k read zeros.
  auto chunkStart = [&](Value z) {
    Value firstStep = arith::DivUIOp::create(
        b, loc, arith::MulIOp::create(b, loc, z, constant(kSteps)),
        constant(splits));
    return arith::MulIOp::create(b, loc, firstStep, constant(kStep))
        .getResult();
  };
  Value kBegin = splits > 1 ? chunkStart(launch.getBlockIds().z) : zero;
  Value kEnd = splits > 1 ? chunkStart(arith::AddIOp::create(
                                b, loc, launch.getBlockIds().z, one))
                          : constant(k);
  SmallVector<Value> init(outputRows * outputColumns, fzero);
  auto steps = scf::ForOp::create(b, loc, kBegin, kEnd, constant(kStep), init);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(steps.getBody());
    Value k0 = steps.getInductionVar();
    // Copies the `rows` x `columns` tile of `source` whose first row and
    // column are `sourceRowBase` and `sourceColBase` in the source's own
    // layout, element thread + q * threads in row-major order (coalesced);
    // a transposed source lands transposed.
    auto stage = [&](Value source, Value tileBuffer, Value sourceRowBase,
                     Value sourceColBase, int64_t rows, int64_t columns,
                     bool transposed) {
      ArrayRef<int64_t> shape = cast<MemRefType>(source.getType()).getShape();
      Value myCol = arith::RemUIOp::create(b, loc, thread, constant(columns));
      Value myRow = arith::DivUIOp::create(b, loc, thread, constant(columns));
      int64_t rowsPerPass = grid.threads() / columns;
      for (int64_t q = 0; q < rows / rowsPerPass; ++q) {
        Value r = offset(myRow, q, rowsPerPass);
        Value v =
            loadOrZero(source, arith::AddIOp::create(b, loc, sourceRowBase, r),
                       arith::AddIOp::create(b, loc, sourceColBase, myCol),
                       shape[0], shape[1]);
        memref::StoreOp::create(b, loc, v, tileBuffer,
                                transposed ? ValueRange{myCol, r}
                                           : ValueRange{r, myCol});
      }
    };
    if (layout.lhsTransposed)
      stage(lhs, lhsTile, k0, rowBase, kStep, tileRows, /*transposed=*/true);
    else
      stage(lhs, lhsTile, rowBase, k0, tileRows, kStep, /*transposed=*/false);
    if (layout.rhsTransposed)
      stage(rhs, rhsTile, colBase, k0, tileColumns, kStep,
            /*transposed=*/true);
    else
      stage(rhs, rhsTile, k0, colBase, kStep, tileColumns,
            /*transposed=*/false);
    gpu::BarrierOp::create(b, loc);
    auto inner = scf::ForOp::create(b, loc, zero, constant(kStep), one,
                                    steps.getRegionIterArgs());
    {
      OpBuilder::InsertionGuard innerGuard(b);
      b.setInsertionPointToStart(inner.getBody());
      Value kk = inner.getInductionVar();
      SmallVector<Value> aValues, bValues;
      for (int64_t i = 0; i < outputRows; ++i)
        aValues.push_back(memref::LoadOp::create(
            b, loc, lhsTile, ValueRange{offset(outRow, i, grid.rows), kk}));
      for (int64_t j = 0; j < outputColumns; ++j)
        bValues.push_back(memref::LoadOp::create(
            b, loc, rhsTile, ValueRange{kk, offset(outCol, j, grid.columns)}));
      SmallVector<Value> next;
      for (int64_t i = 0; i < outputRows; ++i)
        for (int64_t j = 0; j < outputColumns; ++j)
          next.push_back(arith::AddFOp::create(
              b, loc, inner.getRegionIterArgs()[i * outputColumns + j],
              arith::MulFOp::create(b, loc, aValues[i], bValues[j])));
      scf::YieldOp::create(b, loc, next);
    }
    // Nobody overwrites the tiles while another thread still reads them.
    gpu::BarrierOp::create(b, loc);
    scf::YieldOp::create(b, loc, inner.getResults());
  }

  // C's initial value: a broadcast written just before (the bias, zeros)
  // is read at its source, and goes; by the sum of the partials for a
  // split matmul.
  std::optional<FoldedInit> outInit = FoldedInit::find(op, out);
  for (int64_t i = 0; i < outputRows; ++i) {
    Value row =
        arith::AddIOp::create(b, loc, rowBase, offset(outRow, i, grid.rows));
    Value rowInside = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult,
                                            row, constant(m));
    for (int64_t j = 0; j < outputColumns; ++j) {
      Value col = arith::AddIOp::create(b, loc, colBase,
                                        offset(outCol, j, grid.columns));
      Value inside = arith::AndIOp::create(
          b, loc, rowInside,
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, col,
                                constant(n)));
      Value sum = steps.getResult(i * outputColumns + j);
      auto store = scf::IfOp::create(b, loc, inside, /*withElseRegion=*/false);
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPoint(store.thenBlock()->getTerminator());
      if (splits > 1) {
        memref::StoreOp::create(b, loc, sum, partials,
                                ValueRange{launch.getBlockIds().z, row, col});
        continue;
      }
      Value initial =
          outInit ? outInit->valueAt(b, loc, ValueRange{row, col})
                  : memref::LoadOp::create(b, loc, out, ValueRange{row, col})
                        .getResult();
      memref::StoreOp::create(b, loc,
                              arith::AddFOp::create(b, loc, initial, sum), out,
                              ValueRange{row, col});
    }
  }
  if (splits > 1) {
    b.setInsertionPoint(op);
    combineChunks(b, loc, partials, out, Combiner::AddF, outInit);
    memref::DeallocOp::create(b, loc, partials);
  }
  op.erase();
  // Every element of C is stored: the broadcast is overwritten.
  if (outInit)
    outInit->erase();
}

struct GPUMatmulTilesPass
    : tick::impl::TickGPUMatmulTilesBase<GPUMatmulTilesPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<std::pair<linalg::GenericOp, MatmulLayout>> matmuls;
    getOperation().walk([&](linalg::GenericOp op) {
      std::optional<MatmulLayout> layout = matmulLayout(op);
      // Small enough for a warp per row: tick-gpu-row-kernels.
      if (layout && !isRowMatmul(op, *layout, rowMatmulMacs))
        matmuls.push_back({op, *layout});
    });
    for (auto [op, layout] : matmuls)
      lowerToTiles(op, layout, minWarps, largeTilesFrom);
  }
};

} // namespace
