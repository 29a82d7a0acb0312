//===- DotProducts.cpp - matmuls of a transposed right operand ------------===//

#include "DotProducts.h"
#include "MatmulMaps.h"
#include "Tiling.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "llvm/ADT/bit.h"

using namespace mlir;

bool tick::isDotProductMatmul(linalg::LinalgOp op, int64_t lanes) {
  if (op.getNumLoops() != 3 || op.getNumReductionLoops() != 1 ||
      op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1 ||
      !linalg::isaContractionOpInterface(op) || !op.hasPureTensorSemantics())
    return false;
  if (!cast<ShapedType>(op->getResult(0).getType()).getElementType().isF32())
    return false;
  if (op.getIndexingMapsArray() !=
      tick::matmulMaps(op.getContext(), /*lhsTransposed=*/false,
                       /*rhsTransposed=*/true))
    return false;
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  return llvm::none_of(ranges, ShapedType::isDynamic) && ranges[2] % lanes == 0;
}

std::pair<int64_t, int64_t> tick::dotProductBlock(linalg::LinalgOp op,
                                                  int64_t lanes) {
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  // Accumulators, a vector of each block row and column: AVX-512 has 32
  // vector registers, narrower x86 vectors 16.
  int64_t registers = lanes >= 16 ? 32 : 16;
  std::pair<int64_t, int64_t> best = {1, 1};
  for (int64_t rows = 1; rows <= std::min<int64_t>(ranges[0], lanes); ++rows) {
    if (ranges[0] % rows)
      continue;
    int64_t columns = tick::largestDivisorAtMost(ranges[1], lanes / rows);
    if (rows * columns + rows + columns > registers)
      continue;
    // More accumulators: more FMAs per load; then fewer loads.
    auto [bestRows, bestColumns] = best;
    int64_t products = rows * columns, bestProducts = bestRows * bestColumns;
    if (products > bestProducts ||
        (products == bestProducts && rows + columns < bestRows + bestColumns))
      best = {rows, columns};
  }
  return best;
}

bool tick::isTransposableRowBlock(linalg::LinalgOp op, int64_t lanes,
                                  int64_t maxBytes) {
  // With 8 lanes (AVX2, 16 registers) a block of rows is 8 x 8 outputs, a
  // broadcast load per FMA: on the wide net, 2% slower than dot products.
  if (lanes < 16 || !isDotProductMatmul(op, lanes))
    return false;
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  int64_t rows = ranges[0], columns = ranges[1], depth = ranges[2];
  int64_t bytes = rows * std::max(columns, depth) * sizeof(float);
  return rows % lanes == 0 && bytes <= maxBytes;
}

