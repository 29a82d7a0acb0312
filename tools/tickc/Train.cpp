//===- Train.cpp - tickc train and tickc eval -----------------------------===//
//
// Compiles the model into a library, then hands it to the runtime's
// trainer (runtime/lib/Trainer.cpp), the same code a standalone trainer
// from `tickc compile --emit=exe` runs.
//
//===----------------------------------------------------------------------===//

#include "Train.h"

#include "Driver.h"
#include "Session.h"

#include "llvm/Support/raw_ostream.h"

using namespace tick;

static_assert(kSuccess == TICKRT_EXIT_OK && kModelError == TICKRT_EXIT_MODEL &&
                  kUsageError == TICKRT_EXIT_USAGE &&
                  kIOError == TICKRT_EXIT_IO && kToolError == TICKRT_EXIT_TOOL &&
                  kDeviceError == TICKRT_EXIT_DEVICE,
              "tickc and the runtime's trainer share exit codes");

namespace {

const char *orNull(const std::string &s) {
  return s.empty() ? nullptr : s.c_str();
}

CompileSettings compileSettings(int64_t batchSize, int64_t parallelRows,
                                const GPUTarget &gpu) {
  CompileSettings compile;
  compile.batchSize = batchSize;
  compile.parallelRows = parallelRows;
  compile.gpu = gpu;
  return compile;
}

} // namespace

int tick::runTrain(const TrainSettings &settings, NativeTarget &native) {
  CompileSettings compile = compileSettings(
      settings.batchSize, settings.parallelRows, settings.gpu);
  compile.optimizer = settings.optimizer;
  compile.lr = settings.lr;
  compile.momentum = settings.momentum;
  compile.weightDecay = settings.weightDecay;
  Session s;
  if (int code = s.open(settings.model, compile, native))
    return code;
  tickrt_train_options options{};
  options.program = "tickc";
  options.data = settings.data.c_str();
  options.save = orNull(settings.save);
  options.resume = orNull(settings.resume);
  options.weights = orNull(settings.weights);
  options.metrics = orNull(settings.metrics);
  options.epochs = settings.epochs;
  options.ticks = settings.ticks;
  options.save_every = settings.saveEvery;
  options.seed = settings.seed;
  options.shuffle = settings.shuffle;
  options.threads = settings.threads;
  llvm::outs().flush();
  return tickrt_train(&s.model, &options);
}

int tick::runEval(const EvalSettings &settings, NativeTarget &native) {
  CompileSettings compile = compileSettings(
      settings.batchSize, settings.parallelRows, settings.gpu);
  Session s;
  if (int code = s.open(settings.model, compile, native))
    return code;
  tickrt_train_options options{};
  options.program = "tickc";
  options.data = settings.data.c_str();
  options.weights = settings.weights.c_str();
  options.threads = settings.threads;
  llvm::outs().flush();
  return tickrt_evaluate(&s.model, &options);
}
