//===- Vectorize.cpp - register blocks and vector code --------------------===//
//
// The linalg vectorizer turns a static op into one vector op of the op's
// whole shape, so ops are first tiled to shapes that fit vector registers:
// a matmul block of rows x `vector-width` accumulators (two vectors wide
// where the columns allow, splitting off an odd last vector) advanced one
// reduction step per iteration (one FMA per accumulator row), column
// reductions `vector-width` columns per row step, row reductions and
// elementwise ops one row at a time in chunks of a few registers,
// transposes in squares; a matmul of a transposed right operand
// (DotProducts.h) to blocks of at most `vector-width` outputs, unless its
// rows are a few 16-lane vectors, which are transposed into an ordinary
// matmul.
// Sizes are divisors of the dimension, keeping every block static.
//
//===----------------------------------------------------------------------===//

#include "DotProducts.h"
#include "ReducedProducts.h"
#include "Tiling.h"
#include "tick/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace tick {
#define GEN_PASS_DEF_TICKVECTORIZE
#include "tick/Transforms/Passes.h.inc"
} // namespace tick

using namespace mlir;

namespace {

/// Vector registers a row op works on at a time.
constexpr int64_t kRowChunkRegisters = 4;

bool isMatmulLike(linalg::LinalgOp op) {
  return op.getNumLoops() == 3 && op.getNumReductionLoops() == 1 &&
         linalg::isaContractionOpInterface(op);
}

/// A reduction over the outer dimension of its input (a bias gradient: sum
/// over the batch of each column): memory is contiguous along the parallel
/// loop, not along the reduction.
bool isColumnReduction(linalg::LinalgOp op) {
  if (op.getNumLoops() != 2 || op.getNumReductionLoops() != 1 ||
      !linalg::isParallelIterator(op.getIteratorTypesArray()[0]))
    return false;
  return llvm::any_of(op.getDpsInputOperands(), [&](OpOperand *input) {
    AffineMap map = op.getMatchingIndexingMap(input);
    return map.getNumResults() == 2 && map.getResult(1).isFunctionOfDim(0) &&
           map.getResult(0).isFunctionOfDim(1);
  });
}

/// A contraction whose reduction dimensions all have size 1 multiplies
/// elementwise: a column reduction's register block (`vector-width`
/// columns x 1 row of a LayerNorm weight's gradient, sum over rows of
/// dy * xhat) reads both operands as vector<16x1>. The generic lowering
/// would unroll it into a scalar reduction per column; this is one FMA.
struct UnitReductionToFMA : OpRewritePattern<vector::ContractionOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(vector::ContractionOp op,
                                PatternRewriter &rewriter) const override {
    auto accType = dyn_cast<VectorType>(op.getAccType());
    if (!accType || !isa<FloatType>(accType.getElementType()) ||
        !tick::isReducedElementwiseProduct(op))
      return failure();
    SmallVector<int64_t> bounds;
    op.getIterationBounds(bounds);
    for (auto [dim, type] : llvm::enumerate(op.getIteratorTypesArray()))
      if (type == vector::IteratorType::reduction && bounds[dim] != 1)
        return failure();
    Location loc = op.getLoc();
    Value lhs =
        vector::ShapeCastOp::create(rewriter, loc, accType, op.getLhs());
    Value rhs =
        vector::ShapeCastOp::create(rewriter, loc, accType, op.getRhs());
    rewriter.replaceOpWithNewOp<vector::FMAOp>(op, lhs, rhs, op.getAcc());
    return success();
  }
};

struct VectorizePass : tick::impl::TickVectorizeBase<VectorizePass> {
  using Base::Base;

  /// A matmul that would take two-vector register blocks if its columns
  /// were an even number of vectors.
  bool hasOddVectorColumns(linalg::LinalgOp op) {
    if (vectorWidth < 16 || !isMatmulLike(op) || !op.hasPureTensorSemantics() ||
        tick::isDotProductMatmul(op, vectorWidth))
      return false;
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    return !ShapedType::isDynamic(ranges[1]) && ranges[1] > 2 * vectorWidth &&
           ranges[1] % vectorWidth == 0 && ranges[1] % (2 * vectorWidth) != 0;
  }

  /// Tile sizes per loop (0: whole), empty when the op stays as it is.
  SmallVector<int64_t> registerBlock(linalg::LinalgOp op) {
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    if (llvm::any_of(ranges, ShapedType::isDynamic))
      return {};
    SmallVector<int64_t> sizes(ranges.size(), 0);
    if (tick::isDotProductMatmul(op, vectorWidth)) {
      auto [rows, columns] = tick::dotProductBlock(op, vectorWidth);
      sizes = {rows, columns, 0};
    } else if (isMatmulLike(op)) {
      // With AVX-512's 32 registers, two vectors per row where the columns
      // allow: each broadcast of the left operand then feeds two FMAs, and
      // 16 accumulators + 2 weight vectors + a broadcast still fit. (Other
      // widths keep one vector: a 28-lane block of 784 columns would be
      // lowered element by element; AVX2 has 16 registers.)
      bool twoVectors = vectorWidth >= 16 && ranges[1] % (2 * vectorWidth) == 0;
      int64_t columns =
          twoVectors ? 2 * vectorWidth
                     : tick::largestDivisorAtMost(ranges[1], vectorWidth);
      sizes = {tick::largestDivisorAtMost(ranges[0], matmulRows), columns, 1};
    } else if (isa<linalg::TransposeOp>(op)) {
      for (auto [size, range] : llvm::zip(sizes, ranges))
        size = tick::largestDivisorAtMost(range, vectorWidth);
    } else if (isColumnReduction(op)) {
      // Rows of the input, `vector-width` columns at a time, added into
      // a vector accumulator (kept in registers once hoisted).
      sizes = {tick::largestDivisorAtMost(ranges[0], vectorWidth), 1};
    } else if (ranges.size() >= 2) {
      // One row at a time, a long row in chunks of a few registers: a
      // 1024-wide row as one vector value is split and spilled by LLVM
      // (seconds of instruction selection, stack traffic at run time).
      if (ranges[0] > 1)
        sizes[0] = 1;
      int64_t inner = ranges.size() - 1;
      int64_t chunk = kRowChunkRegisters * vectorWidth;
      if (ranges[inner] > chunk)
        sizes[inner] = tick::largestDivisorAtMost(ranges[inner], chunk);
    }
    if (llvm::all_of(sizes, [](int64_t s) { return s == 0; }))
      return {};
    return sizes;
  }

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    IRRewriter rewriter(&getContext());

