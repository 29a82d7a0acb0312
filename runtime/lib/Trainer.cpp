//===- Trainer.cpp - the host side of training a compiled model -----------===//
//
// Data, shuffling, the loop of ticks (one call of the compiled train step
// each), progress, evaluation, checkpoints and metrics. Everything numeric
// happens in the compiled code; the host computes only the test loss from
// the logits, in double precision.
//
//===----------------------------------------------------------------------===//

#include "tick/Runtime/Trainer.h"

#include "tick/Runtime/Checkpoint.h"
#include "tick/Runtime/Cuda.h"

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <map>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <numeric>
#include <optional>
#include <string>
#include <unistd.h>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

const char *program = "tick";

/// Prints "PROGRAM: error: MESSAGE" and returns `code`.
__attribute__((format(printf, 2, 3))) int fail(int code, const char *format,
                                               ...) {
  std::fflush(stdout);
  std::fprintf(stderr, "%s: error: ", program);
  va_list args;
  va_start(args, format);
  std::vfprintf(stderr, format, args);
  va_end(args);
  std::fputc('\n', stderr);
  return code;
}

int failRuntime(int code) { return fail(code, "%s", tickrt_last_error()); }

/// Where compiled code finds the tensors the trainer hands it: the host
/// buffer itself on the CPU; for a cuda model a device copy that the
/// compiled code reads and writes, with data moved across only when the
/// host needs it (parameters after initialization and before saving, a
/// batch before each tick, the loss after it).
class DeviceMemory {
public:
  explicit DeviceMemory(bool onDevice) : onDevice(onDevice) {}
  ~DeviceMemory() {
    for (auto &entry : copies)
      tickrt_cuda_free(entry.second.device);
    // Nothing left allocated at exit (compute-sanitizer's leak check).
    if (onDevice)
      tickrt_cuda_trim();
  }
  DeviceMemory(const DeviceMemory &) = delete;
  DeviceMemory &operator=(const DeviceMemory &) = delete;

  /// Describes `host` (dense, `shape`) as compiled code sees it.
  int place(void *host, size_t bytes, int rank, const int64_t *shape,
            tickrt_memref &memref) {
    void *address = host;
    if (onDevice) {
      if (tickrt_cuda_alloc(bytes, &address))
        return failRuntime(TICKRT_EXIT_DEVICE);
      copies[host] = {address, bytes};
    }
    tickrt_memref_dense(address, rank, shape, &memref);
    return TICKRT_EXIT_OK;
  }
  int toDevice(const void *host) {
    auto it = copies.find(host);
    if (it != copies.end() &&
        tickrt_cuda_to_device(it->second.device, host, it->second.bytes))
      return failRuntime(TICKRT_EXIT_DEVICE);
    return TICKRT_EXIT_OK;
  }
  int toHost(void *host) {
    auto it = copies.find(host);
    return it == copies.end() ? TICKRT_EXIT_OK
                              : toHost(host, 0, it->second.bytes);
  }
  /// Copies `bytes` at `offset` of a placed buffer back to the host.
  int toHost(void *host, size_t offset, size_t bytes) {
    auto it = copies.find(host);
    if (it != copies.end() && bytes &&
        tickrt_cuda_to_host(static_cast<char *>(host) + offset,
                            static_cast<char *>(it->second.device) + offset,
                            bytes))
      return failRuntime(TICKRT_EXIT_DEVICE);
    return TICKRT_EXIT_OK;
  }
  /// Copies `bytes` from the start of placed buffer `from` to `offset` in
  /// placed buffer `to`, where compiled code keeps them.
  int copyWithin(void *to, size_t offset, const void *from, size_t bytes) {
    auto target = copies.find(to), source = copies.find(from);
    if (target == copies.end() || source == copies.end()) {
      std::memcpy(static_cast<char *>(to) + offset, from, bytes);
      return TICKRT_EXIT_OK;
    }
    if (tickrt_cuda_copy(static_cast<char *>(target->second.device) + offset,
                         source->second.device, bytes))
      return failRuntime(TICKRT_EXIT_DEVICE);
    return TICKRT_EXIT_OK;
  }
  /// The first failure of the GPU while running compiled code, if any.
  int check() {
    if (onDevice && tickrt_cuda_status())
      return failRuntime(TICKRT_EXIT_DEVICE);
    return TICKRT_EXIT_OK;
  }

private:
  struct Copy {
    void *device;
    size_t bytes;
  };
  bool onDevice;
  std::map<const void *, Copy> copies;
};

