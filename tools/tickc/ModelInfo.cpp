//===- ModelInfo.cpp - what the trainer needs to know of a model ----------===//

#include "ModelInfo.h"

#include "Driver.h"

#include "tick/Dialect/NN/IR/NNOps.h"
#include "tick/Pipelines/Pipelines.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/FormatVariadic.h"

#include <cstring>

using namespace mlir;
using namespace tick;

tickrt_trainer_model ModelInfo::describe() const {
  tickrt_trainer_model m{};
  m.name = path.c_str();
  m.num_parameters = parameters.size();
  m.parameters = parameters.data();
  m.input_rank = inputShape.size();
  std::copy(inputShape.begin(), inputShape.end(), m.input_shape);
  m.classes = classes;
  m.batch_size = batchSize;
  m.labels32 = labels32;
  m.optimizer = optimizer.empty() ? nullptr : optimizer.c_str();
  m.cuda = cuda;
  return m;
}

int tick::readModelInfo(ModuleOp module, const std::string &path,
                        const CompileSettings &compile, ModelInfo &info) {
  info.path = path;
  info.optimizer = compile.optimizer;
  info.batchSize = compile.batchSize;
  info.cuda = compile.gpu.cuda;
  // The shapes and parameters the compiled code will have, read off a copy
  // taken through the same first steps as the compiler.
  OwningOpRef<ModuleOp> view = module.clone();
  PassManager pm(module.getContext());
  buildNNTrainStepPipeline(pm, *nnOptions(compile));
  if (failed(pm.run(*view)))
    return kModelError;
  auto forward = view->lookupSymbol<func::FuncOp>("forward");
  if (!forward || forward.getNumArguments() != 1 ||
      forward.getNumResults() != 1)
    return fail(kModelError, path + ": expects @forward(x) -> logits");
  auto x = cast<RankedTensorType>(forward.getArgumentTypes()[0]);
  auto logits = dyn_cast<RankedTensorType>(forward.getResultTypes()[0]);
  if (!logits || logits.getRank() != 2)
    return fail(kModelError,
                path + ": @forward must return [batch, classes] logits");
  info.inputShape.assign(x.getShape().begin() + 1, x.getShape().end());
  if (x.getRank() > TICKRT_MAX_RANK)
    return fail(kModelError, path + ": the input has " + Twine(x.getRank()) +
                                 " dimensions; training takes at most " +
                                 Twine(TICKRT_MAX_RANK));
  int64_t features = 1;
  for (int64_t s : info.inputShape)
    features *= s;
  info.classes = logits.getDimSize(1);
  // One batch of inputs lives in host memory; refuse what cannot fit rather
  // than die allocating it.
  constexpr int64_t kMaxBatchBytes = int64_t(4) << 30;
  if (info.batchSize > kMaxBatchBytes / 4 / std::max<int64_t>(1, features))
    return fail(kUsageError, llvm::formatv("a batch of {0} samples of {1} "
                                           "features exceeds 4 GiB",
                                           info.batchSize, features));
  if (auto step = view->lookupSymbol<func::FuncOp>("train_step"))
    info.labels32 = cast<RankedTensorType>(step.getArgumentTypes()[1])
                        .getElementType()
                        .isInteger(32);

  for (auto p : view->getOps<nn::ParameterOp>()) {
    std::string name = p.getSymName().str();
    if (!p.getTensorType().getElementType().isF32())
      return fail(kModelError, path + ": parameter " + name +
                                   " is not f32, which training supports");
    if (p.getTensorType().getRank() > TICKRT_MAX_RANK)
      return fail(kModelError, path + ": parameter " + name + " has more than " +
                                   Twine(TICKRT_MAX_RANK) + " dimensions");
    tickrt_trainer_parameter param{};
    param.rank = p.getTensorType().getRank();
    llvm::copy(p.getTensorType().getShape(), param.shape);
    switch (p.getInit()) {
    case nn::InitKind::Zeros: param.init = TICKRT_INIT_ZEROS; break;
    case nn::InitKind::Ones: param.init = TICKRT_INIT_ONES; break;
    case nn::InitKind::KaimingUniform:
      param.init = TICKRT_INIT_UNIFORM_FAN_IN;
      param.fan_in = param.shape[1];
      break;
    case nn::InitKind::FanInUniform:
      param.init = TICKRT_INIT_UNIFORM_FAN_IN;
      param.fan_in = *p.getFanIn();
      break;
    }
    info.names.push_back(name);
    info.parameters.push_back(param);
  }
  // Names last: the vector of strings no longer moves.
  for (size_t i = 0; i < info.parameters.size(); ++i)
    info.parameters[i].name = info.names[i].c_str();
  return kSuccess;
}
