//===- EmbedTrainer.h - a model's trainer main() in its module --*- C++ -*-===//

#ifndef TICK_TOOLS_TICKC_EMBEDTRAINER_H
#define TICK_TOOLS_TICKC_EMBEDTRAINER_H

#include "ModelInfo.h"

#include "llvm/IR/Module.h"

#include <string>

namespace tick {

/// Adds to a compiled model's LLVM module its tickrt_trainer_model, as a
/// constant, and `int main(int, char **)` calling tickrt_trainer_main: with
/// the runtime linked in, the module becomes a standalone trainer. Fails
/// with a message in `error` when the module lacks an entry point.
bool embedTrainer(llvm::Module &module, const ModelInfo &info,
                  std::string &error);

} // namespace tick

#endif // TICK_TOOLS_TICKC_EMBEDTRAINER_H
