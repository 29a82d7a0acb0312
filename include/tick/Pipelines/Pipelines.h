//===- Pipelines.h - Tick's pass pipelines ----------------------*- C++ -*-===//
//
// The road from an nn model to the LLVM dialect, in the stages `tickc
// --emit` names. Each stage's output is valid input to the next one.
//
//===----------------------------------------------------------------------===//

#ifndef TICK_PIPELINES_PIPELINES_H
#define TICK_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"
#include "tick/Transforms/Passes.h"

namespace tick {

/// nn (dynamic batch, parameters as symbols) to linalg on tensors; with an
/// optimizer, nn-autodiff adds @train_step on the way.
struct NNToLinalgOptions : mlir::PassPipelineOptions<NNToLinalgOptions> {
  Option<int64_t> batchSize{*this, "batch-size",
                            llvm::cl::desc("Static batch size"),
                            llvm::cl::init(64)};
  Option<std::string> optimizer{
      *this, "optimizer",
      llvm::cl::desc("Build @train_step with this optimizer (none, sgd, adam, "
                     "adamw); empty: no train step"),
      llvm::cl::init("")};
  Option<double> lr{*this, "lr", llvm::cl::desc("Learning rate (<0: default)"),
                    llvm::cl::init(-1.0)};
  Option<double> momentum{*this, "momentum", llvm::cl::desc("SGD momentum"),
                          llvm::cl::init(0.0)};
  Option<double> weightDecay{*this, "weight-decay",
                             llvm::cl::desc("Weight decay (<0: default)"),
                             llvm::cl::init(-1.0)};
};
void buildNNToLinalgPipeline(mlir::OpPassManager &pm,
                             const NNToLinalgOptions &options);
/// The nn-level first half of it: static batch, calls inlined, and with an
/// optimizer @train_step; parameters are still symbols. Tools that read or
/// interpret the model as it will be compiled run this.
void buildNNTrainStepPipeline(mlir::OpPassManager &pm,
                              const NNToLinalgOptions &options);

struct CPUPipelineOptions : mlir::PassPipelineOptions<CPUPipelineOptions> {
  Option<int64_t> vectorWidth{
      *this, "vector-width",
      llvm::cl::desc("f32 lanes per vector register (0: the host's)"),
      llvm::cl::init(0)};
  Option<int64_t> rows{*this, "rows",
                       llvm::cl::desc("Largest row block of a parallel loop"),
                       llvm::cl::init(8)};

  /// vectorWidth, with 0 resolved to the host's widest f32 vector.
  int64_t lanes() const;
};

/// linalg on tensors -> tiled, fused, vectorized code on tensors.
void buildCPUVectorizePipeline(mlir::OpPassManager &pm,
                               const CPUPipelineOptions &options);
/// tensors -> memrefs, results as out-parameters, temporaries on the stack.
void buildCPUBufferizePipeline(mlir::OpPassManager &pm);
/// memrefs + vectors + parallel loops -> LLVM dialect with OpenMP.
void buildCPUToLLVMPipeline(mlir::OpPassManager &pm);
/// All three: linalg on tensors to the LLVM dialect (`tick-cpu-pipeline`).
void buildTickCPUPipeline(mlir::OpPassManager &pm,
                          const CPUPipelineOptions &options);

/// Bufferization of whole functions, shared by both targets: tensors ->
/// memrefs, results as caller-owned out-parameters, in-place updates of
/// arguments dropped from the results.
void buildBufferizeFunctionsPipeline(mlir::OpPassManager &pm);

struct GPUPipelineOptions : mlir::PassPipelineOptions<GPUPipelineOptions> {
  Option<std::string> chip{*this, "chip",
                           llvm::cl::desc("GPU architecture (sm_XX)"),
                           llvm::cl::init("sm_90")};
  Option<std::string> features{
      *this, "features",
      llvm::cl::desc("PTX features, e.g. +ptx86 (empty: the oldest PTX "
                     "version the chip allows)"),
      llvm::cl::init("")};
  Option<std::string> format{
      *this, "format",
      llvm::cl::desc("Kernel binary: fatbin (cubin for the chip plus PTX for "
                     "newer GPUs; needs ptxas), bin (cubin), isa (PTX only)"),
      llvm::cl::init("fatbin")};
  Option<std::string> toolkit{
      *this, "toolkit",
      llvm::cl::desc("CUDA toolkit directory holding bin/ptxas (empty: "
                     "search PATH)"),
      llvm::cl::init("")};
  Option<int64_t> blockSize{*this, "block-size",
                            llvm::cl::desc("Threads per block of a "
                                           "parallel loop's kernel"),
                            llvm::cl::init(256)};
  // The kernels' tuning (tick-gpu-matmul-tiles, tick-gpu-row-kernels).
  Option<int64_t> matmulMinWarps{
      *this, "matmul-min-warps",
      llvm::cl::desc("Split a matmul along k while its kernel has fewer "
                     "warps than this (0: never)"),
      llvm::cl::init(kMatmulMinWarps)};
  Option<int64_t> largeTiles{
      *this, "large-tiles",
      llvm::cl::desc("Matmuls with at least this many 64 x 64 output tiles "
                     "take them (0: none)"),
      llvm::cl::init(kLargeTilesFrom)};
  Option<int64_t> largeTileThreads{
      *this, "large-tile-threads",
      llvm::cl::desc("Threads of a 64 x 64 tile: 64 (8 x 8 outputs each) "
                     "or 256 (4 x 4)"),
      llvm::cl::init(kLargeTileThreads)};
  Option<int64_t> rowMatmulMacs{
      *this, "row-matmul-macs",
      llvm::cl::desc("Matmuls reading their left operand by rows with at "
                     "most this many multiply-adds a row are computed a "
                     "warp per row beside the row ops around them (0: "
                     "none)"),
      llvm::cl::init(kRowMatmulMacs)};
  Option<int64_t> rowGroupWidth{
      *this, "row-group-width",
      llvm::cl::desc("Most neighbouring columns a lane of a row kernel "
                     "holds and moves as one vector (1, 2 or 4)"),
      llvm::cl::init(kRowGroupWidth)};
};

/// linalg on tensors -> host functions that allocate, copy and launch
/// gpu.launch kernels, on memrefs (tickc's `gpu` stage).
void buildGPUKernelsPipeline(mlir::OpPassManager &pm,
                             const GPUPipelineOptions &options);
/// gpu.launch kernels -> one gpu.module compiled to a binary, host code in
/// the LLVM dialect calling the mgpu* runtime functions.
void buildGPUToLLVMPipeline(mlir::OpPassManager &pm,
                            const GPUPipelineOptions &options);
/// Both: linalg on tensors to the LLVM dialect (`tick-gpu-pipeline`).
void buildTickGPUPipeline(mlir::OpPassManager &pm,
                          const GPUPipelineOptions &options);

/// f32 lanes of the host's widest vector registers (16 with AVX-512).
int64_t hostVectorWidth();

void registerTickPipelines();

} // namespace tick

#endif // TICK_PIPELINES_PIPELINES_H
