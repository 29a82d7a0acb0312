//===- Compile.cpp - tickc compile: the stage machine ---------------------===//
//
// Runs the same registered pipelines tick-opt can run one by one, stopping
// at any stage of the lowering:
//
//   nn -> linalg -> vector -> bufferized -> llvm -> llvm-ir -> asm | obj | lib
//
//===----------------------------------------------------------------------===//

#include "Compile.h"

#include "CHeader.h"
#include "Driver.h"

#include "tick/Dialect/NN/Transforms/Passes.h"
#include "tick/Pipelines/Pipelines.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/ToolOutputFile.h"

using namespace mlir;
using namespace tick;

namespace {

struct Compilation {
  OwningOpRef<ModuleOp> module;
  Stage stage;
  const CompileSettings &settings;
  NativeTarget &native;
  /// The module at the bufferized stage: its signatures give the header.
  OwningOpRef<ModuleOp> bufferizedModule;
  int dumped = 0;

  MLIRContext *context() { return module->getContext(); }

  int dump(StringRef extension, function_ref<void(llvm::raw_ostream &)> print) {
    if (settings.dumpStagesTo.empty())
      return kSuccess;
    if (std::error_code ec =
            llvm::sys::fs::create_directories(settings.dumpStagesTo))
      return fail(kIOError, "cannot create " + settings.dumpStagesTo + ": " +
                                ec.message());
    ++dumped;
    std::string name = (dumped < 10 ? "0" : "") + std::to_string(dumped) + "-" +
                       stageName(stage).str() + extension.str();
    llvm::SmallString<128> path(settings.dumpStagesTo);
    llvm::sys::path::append(path, name);
    return writeFile(path, print);
  }

  int dumpModule() {
    return dump(".mlir", [&](llvm::raw_ostream &os) { module->print(os); });
  }

  /// Lowers the module by one stage.
  int advance() {
    PassManager pm(context());
    switch (stage) {
    case Stage::NN:
      buildNNToLinalgPipeline(pm, *nnOptions(settings));
      break;
    case Stage::Linalg: {
      CPUPipelineOptions options;
      options.vectorWidth = native.vectorWidth;
      options.rows = settings.parallelRows;
      buildCPUVectorizePipeline(pm, options);
      break;
    }
    case Stage::Vector:
      buildCPUBufferizePipeline(pm);
      break;
    case Stage::Bufferized:
      // C-callable wrappers taking memref descriptors by pointer. The
      // argument names have served the C header; LLVM has no use for them.
      for (auto func : module->getOps<func::FuncOp>()) {
        if (func.isPublic())
          func->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(),
                        UnitAttr::get(context()));
        for (unsigned i = 0; i < func.getNumArguments(); ++i)
          func.removeArgAttr(i, nn::kParameterArgAttr);
      }
      buildCPUToLLVMPipeline(pm);
      break;
    default:
      llvm_unreachable("only MLIR stages advance through passes");
    }
    if (failed(pm.run(*module)))
      return kModelError;
    stage = static_cast<Stage>(static_cast<int>(stage) + 1);
    if (stage == Stage::Bufferized)
      bufferizedModule = module->clone();
    return dumpModule();
  }
};

} // namespace

std::unique_ptr<NNToLinalgOptions>
tick::nnOptions(const CompileSettings &settings) {
  auto options = std::make_unique<NNToLinalgOptions>();
  options->batchSize = settings.batchSize;
  options->optimizer = settings.optimizer;
  options->lr = settings.lr;
  options->momentum = settings.momentum;
  options->weightDecay = settings.weightDecay;
  return options;
}

int tick::compileModule(OwningOpRef<ModuleOp> module,
                        const CompileSettings &settings, NativeTarget &native) {
  Stage at = detectStage(*module);
  Stage want = settings.emit;
  if (want < at)
    return fail(kUsageError, "the input is already at stage '" +
                                 stageName(at) + "', past --emit=" +
                                 stageName(want));
  if (want == Stage::Lib && at > Stage::Bufferized)
    return fail(kUsageError, "--emit=lib needs an input at the bufferized "
                             "stage or earlier, to write the C header");

  Compilation c{std::move(module), at, settings, native, {}, 0};
  if (at == Stage::Bufferized)
    c.bufferizedModule = c.module->clone();
  if (int code = c.dumpModule())
    return code;
  Stage lastMLIR = std::min(want, Stage::LLVM);
  while (c.stage < lastMLIR)
    if (int code = c.advance())
      return code;

  const std::string &output = settings.output;
  if (isMLIRStage(want))
    return writeFile(output,
                     [&](llvm::raw_ostream &os) { c.module->print(os); });

  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule =
      translateAndOptimize(*c.module, llvmContext, native);
  if (!llvmModule)
    return fail(kToolError, "translation to LLVM IR failed");
  c.stage = Stage::LLVMIR;
  if (int code = c.dump(".ll", [&](llvm::raw_ostream &os) {
        llvmModule->print(os, nullptr);
      }))
    return code;
  if (want == Stage::LLVMIR)
    return writeFile(output, [&](llvm::raw_ostream &os) {
      llvmModule->print(os, nullptr);
    });

  std::string error;
  if (want == Stage::Asm || !settings.dumpStagesTo.empty()) {
    c.stage = Stage::Asm;
    llvm::SmallString<0> assembly;
    llvm::raw_svector_ostream os(assembly);
    if (!emitMachineCode(*llvmModule, native,
                         llvm::CodeGenFileType::AssemblyFile, os, error))
      return fail(kToolError, error);
    if (int code = c.dump(".s", [&](llvm::raw_ostream &o) { o << assembly; }))
      return code;
    if (want == Stage::Asm)
      return writeFile(output, [&](llvm::raw_ostream &o) { o << assembly; });
  }

  llvm::SmallString<128> objectPath(output);
  if (want == Stage::Lib) {
    int fd;
    if (std::error_code ec =
            llvm::sys::fs::createTemporaryFile("tick", "o", fd, objectPath))
      return fail(kIOError,
                  "cannot create a temporary object file: " + ec.message());
    llvm::sys::Process::SafelyCloseFileDescriptor(fd);
  }
  {
    std::unique_ptr<llvm::ToolOutputFile> object =
        openOutputFile(objectPath, &error);
    if (!object)
      return fail(kIOError, error);
    if (!emitMachineCode(*llvmModule, native, llvm::CodeGenFileType::ObjectFile,
                         object->os(), error))
      return fail(kToolError, error);
    object->os().flush();
    if (std::error_code ec = object->os().error()) {
      object->os().clear_error();
      return fail(kIOError, "cannot write " + objectPath + ": " + ec.message());
    }
    object->keep();
  }
  if (want == Stage::Obj)
    return kSuccess;

  std::string headerText;
  llvm::raw_string_ostream headerStream(headerText);
  if (failed(writeCHeader(*c.bufferizedModule, settings.modelName,
                          headerStream))) {
    llvm::sys::fs::remove(objectPath);
    return kModelError;
  }
  bool linked = linkSharedLibrary(objectPath, output, error);
  llvm::sys::fs::remove(objectPath);
  if (!linked)
    return fail(kToolError, error);
  llvm::SmallString<128> header(output);
  llvm::sys::path::replace_extension(header, ".h");
  return writeFile(header, [&](llvm::raw_ostream &os) { os << headerText; });
}
