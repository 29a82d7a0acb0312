//===- ModelInfo.h - what the trainer needs to know of a model --*- C++ -*-===//

#ifndef TICK_TOOLS_TICKC_MODELINFO_H
#define TICK_TOOLS_TICKC_MODELINFO_H

#include "Compile.h"

#include "mlir/IR/BuiltinOps.h"
#include "tick/Runtime/Trainer.h"

#include <string>
#include <vector>

namespace tick {

/// A model's parameters (declaration order: the leading arguments of every
/// entry point), the shape of one sample and the number of classes: what
/// tickrt_train needs besides the compiled entry points.
struct ModelInfo {
  std::string path, optimizer;
  int64_t batchSize = 0;
  std::vector<std::string> names;
  std::vector<tickrt_trainer_parameter> parameters;
  std::vector<int64_t> inputShape; ///< one sample: [1, 28, 28] say
  int64_t classes = 0;
  bool labels32 = false; ///< i32 labels instead of i64
  bool cuda = false;

  /// The runtime's description, pointing into this object; entry points
  /// are left for the caller to set.
  tickrt_trainer_model describe() const;
};

/// Reads the info off `module`, a model (nn stage) that `compile` will
/// build. Returns an exit code after printing what is wrong.
int readModelInfo(mlir::ModuleOp module, const std::string &path,
                  const CompileSettings &compile, ModelInfo &info);

} // namespace tick

#endif // TICK_TOOLS_TICKC_MODELINFO_H
