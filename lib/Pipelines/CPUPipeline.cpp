//===- CPUPipeline.cpp - Tick's CPU code generation pipeline --------------===//

#include "tick/Pipelines/Pipelines.h"

#include "tick/Conversion/Passes.h"
#include "tick/Dialect/NN/Transforms/Passes.h"
#include "tick/Transforms/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/Transforms/Passes.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/TargetParser/Host.h"

using namespace mlir;

int64_t tick::hostVectorWidth() {
  llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
  if (features.lookup("avx512f"))
    return 16;
  if (features.lookup("avx"))
    return 8;
  return 4;
}

int64_t tick::CPUPipelineOptions::lanes() const {
  return vectorWidth > 0 ? static_cast<int64_t>(vectorWidth)
                         : hostVectorWidth();
}

void tick::buildNNTrainStepPipeline(OpPassManager &pm,
                                    const NNToLinalgOptions &options) {
  // Shapes first: everything below sees a static batch.
  pm.addPass(nn::createNNSpecializeBatch({options.batchSize}));
  // @loss calls @forward: one function body lets fusion cross the call,
  // and nn-autodiff differentiates a straight-line function.
  pm.addPass(createInlinerPass());
  if (!options.optimizer.empty()) {
    nn::NNAutodiffOptions autodiff;
    autodiff.optimizer = options.optimizer;
    autodiff.lr = options.lr;
    autodiff.momentum = options.momentum;
    autodiff.weightDecay = options.weightDecay;
    pm.addPass(nn::createNNAutodiff(autodiff));
  }
}

