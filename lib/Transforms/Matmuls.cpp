//===- Matmuls.cpp - matmuls on buffers, and who computes them ------------===//

#include "Matmuls.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

using namespace mlir;
using namespace tick;

std::optional<MatmulLayout> tick::matmulLayout(linalg::GenericOp op) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInputs() != 2 ||
      op.getNumDpsInits() != 1 || op.getNumLoops() != 3)
    return std::nullopt;
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  SmallVector<AffineMap> plain = matmulMaps(op.getContext(), false, false);
  MatmulLayout layout;
  layout.lhsTransposed = maps[0] != plain[0];
  layout.rhsTransposed = maps[1] != plain[1];
  if (maps !=
      matmulMaps(op.getContext(), layout.lhsTransposed, layout.rhsTransposed))
    return std::nullopt;
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  if (iterators[0] != utils::IteratorType::parallel ||
      iterators[1] != utils::IteratorType::parallel ||
      iterators[2] != utils::IteratorType::reduction)
    return std::nullopt;
  for (Value operand : op->getOperands()) {
    auto type = cast<MemRefType>(operand.getType());
    if (!type.hasStaticShape() || !type.getElementType().isF32())
      return std::nullopt;
  }
  Block &body = op.getRegion().front();
  Value a = body.getArgument(0), b = body.getArgument(1),
        c = body.getArgument(2);
  auto add = body.getTerminator()->getOperand(0).getDefiningOp<arith::AddFOp>();
  if (!add || body.getOperations().size() != 3)
    return std::nullopt;
  Value product = add.getLhs() == c ? add.getRhs() : add.getLhs();
  auto mul = product.getDefiningOp<arith::MulFOp>();
  if (mul && (add.getLhs() == c || add.getRhs() == c) &&
      ((mul.getLhs() == a && mul.getRhs() == b) ||
       (mul.getLhs() == b && mul.getRhs() == a)))
    return layout;
  return std::nullopt;
}

bool tick::isRowMatmul(linalg::GenericOp op, MatmulLayout layout,
                       int64_t maxMacsPerRow) {
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  return !layout.lhsTransposed && ranges[1] * ranges[2] <= maxMacsPerRow;
}
