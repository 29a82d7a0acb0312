//===- Session.h - a model compiled and loaded for training -----*- C++ -*-===//

#ifndef TICK_TOOLS_TICKC_SESSION_H
#define TICK_TOOLS_TICKC_SESSION_H

#include "Compile.h"
#include "ModelInfo.h"
#include "Native.h"

#include "tick/Runtime/Runtime.h"
#include "tick/Runtime/Trainer.h"

#include <string>
#include <vector>

namespace tick {

/// A model compiled for one batch size into a temporary library and
/// loaded, described for the runtime's trainer (tickrt_train).
class Session {
public:
  ~Session();

  /// Compiles `modelPath`, with @train_step when `compile.optimizer` is
  /// set. Returns an exit code.
  int open(const std::string &modelPath, CompileSettings compile,
           NativeTarget &native);

  /// Valid after open(); points into this session.
  tickrt_trainer_model model{};

private:
  /// open() but for giving the compiler's memory back.
  int compileAndLoad(const std::string &modelPath, CompileSettings compile,
                     NativeTarget &native);

  ModelInfo info;
  tickrt_model *library = nullptr;
  std::string directory;
};

} // namespace tick

#endif // TICK_TOOLS_TICKC_SESSION_H
