//===- GPULaunchLoops.cpp - a host function's work as GPU kernels ---------===//
//
// After bufferization and convert-linalg-to-parallel-loops, a train step is
// one straight-line block of scf.parallel loops (one per linalg op), scalar
// code (the loss, Adam's bias correction) and allocations. On the GPU target
// every buffer it touches is device memory, so this pass leaves the host
// only sizes, addresses and launches:
//
//  - each top-level scf.parallel becomes a gpu.launch over its linearized
//    iteration space, one thread per iteration (kernels already there, such
//    as tick-gpu-row-reductions', stay as they are);
//  - consecutive host ops that touch memory become one single-thread
//    launch ("serial kernel"), with the effect-free ops computing from what
//    they read. A value such a kernel computes and later code uses is
//    passed on through a one-element device buffer;
//  - allocations, deallocations and copies become their gpu.* forms, and
//    every allocation is freed before the function returns.
//
//===----------------------------------------------------------------------===//

#include "tick/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace tick {
#define GEN_PASS_DEF_TICKGPULAUNCHLOOPS
#include "tick/Transforms/Passes.h.inc"
} // namespace tick

using namespace mlir;

namespace {

Value indexConstant(OpBuilder &b, Location loc, int64_t value) {
  return arith::ConstantIndexOp::create(b, loc, value);
}

/// A launch of `grid` blocks of `block` threads, its body ended by a
/// terminator; the builder is left before the terminator.
gpu::LaunchOp createLaunch(OpBuilder &b, Location loc, Value grid,
                           Value block) {
  Value one = indexConstant(b, loc, 1);
  auto launch = gpu::LaunchOp::create(b, loc, grid, one, one, block, one, one);
  b.setInsertionPointToEnd(&launch.getBody().front());
  auto terminator = gpu::TerminatorOp::create(b, loc);
  b.setInsertionPoint(terminator);
  return launch;
}

/// Replaces `loop` by a launch with one thread per iteration.
LogicalResult launchParallelLoop(scf::ParallelOp loop, int64_t blockSize) {
  if (loop.getNumResults() != 0)
    return loop.emitError("a parallel loop with reductions cannot run as a "
                          "kernel yet");
  OpBuilder b(loop);
  Location loc = loop.getLoc();
  SmallVector<Value> tripCounts;
  Value total = indexConstant(b, loc, 1);
  for (auto [lb, ub, step] : llvm::zip(loop.getLowerBound(),
                                       loop.getUpperBound(), loop.getStep())) {
    Value span = arith::SubIOp::create(b, loc, ub, lb);
    tripCounts.push_back(arith::CeilDivUIOp::create(b, loc, span, step));
    total = arith::MulIOp::create(b, loc, total, tripCounts.back());
  }
  Value block = indexConstant(b, loc, blockSize);
  Value grid = arith::CeilDivUIOp::create(b, loc, total, block);
  gpu::LaunchOp launch = createLaunch(b, loc, grid, block);

  // Thread id -> iteration: the last dimension varies fastest, so
  // neighbouring threads touch neighbouring elements.
  Value id = arith::AddIOp::create(
      b, loc,
      arith::MulIOp::create(b, loc, launch.getBlockIds().x, block),
      launch.getThreadIds().x);
  Value inRange = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, id,
                                        total);
  auto guard = scf::IfOp::create(b, loc, inRange, /*withElseRegion=*/false);
  b.setInsertionPoint(guard.thenBlock()->getTerminator());
  IRMapping mapping;
  Value rest = id;
  for (int64_t d = loop.getNumLoops() - 1; d >= 0; --d) {
    Value count = tripCounts[d];
    Value index =
        d == 0 ? rest : arith::RemUIOp::create(b, loc, rest, count);
    if (d > 0)
      rest = arith::DivUIOp::create(b, loc, rest, count);
    Value offset =
        arith::MulIOp::create(b, loc, index, loop.getStep()[d]);
    mapping.map(loop.getInductionVars()[d],
                arith::AddIOp::create(b, loc, loop.getLowerBound()[d], offset));
  }
  for (Operation &op : loop.getBody()->without_terminator())
    b.clone(op, mapping);
  loop.erase();
  return success();
}

/// Does `op` have to run on the device: it touches memory or holds code,
/// or computes from something that runs there.
bool runsOnDevice(Operation *op, const DenseSet<Operation *> &onDevice) {
  if (!isMemoryEffectFree(op) || op->getNumRegions() != 0)
    return true;
  return llvm::any_of(op->getOperands(), [&](Value v) {
    return onDevice.contains(v.getDefiningOp());
  });
}

