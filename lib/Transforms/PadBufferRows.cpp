//===- PadBufferRows.cpp - no power-of-two row strides --------------------===//
//
// A matmul register block reads eight rows of its left operand and one row
// of its right operand per step. When rows are 4 KiB apart (1024 floats),
// all of those lines fall into the same set of the L1 cache, which holds
// only eight: the left operand's lines are evicted every few steps. A
// 784-1024-1024-10 train step ran 23% slower per FLOP than the same net
// with 1008-wide layers. Tick's own buffers therefore get one cache line of
// padding per row: the buffer is allocated RxC+16 and used through a view
// of RxC with that row stride. Buffers passed in by the caller (parameters,
// inputs, outputs) keep their dense layout.
//
//===----------------------------------------------------------------------===//

#include "tick/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"

namespace tick {
#define GEN_PASS_DEF_TICKPADBUFFERROWS
#include "tick/Transforms/Passes.h.inc"
} // namespace tick

using namespace mlir;

namespace {

constexpr int64_t kSetStrideBytes = 4096; // L1 sets x line size
constexpr int64_t kLineBytes = 64;

/// Whether every use of `view` (and of views of it) works on any strided
/// layout, so the buffer behind it can change its row stride.
bool usesAcceptAnyLayout(Value view) {
  for (OpOperand &use : view.getUses()) {
    Operation *user = use.getOwner();
    if (auto subview = dyn_cast<memref::SubViewOp>(user)) {
      if (!usesAcceptAnyLayout(subview.getResult()))
        return false;
      continue;
    }
    if (!isa<vector::TransferReadOp, vector::TransferWriteOp, memref::LoadOp,
             memref::StoreOp, memref::CopyOp, memref::DeallocOp,
             linalg::LinalgOp>(user))
      return false;
  }
  return true;
}

/// Rebuilds the subviews among the uses of `oldView` on `newView` (whose
/// layout differs), recursively; other uses switch to `newView`.
void retarget(RewriterBase &rewriter, Value oldView, Value newView) {
  for (OpOperand &use : llvm::make_early_inc_range(oldView.getUses())) {
    auto subview = dyn_cast<memref::SubViewOp>(use.getOwner());
    if (!subview) {
      rewriter.modifyOpInPlace(use.getOwner(), [&] { use.set(newView); });
      continue;
    }
    rewriter.setInsertionPoint(subview);
    auto resultType = memref::SubViewOp::inferRankReducedResultType(
        subview.getType().getShape(), cast<MemRefType>(newView.getType()),
        subview.getMixedOffsets(), subview.getMixedSizes(),
        subview.getMixedStrides());
    auto rebuilt = memref::SubViewOp::create(
        rewriter, subview.getLoc(), cast<MemRefType>(resultType), newView,
        subview.getMixedOffsets(), subview.getMixedSizes(),
        subview.getMixedStrides());
    retarget(rewriter, subview.getResult(), rebuilt.getResult());
    rewriter.eraseOp(subview);
  }
}

template <typename AllocLike>
void padRows(RewriterBase &rewriter, AllocLike alloc) {
  MemRefType type = alloc.getType();
  if (type.getRank() != 2 || !type.hasStaticShape() ||
      !type.getLayout().isIdentity() || !type.getElementType().isIntOrFloat())
    return;
  int64_t elementBytes = type.getElementTypeBitWidth() / 8;
  int64_t rows = type.getDimSize(0), rowBytes = type.getDimSize(1) * elementBytes;
  // Only buffers whose rows are read in blocks (several rows at a time).
  if (rows < 8 || elementBytes == 0 || rowBytes % kSetStrideBytes != 0)
    return;
  if (!usesAcceptAnyLayout(alloc.getResult()))
    return;
  int64_t paddedColumns = type.getDimSize(1) + kLineBytes / elementBytes;
  rewriter.setInsertionPoint(alloc);
  auto padded = AllocLike::create(
      rewriter, alloc.getLoc(),
      MemRefType::get({rows, paddedColumns}, type.getElementType(),
                      MemRefLayoutAttrInterface(), type.getMemorySpace()),
      alloc.getAlignmentAttr());
  auto view = memref::SubViewOp::create(
      rewriter, alloc.getLoc(), padded.getResult(),
      ArrayRef<OpFoldResult>{rewriter.getIndexAttr(0), rewriter.getIndexAttr(0)},
      ArrayRef<OpFoldResult>{rewriter.getIndexAttr(rows),
                             rewriter.getIndexAttr(type.getDimSize(1))},
      ArrayRef<OpFoldResult>{rewriter.getIndexAttr(1), rewriter.getIndexAttr(1)});
  // A dealloc frees the allocation itself, not the view.
  for (OpOperand &use : llvm::make_early_inc_range(alloc->getUses()))
    if (isa<memref::DeallocOp>(use.getOwner()))
      rewriter.modifyOpInPlace(use.getOwner(), [&] { use.set(padded.getResult()); });
  retarget(rewriter, alloc.getResult(), view.getResult());
  rewriter.eraseOp(alloc);
}

struct PadBufferRowsPass
    : tick::impl::TickPadBufferRowsBase<PadBufferRowsPass> {
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    SmallVector<Operation *> allocs;
    getOperation().walk([&](Operation *op) {
      if (isa<memref::AllocOp, memref::AllocaOp>(op))
        allocs.push_back(op);
    });
    for (Operation *op : allocs) {
      if (auto alloc = dyn_cast<memref::AllocOp>(op))
        padRows(rewriter, alloc);
      else
        padRows(rewriter, cast<memref::AllocaOp>(op));
    }
  }
};

} // namespace
