//===- Session.h - a compiled model with its parameters in memory -*- C++ -*-===//

#ifndef TICK_TOOLS_TICKC_SESSION_H
#define TICK_TOOLS_TICKC_SESSION_H

#include "Compile.h"
#include "DeviceMemory.h"
#include "Native.h"

#include "tick/Runtime/Checkpoint.h"
#include "tick/Runtime/Data.h"
#include "tick/Runtime/Runtime.h"

#include <string>
#include <vector>

namespace tick {

/// A parameter (or optimizer state) of the model and its buffer.
struct Parameter {
  std::string name;
  std::vector<int64_t> shape;
  tickrt_init init = TICKRT_INIT_ZEROS;
  int64_t fanIn = 0;
  std::vector<float> data;
  tickrt_memref memref;

  bool isOptimizerState() const { return name.rfind("optimizer.", 0) == 0; }
  tickrt_named_tensor named();
};

/// A model compiled for one batch size into a temporary library, loaded,
/// with a buffer per parameter in declaration order: the order of the
/// leading arguments of every entry point. For --target=cuda the buffers
/// the compiled code sees are device copies (`memory`).
class Session {
public:
  ~Session();

  /// Compiles `settings.model`... with @train_step when
  /// `compile.optimizer` is set. Returns an exit code.
  int open(const std::string &modelPath, CompileSettings compile,
           NativeTarget &native, int threads);

  std::vector<Parameter> parameters;
  int64_t batchSize = 0;
  std::vector<int64_t> inputShape; ///< one sample: [1, 28, 28] say
  int64_t inputFeatures = 0;       ///< product of inputShape
  int64_t classes = 0;
  bool labels32 = false; ///< i32 labels instead of i64
  tickrt_entry forward = nullptr, trainStep = nullptr;
  DeviceMemory memory;

  /// Initializes the model's parameters from `rng` (PyTorch's schemes, in
  /// declaration order) and zeroes the optimizer state.
  void initialize(tickrt_rng &rng);
  /// Reads every parameter (and, with `withState`, the optimizer state)
  /// from an open checkpoint. Returns an exit code; prints the error.
  int load(tickrt_checkpoint *checkpoint, bool withState);
  /// Copies every parameter to the device copy the compiled code uses, or
  /// back (nothing to do on the CPU). Return exit codes.
  int upload();
  int download();
  /// kSuccess, or kDeviceError after printing the first failure of the GPU
  /// while running compiled code.
  int checkDevice();
  /// The argument array: parameters, then `extra` descriptors.
  std::vector<void *> arguments(std::initializer_list<tickrt_memref *> extra);

private:
  tickrt_model *model = nullptr;
  std::string directory;
};

} // namespace tick

#endif // TICK_TOOLS_TICKC_SESSION_H
