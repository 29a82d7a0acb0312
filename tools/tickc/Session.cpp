//===- Session.cpp - a compiled model with its parameters in memory -------===//

#include "Session.h"

#include "Driver.h"
#include "tick/Dialect/NN/IR/NNOps.h"
#include "tick/Dialect/NN/Transforms/Passes.h"
#include "tick/Runtime/Cuda.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/PassManager.h"
#include "tick/Pipelines/Pipelines.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Path.h"

using namespace mlir;
using namespace tick;

tickrt_named_tensor Parameter::named() {
  tickrt_named_tensor t{name.c_str(), static_cast<int>(shape.size()), {}, data.data()};
  for (size_t d = 0; d < shape.size(); ++d)
    t.shape[d] = shape[d];
  return t;
}

Session::~Session() {
  tickrt_model_close(model);
  if (!directory.empty())
    llvm::sys::fs::remove_directories(directory);
}

int Session::open(const std::string &modelPath, CompileSettings compile,
                  NativeTarget &native, int threads) {
  LoadedModel loaded;
  if (int code = loaded.load(modelPath))
    return code;
  // Without a GPU there is no point compiling for one: say so first.
  memory.useDevice(compile.gpu.cuda);
  if (compile.gpu.cuda) {
    if (tickrt_cuda_open())
      return fail(kDeviceError, tickrt_last_error());
    llvm::errs() << "tickc: running on " << tickrt_cuda_device_name() << "\n";
  }

  // The shapes and parameters the compiled code will have, read off a copy
  // taken through the same first steps as the compiler.
  OwningOpRef<ModuleOp> view = loaded.module->clone();
  PassManager pm(&loaded.context);
  buildNNTrainStepPipeline(pm, *nnOptions(compile));
  if (failed(pm.run(*view)))
    return kModelError;
  auto forwardFunc = view->lookupSymbol<func::FuncOp>("forward");
  if (!forwardFunc || forwardFunc.getNumArguments() != 1 ||
      forwardFunc.getNumResults() != 1)
    return fail(kModelError, modelPath + ": expects @forward(x) -> logits");
  auto x = cast<RankedTensorType>(forwardFunc.getArgumentTypes()[0]);
  auto logits = dyn_cast<RankedTensorType>(forwardFunc.getResultTypes()[0]);
  if (!logits || logits.getRank() != 2)
    return fail(kModelError, modelPath + ": @forward must return [batch, classes] logits");
  batchSize = compile.batchSize;
  inputShape.assign(x.getShape().begin() + 1, x.getShape().end());
  inputFeatures = 1;
  for (int64_t s : inputShape)
    inputFeatures *= s;
  classes = logits.getDimSize(1);
  // One batch of inputs lives in host memory; refuse what cannot fit rather
  // than die allocating it.
  constexpr int64_t kMaxBatchBytes = int64_t(4) << 30;
  if (batchSize > kMaxBatchBytes / 4 / std::max<int64_t>(1, inputFeatures))
    return fail(kUsageError, llvm::formatv("a batch of {0} samples of {1} "
                                           "features exceeds 4 GiB",
                                           batchSize, inputFeatures));
  if (auto step = view->lookupSymbol<func::FuncOp>("train_step"))
    labels32 = cast<RankedTensorType>(step.getArgumentTypes()[1])
                   .getElementType()
                   .isInteger(32);

  for (auto p : view->getOps<nn::ParameterOp>()) {
    Parameter param;
    param.name = p.getSymName().str();
    param.shape.assign(p.getTensorType().getShape().begin(),
                       p.getTensorType().getShape().end());
    if (!p.getTensorType().getElementType().isF32())
      return fail(kModelError, modelPath + ": parameter " + param.name +
                                   " is not f32, which training supports");
    switch (p.getInit()) {
    case nn::InitKind::Zeros: param.init = TICKRT_INIT_ZEROS; break;
    case nn::InitKind::Ones: param.init = TICKRT_INIT_ONES; break;
    case nn::InitKind::KaimingUniform:
      param.init = TICKRT_INIT_UNIFORM_FAN_IN;
      param.fanIn = param.shape[1];
      break;
    case nn::InitKind::FanInUniform:
      param.init = TICKRT_INIT_UNIFORM_FAN_IN;
      param.fanIn = *p.getFanIn();
      break;
    }
    int64_t count = 1;
    for (int64_t s : param.shape)
      count *= s;
    param.data.assign(count, 0.0f);
    parameters.push_back(std::move(param));
  }
  for (Parameter &p : parameters) {
    void *address;
    if (int code = memory.place(p.data.data(), p.data.size() * sizeof(float),
                                address))
      return code;
    tickrt_memref_dense(address, p.shape.size(), p.shape.data(), &p.memref);
  }

  // Compile once, to a library in a directory of our own.
  llvm::SmallString<128> dir;
  if (std::error_code ec = llvm::sys::fs::createUniqueDirectory("tickc", dir))
    return fail(kIOError, "cannot create a temporary directory: " + ec.message());
  directory = dir.str().str();
  compile.emit = Stage::Lib;
  compile.output = directory + "/libmodel.so";
  compile.modelName = "model";
  if (int code = compileModule(std::move(loaded.module), compile, native))
    return code;
  if (tickrt_model_open(compile.output.c_str(), &model) ||
      tickrt_model_entry(model, "forward", &forward) ||
      (!compile.optimizer.empty() &&
       tickrt_model_entry(model, "train_step", &trainStep)) ||
      tickrt_model_set_num_threads(model, threads))
    return fail(kToolError, tickrt_last_error());
  // Loading the library loaded its kernels onto the GPU.
  return checkDevice();
}

void Session::initialize(tickrt_rng &rng) {
  for (Parameter &p : parameters)
    tickrt_init_tensor(p.data.data(), p.data.size(),
                       p.isOptimizerState() ? TICKRT_INIT_ZEROS : p.init,
                       p.fanIn, &rng);
}

int Session::load(tickrt_checkpoint *checkpoint, bool withState) {
  for (Parameter &p : parameters) {
    if (p.isOptimizerState() && !withState)
      continue;
    tickrt_named_tensor t = p.named();
    if (tickrt_checkpoint_read(checkpoint, &t))
      return fail(kIOError, tickrt_last_error());
  }
  return kSuccess;
}

int Session::upload() {
  for (Parameter &p : parameters)
    if (int code = memory.toDevice(p.data.data()))
      return code;
  return kSuccess;
}

int Session::download() {
  for (Parameter &p : parameters)
    if (int code = memory.toHost(p.data.data()))
      return code;
  return kSuccess;
}

int Session::checkDevice() {
  if (memory.usesDevice() && tickrt_cuda_status())
    return fail(kDeviceError, tickrt_last_error());
  return kSuccess;
}

std::vector<void *>
Session::arguments(std::initializer_list<tickrt_memref *> extra) {
  std::vector<void *> args;
  for (Parameter &p : parameters)
    args.push_back(&p.memref);
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}
