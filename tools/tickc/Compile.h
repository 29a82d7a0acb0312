//===- Compile.h - tickc compile: the stage machine -------------*- C++ -*-===//

#ifndef TICK_TOOLS_TICKC_COMPILE_H
#define TICK_TOOLS_TICKC_COMPILE_H

#include "Native.h"
#include "Stages.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "tick/Pipelines/Pipelines.h"
#include <string>

namespace tick {

/// --target=cuda and how its kernels are built.
struct GPUTarget {
  bool cuda = false;         ///< NVIDIA GPU kernels instead of CPU code
  std::string arch = "sm_90"; ///< the GPU's architecture
  /// Kernel binary format (GPUPipelineOptions::format) and the CUDA
  /// toolkit whose libdevice and ptxas build it.
  std::string format = "fatbin", toolkit;
  /// The kernels' tuning (GPUPipelineOptions).
  int64_t matmulMinWarps = kMatmulMinWarps, largeTiles = kLargeTilesFrom,
          largeTileThreads = kLargeTileThreads, rowMatmulMacs = kRowMatmulMacs,
          rowGroupWidth = kRowGroupWidth;
};

/// What to compile to, and how.
struct CompileSettings {
  Stage emit = Stage::Obj;
  std::string output;       ///< file to write ("-": stdout)
  std::string dumpStagesTo; ///< directory for every stage, or empty
  std::string modelName;    ///< names the C header's guard
  std::string modelPath;    ///< the model file, as a trainer shows it
  int64_t batchSize = 64;
  int64_t parallelRows = 8;
  GPUTarget gpu;
  /// Non-empty: also build @train_step with this optimizer.
  std::string optimizer;
  double lr = -1, momentum = 0, weightDecay = -1;
};

/// The nn-level pipeline options `settings` ask for.
std::unique_ptr<NNToLinalgOptions> nnOptions(const CompileSettings &settings);

/// The GPU pipeline options `settings` ask for.
std::unique_ptr<GPUPipelineOptions> gpuOptions(const CompileSettings &settings);

/// Lowers `module` from the stage it is at to `settings.emit` and writes
/// the result. Returns an exit code (Driver.h).
int compileModule(mlir::OwningOpRef<mlir::ModuleOp> module,
                  const CompileSettings &settings, NativeTarget &native);

} // namespace tick

#endif // TICK_TOOLS_TICKC_COMPILE_H
