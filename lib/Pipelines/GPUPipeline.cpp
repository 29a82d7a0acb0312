//===- GPUPipeline.cpp - Tick's NVIDIA GPU code generation pipeline -------===//
//
// linalg on tensors -> bufferized functions whose loop nests run as kernels
// (one thread per iteration of a nest's parallel loops) -> one gpu.module
// lowered to NVVM and compiled by gpu-module-to-binary, and host code that
// allocates, copies and launches on one stream through the mgpu* functions
// of Tick's runtime.
//
//===----------------------------------------------------------------------===//

#include "tick/Pipelines/Pipelines.h"

#include "tick/Transforms/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/LLVMIR/Transforms/OptimizeForNVVM.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void tick::buildGPUKernelsPipeline(OpPassManager &pm,
                                   const GPUPipelineOptions &options) {
  // Transposed weights and activations are read in place by the matmuls
  // instead of being written out by kernels of their own.
  pm.addNestedPass<func::FuncOp>(createTickFoldTransposesIntoMatmuls());
  pm.addPass(createTickFuseElementwise());
  // Named ops become generics so that their loops can be reordered: a
  // reduction over the batch must not be the outer, serial loop.
  pm.addPass(createLinalgGeneralizeNamedOpsPass());
  pm.addNestedPass<func::FuncOp>(createTickParallelDimsFirst());
  // Each op's result in a buffer of its own: a reused buffer would order
  // kernels that share no data.
  pm.addNestedPass<func::FuncOp>(createTickSplitEmptyTensors());
  buildBufferizeFunctionsPipeline(pm);
  // Matmuls get tiles staged through workgroup memory, chains of row-wise
  // ops (LayerNorm, the loss's softmax) one kernel with a warp per row,
  // other row reductions a warp per row, reductions across rows
  // (bias gradients, the correct count) a block per 32 columns; every other
  // op becomes loops, then a kernel per loop nest.
  TickGPUMatmulTilesOptions tiles;
  tiles.minWarps = options.matmulMinWarps;
  tiles.largeTilesFrom = options.largeTiles;
  tiles.largeTileThreads = options.largeTileThreads;
  tiles.rowMatmulMacs = options.rowMatmulMacs;
  pm.addNestedPass<func::FuncOp>(createTickGPUMatmulTiles(tiles));
  TickGPURowKernelsOptions rowKernels;
  rowKernels.rowMatmulMacs = options.rowMatmulMacs;
  rowKernels.maxGroupWidth = options.rowGroupWidth;
  pm.addNestedPass<func::FuncOp>(createTickGPURowKernels(rowKernels));
  pm.addNestedPass<func::FuncOp>(createTickGPURowReductions());
  pm.addNestedPass<func::FuncOp>(createTickGPUColumnReductions());
  // The sums of split reductions' chunks are computed by the ops that read
  // them (the optimizer's updates) instead of by kernels of their own.
  pm.addNestedPass<func::FuncOp>(createTickFuseIntoConsumers());
  pm.addPass(createConvertLinalgToParallelLoopsPass());
  pm.addPass(createCanonicalizerPass());
  pm.addNestedPass<func::FuncOp>(createTickGPULaunchLoops({options.blockSize}));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  // Independent kernels (Adam's update of each parameter, a layer's input
  // and weight gradients) launch as one, once their sizes have folded to
  // constants.
  pm.addNestedPass<func::FuncOp>(createTickGPUMergeLaunches());
  pm.addPass(createCanonicalizerPass());
  // Last, so that every multiply-add of every kernel, whichever pass
  // wrote it, becomes one fma.
  pm.addNestedPass<func::FuncOp>(createTickGPUFuseMultiplyAdd());
}

void tick::buildGPUToLLVMPipeline(OpPassManager &pm,
                                  const GPUPipelineOptions &options) {
  // Constants (sizes, strides) go into the kernels rather than becoming
  // parameters: a division by a constant is a multiply.
  pm.addPass(createGpuLaunchSinkIndexComputationsPass());
  pm.addPass(createGpuKernelOutliningPass());
  pm.addPass(createTickGPUMergeKernelModules());
  // The matmul tiles are read 16 bytes at a time.
  pm.addPass(createTickGPUAlignWorkgroupMemory());
  // Launches, copies and allocations in order on one stream, waited for
  // once at the end of the call.
  pm.addNestedPass<func::FuncOp>(createGpuAsyncRegionPass());

  GpuNVVMAttachTargetOptions target;
  target.chip = options.chip;
  target.features = options.features;
  target.optLevel = 3;
  pm.addPass(createGpuNVVMAttachTarget(target));
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());

  pm.addNestedPass<gpu::GPUModuleOp>(createStripDebugInfoPass());
  pm.addNestedPass<gpu::GPUModuleOp>(createConvertGpuOpsToNVVMOps());
  pm.addNestedPass<gpu::GPUModuleOp>(LLVM::createNVVMOptimizeForTargetPass());
  pm.addNestedPass<gpu::GPUModuleOp>(createCanonicalizerPass());
  pm.addNestedPass<gpu::GPUModuleOp>(createCSEPass());
  pm.addNestedPass<gpu::GPUModuleOp>(createReconcileUnrealizedCastsPass());

  pm.addPass(createGpuToLLVMConversionPass());
  GpuModuleToBinaryPassOptions binary;
  binary.compilationTarget = options.format;
  binary.toolkitPath = options.toolkit;
  pm.addPass(createGpuModuleToBinaryPass(binary));
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createTickPackEntryPoints());
}

void tick::buildTickGPUPipeline(OpPassManager &pm,
                                const GPUPipelineOptions &options) {
  buildGPUKernelsPipeline(pm, options);
  buildGPUToLLVMPipeline(pm, options);
}
