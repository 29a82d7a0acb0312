//===- tickc.cpp - the Tick compiler driver -------------------------------===//
//
//   tickc compile MODEL.mlir [--emit=STAGE] ...   a stage of the lowering
//   tickc train   MODEL.mlir [--epochs N] ...     compile, then train
//   tickc eval    MODEL.mlir --weights FILE ...   test loss and accuracy
//
//===----------------------------------------------------------------------===//

#include "Compile.h"
#include "Driver.h"
#include "Native.h"
#include "Stages.h"
#include "Train.h"

#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"

#include <csignal>
#include <cstdlib>

extern "C" void LLVMInitializeNVPTXTargetInfo();
extern "C" void LLVMInitializeNVPTXTargetMC();

using namespace tick;
namespace cl = llvm::cl;

namespace {

cl::OptionCategory tickCategory("tickc options");
cl::SubCommand compileCommand(
    "compile", "Compile a model to a stage of the lowering or to native code");
cl::SubCommand trainCommand(
    "train", "Compile a model's train step and train it on MNIST-style data");
cl::SubCommand evalCommand("eval",
                           "Test loss and accuracy of a model's weights");

/// Lists an option under every subcommand (each compiles the model) and
/// in tickc's category: `cl::opt<T> x("x", ..., everyCommand)`.
struct EveryCommand {
  template <class Opt> void apply(Opt &option) const {
    for (cl::SubCommand *command :
         {&compileCommand, &trainCommand, &evalCommand})
      option.addSubCommand(*command);
    option.addCategory(tickCategory);
  }
} everyCommand;

constexpr const char *kDefaultData = "/usr/share/datasets/fashion-mnist";

// Options every command takes.
cl::opt<std::string> inputFile(cl::Positional, cl::desc("MODEL.mlir"),
                               cl::Required, everyCommand);
cl::opt<int64_t> batchSize(
    "batch-size",
    cl::desc("Batch size compiled into the code (default 64)"), cl::init(64),
    everyCommand);
cl::opt<std::string> target(
    "target",
    cl::desc("Code generator: cpu (default; vectorized, OpenMP) or cuda "
             "(NVIDIA GPU kernels; running them needs a GPU and its driver)"),
    cl::init("cpu"), everyCommand);
cl::opt<std::string> gpuArch(
    "gpu-arch",
    cl::desc("--target=cuda: the GPU architecture the cubin is for (default "
             "sm_90, the H100); the PTX beside it runs on newer GPUs too"),
    cl::init("sm_90"), everyCommand);
// --target=cuda: the kernels' tuning, for trying other choices than the
// defaults (timed on an H100) on other GPUs and models.
cl::opt<int64_t> gpuMatmulMinWarps(
    "gpu-matmul-min-warps",
    cl::desc("--target=cuda: split a matmul along k while its kernel has "
             "fewer warps than this (default 4096; 0: never)"),
    cl::init(tick::kMatmulMinWarps), everyCommand);
cl::opt<int64_t> gpuLargeTiles(
    "gpu-large-tiles",
    cl::desc("--target=cuda: matmuls with at least this many 64 x 64 output "
             "tiles take them, 8 x 8 outputs a thread (default 264; 0: "
             "none)"),
    cl::init(tick::kLargeTilesFrom), everyCommand);
cl::opt<int64_t> gpuLargeTileThreads(
    "gpu-large-tile-threads",
    cl::desc("--target=cuda: threads of a 64 x 64 matmul tile: 64 (8 x 8 "
             "outputs each; default) or 256 (4 x 4 each)"),
    cl::init(tick::kLargeTileThreads), everyCommand);
cl::opt<int64_t> gpuRowMatmulMacs(
    "gpu-row-matmul-macs",
    cl::desc("--target=cuda: matmuls reading their left operand by rows "
             "with at most this many multiply-adds a row are computed a warp "
             "per row inside the kernels of the row ops around them "
             "(default 1024; 0: none)"),
    cl::init(tick::kRowMatmulMacs), everyCommand);
cl::opt<int64_t> gpuRowGroupWidth(
    "gpu-row-group-width",
    cl::desc("--target=cuda: a lane of a row kernel holds its columns in "
             "groups of up to this many neighbours, loaded and stored as "
             "one vector: 1, 2 or 4 (default 4: 16-byte accesses)"),
    cl::init(tick::kRowGroupWidth), everyCommand);
cl::opt<std::string> cpuName("cpu",
                             cl::desc("Target CPU (default: this machine's)"),
                             everyCommand);
cl::opt<std::string> cpuFeatures(
    "mattr", cl::desc("Target features, e.g. +avx2,-avx512f (default: this "
                      "machine's); they also set the vector width"),
    everyCommand);
cl::opt<int64_t> parallelRows(
    "parallel-rows",
    cl::desc("Largest block of rows one OpenMP iteration computes (default "
             "8; twice that where a matmul reads a weight over 1 MiB; a "
             "batch of at most this many rows splits matmuls by columns)"),
    cl::init(8), everyCommand);

// compile
cl::opt<std::string> emit(
    "emit",
    cl::desc("Stage to write: nn, linalg, vector and bufferized (cpu), gpu "
             "(cuda: host code launching kernels), llvm (LLVM dialect), "
             "llvm-ir, asm, obj (default), lib (shared library and C header), "
             "exe (a standalone trainer; --help on it lists its options), "
             "ptx (cuda: the kernels as PTX)"),
    cl::init("obj"), cl::sub(compileCommand), cl::cat(tickCategory));
cl::opt<std::string> outputFile(
    "o",
    cl::desc("Output file (default: stdout for text stages, MODEL.o for "
             "obj, libMODEL.so for lib, MODEL for exe; lib also writes the "
             "header beside it with the extension .h)"),
    cl::value_desc("file"), cl::sub(compileCommand), cl::cat(tickCategory));
cl::opt<std::string> dumpStagesTo(
    "dump-stages-to",
    cl::desc("Also write every stage passed through as DIR/NN-STAGE.mlir "
             "(.ll, .s for LLVM IR and assembly)"),
    cl::value_desc("dir"), cl::sub(compileCommand), cl::cat(tickCategory));

// compile and train: the optimizer of the train step
cl::opt<std::string> optimizer(
    "optimizer",
    cl::desc("compile: also build @train_step with this optimizer (sgd, adam, "
             "adamw, or none: the step returns the gradients; --emit=exe: "
             "default adam). train: the optimizer (default adam)"),
    cl::sub(compileCommand), cl::sub(trainCommand), cl::cat(tickCategory));
cl::opt<double> learningRate(
    "lr", cl::desc("Learning rate (default: sgd 0.01, adam and adamw 0.001)"),
    cl::init(-1.0), cl::sub(compileCommand), cl::sub(trainCommand),
    cl::cat(tickCategory));
cl::opt<double> momentum("momentum", cl::desc("SGD momentum (default 0)"),
                         cl::init(0.0), cl::sub(compileCommand),
                         cl::sub(trainCommand), cl::cat(tickCategory));
cl::opt<double> weightDecay(
    "weight-decay", cl::desc("Weight decay (default: adamw 0.01, others 0)"),
    cl::init(-1.0), cl::sub(compileCommand), cl::sub(trainCommand),
    cl::cat(tickCategory));

// train and eval
cl::opt<std::string> dataDir(
    "data",
    // A literal: cl::desc keeps a pointer, not a copy.
    cl::desc("Directory of the four MNIST-style IDX files, raw or .gz "
             "(default: Fashion-MNIST from Debian's dataset-fashion-mnist, "
             "/usr/share/datasets/fashion-mnist)"),
    cl::init(kDefaultData), cl::sub(trainCommand), cl::sub(evalCommand),
    cl::cat(tickCategory));
cl::opt<int> threads("threads",
                     cl::desc("OpenMP threads (default: all cores, or "
                              "OMP_NUM_THREADS)"),
                     cl::init(0), cl::sub(trainCommand), cl::sub(evalCommand),
                     cl::cat(tickCategory));
cl::opt<std::string> weightsFile(
    "weights",
    cl::desc("eval: the weights to test (required). train: start from these "
             "weights instead of a fresh initialization (safetensors, "
             "PyTorch state_dict names)"),
    cl::sub(trainCommand), cl::sub(evalCommand), cl::cat(tickCategory));

// train
cl::opt<int64_t> epochs(
    "epochs",
    cl::desc("Epochs to run (default 10 unless --ticks is given); each epoch "
             "sees the training set in a new shuffled order, skipping the "
             "last partial batch, then evaluates on the test set"),
    cl::init(0), cl::sub(trainCommand), cl::cat(tickCategory));
cl::opt<int64_t> ticks("ticks", cl::desc("Ticks (train steps) to run instead"),
                       cl::init(0), cl::sub(trainCommand),
                       cl::cat(tickCategory));
cl::opt<uint64_t> seed("seed",
                       cl::desc("Seed of initialization and shuffling "
                                "(default 0)"),
                       cl::init(0), cl::sub(trainCommand),
                       cl::cat(tickCategory));
cl::opt<bool> noShuffle("no-shuffle",
                        cl::desc("Batches in file order, not shuffled"),
                        cl::sub(trainCommand), cl::cat(tickCategory));
cl::opt<std::string> saveFile(
    "save",
    cl::desc("Save weights, optimizer state and training position to this "
             "safetensors file at the end (atomically)"),
    cl::sub(trainCommand), cl::cat(tickCategory));
cl::opt<int64_t> saveEvery(
    "save-every",
    cl::desc("Also save to --save every N ticks during training"),
    cl::init(0), cl::sub(trainCommand), cl::cat(tickCategory));
cl::opt<std::string> resumeFile(
    "resume",
    cl::desc("Continue from a file written by --save: weights, optimizer "
             "state, random generator and position in the epoch"),
    cl::sub(trainCommand), cl::cat(tickCategory));
cl::opt<std::string> metricsFile(
    "metrics",
    cl::desc("Append a JSON line per tick (loss, correct count) and per epoch "
             "(losses, accuracies, samples/s) to this file"),
    cl::sub(trainCommand), cl::cat(tickCategory));

const char *kOverview = R"(tickc: the Tick compiler

