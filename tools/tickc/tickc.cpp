//===- tickc.cpp - the Tick compiler driver -------------------------------===//
//
// `tickc compile MODEL.mlir --emit=STAGE` runs the same registered pipelines
// tick-opt can run one by one, stopping at any stage of the lowering:
//
//   nn -> linalg -> vector -> bufferized -> llvm -> llvm-ir -> asm | obj | lib
//
// Any MLIR stage is accepted as input again; tickc detects where it is.
//
//===----------------------------------------------------------------------===//

#include "CHeader.h"
#include "Native.h"
#include "Stages.h"

#include "tick/Dialect/NN/IR/NNDialect.h"
#include "tick/Dialect/NN/Transforms/Passes.h"
#include "tick/Pipelines/Pipelines.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"

using namespace mlir;
using namespace tick;
namespace cl = llvm::cl;

namespace {

/// Exit codes, as --help and the README document them.
enum ExitCode : int {
  kSuccess = 0,
  kModelError = 1, ///< the model (or an input stage) is wrong: see the error
  kUsageError = 2, ///< bad command line
  kIOError = 3,    ///< a file could not be read or written
  kToolError = 4,  ///< code generation or linking failed
};

cl::OptionCategory tickCategory("tickc options");
cl::SubCommand compileCommand(
    "compile", "Compile a model to a stage of the lowering or to native code");

cl::opt<std::string> inputFile(cl::Positional, cl::desc("MODEL.mlir"),
                               cl::Required, cl::sub(compileCommand),
                               cl::cat(tickCategory));
cl::opt<std::string> target("target", cl::desc("Code generator: cpu"),
                            cl::init("cpu"), cl::sub(compileCommand),
                            cl::cat(tickCategory));
cl::opt<std::string> emit(
    "emit",
    cl::desc("Stage to write: nn, linalg, vector, bufferized, llvm (LLVM "
             "dialect), llvm-ir, asm, obj (default), lib (shared library "
             "and C header)"),
    cl::init("obj"), cl::sub(compileCommand), cl::cat(tickCategory));
cl::opt<std::string> outputFile(
    "o",
    cl::desc("Output file (default: stdout for text stages, MODEL.o for "
             "obj, libMODEL.so for lib; lib also writes the header beside it "
             "with the extension .h)"),
    cl::value_desc("file"), cl::sub(compileCommand), cl::cat(tickCategory));
cl::opt<int64_t> batchSize("batch-size",
                           cl::desc("Static batch size of the compiled code "
                                    "(default 64)"),
                           cl::init(64), cl::sub(compileCommand),
                           cl::cat(tickCategory));
cl::opt<std::string> dumpStagesTo(
    "dump-stages-to",
    cl::desc("Also write every stage passed through as DIR/NN-STAGE.mlir "
             "(.ll, .s for LLVM IR and assembly)"),
    cl::value_desc("dir"), cl::sub(compileCommand), cl::cat(tickCategory));
cl::opt<std::string> cpuName("cpu",
                             cl::desc("Target CPU (default: the host's)"),
                             cl::sub(compileCommand), cl::cat(tickCategory));
cl::opt<std::string> cpuFeatures(
    "mattr", cl::desc("Target features, e.g. +avx2,-avx512f (default: the "
                      "host's); they also set the vector width"),
    cl::sub(compileCommand), cl::cat(tickCategory));
cl::opt<int64_t> parallelRows(
    "parallel-rows",
    cl::desc("Largest block of batch rows one OpenMP iteration computes "
             "(default 8)"),
    cl::init(8), cl::sub(compileCommand), cl::cat(tickCategory));

cl::opt<std::string> optimizer(
    "optimizer",
    cl::desc("Also compile @train_step (forward, backward, update) with this "
             "optimizer: sgd, adam, adamw, or none (the step returns the "
             "gradients instead of applying them)"),
    cl::sub(compileCommand), cl::cat(tickCategory));
cl::opt<double> learningRate(
    "lr", cl::desc("Learning rate (default: sgd 0.01, adam/adamw 0.001)"),
    cl::init(-1.0), cl::sub(compileCommand), cl::cat(tickCategory));
cl::opt<double> momentum("momentum", cl::desc("SGD momentum (default 0)"),
                         cl::init(0.0), cl::sub(compileCommand),
                         cl::cat(tickCategory));
cl::opt<double> weightDecay(
    "weight-decay",
    cl::desc("Weight decay (default: adamw 0.01, others 0)"), cl::init(-1.0),
    cl::sub(compileCommand), cl::cat(tickCategory));

const char *kOverview = R"(tickc: the Tick compiler

