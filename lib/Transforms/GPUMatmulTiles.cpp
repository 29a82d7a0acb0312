//===- GPUMatmulTiles.cpp - matmuls tiled through workgroup memory --------===//
//
// A block computes a tile of C = A * B (+ C). Per step of 32 along k it
// stages A's tile and B's in workgroup memory, both k-major (At[k][i],
// B[k][j]) whatever the sources' layouts, each warp reading whole 32-byte
// sectors of the source. After a barrier, each thread accumulates its
// outputs from the tiles, eight steps of k to an iteration. A thread's
// outputs come in groups of four neighbouring rows and four neighbouring
// columns, so that each group's operands at a step of k are one 16-byte
// read of workgroup memory: with 4 x 4 outputs a thread, two reads per 16
// multiply-adds, 18.6 PTX instructions in all (an element a read and a
// step of k an iteration took eight reads and 28 instructions).
// Most matmuls take 32 x 32 tiles. With enough blocks to fill the GPU, 64
// threads take 4 x 4 outputs each; with fewer, 256 threads take 4 x 1
// each: more warps to hide the loads' latency. Matmuls with enough 64 x 64
// tiles to fill the GPU (`large-tiles`) take those, 64 threads with 8 x 8
// outputs each: four reads per 64 multiply-adds. Small matmuls that read A
// by rows are left to tick-gpu-row-kernels (Matmuls.h).
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
#include "mlir/Dialect/Vector/IR/VectorOps.h"

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

/// Elements each row of a tile is padded by (see lowerToTiles).
constexpr int64_t kTilePad = 4;
/// f32 elements in a 32-byte sector, the unit a warp's global reads fetch.
constexpr int64_t kSector = 8;
/// The widest read of workgroup memory: 4 x f32, 16 bytes.
constexpr int64_t kVectorWidth = 4;
/// Steps of k per iteration of a block's inner loop: the steps' offsets into
/// the tiles fold into the reads' addresses, and the loop's count, compare
/// and branch come once per eight steps instead of once per step.
constexpr int64_t kUnroll = 8;

/// One side (rows or columns) of how a block's threads share its tile:
/// `threads` threads along it, each taking `outputs` outputs in groups of
/// up to four neighbours (one vector read of workgroup memory a group), the
/// groups of thread t at t * width, (t + threads) * width, ...
struct ThreadSide {
  int64_t threads, outputs;
  int64_t width() const { return std::min(outputs, kVectorWidth); }
  int64_t groups() const { return outputs / width(); }
  int64_t tileSide() const { return threads * outputs; }
  /// Position in the tile of output `i` of the thread at `t` along the side.
  Value position(OpBuilder &b, Location loc, Value t, int64_t i) const {
    Value first = arith::MulIOp::create(
        b, loc, t, arith::ConstantIndexOp::create(b, loc, width()));
    int64_t group = i / width(), inGroup = i % width();
    return arith::AddIOp::create(
        b, loc, first,
        arith::ConstantIndexOp::create(b, loc,
                                       group * threads * width() + inGroup));
  }
};

/// How a block's threads share its tile's outputs: `rows` x `columns`
/// threads, each taking `outputRows` x `outputColumns` outputs; thread t is
/// at t / columns along the rows and t % columns along the columns.
struct ThreadGrid {
  int64_t rows, columns, outputRows, outputColumns;
  int64_t threads() const { return rows * columns; }
  ThreadSide rowSide() const { return {rows, outputRows}; }
  ThreadSide columnSide() const { return {columns, outputColumns}; }
  int64_t tileRows() const { return rowSide().tileSide(); }
  int64_t tileColumns() const { return columnSide().tileSide(); }
};

/// 32 x 32 tiles. With enough blocks to fill the GPU, 64 threads of 4 x 4
/// outputs: per element of k, one read of A and one of B from workgroup
/// memory feed 16 multiply-adds (read an element at a time, eight reads
/// per 16 against 4 x 1's five per four took the weight gradient of the
/// first layer at batch 1024 on an H200 from 24.4 to 17.5 µs). With fewer
/// blocks, 256 threads of 4 x 1: a block of 64 threads leaves too few warps
/// to hide the latency of its loads (the second layer at batch 1024, 64
/// blocks: 6.0 -> 12.7 µs).
ThreadGrid smallTileGrid(int64_t blocks) {
  return blocks >= kManyBlocks ? ThreadGrid{8, 8, 4, 4}
                               : ThreadGrid{8, 32, 4, 1};
}