namespace {

/// A new tensor of the transposed shape of `value` (2-d).
Value emptyTransposed(RewriterBase &rewriter, Location loc, Value value) {
  auto type = cast<RankedTensorType>(value.getType());
  return tensor::EmptyOp::create(rewriter, loc,
                                 {type.getDimSize(1), type.getDimSize(0)},
                                 type.getElementType());
}

/// `source` (2-d) transposed into a new tensor.
Value transposed(RewriterBase &rewriter, Location loc, Value source) {
  Value empty = emptyTransposed(rewriter, loc, source);
  return linalg::TransposeOp::create(rewriter, loc, source, empty,
                                     ArrayRef<int64_t>{1, 0})
      ->getResult(0);
}

/// The elementwise op that computes `init` (the bias broadcast over a
/// block's rows) when it can be computed transposed instead: two parallel
/// loops, `init` its only result and only read by the matmul, written
/// without reading what it overwrites.
linalg::GenericOp transposableInitProducer(Value init) {
  auto producer = init.getDefiningOp<linalg::GenericOp>();
  if (!producer || !init.hasOneUse() || producer.getNumResults() != 1 ||
      producer.getNumLoops() != 2 || producer.getNumReductionLoops() != 0 ||
      producer.hasIndexSemantics())
    return nullptr;
  OpOperand *output = producer.getDpsInitOperand(0);
  if (!producer.getMatchingIndexingMap(output).isIdentity() ||
      producer.payloadUsesValueFromOperand(output))
    return nullptr;
  return producer;
}

/// `producer` computed in the transposed shape: the same body over swapped
/// loops, into a new tensor.
Value transposedProducer(RewriterBase &rewriter, Location loc,
                         linalg::GenericOp producer) {
  AffineMap swap = AffineMap::getPermutationMap(ArrayRef<unsigned>{1, 0},
                                                producer.getContext());
  SmallVector<AffineMap> maps;
  for (OpOperand *input : producer.getDpsInputOperands())
    maps.push_back(producer.getMatchingIndexingMap(input).compose(swap));
  maps.push_back(AffineMap::getMultiDimIdentityMap(2, producer.getContext()));
  Value empty = emptyTransposed(rewriter, loc, producer.getResult(0));
  auto transposedOp = linalg::GenericOp::create(
      rewriter, loc, empty.getType(), producer.getDpsInputs(),
      ValueRange{empty}, maps, producer.getIteratorTypesArray());
  rewriter.cloneRegionBefore(producer.getRegion(), transposedOp.getRegion(),
                             transposedOp.getRegion().end());
  return transposedOp.getResult(0);
}

} // namespace

void tick::transposeRowBlock(RewriterBase &rewriter, linalg::LinalgOp op) {
  rewriter.setInsertionPoint(op);
  Location loc = op.getLoc();
  Value x = op.getDpsInputs()[0], w = op.getDpsInputs()[1];
  Value y = op.getDpsInits()[0];
  Value xt = transposed(rewriter, loc, x);
  // y's initial value (the bias) is computed transposed rather than
  // written in y's shape and transposed; the product is then transposed
  // into the tensor that value was to be written into.
  linalg::GenericOp init = transposableInitProducer(y);
  Value yt = init ? transposedProducer(rewriter, loc, init)
                  : transposed(rewriter, loc, y);
  Value destination = init ? init.getDpsInits()[0] : y;
  Value product = linalg::MatmulOp::create(rewriter, loc, ValueRange{w, xt},
                                           ValueRange{yt})
                      ->getResult(0);
  Value result = linalg::TransposeOp::create(rewriter, loc, product,
                                             destination,
                                             ArrayRef<int64_t>{1, 0})
                     ->getResult(0);
  rewriter.replaceOp(op, result);
  if (init)
    rewriter.eraseOp(init);
}

namespace {

/// Adds the lanes of each accumulator (a power of two of them, at most
/// `lanes`): pairs are folded into one vector holding half of each one's
/// lanes, until one vector holds every accumulator's partial sums side by
/// side; then each group is folded in place. Lane a of the result is the
/// sum of accumulator a. About 3 shuffles and adds per accumulator, where
/// a separate reduction of each would take 2 log2(lanes).
Value sumLanes(OpBuilder &b, Location loc, SmallVector<Value> accumulators,
               int64_t lanes) {
  // Lanes per accumulator in each vector.
  int64_t group = lanes;
  auto fold = [&](Value x, Value y, bool pair) {
    SmallVector<int64_t> low(lanes), high(lanes);
    int64_t half = group / 2;
    for (int64_t lane = 0; lane < lanes; ++lane) {
      // Pairs: x's groups fill the first half, y's (numbered from `lanes`
      // in the shuffle) the second. In place: the groups shrink where
      // they are; lanes past them repeat lane 0.
      int64_t source = 0, index = lane;
      if (pair && lane >= lanes / 2) {
        source = lanes;
        index = lane - lanes / 2;
      }
      int64_t g = index / half, t = index % half;
      bool used = pair || g < lanes / group;
      low[lane] = used ? source + g * group + t : 0;
      high[lane] = used ? source + g * group + half + t : 0;
    }
    Value lo = vector::ShuffleOp::create(b, loc, x, y, low);
    Value hi = vector::ShuffleOp::create(b, loc, x, y, high);
    return arith::AddFOp::create(b, loc, lo, hi).getResult();
  };
  while (accumulators.size() > 1) {
    SmallVector<Value> folded;
    for (size_t a = 0; a < accumulators.size(); a += 2)
      folded.push_back(fold(accumulators[a], accumulators[a + 1], true));
    accumulators = std::move(folded);
    group /= 2;
  }
  Value sums = accumulators.front();
  for (; group > 1; group /= 2)
    sums = fold(sums, sums, false);
  return sums;
}

} // namespace