    // Blocks of x wᵀ whose transposes stay on the stack: outer products.
    SmallVector<linalg::LinalgOp> ops;
    func.walk([&](linalg::LinalgOp op) {
      if (tick::isTransposableRowBlock(op, vectorWidth,
                                       tick::kStackBufferBytes))
        ops.push_back(op);
    });
    for (linalg::LinalgOp op : ops)
      tick::transposeRowBlock(rewriter, op);

    // Matmuls whose columns are an odd number of vectors (784 = 49 x 16):
    // two-vector blocks but for the last vector of columns.
    ops.clear();
    func.walk([&](linalg::LinalgOp op) {
      if (hasOddVectorColumns(op))
        ops.push_back(op);
    });
    for (linalg::LinalgOp op : ops) {
      rewriter.setInsertionPoint(op);
      int64_t columns = op.getStaticLoopRanges()[1];
      linalg::splitOp(rewriter, cast<TilingInterface>(op.getOperation()),
                      /*dimension=*/1,
                      rewriter.getIndexAttr(columns - vectorWidth));
    }

    ops.clear();
    func.walk([&](linalg::LinalgOp op) { ops.push_back(op); });
    for (linalg::LinalgOp op : ops) {
      SmallVector<int64_t> sizes = registerBlock(op);
      if (sizes.empty() || !op.hasPureTensorSemantics())
        continue;
      rewriter.setInsertionPoint(op);
      scf::SCFTilingOptions options;
      options.setTileSizes(getAsIndexOpFoldResult(&getContext(), sizes));
      // Column blocks outside row blocks: one `vector-width` panel of the
      // right operand serves every row block of a parallel block from cache.
      if (isMatmulLike(op))
        options.setInterchange({1, 0, 2});
      FailureOr<scf::SCFTilingResult> tiled =
          scf::tileUsingSCF(rewriter, cast<TilingInterface>(op.getOperation()),
                            options);
      if (failed(tiled))
        return signalPassFailure();
      rewriter.replaceOp(op, tiled->replacements);
    }

    ops.clear();
    func.walk([&](linalg::LinalgOp op) { ops.push_back(op); });
    for (linalg::LinalgOp op : ops) {
      SmallVector<int64_t> ranges = op.getStaticLoopRanges();
      if (llvm::any_of(ranges, ShapedType::isDynamic))
        continue;
      if (tick::isDotProductMatmul(op, vectorWidth) &&
          ranges[0] * ranges[1] <= vectorWidth) {
        tick::vectorizeDotProducts(rewriter, op, vectorWidth);
        continue;
      }
      rewriter.setInsertionPoint(op);
      FailureOr<linalg::VectorizationResult> vectorized = linalg::vectorize(
          rewriter, op, /*inputVectorSizes=*/{}, /*inputScalableVecDims=*/{},
          /*vectorizeNDExtract=*/false, /*flatten1DDepthwiseConv=*/false,
          /*assumeDynamicDimsMatchVecSizes=*/false,
          /*createNamedContraction=*/isMatmulLike(op));
      if (succeeded(vectorized))
        rewriter.replaceOp(op, vectorized->replacements);
    }

    // Read and write the tensors directly instead of through slices, so
    // bufferization makes no copies; fold the vectorizer's leftovers.
    RewritePatternSet patterns(&getContext());
    tensor::populateFoldTensorSubsetIntoVectorTransferPatterns(patterns);
    vector::populateVectorReductionToContractPatterns(patterns);
    vector::populateSinkVectorOpsPatterns(patterns);
    // Column reductions' vector<16x1> operands become vector<16>.
    vector::populateDropUnitDimWithShapeCastPatterns(patterns);
    patterns.add<UnitReductionToFMA>(&getContext());
    vector::TransferReadOp::getCanonicalizationPatterns(patterns, &getContext());
    vector::TransferWriteOp::getCanonicalizationPatterns(patterns, &getContext());
    scf::ForOp::getCanonicalizationPatterns(patterns, &getContext());
    tensor::ExtractSliceOp::getCanonicalizationPatterns(patterns, &getContext());
    tensor::InsertSliceOp::getCanonicalizationPatterns(patterns, &getContext());
    if (failed(applyPatternsGreedily(func, std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
