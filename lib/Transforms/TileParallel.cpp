//===- TileParallel.cpp - row blocks for OpenMP, producers fused ----------===//
//
// The batch is the one dimension every layer of a tick runs over in
// parallel. Tiling it into scf.forall blocks of rows, and computing each
// block's producers inside the same block, gives one parallel loop per
// chain of layers with the intermediate rows still in cache.
//
// A batch that is a single block of rows (at most `rows`, when training
// or evaluating a few samples at a time) would leave every thread but one
// idle: there, each matmul instead gets blocks of its output columns
// (`columns` wide), each reading its own part of the weight, and the row
// ops between matmuls (a LayerNorm of a few rows) run as they are.
//
//===----------------------------------------------------------------------===//

#include "Tiling.h"
#include "tick/Transforms/Passes.h"

#include "mlir/Analysis/SliceAnalysis.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Dominance.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/CSE.h"

namespace tick {
#define GEN_PASS_DEF_TICKTILEPARALLEL
#include "tick/Transforms/Passes.h.inc"
} // namespace tick

using namespace mlir;

namespace {

/// True when loop 0 is parallel and indexes dimension 0 of every result, so
/// blocks of it can be computed independently.
bool isRowParallel(linalg::LinalgOp op) {
  if (op.getNumLoops() == 0 || !op.hasPureTensorSemantics() ||
      op.getIteratorTypesArray()[0] != utils::IteratorType::parallel ||
      ShapedType::isDynamic(op.getStaticLoopRanges()[0]))
    return false;
  AffineExpr d0 = getAffineDimExpr(0, op.getContext());
  return llvm::all_of(op.getDpsInitsMutable(), [&](OpOperand &init) {
    AffineMap map = op.getMatchingIndexingMap(&init);
    return map.getNumResults() > 0 && map.getResult(0) == d0;
  });
}

/// True for the transpose of a matrix.
bool isTransposedMatrix(linalg::LinalgOp op) {
  auto transpose = dyn_cast<linalg::TransposeOp>(op.getOperation());
  return transpose && transpose.getPermutation() == ArrayRef<int64_t>{1, 0};
}

/// Right-operand bytes a block of columns reads at least: below this, a
/// block's work is not worth the barrier at its end (a layer of 10
/// outputs' gradient has 10 rows of weight).
constexpr int64_t kMinColumnBlockBytes = 64 * 1024;

/// Columns per block of a matmul whose rows are a single block: at most
/// `limit`, a multiple of 16 (a whole number of vectors of any width)
/// where the columns allow; 0 when the matmul stays one block.
int64_t columnBlock(linalg::LinalgOp op, int64_t limit) {
  if (op.getNumLoops() != 3 || op.getNumReductionLoops() != 1 ||
      op.getNumDpsInputs() != 2 || !linalg::isaContractionOpInterface(op) ||
      op.getIteratorTypesArray()[1] != utils::IteratorType::parallel)
    return 0;
  AffineExpr d1 = getAffineDimExpr(1, op.getContext());
  for (OpOperand &init : op.getDpsInitsMutable()) {
    AffineMap map = op.getMatchingIndexingMap(&init);
    if (map.getNumResults() != 2 || map.getResult(1) != d1)
      return 0;
  }
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  if (llvm::any_of(ranges, ShapedType::isDynamic))
    return 0;
  int64_t columns = ranges[1], depth = ranges[2];
  int64_t block =
      columns % 16 == 0 && limit >= 16
          ? 16 * tick::largestDivisorAtMost(columns / 16, limit / 16)
          : tick::largestDivisorAtMost(columns, limit);
  auto rhs = cast<ShapedType>(op.getDpsInputs()[1].getType());
  int64_t elementBytes = rhs.getElementTypeBitWidth() / 8;
  if (block == columns || block * depth * elementBytes < kMinColumnBlockBytes)
    return 0;
  return block;
}

struct TileParallelPass : tick::impl::TickTileParallelBase<TileParallelPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<linalg::LinalgOp> ops;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (!op->getParentOfType<scf::ForallOp>())
        ops.push_back(op);
    });
    // Arguments some op updates in place (parameters, optimizer state).
    llvm::DenseSet<Value> updatedArguments;
    for (linalg::LinalgOp op : ops)
      for (Value init : op.getDpsInits())
        if (isa<BlockArgument>(init))
          updatedArguments.insert(init);
    // Consumers first: each becomes the root of a block and pulls in its
    // producers, which are then gone by the time the walk reaches them.
    llvm::DenseSet<Operation *> erased;
    for (linalg::LinalgOp op : llvm::reverse(ops)) {
      if (erased.contains(op) || !isRowParallel(op))
        continue;
      tileAndFuse(op, updatedArguments, erased);
    }
    // Producers that several ops of a block read (the matmul under a
    // LayerNorm's three passes) were fused once per read: merge them.
    IRRewriter rewriter(&getContext());
    DominanceInfo dominance(getOperation());
    eliminateCommonSubExpressions(rewriter, dominance, getOperation());
  }

  /// The tile size of each of `root`'s loops (0: whole) for its parallel
  /// blocks, or nothing where it stays one block.
  SmallVector<int64_t> blockSizes(linalg::LinalgOp root,
                                  const SetVector<Operation *> &cluster) {
    SmallVector<int64_t> ranges = root.getStaticLoopRanges();
    SmallVector<int64_t> sizes(ranges.size(), 0);
    // A transposed weight is written in blocks of the weight's rows, as its
    // optimizer step updates them: each thread then transposes the rows it
    // wrote itself the tick before, from its own cache, rather than a strip
    // across every row, half of them last written by another core. (Blocks
    // of its output rows cost the reference net 3% of a tick at batch 64.)
    if (isTransposedMatrix(root) && !ShapedType::isDynamic(ranges[1])) {
      int64_t block = tick::largestDivisorAtMost(ranges[1], rows);
      if (block < ranges[1]) {
        sizes[1] = block;
        return sizes;
      }
    }

    // Every block of a matmul reads all of its right operand (the weight);
    // one larger than L2 comes from L3 or memory for each block, so such
    // blocks take up to `streamed-rows` rows and read it fewer times, but
    // leave at least two blocks to run in parallel.
    bool streamsWeight = llvm::any_of(cluster, [](Operation *op) {
      auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
      if (!linalgOp || !linalg::isaContractionOpInterface(linalgOp) ||
          linalgOp.getNumDpsInputs() != 2)
        return false;
      auto weight = dyn_cast<ShapedType>(linalgOp.getDpsInputs()[1].getType());
      return weight && weight.hasStaticShape() &&
             weight.getNumElements() * weight.getElementTypeBitWidth() / 8 >=
                 tick::kL2CacheBytes;
    });
    int64_t batch = ranges[0];
    int64_t limit = rows;
    if (streamsWeight)
      limit = std::max<int64_t>(limit,
                                std::min<int64_t>(streamedRows, batch / 2));
    sizes[0] = tick::largestDivisorAtMost(batch, limit);
    if (sizes[0] != batch)
      return sizes;
    // One block of rows: a matmul is split along its columns instead, and
    // nothing is fused into a block that would not split (the matmul under
    // a LayerNorm then becomes a root of its own).
    int64_t columns = columnBlock(root, this->columns);
    if (!columns)
      return {};
    sizes[0] = 0;
    sizes[1] = columns;
    return sizes;
  }

  /// Leaves `root` as it is (correct, but sequential) if it cannot be tiled.
  void tileAndFuse(linalg::LinalgOp root,
                   const llvm::DenseSet<Value> &updatedArguments,
                   llvm::DenseSet<Operation *> &erased) {
    IRRewriter rewriter(root.getContext());
    rewriter.setInsertionPoint(root);
    SetVector<Operation *> cluster;
    BackwardSliceOptions sliceOptions;
    sliceOptions.omitBlockArguments = true;
    (void)getBackwardSlice(root.getOperation(), &cluster, sliceOptions);
    cluster.insert(root);

    SmallVector<int64_t> blocks = blockSizes(root, cluster);
    if (blocks.empty())
      return;
    SmallVector<OpFoldResult> sizes =
        getAsIndexOpFoldResult(root.getContext(), blocks);

    // Producers fused into a block run where the block is. A block that
    // updates a function argument in place (an optimizer step) comes after
    // the other updates, so its producers may not read an argument that
    // any op updates: they would see the new value, or this block's own
    // writes to it from other blocks. The weight gradient a step reads
    // does not: computed in the step's block, it never leaves the cache.
    bool updatesArgument = llvm::any_of(root.getDpsInits(), [](Value init) {
      return isa<BlockArgument>(init);
    });
    auto readsUpdatedArgument = [&](Operation *producer) {
      return llvm::any_of(producer->getOperands(), [&](Value operand) {
        // Through views of it (a reshaped or sliced parameter).
        while (Operation *view = operand.getDefiningOp()) {
          if (!isa<tensor::ExtractSliceOp, tensor::CollapseShapeOp,
                   tensor::ExpandShapeOp, tensor::CastOp>(view))
            break;
          operand = view->getOperand(0);
        }
        return updatedArguments.contains(operand);
      });
    };

    scf::SCFTileAndFuseOptions options;
    options.setTilingOptions(
        scf::SCFTilingOptions().setTileSizes(sizes).setLoopType(
            scf::SCFTilingOptions::LoopType::ForallOp));
    options.setFusionControlFn(
        [&](tensor::ExtractSliceOp slice, OpResult producer,
            bool) -> std::optional<scf::SCFTileAndFuseOptions::ControlFnResult> {
          if (!isa<linalg::LinalgOp>(producer.getOwner()) ||
              (updatesArgument && readsUpdatedArgument(producer.getOwner())))
            return std::nullopt;
          // A slice that is the whole tensor (the transposed weight every
          // block reads) would be recomputed by every block: compute once.
          if (slice.getSourceType() == slice.getResultType())
            return std::nullopt;
          // A producer also read outside this cluster and its block keeps
          // its own loop: fusing it would compute it twice, or hand its
          // value out of the block to readers the block may not dominate.
          // Any of its results counts (a LayerNorm's weight and bias
          // gradients, one reduction read by two optimizer steps).
          Operation *block = slice->getParentOfType<scf::ForallOp>();
          for (Operation *user : producer.getOwner()->getUsers())
            if (!cluster.contains(user) && !(block && block->isAncestor(user)))
              return std::nullopt;
          return scf::SCFTileAndFuseOptions::ControlFnResult{false};
        });

    FailureOr<scf::SCFTileAndFuseResult> result =
        scf::tileConsumerAndFuseProducersUsingSCF(
            rewriter, cast<TilingInterface>(root.getOperation()), options);
    if (failed(result))
      return;
    for (auto [original, replacement] : result->replacements)
      rewriter.replaceAllUsesWith(original, replacement);

    // Fusion leaves the slices it fused through in the block, unused; they
    // would keep the original producers alive.
    for (LoopLikeOpInterface loop : result->loops) {
      SmallVector<Operation *> unused;
      loop->walk([&](tensor::ExtractSliceOp slice) {
        if (slice->use_empty())
          unused.push_back(slice);
      });
      for (Operation *slice : unused)
        rewriter.eraseOp(slice);
    }

    SmallVector<Operation *> dead(result->fusedProducers.begin(),
                                  result->fusedProducers.end());
    dead.push_back(root);
    bool changed = true;
    while (changed) {
      changed = false;
      for (Operation *op : dead) {
        if (erased.contains(op) || !op->use_empty())
          continue;
        erased.insert(op);
        rewriter.eraseOp(op);
        changed = true;
      }
    }
  }
};

} // namespace
