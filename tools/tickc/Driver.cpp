//===- Driver.cpp - what every tickc command shares -----------------------===//

#include "Driver.h"

#include "tick/Dialect/NN/IR/NNDialect.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "llvm/Support/ToolOutputFile.h"

using namespace mlir;

int tick::fail(int code, const llvm::Twine &message) {
  llvm::errs() << "tickc: error: " << message << "\n";
  return code;
}

int tick::writeFile(StringRef path,
                    function_ref<void(llvm::raw_ostream &)> print) {
  std::string error;
  std::unique_ptr<llvm::ToolOutputFile> file = openOutputFile(path, &error);
  if (!file)
    return fail(kIOError, error);
  print(file->os());
  file->os().flush();
  if (std::error_code ec = file->os().error()) {
    // Cleared, or the stream would abort tickc when it is destroyed.
    file->os().clear_error();
    return fail(kIOError, "cannot write " + path + ": " + ec.message());
  }
  file->keep();
  return kSuccess;
}

static DialectRegistry tickRegistry() {
  DialectRegistry registry;
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registerAllToLLVMIRTranslations(registry);
  registry.insert<tick::nn::NNDialect>();
  return registry;
}

tick::LoadedModel::LoadedModel() : context(tickRegistry()) {
  context.loadAllAvailableDialects();
  diagnostics =
      std::make_unique<SourceMgrDiagnosticHandler>(sourceMgr, &context);
}

int tick::LoadedModel::load(StringRef path) {
  std::string error;
  std::unique_ptr<llvm::MemoryBuffer> input = openInputFile(path, &error);
  if (!input)
    return fail(kIOError, error);
  sourceMgr.AddNewSourceBuffer(std::move(input), llvm::SMLoc());
  module = parseSourceFile<ModuleOp>(sourceMgr, &context);
  return module ? kSuccess : kModelError;
}
