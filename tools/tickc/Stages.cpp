//===- Stages.cpp - the stages of tickc compile ---------------------------===//

#include "Stages.h"

#include "tick/Dialect/NN/IR/NNDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinTypes.h"

using namespace mlir;

namespace {
struct StageInfo {
  tick::Stage stage;
  llvm::StringRef name;
};
constexpr StageInfo kStages[] = {
    {tick::Stage::NN, "nn"},
    {tick::Stage::Linalg, "linalg"},
    {tick::Stage::Vector, "vector"},
    {tick::Stage::Bufferized, "bufferized"},
    {tick::Stage::GPU, "gpu"},
    {tick::Stage::LLVM, "llvm"},
    {tick::Stage::LLVMIR, "llvm-ir"},
    {tick::Stage::Asm, "asm"},
    {tick::Stage::Obj, "obj"},
    {tick::Stage::Lib, "lib"},
    {tick::Stage::Exe, "exe"},
    {tick::Stage::PTX, "ptx"},
};
} // namespace

llvm::StringRef tick::stageName(Stage stage) {
  return kStages[static_cast<int>(stage)].name;
}

std::optional<tick::Stage> tick::parseStage(llvm::StringRef name) {
  for (const StageInfo &info : kStages)
    if (info.name == name)
      return info.stage;
  return std::nullopt;
}

bool tick::isMLIRStage(Stage stage) { return stage <= Stage::LLVM; }

tick::Stage tick::detectStage(ModuleOp module) {
  bool hasNN = false, hasFunc = false, hasMemRefArgs = false,
       hasVector = false, hasLaunch = false;
  module.walk([&](Operation *op) {
    if (isa<nn::NNDialect>(op->getDialect()))
      hasNN = true;
    else if (isa<vector::VectorDialect>(op->getDialect()))
      hasVector = true;
    else if (isa<gpu::LaunchOp>(op))
      hasLaunch = true;
    if (auto func = dyn_cast<func::FuncOp>(op)) {
      hasFunc = true;
      hasMemRefArgs |= llvm::any_of(func.getArgumentTypes(),
                                    llvm::IsaPred<MemRefType>);
    }
  });
  if (hasNN)
    return Stage::NN;
  if (!hasFunc)
    return Stage::LLVM;
  if (hasLaunch)
    return Stage::GPU;
  if (hasMemRefArgs)
    return Stage::Bufferized;
  return hasVector ? Stage::Vector : Stage::Linalg;
}