  tickc compile MODEL.mlir [--emit=STAGE] [-o OUT] [options]
  tickc train   MODEL.mlir [--epochs N | --ticks N] [--optimizer sgd|adam|adamw]
                           [--save FILE] [--resume FILE] [options]
  tickc eval    MODEL.mlir --weights FILE [options]

Stages of compile, in order: nn, linalg, vector, bufferized, llvm, llvm-ir,
asm, obj, lib; with --target=cuda: nn, linalg, gpu, llvm, llvm-ir, asm, obj,
lib, and ptx for the kernels alone. The input may be a model or any MLIR
stage tickc wrote. --emit=exe writes a standalone trainer of the model: it
needs no LLVM or MLIR to run (a --target=cuda one only a GPU and its driver).

Exit codes: 0 success; 1 an error in the model or input IR (reported as
file:line:col: error: ...); 2 a bad command line; 3 a file that cannot be
read or written, or whose contents are malformed (data, checkpoints);
4 code generation or linking failed; 5 --target=cuda found no GPU or driver,
or the GPU reported an error.
)";

std::string defaultOutput(Stage want) {
  llvm::StringRef stem = llvm::sys::path::stem(inputFile);
  if (want == Stage::Obj)
    return (stem + ".o").str();
  if (want == Stage::Lib)
    return ("lib" + stem + ".so").str();
  if (want == Stage::Exe)
    return stem.str();
  return "-";
}