/// The model's parameters and optimizer state in host memory, with the
/// descriptors the compiled code takes.
struct Tensors {
  const tickrt_trainer_model &model;
  DeviceMemory memory;
  std::vector<std::vector<float>> data;
  std::vector<tickrt_memref> memrefs;

  explicit Tensors(const tickrt_trainer_model &model)
      : model(model), memory(model.cuda) {}

  int place() {
    data.resize(model.num_parameters);
    memrefs.resize(model.num_parameters);
    for (int i = 0; i < model.num_parameters; ++i) {
      const tickrt_trainer_parameter &p = model.parameters[i];
      int64_t count = 1;
      for (int d = 0; d < p.rank; ++d)
        count *= p.shape[d];
      data[i].assign(count, 0.0f);
      if (int code = memory.place(data[i].data(), count * sizeof(float),
                                  p.rank, p.shape, memrefs[i]))
        return code;
    }
    return TICKRT_EXIT_OK;
  }
  static bool isOptimizerState(const tickrt_trainer_parameter &p) {
    return std::strncmp(p.name, "optimizer.", 10) == 0;
  }
  tickrt_named_tensor named(int i) {
    const tickrt_trainer_parameter &p = model.parameters[i];
    tickrt_named_tensor t{p.name, p.rank, {}, data[i].data()};
    for (int d = 0; d < p.rank; ++d)
      t.shape[d] = p.shape[d];
    return t;
  }
  /// PyTorch's initializers in declaration order; optimizer state zeroed.
  void initialize(tickrt_rng &rng) {
    for (int i = 0; i < model.num_parameters; ++i) {
      const tickrt_trainer_parameter &p = model.parameters[i];
      tickrt_init_tensor(data[i].data(), data[i].size(),
                         isOptimizerState(p) ? TICKRT_INIT_ZEROS : p.init,
                         p.fan_in, &rng);
    }
  }
  int load(tickrt_checkpoint *checkpoint, bool withState) {
    for (int i = 0; i < model.num_parameters; ++i) {
      if (isOptimizerState(model.parameters[i]) && !withState)
        continue;
      tickrt_named_tensor t = named(i);
      if (tickrt_checkpoint_read(checkpoint, &t))
        return failRuntime(TICKRT_EXIT_IO);
    }
    return TICKRT_EXIT_OK;
  }
  int upload() {
    for (std::vector<float> &d : data)
      if (int code = memory.toDevice(d.data()))
        return code;
    return TICKRT_EXIT_OK;
  }
  int download() {
    for (std::vector<float> &d : data)
      if (int code = memory.toHost(d.data()))
        return code;
    return TICKRT_EXIT_OK;
  }
  /// The argument array: parameters, then `extra` descriptors.
  std::vector<void *> arguments(std::initializer_list<tickrt_memref *> extra) {
    std::vector<void *> args;
    for (tickrt_memref &m : memrefs)
      args.push_back(&m);
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }
  int64_t countWeights() const {
    int64_t n = 0;
    for (int i = 0; i < model.num_parameters; ++i)
      if (!isOptimizerState(model.parameters[i]))
        n += data[i].size();
    return n;
  }
};

int64_t inputFeatures(const tickrt_trainer_model &m) {
  int64_t n = 1;
  for (int d = 0; d < m.input_rank; ++d)
    n *= m.input_shape[d];
  return n;
}

/// One batch worth of host buffers in the compiled code's layout.
struct Batch {
  const tickrt_trainer_model &model;
  DeviceMemory &memory;
  std::vector<float> pixels;
  std::vector<int64_t> labels;
  std::vector<int32_t> labels32;
  tickrt_memref x, y;

