//===- Train.cpp - tickc train and tickc eval -----------------------------===//
//
// The host side of training: data, shuffling, the loop of ticks (one call
// of the compiled @train_step each), progress, evaluation, checkpoints.
// Everything numeric happens in the compiled code; the host computes only
// the test loss from the logits, in double precision.
//
//===----------------------------------------------------------------------===//

#include "Train.h"

#include "Driver.h"
#include "Session.h"

#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cmath>
#include <fstream>
#include <numeric>
#include <optional>
#include <unistd.h>

using namespace tick;

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

/// One batch worth of host buffers in the compiled code's layout, and
/// their device copies on the cuda target.
struct Batch {
  Session &s;
  std::vector<float> pixels;
  std::vector<int64_t> labels;
  std::vector<int32_t> labels32;
  tickrt_memref x, y;

  explicit Batch(Session &s) : s(s) {
    pixels.assign(s.batchSize * s.inputFeatures, 0.0f);
    labels.assign(s.batchSize, 0);
    labels32.assign(s.batchSize, 0);
  }
  /// Describes the buffers (placing their device copies). An exit code.
  int place() {
    std::vector<int64_t> shape = {s.batchSize};
    shape.insert(shape.end(), s.inputShape.begin(), s.inputShape.end());
    void *pixelsAt, *labelsAt;
    if (int code = s.memory.place(pixels.data(), pixels.size() * sizeof(float),
                                  pixelsAt))
      return code;
    if (int code = s.memory.place(labelsData(), labelBytes(), labelsAt))
      return code;
    tickrt_memref_dense(pixelsAt, shape.size(), shape.data(), &x);
    tickrt_memref_dense(labelsAt, 1, &s.batchSize, &y);
    return kSuccess;
  }
  /// Gathers samples `indices` into the batch. An exit code.
  int fill(const tickrt_idx &images, const tickrt_idx &labelFile,
           const int64_t *indices, int64_t count) {
    tickrt_dataset_gather(&images, &labelFile, indices, count, pixels.data(),
                          labels.data());
    for (int64_t i = 0; i < count; ++i)
      labels32[i] = static_cast<int32_t>(labels[i]);
    if (int code = s.memory.toDevice(pixels.data()))
      return code;
    return s.memory.toDevice(labelsData());
  }

private:
  void *labelsData() {
    return s.labels32 ? static_cast<void *>(labels32.data())
                      : static_cast<void *>(labels.data());
  }
  size_t labelBytes() const {
    return s.batchSize * (s.labels32 ? sizeof(int32_t) : sizeof(int64_t));
  }
};

struct Evaluation {
  double loss = 0, accuracy = 0;
};

/// Test loss and accuracy over every test sample: the last partial batch is
/// padded and only its real rows count. Returns an exit code.
int evaluate(Session &s, const tickrt_dataset &data, Evaluation &result) {
  Batch batch(s);
  if (int code = batch.place())
    return code;
  std::vector<float> logits(s.batchSize * s.classes);
  tickrt_memref out;
  std::vector<int64_t> outShape = {s.batchSize, s.classes};
  void *logitsAt;
  if (int code = s.memory.place(logits.data(), logits.size() * sizeof(float),
                                logitsAt))
    return code;
  tickrt_memref_dense(logitsAt, 2, outShape.data(), &out);
  int64_t total = data.test_labels.count;
  std::vector<int64_t> indices(s.batchSize);
  double lossSum = 0;
  int64_t correct = 0;
  for (int64_t start = 0; start < total; start += s.batchSize) {
    int64_t count = std::min(s.batchSize, total - start);
    std::iota(indices.begin(), indices.begin() + count, start);
    std::fill(batch.pixels.begin(), batch.pixels.end(), 0.0f);
    if (int code = batch.fill(data.test_images, data.test_labels,
                              indices.data(), count))
      return code;
    std::vector<void *> args = s.arguments({&batch.x, &out});
    s.forward(args.data());
    if (int code = s.checkDevice())
      return code;
    if (int code = s.memory.toHost(logits.data()))
      return code;
    for (int64_t i = 0; i < count; ++i) {
      const float *row = &logits[i * s.classes];
      int64_t best = 0;
      double max = row[0];
      for (int64_t c = 1; c < s.classes; ++c)
        if (row[c] > row[best]) {
          best = c;
          max = row[c];
        }
      double sum = 0;
      for (int64_t c = 0; c < s.classes; ++c)
        sum += std::exp(double(row[c]) - max);
      lossSum += std::log(sum) + max - row[batch.labels[i]];
      correct += best == batch.labels[i];
    }
  }
  result = {lossSum / total, 100.0 * correct / total};
  return kSuccess;
}

