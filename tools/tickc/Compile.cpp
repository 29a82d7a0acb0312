//===- Compile.cpp - tickc compile: the stage machine ---------------------===//
//
// Runs the same registered pipelines tick-opt can run one by one, stopping
// at any stage of the lowering:
//
//   nn -> linalg -> vector -> bufferized -> llvm -> llvm-ir -> asm | obj | lib | exe
//   --target=cuda: nn -> linalg -> gpu ----> llvm -> ...          and ptx (kernels)
//
//===----------------------------------------------------------------------===//

#include "Compile.h"

#include "CHeader.h"
#include "Driver.h"
#include "EmbedTrainer.h"
#include "ModelInfo.h"

#include "tick/Dialect/NN/Transforms/Passes.h"
#include "tick/Pipelines/Pipelines.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
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

  /// C-callable wrappers taking memref descriptors by pointer. The
  /// argument names have served the C header; LLVM has no use for them.
  void markEntryPoints() {
    for (auto func : module->getOps<func::FuncOp>()) {
      if (func.isPublic())
        func->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(),
                      UnitAttr::get(context()));
      for (unsigned i = 0; i < func.getNumArguments(); ++i)
        func.removeArgAttr(i, nn::kParameterArgAttr);
    }
  }

  /// Lowers the module by one stage.
  int advance() {
    PassManager pm(context());
    Stage next;
    switch (stage) {
    case Stage::NN:
      buildNNToLinalgPipeline(pm, *nnOptions(settings));
      next = Stage::Linalg;
      break;
    case Stage::Linalg:
      if (settings.gpu.cuda) {
        buildGPUKernelsPipeline(pm, *gpuOptions(settings));
        next = Stage::GPU;
      } else {
        CPUPipelineOptions options;
        options.vectorWidth = native.vectorWidth;
        options.rows = settings.parallelRows;
        buildCPUVectorizePipeline(pm, options);
        next = Stage::Vector;
      }
      break;
    case Stage::Vector:
      buildCPUBufferizePipeline(pm);
      next = Stage::Bufferized;
      break;
    case Stage::Bufferized:
      markEntryPoints();
      buildCPUToLLVMPipeline(pm);
      next = Stage::LLVM;
      break;
    case Stage::GPU:
      markEntryPoints();
      buildGPUToLLVMPipeline(pm, *gpuOptions(settings));
      next = Stage::LLVM;
      break;
    default:
      llvm_unreachable("only MLIR stages advance through passes");
    }
    if (failed(pm.run(*module)))
      return kModelError;
    stage = next;
    if (stage == Stage::Bufferized || stage == Stage::GPU)
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

std::unique_ptr<GPUPipelineOptions>
tick::gpuOptions(const CompileSettings &settings) {
  auto options = std::make_unique<GPUPipelineOptions>();
  options->chip = settings.gpu.arch;
  options->format = settings.gpu.format;
  options->toolkit = settings.gpu.toolkit;
  options->matmulMinWarps = settings.gpu.matmulMinWarps;
  options->largeTiles = settings.gpu.largeTiles;
  options->largeTileThreads = settings.gpu.largeTileThreads;
  options->rowMatmulMacs = settings.gpu.rowMatmulMacs;
  options->rowGroupWidth = settings.gpu.rowGroupWidth;
  return options;
}

/// Whether `stage` exists on the target `settings` name.
static bool onTarget(Stage stage, const CompileSettings &settings) {
  if (settings.gpu.cuda)
    return stage != Stage::Vector && stage != Stage::Bufferized;
  return stage != Stage::GPU && stage != Stage::PTX;
}

/// The kernels of a module at the gpu stage, as PTX text.
static int writePTX(Compilation &c, const CompileSettings &settings) {
  CompileSettings ptx = settings;
  ptx.gpu.format = "isa";
  c.markEntryPoints();
  PassManager pm(c.context());
  buildGPUToLLVMPipeline(pm, *gpuOptions(ptx));
  if (failed(pm.run(*c.module)))
    return kModelError;
  return writeFile(settings.output, [&](llvm::raw_ostream &os) {
    for (auto binary : c.module->getOps<gpu::BinaryOp>())
      for (Attribute object : binary.getObjects())
        os << cast<gpu::ObjectAttr>(object).getObject().getValue();
  });
}

int tick::compileModule(OwningOpRef<ModuleOp> module,
                        const CompileSettings &settings, NativeTarget &native) {
  Stage at = detectStage(*module);
  Stage want = settings.emit;
  if (want < at)
    return fail(kUsageError, "the input is already at stage '" +
                                 stageName(at) + "', past --emit=" +
                                 stageName(want));
  const char *targetName = settings.gpu.cuda ? "cuda" : "cpu";
  if (!onTarget(want, settings))
    return fail(kUsageError, "--target=" + Twine(targetName) +
                                 " has no stage '" + stageName(want) + "'");
  if (!onTarget(at, settings))
    return fail(kUsageError, "the input is at stage '" + stageName(at) +
                                 "', which --target=" + targetName +
                                 " does not pass through");
  if (want == Stage::Lib && at > Stage::GPU)
    return fail(kUsageError, "--emit=lib needs an input at the " +
                                 Twine(settings.gpu.cuda ? "gpu" : "bufferized") +
                                 " stage or earlier, to write the C header");
  if (want == Stage::Exe && at != Stage::NN)
    return fail(kUsageError, "--emit=exe needs the model itself (the nn "
                             "stage): its parameters become the trainer's");
  ModelInfo info;
  if (want == Stage::Exe)
    if (int code = readModelInfo(*module, settings.modelPath, settings, info))
      return code;
  if (want == Stage::PTX && at > Stage::GPU)
    return fail(kUsageError, "--emit=ptx needs an input at the gpu stage or "
                             "earlier");

  Compilation c{std::move(module), at, settings, native, {}, 0};
  if (at == Stage::Bufferized || at == Stage::GPU)
    c.bufferizedModule = c.module->clone();
  if (int code = c.dumpModule())
    return code;
  Stage lastMLIR = want == Stage::PTX ? Stage::GPU : std::min(want, Stage::LLVM);
  while (c.stage < lastMLIR)
    if (int code = c.advance())
      return code;

  const std::string &output = settings.output;
  if (want == Stage::PTX)
    return writePTX(c, settings);
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

  if (want == Stage::Exe && !embedTrainer(*llvmModule, info, error))
    return fail(kToolError, error);
  llvm::SmallString<128> objectPath(output);
  if (want == Stage::Lib || want == Stage::Exe) {
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
  if (want == Stage::Exe) {
    bool linked =
        linkExecutable(objectPath, output, !settings.gpu.cuda, error);
    llvm::sys::fs::remove(objectPath);
    return linked ? kSuccess : fail(kToolError, error);
  }

  std::string headerText;
  llvm::raw_string_ostream headerStream(headerText);
  if (failed(writeCHeader(*c.bufferizedModule, settings.modelName,
                          headerStream))) {
    llvm::sys::fs::remove(objectPath);
    return kModelError;
  }
  bool linked =
      linkSharedLibrary(objectPath, output, !settings.gpu.cuda, error);
  llvm::sys::fs::remove(objectPath);
  if (!linked)
    return fail(kToolError, error);
  llvm::SmallString<128> header(output);
  llvm::sys::path::replace_extension(header, ".h");
  return writeFile(header, [&](llvm::raw_ostream &os) { os << headerText; });
}