  tickc compile MODEL.mlir [--emit=STAGE] [-o OUT] [options]

Stages, in order: nn, linalg, vector, bufferized, llvm, llvm-ir, asm, obj,
lib. The input may be a model or any MLIR stage that tickc wrote.

Exit codes: 0 success, 1 error in the model or input IR (reported as
file:line:col: error: ...), 2 bad command line, 3 a file could not be read or
written, 4 code generation or linking failed.
)";

int fail(int code, const llvm::Twine &message) {
  llvm::errs() << "tickc: error: " << message << "\n";
  return code;
}

/// Writes `print`'s output to `path` through a temporary file, so a failed
/// run leaves no partial file behind.
int writeFile(StringRef path, function_ref<void(llvm::raw_ostream &)> print) {
  std::string error;
  std::unique_ptr<llvm::ToolOutputFile> file = openOutputFile(path, &error);
  if (!file)
    return fail(kIOError, error);
  print(file->os());
  file->os().flush();
  if (file->os().has_error())
    return fail(kIOError, "cannot write " + path);
  file->keep();
  return kSuccess;
}

struct Compilation {
  MLIRContext &context;
  OwningOpRef<ModuleOp> module;
  Stage stage;
  NativeTarget &native;
  /// The module at the bufferized stage: its signatures give the header.
  OwningOpRef<ModuleOp> bufferizedModule;
  int dumped = 0;

  int dump(StringRef extension, function_ref<void(llvm::raw_ostream &)> print) {
    if (dumpStagesTo.empty())
      return kSuccess;
    if (std::error_code ec = llvm::sys::fs::create_directories(dumpStagesTo))
      return fail(kIOError, "cannot create " + dumpStagesTo + ": " + ec.message());
    llvm::SmallString<128> path(dumpStagesTo);
    ++dumped;
    std::string name = (dumped < 10 ? "0" : "") + std::to_string(dumped) + "-" +
                       stageName(stage).str() + extension.str();
    llvm::sys::path::append(path, name);
    return writeFile(path, print);
  }

  int dumpModule() {
    return dump(".mlir", [&](llvm::raw_ostream &os) { module->print(os); });
  }