/// Whether LLVM's NVPTX back end can generate code for `arch`.
bool isKnownGPUArch(llvm::StringRef arch) {
  LLVMInitializeNVPTXTargetInfo();
  LLVMInitializeNVPTXTargetMC();
  llvm::Triple triple("nvptx64-nvidia-cuda");
  std::string error;
  const llvm::Target *nvptx = llvm::TargetRegistry::lookupTarget(triple, error);
  if (!nvptx)
    return false;
  std::unique_ptr<llvm::MCSubtargetInfo> subtarget(
      nvptx->createMCSubtargetInfo(triple, "", ""));
  return arch.starts_with("sm_") && subtarget &&
         subtarget->isCPUStringValid(arch);
}

/// Checks the options every command shares; returns an exit code.
int checkCommon() {
  if (!optimizer.empty() && optimizer != "sgd" && optimizer != "adam" &&
      optimizer != "adamw" && optimizer != "none")
    return fail(kUsageError, "unknown --optimizer '" + optimizer +
                                 "' (sgd, adam, adamw, or none for compile)");
  if (target != "cpu" && target != "cuda")
    return fail(kUsageError,
                "unknown --target '" + target + "' (cpu or cuda)");
  if (!isKnownGPUArch(gpuArch))
    return fail(kUsageError, "--gpu-arch '" + gpuArch +
                                 "' is not an NVIDIA architecture LLVM knows "
                                 "(sm_70, sm_80, sm_90, sm_100, ...)");
  if (batchSize <= 0)
    return fail(kUsageError, "--batch-size must be positive");
  if (parallelRows <= 0)
    return fail(kUsageError, "--parallel-rows must be positive");
  if (gpuMatmulMinWarps < 0 || gpuLargeTiles < 0 || gpuRowMatmulMacs < 0)
    return fail(kUsageError, "--gpu-matmul-min-warps, --gpu-large-tiles and "
                             "--gpu-row-matmul-macs must not be negative");
  if (!tick::isLargeTileThreads(gpuLargeTileThreads))
    return fail(kUsageError, "--gpu-large-tile-threads must be 64 or 256");
  if (!tick::isRowGroupWidth(gpuRowGroupWidth))
    return fail(kUsageError, "--gpu-row-group-width must be 1, 2 or 4");
  return kSuccess;
}