  Batch(const tickrt_trainer_model &model, DeviceMemory &memory)
      : model(model), memory(memory) {
    pixels.assign(model.batch_size * inputFeatures(model), 0.0f);
    labels.assign(model.batch_size, 0);
    labels32.assign(model.batch_size, 0);
  }
  int place() {
    std::vector<int64_t> shape = {model.batch_size};
    shape.insert(shape.end(), model.input_shape,
                 model.input_shape + model.input_rank);
    if (int code = memory.place(pixels.data(), pixels.size() * sizeof(float),
                                shape.size(), shape.data(), x))
      return code;
    size_t labelBytes = model.batch_size *
                        (model.labels32 ? sizeof(int32_t) : sizeof(int64_t));
    return memory.place(labelData(), labelBytes, 1, &model.batch_size, y);
  }
  /// Gathers the samples at `indices`; `next`, when not null, holds the
  /// `count` samples of the next fill, whose rows start loading.
  int fill(const tickrt_idx &images, const tickrt_idx &labelFile,
           const int64_t *indices, int64_t count, const int64_t *next) {
    gather(images, labelFile, indices, count, next);
    for (int64_t i = 0; i < count; ++i)
      labels32[i] = static_cast<int32_t>(labels[i]);
    if (int code = memory.toDevice(pixels.data()))
      return code;
    return memory.toDevice(labelData());
  }

private:
  /// The samples' pixels and labels, on the model's threads where it has
  /// them: each thread then writes the rows it reads first in the step,
  /// and prefetches the next fill's samples at the same places, which it
  /// gathers then.
  void gather(const tickrt_idx &images, const tickrt_idx &labelFile,
              const int64_t *indices, int64_t count, const int64_t *next) {
    if (!model.parallel_for) {
      tickrt_dataset_gather(&images, &labelFile, indices, count, pixels.data(),
                            labels.data());
      if (next)
        tickrt_dataset_prefetch(&images, &labelFile, next, count);
      return;
    }
    struct Work {
      const tickrt_idx &images, &labelFile;
      const int64_t *indices, *next;
      float *pixels;
      int64_t *labels, features;
    } work{images, labelFile, indices, next, pixels.data(), labels.data(),
           inputFeatures(model)};
    model.parallel_for(
        [](void *context, int64_t i) {
          auto &w = *static_cast<Work *>(context);
          tickrt_dataset_gather(&w.images, &w.labelFile, w.indices + i, 1,
                                w.pixels + i * w.features, w.labels + i);
          if (w.next)
            tickrt_dataset_prefetch(&w.images, &w.labelFile, w.next + i, 1);
        },
        &work, count);
  }

  void *labelData() {
    return model.labels32 ? static_cast<void *>(labels32.data())
                          : static_cast<void *>(labels.data());
  }
};

struct Evaluation {
  double loss = 0, accuracy = 0;
};

/// A batch of logits, as forward writes them.
int placeLogits(Tensors &t, std::vector<float> &logits, tickrt_memref &out) {
  int64_t shape[] = {t.model.batch_size, t.model.classes};
  return t.memory.place(logits.data(), logits.size() * sizeof(float), 2, shape,
                        out);
}

/// Test loss and accuracy over every test sample: the last partial batch is
/// padded and only its real rows count.
int evaluate(Tensors &t, const tickrt_dataset &data, Evaluation &result) {
  const tickrt_trainer_model &m = t.model;
  Batch batch(m, t.memory);
  if (int code = batch.place())
    return code;
  std::vector<float> logits(m.batch_size * m.classes);
  tickrt_memref out;
  if (int code = placeLogits(t, logits, out))
    return code;
  int64_t total = data.test_labels.count;
  std::vector<int64_t> indices(m.batch_size);
  double lossSum = 0;
  int64_t correct = 0;
  for (int64_t start = 0; start < total; start += m.batch_size) {
    int64_t count = std::min(m.batch_size, total - start);
    std::iota(indices.begin(), indices.begin() + count, start);
    std::fill(batch.pixels.begin(), batch.pixels.end(), 0.0f);
    if (int code = batch.fill(data.test_images, data.test_labels,
                              indices.data(), count, /*next=*/nullptr))
      return code;
    std::vector<void *> args = t.arguments({&batch.x, &out});
    m.forward(args.data());
    if (int code = t.memory.check())
      return code;
    if (int code = t.memory.toHost(logits.data()))
      return code;
    for (int64_t i = 0; i < count; ++i) {
      const float *row = &logits[i * m.classes];
      int64_t best = 0;
      double max = row[0];
      for (int64_t c = 1; c < m.classes; ++c)
        if (row[c] > row[best]) {
          best = c;
          max = row[c];
        }
      double sum = 0;
      for (int64_t c = 0; c < m.classes; ++c)
        sum += std::exp(double(row[c]) - max);
      lossSum += std::log(sum) + max - row[batch.labels[i]];
      correct += best == batch.labels[i];
    }
  }
  result = {lossSum / total, 100.0 * correct / total};
  return TICKRT_EXIT_OK;
}

