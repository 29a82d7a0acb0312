//===- Train.h - tickc train and tickc eval ---------------------*- C++ -*-===//

#ifndef TICK_TOOLS_TICKC_TRAIN_H
#define TICK_TOOLS_TICKC_TRAIN_H

#include "Compile.h"
#include "Native.h"

#include <string>

namespace tick {

struct TrainSettings {
  std::string model, data, save, resume, weights, metrics;
  int64_t epochs = 0; ///< epochs to run now (0: unless --ticks, 10)
  int64_t ticks = 0;  ///< ticks to run now (0: whole epochs)
  int64_t saveEvery = 0; ///< also save every N ticks (0: at the end only)
  int64_t batchSize = 64;
  uint64_t seed = 0;
  int threads = 0;
  bool shuffle = true;
  std::string optimizer = "adam";
  double lr = -1, momentum = 0, weightDecay = -1;
  int64_t parallelRows = 8;
  GPUTarget gpu;
};

struct EvalSettings {
  std::string model, data, weights;
  int64_t batchSize = 64;
  int threads = 0;
  int64_t parallelRows = 8;
  GPUTarget gpu;
};

/// Exit codes as Driver.h.
int runTrain(const TrainSettings &settings, NativeTarget &native);
int runEval(const EvalSettings &settings, NativeTarget &native);

} // namespace tick

#endif // TICK_TOOLS_TICKC_TRAIN_H