/// 64 x 64 tiles of `threads` threads (`large-tile-threads`). 64 threads of
/// 8 x 8 outputs: two reads of A and two of B from workgroup memory per 64
/// multiply-adds, and each element staged from global memory feeds twice
/// the outputs of 32 x 32 tiles. Only where there are enough such tiles to
/// fill the GPU (`large-tiles`), as timed when each read was one element:
/// on an H100, the first layer's matmul at batch 1024 in 256 blocks of two
/// warps (k split in 8) took 16.1 µs against 15.2 µs in 1024 blocks of
/// 32 x 32 tiles, and the train step of the wide net at batch 256 went from
/// 234 to 256 µs; at batch 16384, from 533 to 479 µs. 256 threads of 4 x 4
/// outputs give the same tile four times the warps (untimed).
ThreadGrid largeTileGrid(int64_t threads) {
  assert(isLargeTileThreads(threads) && "checked by the pass");
  return threads == 64 ? ThreadGrid{8, 8, 8, 8} : ThreadGrid{16, 16, 4, 4};
}

/// The thread grid of a matmul kernel of `blocks` blocks: `large` for
/// 64 x 64 tiles, or null.
ThreadGrid gridFor(const ThreadGrid *large, int64_t blocks) {
  return large ? *large : smallTileGrid(blocks);
}

/// The warps of a matmul kernel of `blocks` blocks.
int64_t warpsFor(const ThreadGrid *large, int64_t blocks) {
  return blocks * gridFor(large, blocks).threads() / kWarp;
}

/// Chunks of k to split a matmul of `tiles` tiles and `steps` steps of k
/// into: doubled while its kernel has fewer than `minWarps` warps and each
/// chunk keeps at least two steps (so that staging the first tiles and
/// storing the partial results stay a share of a block's work, not all of
/// it).
int64_t splitsFor(const ThreadGrid *large, int64_t tiles, int64_t steps,
                  int64_t minWarps) {
  int64_t splits = 1;
  while (warpsFor(large, tiles * splits) < minWarps &&
         steps / (2 * splits) >= 2)
    splits *= 2;
  return splits;
}