int openData(const char *dir, const tickrt_trainer_model &m,
             tickrt_dataset &data) {
  if (tickrt_dataset_open(dir, m.classes, &data))
    return failRuntime(TICKRT_EXIT_IO);
  if (data.features != inputFeatures(m)) {
    long long pixels = data.features;
    tickrt_dataset_close(&data);
    return fail(TICKRT_EXIT_IO,
                "%s: images have %lld pixels, the model takes %lld features "
                "per sample",
                dir, pixels, static_cast<long long>(inputFeatures(m)));
  }
  return TICKRT_EXIT_OK;
}

/// Loads the parameters (and with `withState` the optimizer state) from a
/// checkpoint file.
int loadWeights(Tensors &t, const char *path, bool withState) {
  tickrt_checkpoint *checkpoint;
  if (tickrt_checkpoint_open(path, &checkpoint))
    return failRuntime(TICKRT_EXIT_IO);
  int code = t.load(checkpoint, withState);
  tickrt_checkpoint_close(checkpoint);
  return code;
}

std::string rngText(const tickrt_rng &rng) {
  char text[80];
  std::snprintf(text, sizeof(text),
                "0x%016" PRIx64 " 0x%016" PRIx64 " 0x%016" PRIx64
                " 0x%016" PRIx64,
                rng.s[0], rng.s[1], rng.s[2], rng.s[3]);
  return text;
}

bool parseRng(const char *text, tickrt_rng &rng) {
  return text && std::sscanf(text, "%" SCNx64 " %" SCNx64 " %" SCNx64
                                   " %" SCNx64,
                             &rng.s[0], &rng.s[1], &rng.s[2], &rng.s[3]) == 4;
}

std::optional<int64_t> parseCount(const char *text) {
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

  /// Whether update() for `tick` (1-based in the epoch) will show anything:
  /// the loss it shows is read from the GPU only then.
  bool due(int64_t tick) const {
    if (tty)
      return tick == ticksPerEpoch ||
             Clock::now() - lastDraw >= std::chrono::milliseconds(100);
    int64_t step = std::max<int64_t>(1, ticksPerEpoch / 10);
    return tick % step == 0 && tick != ticksPerEpoch;
  }
  void update(int64_t epoch, int64_t tick, double meanLoss, double samplesPerS,
              int64_t batch) {
    if (tty) {
      lastDraw = Clock::now();
      int width = 30;
      int filled = static_cast<int>(width * tick / ticksPerEpoch);
      std::fprintf(stderr,
                   "\r\x1b[Kepoch %lld/%lld [%s%s] %lld/%lld ticks  %.0f "
                   "ticks/s  loss %.4f",
                   (long long)epoch + 1, (long long)epochs,
                   std::string(filled, '#').c_str(),
                   std::string(width - filled, '.').c_str(), (long long)tick,
                   (long long)ticksPerEpoch, samplesPerS / batch, meanLoss);
      return;
    }
    std::fprintf(stderr,
                 "epoch %lld/%lld: tick %lld/%lld, loss %.4f, %.0f "
                 "samples/s\n",
                 (long long)epoch + 1, (long long)epochs, (long long)tick,
                 (long long)ticksPerEpoch, meanLoss, samplesPerS);
  }
  void endEpoch() {
    if (tty)
      std::fputs("\r\x1b[K", stderr);
  }

private:
  bool tty;
  int64_t ticksPerEpoch, epochs;
  Clock::time_point lastDraw;
};

/// Opens the metrics file for appending (none when `path` is null).
struct Metrics {
  FILE *file = nullptr;
  ~Metrics() {
    if (file)
      std::fclose(file);
  }
  int open(const char *path) {
    if (path && !(file = std::fopen(path, "a")))
      return fail(TICKRT_EXIT_IO, "cannot open %s", path);
    return TICKRT_EXIT_OK;
  }
};

/// Where training stands: epochs done, ticks into the current epoch, all
/// ticks done, and the generator as it was before the current epoch's
/// shuffle.
struct Position {
  int64_t epoch = 0, tickInEpoch = 0, ticksDone = 0;
  tickrt_rng rng;
};

