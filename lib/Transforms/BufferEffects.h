//===- BufferEffects.h - which buffers ops read and write -------*- C++ -*-===//
//
// What the OpenMP passes need to know about memory: the buffers an op
// reads or writes, and whether two memrefs may share memory.
//
//===----------------------------------------------------------------------===//

#ifndef TICK_LIB_TRANSFORMS_BUFFEREFFECTS_H
#define TICK_LIB_TRANSFORMS_BUFFEREFFECTS_H

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

namespace tick {

/// The buffer a memref value is a view of.
inline mlir::Value rootBuffer(mlir::Value value) {
  while (auto view = value.getDefiningOp<mlir::ViewLikeOpInterface>())
    value = view.getViewSource();
  return value;
}

/// Whether two memrefs may share memory: views of one buffer do; buffers
/// in different memory spaces (a GPU block's workgroup memory, device
/// memory) do not; two distinct allocations do not, nor does an allocation
/// with an argument, nor do two arguments of a function (Tick's entry
/// points take buffers that do not overlap: the generated header and the
/// README say so, and the in-place updates and results would see each
/// other otherwise).
inline bool mayAlias(mlir::Value a, mlir::Value b) {
  a = rootBuffer(a);
  b = rootBuffer(b);
  if (a == b)
    return true;
  auto memorySpace = [](mlir::Value v) {
    return llvm::cast<mlir::BaseMemRefType>(v.getType()).getMemorySpace();
  };
  if (memorySpace(a) != memorySpace(b))
    return false;
  auto isAllocation = [](mlir::Value v) {
    return v.getDefiningOp<mlir::memref::AllocOp>() ||
           v.getDefiningOp<mlir::memref::AllocaOp>();
  };
  auto isArgument = [](mlir::Value v) {
    auto argument = llvm::dyn_cast<mlir::BlockArgument>(v);
    return argument && llvm::isa<mlir::FunctionOpInterface>(
                           argument.getOwner()->getParentOp());
  };
  if (isAllocation(a) || isAllocation(b))
    return false;
  return !(isArgument(a) && isArgument(b));
}

/// The buffers an op and the ops nested in it read and write.
struct BufferAccesses {
  llvm::SmallVector<mlir::Value> read, written;

  /// Whether `allowed` holds for every pair of an access of this and an
  /// access of `other` that may touch the same memory, one of them a write.
  template <typename Predicate>
  bool conflictsAllowed(const BufferAccesses &other, Predicate allowed) const {
    auto pairsAllowed = [&](llvm::ArrayRef<mlir::Value> mine,
                            llvm::ArrayRef<mlir::Value> theirs) {
      return llvm::all_of(mine, [&](mlir::Value a) {
        return llvm::all_of(theirs, [&](mlir::Value b) {
          return !mayAlias(a, b) || allowed(a, b);
        });
      });
    };
    return pairsAllowed(written, other.read) &&
           pairsAllowed(written, other.written) &&
           pairsAllowed(read, other.written);
  }

  /// Whether running the two in either order may give different results.
  bool conflictsWith(const BufferAccesses &other) const {
    return !conflictsAllowed(other,
                             [](mlir::Value, mlir::Value) { return false; });
  }
};

/// What `op` itself accesses, not counting the ops it holds: failure when
/// it may access anything (a call, an op with regions that declares no
/// effects); nothing for an op whose effects are those of the ops it holds
/// (loops, scopes, a GPU kernel's launch), nor for a barrier in a kernel
/// (it orders the kernel's accesses, and makes none). Ops with regions that
/// declare effects (linalg ops on buffers) have theirs.
inline mlir::FailureOr<BufferAccesses> ownAccesses(mlir::Operation *op) {
  BufferAccesses accesses;
  auto effects = llvm::dyn_cast<mlir::MemoryEffectOpInterface>(op);
  if (!effects) {
    if (op->hasTrait<mlir::OpTrait::HasRecursiveMemoryEffects>() ||
        llvm::isa<mlir::gpu::LaunchOp, mlir::gpu::BarrierOp>(op) ||
        mlir::isMemoryEffectFree(op))
      return accesses;
    return mlir::failure();
  }
  llvm::SmallVector<mlir::MemoryEffects::EffectInstance> instances;
  effects.getEffects(instances);
  for (const mlir::MemoryEffects::EffectInstance &effect : instances) {
    mlir::Value value = effect.getValue();
    if (!value || !llvm::isa<mlir::BaseMemRefType>(value.getType()))
      return mlir::failure();
    if (llvm::isa<mlir::MemoryEffects::Read>(effect.getEffect()))
      accesses.read.push_back(value);
    else
      accesses.written.push_back(value);
  }
  return accesses;
}

/// The memrefs `op` (without regions) may write or free, or failure when
/// it may write anything.
inline mlir::FailureOr<llvm::SmallVector<mlir::Value>>
writtenBuffers(mlir::Operation *op) {
  if (mlir::isMemoryEffectFree(op))
    return llvm::SmallVector<mlir::Value>();
  mlir::FailureOr<BufferAccesses> accesses = ownAccesses(op);
  if (op->getNumRegions() || mlir::failed(accesses))
    return mlir::failure();
  return accesses->written;
}

/// The memrefs a read-only op reads, or failure when it may read anything.
inline mlir::FailureOr<llvm::SmallVector<mlir::Value>>
readBuffers(mlir::Operation *op) {
  mlir::FailureOr<BufferAccesses> accesses = ownAccesses(op);
  if (mlir::failed(accesses))
    return mlir::failure();
  llvm::SmallVector<mlir::Value> read(accesses->read);
  llvm::append_range(read, accesses->written);
  return read;
}

/// What `op` and the ops nested in it access, or failure when one of them
/// may access anything.
inline mlir::FailureOr<BufferAccesses> nestedAccesses(mlir::Operation *op) {
  BufferAccesses accesses;
  mlir::WalkResult walk = op->walk([&](mlir::Operation *nested) {
    mlir::FailureOr<BufferAccesses> own = ownAccesses(nested);
    if (mlir::failed(own))
      return mlir::WalkResult::interrupt();
    llvm::append_range(accesses.read, own->read);
    llvm::append_range(accesses.written, own->written);
    return mlir::WalkResult::advance();
  });
  if (walk.wasInterrupted())
    return mlir::failure();
  return accesses;
}

} // namespace tick

#endif // TICK_LIB_TRANSFORMS_BUFFEREFFECTS_H
