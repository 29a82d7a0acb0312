//===- GPULaunchToLoops.cpp - kernels run on the CPU ----------------------===//
//
// A test aid: the GPU target's kernels, run on a machine without a GPU, on
// one thread: each kernel becomes loops over its blocks, and each block
// runs its threads one after another between barriers (GPUBlockPhases.h).
// Device memory becomes host memory.
//
//===----------------------------------------------------------------------===//

#include "GPUBlockPhases.h"
#include "tick/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

namespace tick {
#define GEN_PASS_DEF_TICKGPULAUNCHTOLOOPS
#include "tick/Transforms/Passes.h.inc"
} // namespace tick

using namespace mlir;

namespace {

struct GPULaunchToLoopsPass
    : tick::impl::TickGPULaunchToLoopsBase<GPULaunchToLoopsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<gpu::LaunchOp> launches;
    module.walk([&](gpu::LaunchOp op) { launches.push_back(op); });
    for (gpu::LaunchOp launch : launches) {
      if (!launch.getBody().hasOneBlock() || launch.getAsyncToken()) {
        launch.emitError("only a synchronous single-block kernel runs on "
                         "the CPU");
        return signalPassFailure();
      }
      if (failed(tick::launchToPhases(launch)))
        return signalPassFailure();
    }
    module.walk([&](Operation *op) {
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
