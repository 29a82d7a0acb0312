//===- ModelFuzzer.cpp - libFuzzer target: a model through the compiler ---===//
//
// Parses the input as a model, verifies it, and when it is a model (nn and
// func ops only) lowers it in process through tick-nn-to-linalg, with a
// train step, and tick-cpu-pipeline to the LLVM dialect: what tickc compile
// does before LLVM. Diagnostics are swallowed; only crashes count.
//
//===----------------------------------------------------------------------===//

#include "tick/Dialect/NN/IR/NNDialect.h"
#include "tick/Pipelines/Pipelines.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"

using namespace mlir;

namespace {

DialectRegistry &registry() {
  static DialectRegistry *r = [] {
    auto *reg = new DialectRegistry();
    registerAllDialects(*reg);
    registerAllExtensions(*reg);
    reg->insert<tick::nn::NNDialect>();
    return reg;
  }();
  return *r;
}

bool isModel(ModuleOp module) {
  WalkResult result = module.walk([](Operation *op) {
    if (isa<ModuleOp>(op) || isa<tick::nn::NNDialect>(op->getDialect()) ||
        isa<func::FuncDialect>(op->getDialect()))
      return WalkResult::advance();
    return WalkResult::interrupt();
  });
  return !result.wasInterrupted();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  MLIRContext context(registry(), MLIRContext::Threading::DISABLED);
  ScopedDiagnosticHandler quiet(&context, [](Diagnostic &) { return success(); });
  // A NUL-terminated copy, as tickc reads a file: the MLIR lexer relies on
  // the terminator and would read past libFuzzer's bare bytes.
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(
      llvm::MemoryBuffer::getMemBufferCopy(
          StringRef(reinterpret_cast<const char *>(data), size), "fuzz.mlir"),
      llvm::SMLoc());
  OwningOpRef<ModuleOp> module =
      parseSourceFile<ModuleOp>(sourceMgr, ParserConfig(&context));
  if (!module || !isModel(*module))
    return 0;
  PassManager pm(&context);
  tick::NNToLinalgOptions nn;
  nn.batchSize = 4;
  nn.optimizer = "adam";
  tick::buildNNToLinalgPipeline(pm, nn);
  tick::CPUPipelineOptions cpu;
  cpu.vectorWidth = 16;
  tick::buildTickCPUPipeline(pm, cpu);
  (void)pm.run(*module);
  return 0;
}