int resume(Tensors &t, const tickrt_train_options &o, int64_t ticksPerEpoch,
           Position &at) {
  const tickrt_trainer_model &m = t.model;
  tickrt_checkpoint *checkpoint;
  if (tickrt_checkpoint_open(o.resume, &checkpoint))
    return failRuntime(TICKRT_EXIT_IO);
  // The optimizer state in the file is that optimizer's.
  const char *saved = tickrt_checkpoint_metadata(checkpoint, "tick.optimizer");
  if (saved && std::strcmp(saved, m.optimizer) != 0) {
    std::string name = saved;
    tickrt_checkpoint_close(checkpoint);
    return fail(TICKRT_EXIT_USAGE,
                "%s was saved with --optimizer %s; resume with the same "
                "optimizer",
                o.resume, name.c_str());
  }
  int code = t.load(checkpoint, /*withState=*/true);
  auto meta = [&](const char *key) {
    return parseCount(tickrt_checkpoint_metadata(checkpoint, key));
  };
  std::optional<int64_t> e = meta("tick.epoch"), tick = meta("tick.tick"),
                         done = meta("tick.ticks_done"),
                         batch = meta("tick.batch_size");
  bool rngOk =
      parseRng(tickrt_checkpoint_metadata(checkpoint, "tick.rng"), at.rng);
  tickrt_checkpoint_close(checkpoint);
  if (code)
    return code;
  if (!e || !tick || !done || !batch || !rngOk)
    return fail(TICKRT_EXIT_IO,
                "%s: no training position in its metadata (not saved by "
                "tickc train --save?)",
                o.resume);
  if (*batch != m.batch_size)
    return fail(TICKRT_EXIT_USAGE,
                "%s was saved at --batch-size %lld; resume with the same "
                "batch size",
                o.resume, static_cast<long long>(*batch));
  at.epoch = *e;
  at.tickInEpoch = *tick;
  at.ticksDone = *done;
  if (at.tickInEpoch >= ticksPerEpoch)
    return fail(TICKRT_EXIT_IO,
                "%s: its position is past the end of an epoch of this data "
                "set",
                o.resume);
  return TICKRT_EXIT_OK;
}

/// Saves weights, optimizer state and the position (epoch, tick in it, and
/// the generator as the epoch's shuffle will need it), atomically.
int save(Tensors &t, const tickrt_train_options &o, int64_t epoch,
         int64_t tick, int64_t ticksDone, const tickrt_rng &rng) {
  if (int code = t.download())
    return code;
  std::vector<tickrt_named_tensor> tensors;
  for (int i = 0; i < t.model.num_parameters; ++i)
    tensors.push_back(t.named(i));
  std::string epochText = std::to_string(epoch), tickText = std::to_string(tick),
              doneText = std::to_string(ticksDone),
              batchText = std::to_string(t.model.batch_size),
              rngState = rngText(rng);
  tickrt_metadata_entry metadata[] = {
      {"format", "pt"},
      {"tick.epoch", epochText.c_str()},
      {"tick.tick", tickText.c_str()},
      {"tick.ticks_done", doneText.c_str()},
      {"tick.batch_size", batchText.c_str()},
      {"tick.rng", rngState.c_str()},
      {"tick.optimizer", t.model.optimizer},
  };
  if (tickrt_checkpoint_save(o.save, tensors.data(), tensors.size(), metadata,
                             sizeof(metadata) / sizeof(metadata[0])))
    return failRuntime(TICKRT_EXIT_IO);
  return TICKRT_EXIT_OK;
}