struct GPULaunchLoopsPass
    : tick::impl::TickGPULaunchLoopsBase<GPULaunchLoopsPass> {
  using Base::Base;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal())
      return;
    if (!func.getBody().hasOneBlock()) {
      func.emitError("expects a function of one block");
      return signalPassFailure();
    }
    if (failed(convertMemoryOps(func)) || failed(launchSerialCode(func)))
      return signalPassFailure();
    SmallVector<scf::ParallelOp> loops(
        func.getBody().front().getOps<scf::ParallelOp>());
    for (scf::ParallelOp loop : loops)
      if (failed(launchParallelLoop(loop, blockSize)))
        return signalPassFailure();
  }

  /// alloc/dealloc/copy -> gpu.alloc/gpu.memcpy; every allocation freed at
  /// the end (the function's results are out-parameters, nothing escapes).
  LogicalResult convertMemoryOps(func::FuncOp func) {
    Block &body = func.getBody().front();
    Operation *terminator = body.getTerminator();
    for (Operation &op : llvm::make_early_inc_range(body)) {
      OpBuilder b(&op);
      if (auto alloc = dyn_cast<memref::AllocOp>(op)) {
        auto gpuAlloc = gpu::AllocOp::create(
            b, op.getLoc(), alloc.getType(), /*asyncToken=*/Type(),
            ValueRange(), alloc.getDynamicSizes(), alloc.getSymbolOperands());
        Location loc = alloc.getLoc();
        alloc.replaceAllUsesWith(gpuAlloc.getMemref());
        alloc.erase();
        b.setInsertionPoint(terminator);
        gpu::DeallocOp::create(b, loc, Type(), ValueRange(),
                               gpuAlloc.getMemref());
      } else if (isa<memref::DeallocOp>(op)) {
        op.erase();
      } else if (auto copy = dyn_cast<memref::CopyOp>(op)) {
        auto source = cast<MemRefType>(copy.getSource().getType());
        auto target = cast<MemRefType>(copy.getTarget().getType());
        if (!source.getLayout().isIdentity() ||
            !target.getLayout().isIdentity())
          return copy.emitError("a copy between strided views cannot run on "
                                "the GPU yet");
        gpu::MemcpyOp::create(b, op.getLoc(), Type(), ValueRange(),
                              copy.getTarget(), copy.getSource());
        copy.erase();
      }
    }
    for (Value result : terminator->getOperands())
      if (isa<MemRefType>(result.getType()))
        return terminator->emitError("a function run on the GPU returns its "
                                     "buffers as out-parameters");
    return success();
  }

  /// Groups the host ops between launches and copies into serial kernels.
  LogicalResult launchSerialCode(func::FuncOp func) {
    Block &body = func.getBody().front();
    SmallVector<SmallVector<Operation *>> groups(1);
    DenseMap<Operation *, unsigned> groupOf;
    DenseSet<Operation *> onDevice;
    for (Operation &op : body.without_terminator()) {
      if (isa<scf::ParallelOp, gpu::LaunchOp, gpu::AllocOp, gpu::DeallocOp,
              gpu::MemcpyOp>(op)) {
        if (!groups.back().empty())
          groups.emplace_back();
        continue;
      }
      if (runsOnDevice(&op, onDevice)) {
        groupOf[&op] = groups.size() - 1;
        groups.back().push_back(&op);
        onDevice.insert(&op);
      }
    }
    for (unsigned g = 0; g < groups.size(); ++g) {
      if (groups[g].empty())
        continue;
      if (failed(passOnResults(func, groups, groupOf, g)))
        return failure();
      launchSerialGroup(groups[g]);
    }
    return success();
  }

  /// Values group `g` computes and other code uses go through a
  /// one-element device buffer each: stored in the serial kernel, loaded
  /// where they are used (inside a parallel kernel, or in the serial code
  /// of a later group).
  LogicalResult passOnResults(func::FuncOp func,
                              SmallVector<SmallVector<Operation *>> &groups,
                              DenseMap<Operation *, unsigned> &groupOf,
                              unsigned g) {
    Block &body = func.getBody().front();
    SmallVector<Operation *> &group = groups[g];
    for (unsigned i = 0, e = group.size(); i < e; ++i) {
      Operation *op = group[i];
      for (Value result : op->getResults()) {
        SmallVector<OpOperand *> outside;
        for (OpOperand &use : result.getUses()) {
          Operation *top = body.findAncestorOpInBlock(*use.getOwner());
          auto it = groupOf.find(top);
          if (it == groupOf.end() || it->second != g)
            outside.push_back(&use);
        }
        if (outside.empty())
          continue;
        Location loc = op->getLoc();
        if (!result.getType().isIntOrIndexOrFloat())
          return op->emitError("a value of this type cannot be passed from "
                               "one GPU kernel to another");
        OpBuilder b(&body, body.begin());
        Value buffer =
            gpu::AllocOp::create(b, loc, MemRefType::get({}, result.getType()),
                                 Type(), ValueRange(), ValueRange(),
                                 ValueRange())
                .getMemref();
        b.setInsertionPoint(body.getTerminator());
        gpu::DeallocOp::create(b, loc, Type(), ValueRange(), buffer);
        b.setInsertionPointAfter(op);
        group.push_back(memref::StoreOp::create(b, loc, result, buffer));
        groupOf[group.back()] = g;
        for (OpOperand *use : outside) {
          Operation *top = body.findAncestorOpInBlock(*use->getOwner());
          auto it = groupOf.find(top);
          if (auto loop = dyn_cast<scf::ParallelOp>(top)) {
            b.setInsertionPointToStart(loop.getBody());
            use->set(memref::LoadOp::create(b, loc, buffer));
          } else if (auto kernel = dyn_cast<gpu::LaunchOp>(top)) {
            b.setInsertionPointToStart(&kernel.getBody().front());
            use->set(memref::LoadOp::create(b, loc, buffer));
          } else if (it != groupOf.end()) {
            b.setInsertionPoint(top);
            auto load = memref::LoadOp::create(b, loc, buffer);
            use->set(load);
            groups[it->second].push_back(load);
            groupOf[load] = it->second;
          } else {
            return use->getOwner()->emitError(
                "uses on the host a value computed on the GPU");
          }
        }
      }
    }
    return success();
  }

  /// Moves `group` (in block order) into a single-thread launch placed
  /// after its last op.
  void launchSerialGroup(SmallVector<Operation *> &group) {
    llvm::sort(group, [](Operation *x, Operation *y) {
      return x->isBeforeInBlock(y);
    });
    OpBuilder b(group.back()->getContext());
    b.setInsertionPointAfter(group.back());
    Location loc = group.front()->getLoc();
    Value one = indexConstant(b, loc, 1);
    createLaunch(b, loc, one, one);
    Operation *launchEnd = b.getInsertionBlock()->getTerminator();
    for (Operation *op : group)
      op->moveBefore(launchEnd);
  }
};

} // namespace