void tick::vectorizeDotProducts(RewriterBase &rewriter, linalg::LinalgOp op,
                                int64_t lanes) {
  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  int64_t rows = ranges[0], columns = ranges[1], depth = ranges[2];
  Value lhs = op.getDpsInputs()[0], rhs = op.getDpsInputs()[1];
  Value init = op.getDpsInits()[0];
  Type f32 = rewriter.getF32Type();
  auto vectorType = VectorType::get({lanes}, f32);
  Value zero = arith::ConstantOp::create(
      rewriter, loc, vectorType, rewriter.getZeroAttr(vectorType));
  Value padding = arith::ConstantOp::create(rewriter, loc, f32,
                                            rewriter.getF32FloatAttr(0));
  auto index = [&](int64_t v) {
    return arith::ConstantIndexOp::create(rewriter, loc, v).getResult();
  };

  // One accumulator per output element, `lanes` reduction steps per FMA.
  int64_t products = rows * columns;
  SmallVector<Value> inits(products, zero);
  auto loop = scf::ForOp::create(
      rewriter, loc, index(0), index(depth), index(lanes), inits,
      [&](OpBuilder &b, Location loc, Value k, ValueRange accumulators) {
        auto read = [&](Value source, int64_t row) {
          return vector::TransferReadOp::create(
                     b, loc, vectorType, source,
                     ValueRange{index(row), k}, padding,
                     ArrayRef<bool>{true})
              .getResult();
        };
        SmallVector<Value> lhsRows, rhsRows;
        for (int64_t r = 0; r < rows; ++r)
          lhsRows.push_back(read(lhs, r));
        for (int64_t c = 0; c < columns; ++c)
          rhsRows.push_back(read(rhs, c));
        SmallVector<Value> next;
        for (int64_t r = 0; r < rows; ++r)
          for (int64_t c = 0; c < columns; ++c)
            next.push_back(vector::FMAOp::create(
                b, loc, lhsRows[r], rhsRows[c], accumulators[r * columns + c]));
        scf::YieldOp::create(b, loc, next);
      });

  SmallVector<Value> accumulators(loop.getResults());
  accumulators.resize(llvm::bit_ceil(static_cast<uint64_t>(products)), zero);
  Value sums = sumLanes(rewriter, loc, accumulators, lanes);
  Value block = vector::ExtractStridedSliceOp::create(
      rewriter, loc, sums, ArrayRef<int64_t>{0}, ArrayRef<int64_t>{products},
      ArrayRef<int64_t>{1});
  auto blockType = VectorType::get({rows, columns}, f32);
  block = vector::ShapeCastOp::create(rewriter, loc, blockType, block);
  Value current = vector::TransferReadOp::create(
      rewriter, loc, blockType, init, ValueRange{index(0), index(0)}, padding,
      ArrayRef<bool>{true, true});
  Value total = arith::AddFOp::create(rewriter, loc, current, block);
  Value result = vector::TransferWriteOp::create(
                     rewriter, loc, total, init, ValueRange{index(0), index(0)},
                     ArrayRef<bool>{true, true})
                     .getResult();
  rewriter.replaceOp(op, result);
}