/// Everything after the data is open.
int trainOn(Tensors &t, const tickrt_train_options &o,
            const tickrt_dataset &data) {
  const tickrt_trainer_model &m = t.model;
  int64_t trainCount = data.train_labels.count;
  int64_t ticksPerEpoch = trainCount / m.batch_size;
  if (ticksPerEpoch == 0)
    return fail(TICKRT_EXIT_USAGE,
                "--batch-size %lld exceeds the %lld training samples",
                (long long)m.batch_size, (long long)trainCount);

  Position at;
  tickrt_rng_seed(&at.rng, o.seed);
  if (o.resume) {
    if (int code = resume(t, o, ticksPerEpoch, at))
      return code;
  } else {
    t.initialize(at.rng);
    if (o.weights)
      if (int code = loadWeights(t, o.weights, /*withState=*/false))
        return code;
  }
  if (int code = t.upload())
    return code;

  int64_t epochsToRun = o.epochs ? o.epochs : o.ticks ? 0 : 10;
  int64_t ticksToRun =
      o.ticks ? o.ticks : epochsToRun * ticksPerEpoch - at.tickInEpoch;
  int64_t lastEpoch =
      at.epoch + (ticksToRun + at.tickInEpoch + ticksPerEpoch - 1) /
                     ticksPerEpoch;

  Metrics metrics;
  if (int code = metrics.open(o.metrics))
    return code;

  std::printf("training %s: %lld parameters, %s %s, batch %lld, %lld ticks "
              "per epoch (%lld of %lld samples; the last partial batch of "
              "each epoch is skipped)\n",
              m.name, (long long)t.countWeights(), m.optimizer,
              o.shuffle ? "shuffled" : "in file order",
              (long long)m.batch_size, (long long)ticksPerEpoch,
              (long long)(ticksPerEpoch * m.batch_size),
              (long long)trainCount);
  std::fflush(stdout);

  Batch batch(m, t.memory);
  if (int code = batch.place())
    return code;
  // Each tick writes its loss and correct count into the same place, and
  // from there into a slot of its own of the epoch (device memory on the
  // GPU, where a train step that takes the same arguments every tick is a
  // graph replayed); they are read back only when shown (progress,
  // metrics) and at the end of the epoch.
  std::vector<float> losses(ticksPerEpoch);
  std::vector<int64_t> corrects(ticksPerEpoch);
  float stepLoss = 0;
  int64_t stepCorrect = 0;
  // The slots are placed for their device copies alone (fetch, copyWithin):
  // compiled code is handed lossOut and correctOut.
  tickrt_memref lossSlots, correctSlots, lossOut, correctOut;
  if (int code = t.memory.place(losses.data(), losses.size() * sizeof(float),
                                1, &ticksPerEpoch, lossSlots))
    return code;
  if (int code = t.memory.place(corrects.data(),
                                corrects.size() * sizeof(int64_t), 1,
                                &ticksPerEpoch, correctSlots))
    return code;
  if (int code = t.memory.place(&stepLoss, sizeof stepLoss, 0, nullptr, lossOut))
    return code;
  if (int code = t.memory.place(&stepCorrect, sizeof stepCorrect, 0, nullptr,
                                correctOut))
    return code;
  std::vector<int64_t> order(trainCount);
  tickrt_rng epochStart = at.rng;
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
    epochStart = at.rng;
    if (o.shuffle)
      tickrt_rng_permutation(&at.rng, order.data(), trainCount);
    else
      std::iota(order.begin(), order.end(), 0);
    double lossSum = 0;
    int64_t correctSum = 0, ticksThisEpoch = 0;
    // Slots [first, fetched) are summed into lossSum and correctSum.
    int64_t first = at.tickInEpoch, fetched = at.tickInEpoch;
    auto fetch = [&](int64_t end) {
      if (int code = t.memory.toHost(losses.data(), fetched * sizeof(float),
                                     (end - fetched) * sizeof(float)))
        return code;
      if (int code =
              t.memory.toHost(corrects.data(), fetched * sizeof(int64_t),
                              (end - fetched) * sizeof(int64_t)))
        return code;
      for (; fetched < end; ++fetched) {
        lossSum += losses[fetched];
        correctSum += corrects[fetched];
      }
      return static_cast<int>(TICKRT_EXIT_OK);
    };
    auto epochTime = Clock::now();
    for (; at.tickInEpoch < ticksPerEpoch && ran < ticksToRun;
         ++at.tickInEpoch, ++ran) {
      // The next tick's samples, within this epoch's order.
      const int64_t *next = at.tickInEpoch + 1 < ticksPerEpoch
                                ? &order[(at.tickInEpoch + 1) * m.batch_size]
                                : nullptr;
      if (int code = batch.fill(data.train_images, data.train_labels,
                                &order[at.tickInEpoch * m.batch_size],
                                m.batch_size, next))
        return code;
      std::vector<void *> args =
          t.arguments({&batch.x, &batch.y, &lossOut, &correctOut});
      auto stepStart = Clock::now();
      m.train_step(args.data());
      stepMicros.push_back(1e6 * secondsSince(stepStart));
      if (int code = t.memory.check())
        return code;
      if (int code = t.memory.copyWithin(losses.data(),
                                         at.tickInEpoch * sizeof(float),
                                         &stepLoss, sizeof stepLoss))
        return code;
      if (int code = t.memory.copyWithin(corrects.data(),
                                         at.tickInEpoch * sizeof(int64_t),
                                         &stepCorrect, sizeof stepCorrect))
        return code;
      ++at.ticksDone;
      ++ticksThisEpoch;
      bool shown = progress.due(at.tickInEpoch + 1);
      if (metrics.file || shown)
        if (int code = fetch(at.tickInEpoch + 1))
          return code;
      if (metrics.file)
        std::fprintf(metrics.file,
                     "{\"tick\": %lld, \"epoch\": %lld, \"loss\": %.9e, "
                     "\"correct\": %lld}\n",
                     (long long)at.ticksDone, (long long)at.epoch + 1,
                     double(losses[at.tickInEpoch]),
                     (long long)corrects[at.tickInEpoch]);
      if (shown) {
        double elapsed = secondsSince(epochTime);
        progress.update(at.epoch, at.tickInEpoch + 1,
                        lossSum / (fetched - first),
                        ticksThisEpoch * m.batch_size /
                            std::max(elapsed, 1e-9),
                        m.batch_size);
      }
      if (o.save_every && at.ticksDone % o.save_every == 0 &&
          ran + 1 < ticksToRun) {
        // Mid-epoch, or at the end of one (then the next epoch starts
        // from the generator as it is now).
        bool endOfEpoch = at.tickInEpoch + 1 == ticksPerEpoch;
        if (int code = endOfEpoch ? save(t, o, at.epoch + 1, 0, at.ticksDone,
                                         at.rng)
                                  : save(t, o, at.epoch, at.tickInEpoch + 1,
                                         at.ticksDone, epochStart))
          return code;
      }
    }
    if (int code = fetch(at.tickInEpoch))
      return code;
    progress.endEpoch();
    double seconds = secondsSince(epochTime);
    double samplesPerS =
        ticksThisEpoch * m.batch_size / std::max(seconds, 1e-9);
    bool epochDone = at.tickInEpoch == ticksPerEpoch;
    if (int code = evaluate(t, data, last))
      return code;
    if (epochDone) {
      ++at.epoch;
      at.tickInEpoch = 0;
      if (last.accuracy > bestAccuracy) {
        bestAccuracy = last.accuracy;
        bestEpoch = at.epoch;
      }
    }
    double trainAccuracy =
        100.0 * correctSum / (ticksThisEpoch * m.batch_size);
    std::string stopped =
        epochDone ? ""
                  : " (stopped at tick " + std::to_string(at.tickInEpoch) + ")";
    long long shownEpoch = epochDone ? at.epoch : at.epoch + 1;
    std::printf("epoch %lld%s: train loss %.4f, train accuracy %.2f%%, test "
                "loss %.4f, test accuracy %.2f%%, %.0f samples/s (%.1f s)\n",
                shownEpoch, stopped.c_str(), lossSum / ticksThisEpoch,
                trainAccuracy, last.loss, last.accuracy, samplesPerS, seconds);
    std::fflush(stdout);
    if (metrics.file) {
      std::fprintf(metrics.file,
                   "{\"epoch\": %lld, \"complete\": %s, \"ticks\": %lld, "
                   "\"train_loss\": %.9e, \"train_accuracy\": %.4f, "
                   "\"test_loss\": %.9e, \"test_accuracy\": %.4f, "
                   "\"samples_per_second\": %.1f, \"seconds\": %.3f}\n",
                   shownEpoch, epochDone ? "true" : "false",
                   (long long)at.ticksDone, lossSum / ticksThisEpoch,
                   trainAccuracy, last.loss, last.accuracy, samplesPerS,
                   seconds);
      std::fflush(metrics.file);
    }
    // A stop mid-epoch resumes from the generator before this epoch's
    // shuffle; a finished epoch from the generator as it is now.
    if (!epochDone)
      at.rng = epochStart;
  }
  double total = secondsSince(trainStart);

  if (o.save)
    if (int code = save(t, o, at.epoch, at.tickInEpoch, at.ticksDone, at.rng))
      return code;

  std::printf("done: %lld ticks in %.1f s (%.0f samples/s); test accuracy "
              "%.2f%%",
              (long long)ticksToRun, total,
              ticksToRun * m.batch_size / std::max(total, 1e-9),
              last.accuracy);
  if (!stepMicros.empty()) {
    auto middle = stepMicros.begin() + stepMicros.size() / 2;
    std::nth_element(stepMicros.begin(), middle, stepMicros.end());
    std::printf(", median train step %.1f us", *middle);
  }
  if (bestAccuracy >= 0)
    std::printf(", best %.2f%% after epoch %lld", bestAccuracy,
                (long long)bestEpoch);
  if (o.save)
    std::printf("; saved %s", o.save);
  std::printf("\n");
  std::fflush(stdout);
  return TICKRT_EXIT_OK;
}

