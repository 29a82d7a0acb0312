//===- LowerStridedCopies.cpp - copies between padded buffers as loops ----===//
//
// tick-pad-buffer-rows gives Tick's own buffers strided rows; a copy
// between two of them is no longer one memcpy, and MLIR lowers such a
// memref.copy to a call of `memrefCopy` from its runner library, which
// compiled models do not link. As linalg.copy it becomes a loop nest.
//
//===----------------------------------------------------------------------===//

#include "tick/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Utils/MemRefUtils.h"
#include "mlir/IR/PatternMatch.h"

namespace tick {
#define GEN_PASS_DEF_TICKLOWERSTRIDEDCOPIES
#include "tick/Transforms/Passes.h.inc"
} // namespace tick

using namespace mlir;

namespace {

/// MLIR lowers a copy to a memcpy when both sides have the identity layout
/// or a static, non-empty contiguous one, and to the runner library's call
/// otherwise.
bool lowersToMemcpy(MemRefType type) {
  return type.getLayout().isIdentity() ||
         (type.hasStaticShape() && type.getNumElements() > 0 &&
          memref::isStaticShapeAndContiguousRowMajor(type));
}

struct LowerStridedCopiesPass
    : tick::impl::TickLowerStridedCopiesBase<LowerStridedCopiesPass> {
  void runOnOperation() override {
    SmallVector<memref::CopyOp> copies;
    getOperation().walk([&](memref::CopyOp copy) {
      // linalg.copy takes ranked memrefs only (an unranked copy keeps the
      // call: its layout is not known here).
      auto source = dyn_cast<MemRefType>(copy.getSource().getType());
      auto target = dyn_cast<MemRefType>(copy.getTarget().getType());
      if (source && target &&
          (!lowersToMemcpy(source) || !lowersToMemcpy(target)))
        copies.push_back(copy);
    });
    IRRewriter rewriter(&getContext());
    for (memref::CopyOp copy : copies) {
      rewriter.setInsertionPoint(copy);
      rewriter.replaceOpWithNewOp<linalg::CopyOp>(copy, copy.getSource(),
                                                  copy.getTarget());
    }
  }
};

} // namespace
