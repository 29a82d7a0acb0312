//===- Stages.h - the stages of tickc compile -------------------*- C++ -*-===//

#ifndef TICK_TOOLS_TICKC_STAGES_H
#define TICK_TOOLS_TICKC_STAGES_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/StringRef.h"
#include <optional>

namespace tick {

/// The stages of `tickc compile`, in order. Every MLIR stage is valid input.
/// The CPU target passes through vector and bufferized, the CUDA target
/// through gpu (kernels launched from bufferized host functions); exe is a
/// standalone trainer, ptx the CUDA target's kernels as PTX text.
enum class Stage {
  NN,
  Linalg,
  Vector,
  Bufferized,
  GPU,
  LLVM,
  LLVMIR,
  Asm,
  Obj,
  Lib,
  Exe,
  PTX
};

llvm::StringRef stageName(Stage stage);
std::optional<Stage> parseStage(llvm::StringRef name);
bool isMLIRStage(Stage stage);

/// The stage an MLIR module is at, read off the ops and types it holds.
Stage detectStage(mlir::ModuleOp module);

} // namespace tick

#endif // TICK_TOOLS_TICKC_STAGES_H