/// Common start: the device, threads, tensors.
int start(const tickrt_trainer_model &m, const tickrt_train_options &o,
          Tensors &t) {
  program = o.program ? o.program : "tick";
  if (m.cuda && tickrt_cuda_open())
    return failRuntime(TICKRT_EXIT_DEVICE);
  // Loading the model loaded its kernels onto the GPU.
  if (int code = t.memory.check())
    return code;
  if (o.threads > 0 && m.set_num_threads)
    m.set_num_threads(o.threads);
#if defined(__GLIBC__)
  // A call mallocs and frees its large intermediates (a 256 x 1024 block
  // is 1 MiB) every tick. glibc served them with mmap or returned the heap
  // top they left to the kernel, and the next tick faulted the same pages
  // in again, zeroed (wide net: 0.8% of a tick). Keep them in the heap.
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
#endif
  return t.place();
}

/// start, then the data set.
int start(const tickrt_trainer_model &m, const tickrt_train_options &o,
          Tensors &t, tickrt_dataset &data) {
  if (int code = start(m, o, t))
    return code;
  return openData(o.data, m, data);
}

} // namespace

extern "C" int tickrt_train(const tickrt_trainer_model *model,
                            const tickrt_train_options *options) {
  Tensors t(*model);
  tickrt_dataset data;
  if (int code = start(*model, *options, t, data))
    return code;
  int code = model->train_step && model->optimizer
                 ? trainOn(t, *options, data)
                 : fail(TICKRT_EXIT_USAGE,
                        "%s was compiled without a train step", model->name);
  tickrt_dataset_close(&data);
  return code;
}

