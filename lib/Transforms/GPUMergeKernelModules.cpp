//===- GPUMergeKernelModules.cpp - one gpu.module per model ---------------===//

#include "tick/Transforms/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/BuiltinOps.h"

namespace tick {
#define GEN_PASS_DEF_TICKGPUMERGEKERNELMODULES
#include "tick/Transforms/Passes.h.inc"
} // namespace tick

using namespace mlir;

namespace {

constexpr StringLiteral kMergedName = "tick_kernels";

struct GPUMergeKernelModulesPass
    : tick::impl::TickGPUMergeKernelModulesBase<GPUMergeKernelModulesPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<gpu::GPUModuleOp> kernelModules(
        module.getOps<gpu::GPUModuleOp>());
    if (kernelModules.empty())
      return;
    // Outlining names each module uniquely but the kernel in it after the
    // function it came from: a kernel takes its module's name.
    for (gpu::GPUModuleOp kernelModule : kernelModules) {
      auto kernels = kernelModule.getOps<gpu::GPUFuncOp>();
      if (!llvm::hasSingleElement(kernels)) {
        kernelModule.emitError("expects one kernel per outlined module");
        return signalPassFailure();
      }
      (*kernels.begin()).setName(kernelModule.getName());
    }
    gpu::GPUModuleOp merged = kernelModules.front();
    Block *mergedBody = merged.getBody();
    for (gpu::GPUModuleOp other : llvm::drop_begin(kernelModules)) {
      for (Operation &op :
           llvm::make_early_inc_range(other.getBody()->getOperations())) {
        if (op.hasTrait<OpTrait::IsTerminator>())
          continue;
        if (!mergedBody->empty() &&
            mergedBody->back().hasTrait<OpTrait::IsTerminator>())
          op.moveBefore(&mergedBody->back());
        else
          op.moveBefore(mergedBody, mergedBody->end());
      }
      other.erase();
    }
    auto mergedName = StringAttr::get(&getContext(), kMergedName);
    merged.setName(mergedName);
    module.walk([&](gpu::LaunchFuncOp launch) {
      launch.setKernelAttr(SymbolRefAttr::get(
          mergedName, {FlatSymbolRefAttr::get(launch.getKernelModuleName())}));
    });
  }
};

} // namespace