/// The CUDA toolkit whose libdevice (the math functions kernels call) and
/// ptxas the cuda target uses: $CUDA_HOME, $CUDA_PATH, the one ptxas on
/// PATH belongs to, or /usr/local/cuda. Empty if none has libdevice.
std::string findCUDAToolkit() {
  llvm::SmallVector<std::string> candidates;
  for (const char *variable : {"CUDA_HOME", "CUDA_PATH"})
    if (const char *value = std::getenv(variable))
      candidates.push_back(value);
  if (llvm::ErrorOr<std::string> ptxas = llvm::sys::findProgramByName("ptxas"))
    candidates.push_back(
        llvm::sys::path::parent_path(llvm::sys::path::parent_path(*ptxas))
            .str());
  candidates.push_back("/usr/local/cuda");
  for (const std::string &dir : candidates) {
    llvm::SmallString<128> libdevice(dir);
    llvm::sys::path::append(libdevice, "nvvm", "libdevice", "libdevice.10.bc");
    if (llvm::sys::fs::exists(libdevice))
      return dir;
  }
  return "";
}

/// --target=cuda: the architecture and the toolkit, and a cubin when the
/// toolkit has ptxas to make one. Without ptxas the kernels go in as PTX
/// alone, which the driver compiles when it loads them. Returns an exit code.
int setGPUTarget(GPUTarget &gpu) {
  gpu.cuda = target == "cuda";
  gpu.arch = gpuArch;
  gpu.matmulMinWarps = gpuMatmulMinWarps;
  gpu.largeTiles = gpuLargeTiles;
  gpu.largeTileThreads = gpuLargeTileThreads;
  gpu.rowMatmulMacs = gpuRowMatmulMacs;
  gpu.rowGroupWidth = gpuRowGroupWidth;
  if (!gpu.cuda)
    return kSuccess;
  gpu.toolkit = findCUDAToolkit();
  if (gpu.toolkit.empty())
    return fail(kUsageError,
                "--target=cuda needs the CUDA toolkit's libdevice "
                "(nvvm/libdevice/libdevice.10.bc): none under $CUDA_HOME, "
                "$CUDA_PATH, ptxas's toolkit or /usr/local/cuda");
  llvm::SmallString<128> ptxas(gpu.toolkit);
  llvm::sys::path::append(ptxas, "bin", "ptxas");
  if (!llvm::sys::fs::can_execute(ptxas)) {
    gpu.format = "isa";
    llvm::errs() << "tickc: note: no ptxas in " << gpu.toolkit
                 << "/bin: kernels are embedded as PTX only, compiled by the "
                    "driver when loaded\n";
  }
  return kSuccess;
}