extern "C" int tickrt_evaluate(const tickrt_trainer_model *model,
                               const tickrt_train_options *options) {
  Tensors t(*model);
  tickrt_dataset data;
  if (int code = start(*model, *options, t, data))
    return code;
  Evaluation result;
  int code = loadWeights(t, options->weights, /*withState=*/false);
  if (!code)
    code = t.upload();
  if (!code)
    code = evaluate(t, data, result);
  long long samples = data.test_labels.count;
  tickrt_dataset_close(&data);
  if (code)
    return code;
  std::printf("test loss %.4f, test accuracy %.2f%% (%lld samples)\n",
              result.loss, result.accuracy, samples);
  return TICKRT_EXIT_OK;
}

extern "C" int tickrt_bench_forward(const tickrt_trainer_model *model,
                                    const tickrt_train_options *options,
                                    int64_t calls) {
  Tensors t(*model);
  if (int code = start(*model, *options, t))
    return code;
  tickrt_rng rng;
  tickrt_rng_seed(&rng, options->seed);
  t.initialize(rng);
  if (int code = t.upload())
    return code;
  const tickrt_trainer_model &m = *model;
  Batch batch(m, t.memory);
  if (int code = batch.place())
    return code;
  for (size_t i = 0; i < batch.pixels.size(); ++i)
    batch.pixels[i] = static_cast<float>(tickrt_rng_uniform(&rng, 0.0, 1.0));
  if (int code = t.memory.toDevice(batch.pixels.data()))
    return code;
  std::vector<float> logits(m.batch_size * m.classes);
  tickrt_memref out;
  if (int code = placeLogits(t, logits, out))
    return code;
  std::vector<void *> args = t.arguments({&batch.x, &out});
  constexpr int64_t kWarmup = 10;
  std::vector<double> micros;
  for (int64_t call = 0; call < kWarmup + calls; ++call) {
    auto callStart = Clock::now();
    m.forward(args.data());
    if (call >= kWarmup)
      micros.push_back(1e6 * secondsSince(callStart));
    if (int code = t.memory.check())
      return code;
  }
  auto middle = micros.begin() + micros.size() / 2;
  std::nth_element(micros.begin(), middle, micros.end());
  std::printf("%s: median forward %.1f us over %lld calls (batch %lld)\n",
              m.name, micros.empty() ? 0.0 : *middle, (long long)calls,
              (long long)m.batch_size);
  return TICKRT_EXIT_OK;
}