int openData(const std::string &dir, const Session &s, tickrt_dataset &data) {
  if (tickrt_dataset_open(dir.c_str(), s.classes, &data))
    return fail(kIOError, tickrt_last_error());
  if (data.features != s.inputFeatures) {
    int64_t pixels = data.features;
    tickrt_dataset_close(&data);
    return fail(kIOError, llvm::formatv("{0}: images have {1} pixels, the model "
                                        "takes {2} features per sample",
                                        dir, pixels, s.inputFeatures));
  }
  return kSuccess;
}

/// Loads the model's parameters (and with `withState` the optimizer state)
/// from a checkpoint file. Returns an exit code.
int loadWeights(Session &s, const std::string &path, bool withState) {
  tickrt_checkpoint *checkpoint;
  if (tickrt_checkpoint_open(path.c_str(), &checkpoint))
    return fail(kIOError, tickrt_last_error());
  int code = s.load(checkpoint, withState);
  tickrt_checkpoint_close(checkpoint);
  return code;
}

std::string rngText(const tickrt_rng &rng) {
  return llvm::formatv("{0:x16} {1:x16} {2:x16} {3:x16}", rng.s[0], rng.s[1],
                       rng.s[2], rng.s[3]);
}

bool parseRng(const char *text, tickrt_rng &rng) {
  return text && std::sscanf(text, "%" SCNx64 " %" SCNx64 " %" SCNx64 " %" SCNx64,
                             &rng.s[0], &rng.s[1], &rng.s[2], &rng.s[3]) == 4;
}

std::optional<int64_t> parseInt(const char *text) {
  if (!text)
    return std::nullopt;
  char *end;
  long long v = std::strtoll(text, &end, 10);
  if (*end || end == text || v < 0)
    return std::nullopt;
  return v;
}

/// Progress: a bar redrawn in place on a terminal, a line every tenth of an
/// epoch otherwise.
class Progress {
public:
  Progress(int64_t ticksPerEpoch, int64_t epochs)
      : tty(::isatty(STDERR_FILENO)), ticksPerEpoch(ticksPerEpoch),
        epochs(epochs) {}

  void update(int64_t epoch, int64_t tick, double meanLoss, double samplesPerS,
              int64_t batch) {
    if (tty) {
      auto now = Clock::now();
      if (tick != ticksPerEpoch && now - lastDraw < std::chrono::milliseconds(100))
        return;
      lastDraw = now;
      int width = 30;
      int filled = static_cast<int>(width * tick / ticksPerEpoch);
      llvm::errs() << llvm::formatv(
          "\r\x1b[Kepoch {0}/{1} [{2}{3}] {4}/{5} ticks  {6:f0} ticks/s  "
          "loss {7:f4}",
          epoch + 1, epochs, std::string(filled, '#'),
          std::string(width - filled, '.'), tick, ticksPerEpoch,
          samplesPerS / batch, meanLoss);
      return;
    }
    int64_t step = std::max<int64_t>(1, ticksPerEpoch / 10);
    if (tick % step == 0 && tick != ticksPerEpoch)
      llvm::errs() << llvm::formatv(
          "epoch {0}/{1}: tick {2}/{3}, loss {4:f4}, {5:f0} samples/s\n",
          epoch + 1, epochs, tick, ticksPerEpoch, meanLoss, samplesPerS);
  }
  void endEpoch() {
    if (tty)
      llvm::errs() << "\r\x1b[K";
  }

private:
  bool tty;
  int64_t ticksPerEpoch, epochs;
  Clock::time_point lastDraw;
};

} // namespace