  /// Lowers the module by one stage.
  int advance() {
    PassManager pm(&context);
    switch (stage) {
    case Stage::NN: {
      NNToLinalgOptions options;
      options.batchSize = batchSize;
      options.optimizer = optimizer;
      options.lr = learningRate;
      options.momentum = momentum;
      options.weightDecay = weightDecay;
      buildNNToLinalgPipeline(pm, options);
      break;
    }
    case Stage::Linalg: {
      CPUPipelineOptions options;
      options.vectorWidth = native.vectorWidth;
      options.rows = parallelRows;
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
                        UnitAttr::get(&context));
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

std::string defaultOutput(Stage want) {
  StringRef stem = llvm::sys::path::stem(inputFile);
  if (want == Stage::Obj)
    return (stem + ".o").str();
  if (want == Stage::Lib)
    return ("lib" + stem + ".so").str();
  return "-";
}

int compile() {
  std::optional<Stage> want = parseStage(emit);
  if (!want)
    return fail(kUsageError, "unknown --emit stage '" + emit + "'");
  if (target != "cpu")
    return fail(kUsageError, "unknown --target '" + target +
                                 "' (this build of tickc generates code for: cpu)");
  if (batchSize <= 0)
    return fail(kUsageError, "--batch-size must be positive");
  if (parallelRows <= 0)
    return fail(kUsageError, "--parallel-rows must be positive");

  DialectRegistry registry;
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registerAllToLLVMIRTranslations(registry);
  registry.insert<nn::NNDialect>();
  MLIRContext context(registry);
  context.loadAllAvailableDialects();

  std::string error;
  std::unique_ptr<llvm::MemoryBuffer> input = openInputFile(inputFile, &error);
  if (!input)
    return fail(kIOError, error);
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(std::move(input), llvm::SMLoc());
  SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);

  OwningOpRef<ModuleOp> module = parseSourceFile<ModuleOp>(sourceMgr, &context);
  if (!module)
    return kModelError;

  std::unique_ptr<NativeTarget> native =
      createNativeTarget(cpuName, cpuFeatures, error);
  if (!native)
    return fail(kUsageError, error);

  Stage at = detectStage(*module);
  if (*want < at)
    return fail(kUsageError, "the input is already at stage '" +
                                 stageName(at) + "', past --emit=" + emit);
  if (*want == Stage::Lib && at > Stage::Bufferized)
    return fail(kUsageError, "--emit=lib needs an input at the bufferized "
                             "stage or earlier, to write the C header");

  Compilation c{context, std::move(module), at, *native, {}, 0};
  if (at == Stage::Bufferized)
    c.bufferizedModule = c.module->clone();
  if (int code = c.dumpModule())
    return code;
  Stage lastMLIR = std::min(*want, Stage::LLVM);
  while (c.stage < lastMLIR)
    if (int code = c.advance())
      return code;

  std::string output = outputFile.empty() ? defaultOutput(*want) : outputFile;
  if (isMLIRStage(*want))
    return writeFile(output,
                     [&](llvm::raw_ostream &os) { c.module->print(os); });

  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule =
      translateAndOptimize(*c.module, llvmContext, *native);
  if (!llvmModule)
    return fail(kToolError, "translation to LLVM IR failed");
  c.stage = Stage::LLVMIR;
  if (int code = c.dump(".ll", [&](llvm::raw_ostream &os) { llvmModule->print(os, nullptr); }))
    return code;
  if (*want == Stage::LLVMIR)
    return writeFile(output, [&](llvm::raw_ostream &os) {
      llvmModule->print(os, nullptr);
    });

  if (*want == Stage::Asm || !dumpStagesTo.empty()) {
    c.stage = Stage::Asm;
    llvm::SmallString<0> assembly;
    llvm::raw_svector_ostream os(assembly);
    if (!emitMachineCode(*llvmModule, *native, llvm::CodeGenFileType::AssemblyFile,
                         os, error))
      return fail(kToolError, error);
    if (int code = c.dump(".s", [&](llvm::raw_ostream &o) { o << assembly; }))
      return code;
    if (*want == Stage::Asm)
      return writeFile(output, [&](llvm::raw_ostream &o) { o << assembly; });
  }

  llvm::SmallString<128> objectPath(output);
  if (*want == Stage::Lib) {
    int fd;
    if (std::error_code ec = llvm::sys::fs::createTemporaryFile("tick", "o", fd,
                                                                objectPath))
      return fail(kIOError, "cannot create a temporary object file: " + ec.message());
    llvm::sys::Process::SafelyCloseFileDescriptor(fd);
  }
  {
    std::unique_ptr<llvm::ToolOutputFile> object =
        openOutputFile(objectPath, &error);
    if (!object)
      return fail(kIOError, error);
    if (!emitMachineCode(*llvmModule, *native, llvm::CodeGenFileType::ObjectFile,
                         object->os(), error))
      return fail(kToolError, error);
    object->keep();
  }
  if (*want == Stage::Obj)
    return kSuccess;

  std::string model = llvm::sys::path::stem(inputFile).str();
  std::string headerText;
  llvm::raw_string_ostream headerStream(headerText);
  if (failed(writeCHeader(*c.bufferizedModule, model, headerStream))) {
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

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(tickCategory);
  if (!cl::ParseCommandLineOptions(argc, argv, kOverview, &llvm::errs()))
    return kUsageError;
  if (compileCommand)
    return compile();
  llvm::errs() << "tickc: error: no command given\n";
  cl::PrintHelpMessage();
  return kUsageError;
}
