//===- ChunkSums.cpp - the second step of a reduction split into chunks ---===//

#include "ChunkSums.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"

using namespace mlir;

namespace tick {

linalg::GenericOp combineChunks(OpBuilder &b, Location loc, Value partials,
                                Value out, Combiner combiner,
                                const std::optional<FoldedInit> &init) {
  MLIRContext *context = b.getContext();
  auto outType = cast<MemRefType>(out.getType());
  unsigned rank = outType.getRank();
  int64_t chunks = cast<MemRefType>(partials.getType()).getDimSize(0);
  AffineMap identity = AffineMap::getMultiDimIdentityMap(rank, context);

  SmallVector<Value> inputs;
  SmallVector<AffineMap> maps;
  if (init) {
    auto [source, map] = init->source();
    inputs.push_back(source);
    maps.push_back(map);
  }
  for (int64_t z = 0; z < chunks; ++z) {
    SmallVector<AffineExpr> slice = {getAffineConstantExpr(z, context)};
    llvm::append_range(slice, identity.getResults());
    inputs.push_back(partials);
    maps.push_back(AffineMap::get(rank, 0, slice, context));
  }
  maps.push_back(identity);
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  bool folded = init.has_value();
  return linalg::GenericOp::create(
      b, loc, inputs, ValueRange{out}, maps, iterators,
      [=](OpBuilder &nested, Location nestedLoc, ValueRange args) {
        // args: [init,] P[0], ..., P[Z-1], out.
        Value total = folded ? args.front() : args.back();
        for (Value chunk : args.drop_front(folded).drop_back())
          total = combine(nested, nestedLoc, combiner, total, chunk);
        linalg::YieldOp::create(nested, nestedLoc, total);
      });
}

} // namespace tick