int tick::runTrain(const TrainSettings &settings, NativeTarget &native) {
  CompileSettings compile;
  compile.batchSize = settings.batchSize;
  compile.parallelRows = settings.parallelRows;
  compile.gpu = settings.gpu;
  compile.optimizer = settings.optimizer;
  compile.lr = settings.lr;
  compile.momentum = settings.momentum;
  compile.weightDecay = settings.weightDecay;
  Session s;
  if (int code = s.open(settings.model, compile, native, settings.threads))
    return code;
  tickrt_dataset data;
  if (int code = openData(settings.data, s, data))
    return code;
  struct CloseData {
    tickrt_dataset &d;
    ~CloseData() { tickrt_dataset_close(&d); }
  } closeData{data};

  int64_t trainCount = data.train_labels.count;
  int64_t ticksPerEpoch = trainCount / s.batchSize;
  if (ticksPerEpoch == 0)
    return fail(kUsageError, llvm::formatv("--batch-size {0} exceeds the {1} "
                                           "training samples",
                                           s.batchSize, trainCount));

  // Where training stands: epochs done, ticks into the current epoch, and
  // the generator as it was before the current epoch's shuffle.
  tickrt_rng rng;
  tickrt_rng_seed(&rng, settings.seed);
  int64_t epoch = 0, tickInEpoch = 0, ticksDone = 0;
  if (!settings.resume.empty()) {
    tickrt_checkpoint *checkpoint;
    if (tickrt_checkpoint_open(settings.resume.c_str(), &checkpoint))
      return fail(kIOError, tickrt_last_error());
    // The optimizer state in the file is that optimizer's.
    const char *savedOptimizer =
        tickrt_checkpoint_metadata(checkpoint, "tick.optimizer");
    if (savedOptimizer && settings.optimizer != savedOptimizer) {
      std::string saved = savedOptimizer;
      tickrt_checkpoint_close(checkpoint);
      return fail(kUsageError,
                  settings.resume + " was saved with --optimizer " + saved +
                      "; resume with the same optimizer");
    }
    int code = s.load(checkpoint, /*withState=*/true);
    std::optional<int64_t> e = parseInt(tickrt_checkpoint_metadata(checkpoint, "tick.epoch"));
    std::optional<int64_t> t = parseInt(tickrt_checkpoint_metadata(checkpoint, "tick.tick"));
    std::optional<int64_t> d = parseInt(tickrt_checkpoint_metadata(checkpoint, "tick.ticks_done"));
    std::optional<int64_t> b = parseInt(tickrt_checkpoint_metadata(checkpoint, "tick.batch_size"));
    bool rngOk = parseRng(tickrt_checkpoint_metadata(checkpoint, "tick.rng"), rng);
    tickrt_checkpoint_close(checkpoint);
    if (code)
      return code;
    if (!e || !t || !d || !b || !rngOk)
      return fail(kIOError, settings.resume + ": no training position in its "
                                              "metadata (not saved by tickc "
                                              "train --save?)");
    if (*b != s.batchSize)
      return fail(kUsageError,
                  llvm::formatv("{0} was saved at --batch-size {1}; resume "
                                "with the same batch size",
                                settings.resume, *b));
    epoch = *e;
    tickInEpoch = *t;
    ticksDone = *d;
    if (tickInEpoch >= ticksPerEpoch)
      return fail(kIOError, settings.resume + ": its position is past the end "
                                              "of an epoch of this data set");
  } else {
    s.initialize(rng);
    if (!settings.weights.empty())
      if (int code = loadWeights(s, settings.weights, /*withState=*/false))
        return code;
  }

  if (int code = s.upload())
    return code;

  int64_t epochsToRun = settings.epochs ? settings.epochs
                        : settings.ticks ? 0
                                         : 10;
  int64_t ticksToRun = settings.ticks ? settings.ticks
                                      : epochsToRun * ticksPerEpoch - tickInEpoch;
  int64_t lastEpoch = epoch + (ticksToRun + tickInEpoch + ticksPerEpoch - 1) /
                                  ticksPerEpoch;

  std::ofstream metrics;
  if (!settings.metrics.empty()) {
    metrics.open(settings.metrics, std::ios::app);
    if (!metrics)
      return fail(kIOError, "cannot open " + settings.metrics);
  }

  llvm::outs() << llvm::formatv(
      "training {0}: {1} parameters, {2} {3}, batch {4}, {5} ticks per epoch "
      "({6} of {7} samples; the last partial batch of each epoch is skipped)\n",
      settings.model, [&] {
        int64_t n = 0;
        for (const Parameter &p : s.parameters)
          if (!p.isOptimizerState())
            n += p.data.size();
        return n;
      }(),
      settings.optimizer, settings.shuffle ? "shuffled" : "in file order",
      s.batchSize, ticksPerEpoch, ticksPerEpoch * s.batchSize, trainCount);
  llvm::outs().flush();

  // Saves weights, optimizer state and the position (epoch, tick in it, and
  // the generator as the epoch's shuffle will need it).
  auto save = [&](int64_t epochAt, int64_t tickAt, const tickrt_rng &rngAt) {
    if (int code = s.download())
      return code;
    std::vector<tickrt_named_tensor> tensors;
    for (Parameter &p : s.parameters)
      tensors.push_back(p.named());
    std::string epochText = std::to_string(epochAt),
                tickText = std::to_string(tickAt),
                doneText = std::to_string(ticksDone),
                batchText = std::to_string(s.batchSize),
                rngState = rngText(rngAt), optimizerText = settings.optimizer;
    tickrt_metadata_entry metadata[] = {
        {"format", "pt"},
        {"tick.epoch", epochText.c_str()},
        {"tick.tick", tickText.c_str()},
        {"tick.ticks_done", doneText.c_str()},
        {"tick.batch_size", batchText.c_str()},
        {"tick.rng", rngState.c_str()},
        {"tick.optimizer", optimizerText.c_str()},
    };
    if (tickrt_checkpoint_save(settings.save.c_str(), tensors.data(),
                               tensors.size(), metadata, std::size(metadata)))
      return fail(kIOError, tickrt_last_error());
    return static_cast<int>(kSuccess);
  };

  Batch batch(s);
  if (int code = batch.place())
    return code;
  float loss = 0;
  int64_t correct = 0;
  tickrt_memref lossOut, correctOut;
  void *lossAt, *correctAt;
  if (int code = s.memory.place(&loss, sizeof(loss), lossAt))
    return code;
  if (int code = s.memory.place(&correct, sizeof(correct), correctAt))
    return code;
  tickrt_memref_dense(lossAt, 0, nullptr, &lossOut);
  tickrt_memref_dense(correctAt, 0, nullptr, &correctOut);
  std::vector<int64_t> order(trainCount);
  tickrt_rng epochStart = rng;
  Progress progress(ticksPerEpoch, lastEpoch);
  Evaluation last;
  double bestAccuracy = -1;
  int64_t bestEpoch = 0;
  // Each compiled step's own time (no data gathering, no progress): the
  // median is what bench/ compares against other trainers.
  std::vector<double> stepMicros;
  stepMicros.reserve(ticksToRun);
  auto trainStart = Clock::now();

  for (int64_t ran = 0; ran < ticksToRun;) {
    // The epoch's order; after a resume mid-epoch, the same order again.
    epochStart = rng;
    if (settings.shuffle)
      tickrt_rng_permutation(&rng, order.data(), trainCount);
    else
      std::iota(order.begin(), order.end(), 0);
    double lossSum = 0;
    int64_t correctSum = 0, ticksThisEpoch = 0;
    auto epochTime = Clock::now();
    for (; tickInEpoch < ticksPerEpoch && ran < ticksToRun; ++tickInEpoch, ++ran) {
      if (int code = batch.fill(data.train_images, data.train_labels,
                                &order[tickInEpoch * s.batchSize], s.batchSize))
        return code;
      std::vector<void *> args = s.arguments({&batch.x, &batch.y, &lossOut, &correctOut});
      auto stepStart = Clock::now();
      s.trainStep(args.data());
      stepMicros.push_back(1e6 * secondsSince(stepStart));
      if (int code = s.checkDevice())
        return code;
      if (int code = s.memory.toHost(&loss))
        return code;
      if (int code = s.memory.toHost(&correct))
        return code;
      ++ticksDone;
      ++ticksThisEpoch;
      lossSum += loss;
      correctSum += correct;
      if (metrics)
        metrics << llvm::formatv("{{\"tick\": {0}, \"epoch\": {1}, \"loss\": "
                                 "{2:e9}, \"correct\": {3}}\n",
                                 ticksDone, epoch + 1, loss, correct)
                       .str();
      double elapsed = secondsSince(epochTime);
      progress.update(epoch, tickInEpoch + 1, lossSum / ticksThisEpoch,
                      ticksThisEpoch * s.batchSize / std::max(elapsed, 1e-9),
                      s.batchSize);
      if (settings.saveEvery && ticksDone % settings.saveEvery == 0 &&
          ran + 1 < ticksToRun) {
        // Mid-epoch, or at the end of one (then the next epoch starts
        // from the generator as it is now).
        bool endOfEpoch = tickInEpoch + 1 == ticksPerEpoch;
        if (int code = endOfEpoch ? save(epoch + 1, 0, rng)
                                  : save(epoch, tickInEpoch + 1, epochStart))
          return code;
      }
    }
    progress.endEpoch();
    double seconds = secondsSince(epochTime);
    double samplesPerS = ticksThisEpoch * s.batchSize / std::max(seconds, 1e-9);
    bool epochDone = tickInEpoch == ticksPerEpoch;
    if (int code = evaluate(s, data, last))
      return code;
    if (epochDone) {
      ++epoch;
      tickInEpoch = 0;
      if (last.accuracy > bestAccuracy) {
        bestAccuracy = last.accuracy;
        bestEpoch = epoch;
      }
    }
    double trainAccuracy = 100.0 * correctSum / (ticksThisEpoch * s.batchSize);
    llvm::outs() << llvm::formatv(
        "epoch {0}{1}: train loss {2:f4}, train accuracy {3:f2}%, test loss "
        "{4:f4}, test accuracy {5:f2}%, {6:f0} samples/s ({7:f1} s)\n",
        epochDone ? epoch : epoch + 1,
        epochDone ? "" : llvm::formatv(" (stopped at tick {0})", tickInEpoch).str(),
        lossSum / ticksThisEpoch, trainAccuracy, last.loss, last.accuracy,
        samplesPerS, seconds);
    llvm::outs().flush();
    if (metrics) {
      metrics << llvm::formatv(
                     "{{\"epoch\": {0}, \"complete\": {1}, \"ticks\": {2}, "
                     "\"train_loss\": {3:e9}, \"train_accuracy\": {4:f4}, "
                     "\"test_loss\": {5:e9}, \"test_accuracy\": {6:f4}, "
                     "\"samples_per_second\": {7:f1}, \"seconds\": {8:f3}}\n",
                     epochDone ? epoch : epoch + 1, epochDone ? "true" : "false",
                     ticksDone, lossSum / ticksThisEpoch, trainAccuracy,
                     last.loss, last.accuracy, samplesPerS, seconds)
                     .str();
      metrics.flush();
    }
    // A stop mid-epoch resumes from the generator before this epoch's
    // shuffle; a finished epoch from the generator as it is now.
    if (!epochDone)
      rng = epochStart;
  }
  double total = secondsSince(trainStart);

  if (!settings.save.empty())
    if (int code = save(epoch, tickInEpoch, rng))
      return code;

  llvm::outs() << llvm::formatv(
      "done: {0} ticks in {1:f1} s ({2:f0} samples/s); test accuracy {3:f2}%",
      ticksToRun, total, ticksToRun * s.batchSize / std::max(total, 1e-9),
      last.accuracy);
  if (!stepMicros.empty()) {
    auto middle = stepMicros.begin() + stepMicros.size() / 2;
    std::nth_element(stepMicros.begin(), middle, stepMicros.end());
    llvm::outs() << llvm::formatv(", median train step {0:f1} us", *middle);
  }
  if (bestAccuracy >= 0)
    llvm::outs() << llvm::formatv(", best {0:f2}% after epoch {1}", bestAccuracy,
                                  bestEpoch);
  if (!settings.save.empty())
    llvm::outs() << "; saved " << settings.save;
  llvm::outs() << "\n";
  return kSuccess;
}

int tick::runEval(const EvalSettings &settings, NativeTarget &native) {
  CompileSettings compile;
  compile.batchSize = settings.batchSize;
  compile.parallelRows = settings.parallelRows;
  compile.gpu = settings.gpu;
  Session s;
  if (int code = s.open(settings.model, compile, native, settings.threads))
    return code;
  if (int code = loadWeights(s, settings.weights, /*withState=*/false))
    return code;
  if (int code = s.upload())
    return code;
  tickrt_dataset data;
  if (int code = openData(settings.data, s, data))
    return code;
  Evaluation result;
  int code = evaluate(s, data, result);
  if (code) {
    tickrt_dataset_close(&data);
    return code;
  }
  llvm::outs() << llvm::formatv("test loss {0:f4}, test accuracy {1:f2}% ({2} "
                                "samples)\n",
                                result.loss, result.accuracy,
                                data.test_labels.count);
  tickrt_dataset_close(&data);
  return kSuccess;
}
