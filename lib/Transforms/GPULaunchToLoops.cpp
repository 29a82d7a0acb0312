//===- GPULaunchToLoops.cpp - kernels run as loops on the CPU -------------===//

#include "tick/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"

namespace tick {
#define GEN_PASS_DEF_TICKGPULAUNCHTOLOOPS
#include "tick/Transforms/Passes.h.inc"
} // namespace tick

using namespace mlir;

namespace {

/// Ops through which the threads of a block communicate: running threads
/// one after another would not compute what the GPU computes.
bool synchronizesThreads(Operation *op) {
  return isa<gpu::BarrierOp, gpu::ShuffleOp, gpu::AllReduceOp,
             gpu::SubgroupReduceOp>(op);
}

LogicalResult launchToLoops(gpu::LaunchOp launch) {
  if (!launch.getBody().hasOneBlock() ||
      !launch.getWorkgroupAttributions().empty() ||
      launch.getAsyncToken())
    return launch.emitError("only a synchronous single-block kernel without "
                            "workgroup memory runs on the CPU");
  WalkResult sync = launch.getBody().walk([](Operation *op) {
    return synchronizesThreads(op) ? WalkResult::interrupt()
                                   : WalkResult::advance();
  });
  if (sync.wasInterrupted())
    return launch.emitError("a kernel whose threads synchronize cannot run "
                            "one thread after another");

  OpBuilder b(launch);
  Location loc = launch.getLoc();
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  gpu::KernelDim3 grid = launch.getGridSizeOperandValues();
  gpu::KernelDim3 block = launch.getBlockSizeOperandValues();
  IRMapping mapping;
  SmallVector<std::pair<Value, Value>> loops = {
      {launch.getBlockIds().z, grid.z},   {launch.getBlockIds().y, grid.y},
      {launch.getBlockIds().x, grid.x},   {launch.getThreadIds().z, block.z},
      {launch.getThreadIds().y, block.y}, {launch.getThreadIds().x, block.x}};
  for (auto [id, size] : loops) {
    auto loop = scf::ForOp::create(b, loc, zero, size, one);
    mapping.map(id, loop.getInductionVar());
    b.setInsertionPoint(loop.getBody()->getTerminator());
  }
  mapping.map(launch.getGridSize().x, grid.x);
  mapping.map(launch.getGridSize().y, grid.y);
  mapping.map(launch.getGridSize().z, grid.z);
  mapping.map(launch.getBlockSize().x, block.x);
  mapping.map(launch.getBlockSize().y, block.y);
  mapping.map(launch.getBlockSize().z, block.z);
  for (Operation &op : launch.getBody().front().without_terminator())
    b.clone(op, mapping);
  launch.erase();
  return success();
}

struct GPULaunchToLoopsPass
    : tick::impl::TickGPULaunchToLoopsBase<GPULaunchToLoopsPass> {
  void runOnOperation() override {
    SmallVector<gpu::LaunchOp> launches;
    getOperation().walk([&](gpu::LaunchOp op) { launches.push_back(op); });
    for (gpu::LaunchOp launch : launches)
      if (failed(launchToLoops(launch)))
        return signalPassFailure();
    getOperation().walk([&](Operation *op) {
      OpBuilder b(op);
      if (auto alloc = dyn_cast<gpu::AllocOp>(op)) {
        auto cpu = memref::AllocOp::create(b, op->getLoc(), alloc.getType(),
                                           alloc.getDynamicSizes(),
                                           alloc.getSymbolOperands());
        alloc.getMemref().replaceAllUsesWith(cpu.getResult());
        op->erase();
      } else if (auto dealloc = dyn_cast<gpu::DeallocOp>(op)) {
        memref::DeallocOp::create(b, op->getLoc(), dealloc.getMemref());
        op->erase();
      } else if (auto copy = dyn_cast<gpu::MemcpyOp>(op)) {
        memref::CopyOp::create(b, op->getLoc(), copy.getSrc(), copy.getDst());
        op->erase();
      }
    });
  }
};

} // namespace