void tick::buildNNToLinalgPipeline(OpPassManager &pm,
                                   const NNToLinalgOptions &options) {
  buildNNTrainStepPipeline(pm, options);
  pm.addPass(nn::createNNMaterializeParameters());
  pm.addPass(createConvertNNToLinalg());
  // Gradients read several times are summed with arith on tensors.
  pm.addPass(createConvertElementwiseToLinalgPass());
  pm.addPass(nn::createNNVerifyLowered());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

void tick::buildCPUVectorizePipeline(OpPassManager &pm,
                                     const CPUPipelineOptions &options) {
  // An elementwise result several ops read is computed once: recomputing
  // it in each (a LayerNorm's backward in four gradients) cost 7% of a
  // tick of the reference net at batch 64 and 1024.
  pm.addPass(createTickFuseElementwise({/*recomputeShared=*/false}));
  // y = x w^T reads w as it is stored, as dot products: no transposed copy
  // of each weight, written and read again every tick.
  pm.addNestedPass<func::FuncOp>(
      createTickFoldTransposesIntoMatmuls({options.lanes()}));
  // Row blocks before register blocks: the parallel tiles fix the shapes
  // that the register tiling then divides.
  // Blocks reading a weight larger than L2 (from L3 or memory, once per
  // block) are twice as large: they read it half as often.
  pm.addNestedPass<func::FuncOp>(
      createTickTileParallel({options.rows, 2 * options.rows, /*columns=*/64}));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  // A register block of 8 rows holds 8 accumulators (16 with AVX-512's
  // two-vector rows), one row of the right operand and a broadcast: it
  // fits AVX2's 16 and AVX-512's 32 registers at any parallel block size.
  pm.addNestedPass<func::FuncOp>(
      createTickVectorize({options.lanes(), /*matmulRows=*/8}));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.addNestedPass<func::FuncOp>(createTickHoistVectorTransfers());
  // Row sums: one vector add per chunk, one reduction across lanes per row.
  pm.addNestedPass<func::FuncOp>(createTickWidenReductions());
}

void tick::buildBufferizeFunctionsPipeline(OpPassManager &pm) {
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  // Updated parameters and optimizer state were written in place into
  // their argument buffers: those results are the arguments, drop them.
  pm.addPass(createTickDropInPlaceResults());
  // Results become caller-owned out-parameters: the runtime allocates them
  // once, and a tick allocates nothing on the heap for its outputs.
  bufferization::BufferResultsToOutParamsPassOptions outParams;
  outParams.hoistStaticAllocs = true;
  outParams.modifyPublicFunctions = true;
  outParams.addResultAttribute = true;
  pm.addPass(bufferization::createBufferResultsToOutParamsPass(outParams));
}

void tick::buildCPUBufferizePipeline(OpPassManager &pm) {
  buildBufferizeFunctionsPipeline(pm);
  // Accumulators stay in registers across the reduction loop; this must
  // run on scf.for before the forall blocks become parallel loops.
  pm.addNestedPass<func::FuncOp>(createTickHoistVectorTransfers());
  // A block's rows of intermediates are small: keep them on the stack
  // rather than calling malloc in every parallel iteration.
  bufferization::PromoteBuffersToStackPassOptions stack;
  stack.maxAllocSizeInBytes = tick::kStackBufferBytes;
  pm.addNestedPass<func::FuncOp>(
      bufferization::createPromoteBuffersToStackPass(stack));
  bufferization::BufferDeallocationPipelineOptions dealloc;
  bufferization::buildBufferDeallocationPipeline(pm, dealloc);
  pm.addPass(createCanonicalizerPass());
  // No 4 KiB row strides in Tick's own buffers (L1 set conflicts).
  pm.addNestedPass<func::FuncOp>(createTickPadBufferRows());
  // Copies between padded buffers as loops, not calls to MLIR's runner
  // library.
  pm.addNestedPass<func::FuncOp>(createTickLowerStridedCopies());
}

void tick::buildCPUToLLVMPipeline(OpPassManager &pm) {
  // The runtime gathers each batch on the model's threads.
  pm.addPass(createTickAddParallelFor());
  pm.addPass(createForallToParallelLoopPass());
  pm.addPass(createConvertSCFToOpenMPPass());
  pm.addPass(createCanonicalizerPass());
  // Fork the thread team once per call, not once per loop.
  pm.addNestedPass<func::FuncOp>(createTickMergeParallelRegions());
  // Independent loops (the optimizer steps of different parameters) run
  // without a barrier between them.
  pm.addNestedPass<func::FuncOp>(createTickDropLoopBarriers());
  // Each thread's iterations computed inline: no call into the runtime
  // per loop, which Debian's libomp makes slow.
  pm.addPass(createTickStaticLoopRanges());
  pm.addNestedPass<func::FuncOp>(createTickLowerVectors());
  pm.addPass(createConvertVectorToSCFPass());
  pm.addPass(createConvertLinalgToLoopsPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  // The OpenMP loop bodies are memref.alloca_scope regions, which must be
  // lowered while they still hold a single block, before scf -> cf.
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(createConvertVectorToLLVMPass());
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createUBToLLVMConversionPass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createConvertOpenMPToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createTickPackEntryPoints());
}

void tick::buildTickCPUPipeline(OpPassManager &pm,
                                const CPUPipelineOptions &options) {
  buildCPUVectorizePipeline(pm, options);
  buildCPUBufferizePipeline(pm);
  buildCPUToLLVMPipeline(pm);
}

void tick::registerTickPipelines() {
  PassPipelineRegistration<NNToLinalgOptions>(
      "tick-nn-to-linalg",
      "nn model to linalg on tensors: static batch, parameters as "
      "arguments, calls inlined",
      buildNNToLinalgPipeline);
  PassPipelineRegistration<CPUPipelineOptions>(
      "tick-cpu-pipeline",
      "linalg on tensors to the LLVM dialect: fused, tiled into parallel row "
      "blocks, vectorized, bufferized, OpenMP",
      buildTickCPUPipeline);
  PassPipelineRegistration<GPUPipelineOptions>(
      "tick-gpu-pipeline",
      "linalg on tensors to the LLVM dialect for NVIDIA GPUs: fused, one "
      "kernel per loop nest, host code calling the mgpu* runtime",
      buildTickGPUPipeline);
}