void lowerToTiles(linalg::GenericOp op, MatmulLayout layout, int64_t minWarps,
                  int64_t largeTilesFrom, ThreadGrid largeGrid) {
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
  int64_t largeSide = largeGrid.tileRows();
  bool largeTiles = largeTilesFrom > 0 && tilesOf(largeSide) >= largeTilesFrom;
  const ThreadGrid *large = largeTiles ? &largeGrid : nullptr;
  int64_t tiles = tilesOf(largeTiles ? largeSide : 32);
  int64_t kSteps = llvm::divideCeil(k, kStep);
  int64_t splits = splitsFor(large, tiles, kSteps, minWarps);
  ThreadGrid grid = gridFor(large, tiles * splits);
  int64_t tileRows = grid.tileRows(), tileColumns = grid.tileColumns();
  // Split: the partial results P[z][i][j], reduced after the kernel.
  Value partials;
  if (splits > 1)
    partials = memref::AllocOp::create(
        b, loc, MemRefType::get({splits, m, n}, b.getF32Type()));
  auto workgroup =
      gpu::AddressSpaceAttr::get(b.getContext(), gpu::AddressSpace::Workgroup);
  // Both tiles are k-major, A's At[k][i] and B's B[k][j] whatever the
  // sources' layouts, so that a thread reads its group of neighbouring
  // outputs' operands as one vector. Rows are padded by 4 elements: vectors
  // stay aligned to 16 bytes, and a warp staging a k-contiguous source
  // (eight elements of k times four of i or j) hits 32 different banks.
  auto tileType = [&](int64_t width) {
    return MemRefType::get({kStep, width + kTilePad}, b.getF32Type(),
                           MemRefLayoutAttrInterface(), workgroup);
  };
  auto launch = gpu::LaunchOp::create(
      b, loc, constant(llvm::divideCeil(n, tileColumns)),
      constant(llvm::divideCeil(m, tileRows)), constant(splits),
      constant(grid.threads()), one, one, /*dynamicSharedMemorySize=*/nullptr,
      /*asyncTokenType=*/nullptr, /*asyncDependencies=*/{},
      /*workgroupAttributions=*/
      TypeRange{tileType(tileRows), tileType(tileColumns)});
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
  // This thread's place along the tile's rows and columns.
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
    // Copies the kStep x `width` slice of an operand at (k0, `xBase`) into
    // tile[k][x]. A k-major source (source[k][x]) is read by rows, thread t
    // taking elements t, t + T, ... in row-major order; a k-contiguous one
    // (source[x][k]) eight neighbours of k at a time for T / 8 values of x.
    // Either way a warp reads whole 32-byte sectors, and its stores fall
    // into 32 different banks (rows padded by kTilePad).
    auto stage = [&](Value source, Value tile, Value xBase, int64_t width,
                     bool kMajor) {
      ArrayRef<int64_t> shape = cast<MemRefType>(source.getType()).getShape();
      int64_t threads = grid.threads();
      assert(threads % width == 0 && width % (threads / kSector) == 0 &&
             "a pass over the tile covers whole rows");
      int64_t kPerPass = kMajor ? threads / width : kSector;
      int64_t xPerPass = kMajor ? width : threads / kSector;
      int64_t passesPerK = width / xPerPass;
      Value myK, myX;
      if (kMajor) {
        myK = arith::DivUIOp::create(b, loc, thread, constant(width));
        myX = arith::RemUIOp::create(b, loc, thread, constant(width));
      } else {
        myK = arith::RemUIOp::create(b, loc, thread, constant(kSector));
        myX = arith::DivUIOp::create(b, loc, thread, constant(kSector));
      }
      for (int64_t q = 0; q < kStep * width / threads; ++q) {
        Value kk = offset(myK, q / passesPerK, kPerPass);
        Value x = offset(myX, q % passesPerK, xPerPass);
        Value kAt = arith::AddIOp::create(b, loc, k0, kk);
        Value xAt = arith::AddIOp::create(b, loc, xBase, x);
        Value v = kMajor ? loadOrZero(source, kAt, xAt, shape[0], shape[1])
                         : loadOrZero(source, xAt, kAt, shape[0], shape[1]);
        memref::StoreOp::create(b, loc, v, tile, ValueRange{kk, x});
      }
    };
    stage(lhs, lhsTile, rowBase, tileRows, /*kMajor=*/layout.lhsTransposed);
    stage(rhs, rhsTile, colBase, tileColumns,
          /*kMajor=*/!layout.rhsTransposed);
    gpu::BarrierOp::create(b, loc);
    // A thread's operands at step `kk`: each group of neighbours one read.
    auto readGroups = [&](Value tile, Value kk, ThreadSide side, Value at) {
      SmallVector<Value> values;
      int64_t width = side.width();
      for (int64_t g = 0; g < side.groups(); ++g) {
        Value x = side.position(b, loc, at, g * width);
        if (width == 1) {
          values.push_back(
              memref::LoadOp::create(b, loc, tile, ValueRange{kk, x}));
          continue;
        }
        Value group = vector::LoadOp::create(
            b, loc, VectorType::get({width}, b.getF32Type()), tile,
            ValueRange{kk, x}, /*nontemporal=*/false,
            llvm::MaybeAlign(width * sizeof(float)));
        for (int64_t e = 0; e < width; ++e)
          values.push_back(vector::ExtractOp::create(b, loc, group, e));
      }
      return values;
    };
    auto inner =
        scf::ForOp::create(b, loc, zero, constant(kStep), constant(kUnroll),
                           steps.getRegionIterArgs());
    {
      OpBuilder::InsertionGuard innerGuard(b);
      b.setInsertionPointToStart(inner.getBody());
      SmallVector<Value> sums(inner.getRegionIterArgs());
      for (int64_t u = 0; u < kUnroll; ++u) {
        Value kk = offset(inner.getInductionVar(), u, 1);
        SmallVector<Value> aValues =
            readGroups(lhsTile, kk, grid.rowSide(), outRow);
        SmallVector<Value> bValues =
            readGroups(rhsTile, kk, grid.columnSide(), outCol);
        for (int64_t i = 0; i < outputRows; ++i)
          for (int64_t j = 0; j < outputColumns; ++j) {
            Value &sum = sums[i * outputColumns + j];
            sum = arith::AddFOp::create(
                b, loc, sum,
                arith::MulFOp::create(b, loc, aValues[i], bValues[j]));
          }
      }
      scf::YieldOp::create(b, loc, sums);
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
    Value row = arith::AddIOp::create(
        b, loc, rowBase, grid.rowSide().position(b, loc, outRow, i));
    Value rowInside = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult,
                                            row, constant(m));
    for (int64_t j = 0; j < outputColumns; ++j) {
      Value col = arith::AddIOp::create(
          b, loc, colBase, grid.columnSide().position(b, loc, outCol, j));
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
    if (!isLargeTileThreads(largeTileThreads)) {
      getOperation().emitError()
          << getArgument() << ": large-tile-threads must be 64 or 256, not "
          << static_cast<int64_t>(largeTileThreads);
      return signalPassFailure();
    }
    SmallVector<std::pair<linalg::GenericOp, MatmulLayout>> matmuls;
    getOperation().walk([&](linalg::GenericOp op) {
      std::optional<MatmulLayout> layout = matmulLayout(op);
      // Small enough for a warp per row: tick-gpu-row-kernels.
      if (layout && !isRowMatmul(op, *layout, rowMatmulMacs))
        matmuls.push_back({op, *layout});
    });
    for (auto [op, layout] : matmuls)
      lowerToTiles(op, layout, minWarps, largeTilesFrom,
                   largeTileGrid(largeTileThreads));
  }
};

} // namespace