int compile(NativeTarget &native) {
  std::optional<Stage> want = parseStage(emit);
  if (!want)
    return fail(kUsageError, "unknown --emit stage '" + emit + "'");
  LoadedModel model;
  if (int code = model.load(inputFile))
    return code;
  CompileSettings settings;
  settings.emit = *want;
  settings.output = outputFile.empty() ? defaultOutput(*want) : outputFile;
  settings.dumpStagesTo = dumpStagesTo;
  settings.modelName = llvm::sys::path::stem(inputFile).str();
  settings.modelPath = inputFile;
  settings.batchSize = batchSize;
  settings.parallelRows = parallelRows;
  if (int code = setGPUTarget(settings.gpu))
    return code;
  settings.optimizer = optimizer;
  if (*want == Stage::Exe) {
    // A trainer trains with the optimizer it was built with: as train.
    if (optimizer.empty())
      settings.optimizer = "adam";
    else if (optimizer == "none")
      return fail(kUsageError, "--emit=exe builds a trainer: give it sgd, "
                               "adam or adamw, not --optimizer none");
  }
  settings.lr = learningRate;
  settings.momentum = momentum;
  settings.weightDecay = weightDecay;
  return compileModule(std::move(model.module), settings, native);
}

int train(NativeTarget &native) {
  if (epochs < 0 || ticks < 0)
    return fail(kUsageError, "--epochs and --ticks must not be negative");
  if (epochs && ticks)
    return fail(kUsageError, "give --epochs or --ticks, not both");
  if (!resumeFile.empty() && !weightsFile.empty())
    return fail(kUsageError, "--resume restores the weights: drop --weights");
  if (threads < 0 || threads > 4096)
    return fail(kUsageError, "--threads must be between 0 and 4096");
  if (saveEvery < 0 || (saveEvery > 0 && saveFile.empty()))
    return fail(kUsageError, "--save-every needs --save FILE and a positive count");
  TrainSettings settings;
  settings.model = inputFile;
  settings.data = dataDir;
  settings.save = saveFile;
  settings.saveEvery = saveEvery;
  settings.resume = resumeFile;
  settings.weights = weightsFile;
  settings.metrics = metricsFile;
  settings.epochs = epochs;
  settings.ticks = ticks;
  settings.batchSize = batchSize;
  settings.seed = seed;
  settings.threads = threads;
  settings.shuffle = !noShuffle;
  settings.optimizer = optimizer.empty() ? std::string("adam") : optimizer.getValue();
  if (settings.optimizer == "none")
    return fail(kUsageError, "--optimizer none computes gradients only: train "
                             "with sgd, adam or adamw");
  settings.lr = learningRate;
  settings.momentum = momentum;
  settings.weightDecay = weightDecay;
  settings.parallelRows = parallelRows;
  if (int code = setGPUTarget(settings.gpu))
    return code;
  return runTrain(settings, native);
}

int eval(NativeTarget &native) {
  if (weightsFile.empty())
    return fail(kUsageError, "eval needs --weights FILE");
  if (threads < 0 || threads > 4096)
    return fail(kUsageError, "--threads must be between 0 and 4096");
  EvalSettings settings;
  settings.model = inputFile;
  settings.data = dataDir;
  settings.weights = weightsFile;
  settings.batchSize = batchSize;
  settings.threads = threads;
  settings.parallelRows = parallelRows;
  if (int code = setGPUTarget(settings.gpu))
    return code;
  return runEval(settings, native);
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  // A file size limit (a full quota, ulimit -f) then fails the write with
  // EFBIG, reported like any other I/O error, instead of killing tickc.
  std::signal(SIGXFSZ, SIG_IGN);
  cl::HideUnrelatedOptions(tickCategory);
  if (!cl::ParseCommandLineOptions(argc, argv, kOverview, &llvm::errs()))
    return kUsageError;
  if (!compileCommand && !trainCommand && !evalCommand) {
    llvm::errs() << "tickc: error: no command given\n";
    cl::PrintHelpMessage();
    return kUsageError;
  }
  if (int code = checkCommon())
    return code;
  std::string error;
  std::unique_ptr<NativeTarget> native =
      createNativeTarget(cpuName, cpuFeatures, error);
  if (!native)
    return fail(kUsageError, error);
  if (compileCommand)
    return compile(*native);
  if (trainCommand)
    return train(*native);
  return eval(*native);
}
