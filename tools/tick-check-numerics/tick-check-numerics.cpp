//===- tick-check-numerics.cpp - compiled code against the fp64 reference -===//
//
// Runs one function of a model twice on the same random inputs: compiled by
// tickc (a --emit=lib library, through the runtime) and interpreted op by
// op with the fp64 reference. Every output element must satisfy
//
//     |compiled - reference| <= atol + rtol * |reference|
//
// and the compiled outputs under each --omp-threads count must agree with each
// other within the same bound. Prints one line per output and PASS or FAIL;
// exits 0 on PASS, 1 on FAIL, 2 on bad input.
//
//===----------------------------------------------------------------------===//

#include "Reference.h"
#include "tick/Dialect/NN/IR/NNOps.h"
#include "tick/Dialect/NN/Transforms/Passes.h"
#include "tick/Pipelines/Pipelines.h"
#include "tick/Runtime/Cuda.h"
#include "tick/Runtime/Runtime.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/SourceMgr.h"

#include <cmath>
#include <cstring>
#include <random>

using namespace mlir;
namespace cl = llvm::cl;

namespace {

cl::OptionCategory category("tick-check-numerics options");
cl::opt<std::string> modelFile(cl::Positional, cl::desc("MODEL.mlir"),
                               cl::Required, cl::cat(category));
cl::opt<std::string> libFile("lib", cl::desc("Library from tickc --emit=lib"),
                             cl::Required, cl::cat(category));
cl::opt<std::string> functionName("function", cl::desc("Function to check"),
                                  cl::init("forward"), cl::cat(category));
cl::opt<int64_t> batchSize("batch-size",
                           cl::desc("Batch size the library was compiled for"),
                           cl::Required, cl::cat(category));
cl::opt<double> atol("atol", cl::desc("Absolute tolerance"), cl::Required,
                     cl::cat(category));
cl::opt<double> rtol("rtol", cl::desc("Relative tolerance"), cl::Required,
                     cl::cat(category));
cl::opt<uint64_t> seed("seed", cl::desc("Random seed"), cl::init(1),
                       cl::cat(category));
cl::opt<bool> onGPU("cuda",
                    cl::desc("The library was compiled with --target=cuda: "
                             "run it on the GPU, tensors in device memory"),
                    cl::cat(category));
cl::list<int> threadCounts("omp-threads", cl::desc("OpenMP thread counts to run"),
                           cl::CommaSeparated, cl::cat(category));
cl::opt<std::string> optimizer(
    "optimizer",
    cl::desc("Check @train_step built with this optimizer (as tickc compile "
             "--optimizer); the updated parameters are compared too"),
    cl::cat(category));
cl::opt<double> learningRate("lr", cl::desc("As tickc compile --lr"),
                             cl::init(-1.0), cl::cat(category));
cl::opt<double> momentumOption("momentum", cl::desc("As tickc compile --momentum"),
                               cl::init(0.0), cl::cat(category));
cl::opt<double> weightDecayOption("weight-decay",
                                  cl::desc("As tickc compile --weight-decay"),
                                  cl::init(-1.0), cl::cat(category));

/// A tensor of the reference: values in double (integers stored exactly).
struct Tensor {
  std::vector<int64_t> shape;
  std::vector<double> data;
};

int64_t numElements(ArrayRef<int64_t> shape) {
  int64_t n = 1;
  for (int64_t s : shape)
    n *= s;
  return n;
}

/// Rounds to the element type, so both sides start from identical values.
double roundTo(Type type, double v) {
  return type.isF32() ? static_cast<double>(static_cast<float>(v)) : v;
}

struct Generator {
  std::mt19937_64 rng{seed};
  double uniform(double lo, double hi) {
    return std::uniform_real_distribution<double>(lo, hi)(rng);
  }
};

/// Interprets the nn ops of `func` in fp64.
FailureOr<std::vector<Tensor>> interpret(func::FuncOp func,
                                         const std::vector<Tensor> &args) {
  using namespace tick;
  llvm::DenseMap<Value, Tensor> values;
  for (auto [arg, tensor] : llvm::zip(func.getArguments(), args))
    values[arg] = tensor;
  auto shapeOf = [](Value v) {
    return std::vector<int64_t>(cast<RankedTensorType>(v.getType()).getShape());
  };
  for (Operation &op : func.getBody().front()) {
    auto in = [&](unsigned i) -> const Tensor & { return values[op.getOperand(i)]; };
    auto set = [&](unsigned i, std::vector<double> data) {
      values[op.getResult(i)] = Tensor{shapeOf(op.getResult(i)), std::move(data)};
    };
    auto labels = [&](unsigned i) {
      return std::vector<int64_t>(in(i).data.begin(), in(i).data.end());
    };
    if (isa<nn::FlattenOp, tensor::ExpandShapeOp>(op)) {
      set(0, in(0).data);
    } else if (auto linear = dyn_cast<nn::LinearOp>(op)) {
      std::vector<int64_t> w = in(1).shape;
      std::vector<double> bias = linear.getBias() ? in(2).data : std::vector<double>{};
      set(0, ref::linear(in(0).data, in(1).data, bias, in(0).shape[0], w[1], w[0]));
    } else if (auto norm = dyn_cast<nn::LayerNormOp>(op)) {
      set(0, ref::layerNorm(in(0).data, in(1).data, in(2).data, in(0).shape[0],
                            in(0).shape[1], norm.getEps().convertToDouble()));
    } else if (isa<nn::ReLUOp>(op)) {
      set(0, ref::relu(in(0).data));
    } else if (isa<nn::CrossEntropyOp>(op)) {
      set(0, {ref::crossEntropy(in(0).data, labels(1), in(0).shape[0],
                                in(0).shape[1])});
    } else if (isa<nn::LinearGradInputOp>(op)) {
      std::vector<int64_t> w = in(1).shape;
      set(0, ref::linearGradInput(in(0).data, in(1).data, in(0).shape[0], w[1], w[0]));
    } else if (isa<nn::LinearGradWeightOp>(op)) {
      set(0, ref::linearGradWeight(in(0).data, in(1).data, in(0).shape[0],
                                   in(1).shape[1], in(0).shape[1]));
    } else if (isa<nn::LinearGradBiasOp>(op)) {
      set(0, ref::linearGradBias(in(0).data, in(0).shape[0], in(0).shape[1]));
    } else if (auto grad = dyn_cast<nn::LayerNormGradOp>(op)) {
      ref::LayerNormGrads g =
          ref::layerNormGrad(in(0).data, in(1).data, in(2).data, in(1).shape[0],
                             in(1).shape[1], grad.getEps().convertToDouble());
      set(0, g.input);
      set(1, g.weight);
      set(2, g.bias);
    } else if (isa<nn::ReLUGradOp>(op)) {
      set(0, ref::reluGrad(in(0).data, in(1).data));
    } else if (isa<nn::CrossEntropyGradOp>(op)) {
      set(0, ref::crossEntropyGrad(in(0).data, labels(1), in(0).shape[0],
                                   in(0).shape[1], in(2).data[0]));
    } else if (isa<nn::CorrectCountOp>(op)) {
      set(0, {static_cast<double>(ref::correctCount(
                 in(0).data, labels(1), in(0).shape[0], in(0).shape[1]))});
    } else if (isa<nn::IncrementOp>(op)) {
      set(0, {in(0).data[0] + 1});
    } else if (auto sgd = dyn_cast<nn::SGDStepOp>(op)) {
      std::vector<double> p = in(0).data, buffer = in(2).data;
      ref::sgdStep(p, in(1).data, buffer, sgd.getLr().convertToDouble(),
                   sgd.getMomentum().convertToDouble(),
                   sgd.getWeightDecay().convertToDouble());
      set(0, p);
      set(1, sgd.getMomentum().convertToDouble() != 0 ? buffer : in(1).data);
    } else if (auto adam = dyn_cast<nn::AdamStepOp>(op)) {
      std::vector<double> p = in(0).data, m = in(2).data, v = in(3).data;
      ref::adamStep(p, in(1).data, m, v, in(4).data[0],
                    adam.getLr().convertToDouble(),
                    adam.getBeta1().convertToDouble(),
                    adam.getBeta2().convertToDouble(),
                    adam.getEps().convertToDouble(),
                    adam.getWeightDecay().convertToDouble(), adam.getDecoupled());
      set(0, p);
      set(1, m);
      set(2, v);
    } else if (isa<arith::AddFOp>(op)) {
      std::vector<double> sum = in(0).data;
      for (size_t i = 0; i < sum.size(); ++i)
        sum[i] += in(1).data[i];
      set(0, sum);
    } else if (auto constant = dyn_cast<arith::ConstantOp>(op)) {
      auto dense = dyn_cast<DenseFPElementsAttr>(constant.getValue());
      if (!dense) {
        op.emitError("the fp64 reference has no rule for this op");
        return failure();
      }
      std::vector<double> data;
      for (APFloat v : dense.getValues<APFloat>())
        data.push_back(v.convertToDouble());
      set(0, data);
    } else if (auto ret = dyn_cast<func::ReturnOp>(op)) {
      std::vector<Tensor> results;
      for (Value v : ret.getOperands())
        results.push_back(values[v]);
      return results;
    } else {
      op.emitError("the fp64 reference has no rule for this op");
      return failure();
    }
  }
  return failure();
}

/// Number of classes an integer argument indexes: the logits width of the
/// cross-entropy that reads it.
int64_t classesOf(BlockArgument labels) {
  for (Operation *user : labels.getUsers())
    if (auto loss = dyn_cast<tick::nn::CrossEntropyOp>(user))
      return cast<RankedTensorType>(loss.getLogits().getType()).getDimSize(1);
  return 1;
}

/// A buffer in the compiled code's element type, and its descriptor.
struct Buffer {
  Type type;
  std::vector<int64_t> shape;
  std::vector<char> bytes;
  tickrt_memref memref;

  Buffer(Type type, std::vector<int64_t> shape) : type(type), shape(shape) {
    unsigned width = type.getIntOrFloatBitWidth() / 8;
    bytes.assign(numElements(shape) * width, 0);
  }
  void store(const std::vector<double> &values) {
    for (size_t i = 0; i < values.size(); ++i) {
      if (type.isF32()) {
        float v = values[i];
        std::memcpy(&bytes[i * 4], &v, 4);
      } else if (type.isF64()) {
        std::memcpy(&bytes[i * 8], &values[i], 8);
      } else if (type.isInteger(32)) {
        int32_t v = values[i];
        std::memcpy(&bytes[i * 4], &v, 4);
      } else {
        int64_t v = values[i];
        std::memcpy(&bytes[i * 8], &v, 8);
      }
    }
  }
  std::vector<double> load() const {
    std::vector<double> values(numElements(shape));
    for (size_t i = 0; i < values.size(); ++i) {
      if (type.isF32()) {
        float v;
        std::memcpy(&v, &bytes[i * 4], 4);
        values[i] = v;
      } else if (type.isF64()) {
        std::memcpy(&values[i], &bytes[i * 8], 8);
      } else if (type.isInteger(32)) {
        int32_t v;
        std::memcpy(&v, &bytes[i * 4], 4);
        values[i] = v;
      } else {
        int64_t v;
        std::memcpy(&v, &bytes[i * 8], 8);
        values[i] = static_cast<double>(v);
      }
    }
    return values;
  }
  /// The descriptor compiled code takes; with --cuda over a device copy
  /// of the bytes (freed by fetch). Null (after printing why) on failure.
  void *describe() {
    void *data = bytes.data();
    if (onGPU && (tickrt_cuda_alloc(bytes.size(), &device) ||
                  tickrt_cuda_to_device(device, bytes.data(), bytes.size()))) {
      llvm::errs() << "tick-check-numerics: " << tickrt_last_error() << "\n";
      return nullptr;
    }
    tickrt_memref_dense(onGPU ? device : data, shape.size(), shape.data(),
                        &memref);
    return &memref;
  }
  /// With --cuda, copies the device copy back and frees it.
  bool fetch() {
    if (!onGPU)
      return true;
    bool ok = tickrt_cuda_to_host(bytes.data(), device, bytes.size()) == 0;
    if (!ok)
      llvm::errs() << "tick-check-numerics: " << tickrt_last_error() << "\n";
    tickrt_cuda_free(device);
    device = nullptr;
    return ok;
  }

private:
  void *device = nullptr;
};

int run() {
  DialectRegistry registry;
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registry.insert<tick::nn::NNDialect>();
  MLIRContext context(registry);
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);
  OwningOpRef<ModuleOp> module =
      parseSourceFile<ModuleOp>(modelFile, sourceMgr, &context);
  if (!module)
    return 2;

  // How each parameter is drawn: its initializer's bound, and LayerNorm's
  // ones/zeros perturbed so that a wrong formula cannot hide behind them.
  llvm::StringMap<std::pair<double, double>> ranges;
  for (auto param : module->getOps<tick::nn::ParameterOp>()) {
    double bound = 1.0;
    if (param.getInit() == tick::nn::InitKind::KaimingUniform)
      bound = 1.0 / std::sqrt(param.getTensorType().getDimSize(1));
    if (param.getInit() == tick::nn::InitKind::FanInUniform)
      bound = 1.0 / std::sqrt(static_cast<double>(*param.getFanIn()));
    double center = param.getInit() == tick::nn::InitKind::Ones ? 1.0 : 0.0;
    ranges[param.getSymName()] = {center - bound, center + bound};
  }

  // The model as the compiler sees it before binding parameters.
  PassManager prepare(&context);
  tick::NNToLinalgOptions options;
  options.batchSize = batchSize;
  options.optimizer = optimizer;
  options.lr = learningRate;
  options.momentum = momentumOption;
  options.weightDecay = weightDecayOption;
  tick::buildNNTrainStepPipeline(prepare, options);
  if (failed(prepare.run(*module)))
    return 2;
  // Optimizer state (declared by nn-autodiff) is drawn at random too, as a
  // step in the middle of training would see it: a step that ignored or
  // mixed up the state it reads fails.
  for (auto param : module->getOps<tick::nn::ParameterOp>()) {
    StringRef name = param.getSymName();
    if (ranges.count(name))
      continue;
    if (name == "optimizer.step")
      ranges[name] = {4.0, 5.0};
    else if (name.ends_with(".exp_avg_sq"))
      ranges[name] = {0.0, 1e-6};
    else if (name.ends_with(".exp_avg"))
      ranges[name] = {-1e-3, 1e-3};
    else
      ranges[name] = {-1e-2, 1e-2};
  }
  // The parameters the function writes, in declaration order: after
  // materialization they are its last results, and in the compiled code
  // their argument buffers, updated in place.
  SmallVector<unsigned> written;
  unsigned ownResults = 0;
  if (auto f = module->lookupSymbol<func::FuncOp>(functionName)) {
    ownResults = f.getNumResults();
    llvm::StringSet<> writes;
    f.walk([&](tick::nn::SetParameterOp w) { writes.insert(w.getName()); });
    for (auto [index, param] :
         llvm::enumerate(module->getOps<tick::nn::ParameterOp>()))
      if (writes.contains(param.getSymName()))
        written.push_back(index);
  }
  PassManager materialize(&context);
  materialize.addPass(tick::nn::createNNMaterializeParameters());
  if (failed(materialize.run(*module)))
    return 2;
  auto func = module->lookupSymbol<func::FuncOp>(functionName);
  if (!func) {
    llvm::errs() << "tick-check-numerics: no function @" << functionName << "\n";
    return 2;
  }

  Generator gen;
  std::vector<Tensor> args;
  std::vector<Buffer> buffers;
  for (BlockArgument arg : func.getArguments()) {
    auto type = cast<RankedTensorType>(arg.getType());
    Tensor t{std::vector<int64_t>(type.getShape()), {}};
    t.data.resize(numElements(t.shape));
    auto name = func.getArgAttrOfType<StringAttr>(arg.getArgNumber(),
                                                  tick::nn::kParameterArgAttr);
    Type element = type.getElementType();
    for (double &v : t.data) {
      if (isa<IntegerType>(element))
        v = std::floor(gen.uniform(0, classesOf(arg)));
      else if (name)
        v = roundTo(element, gen.uniform(ranges[name.getValue()].first,
                                         ranges[name.getValue()].second));
      else
        v = roundTo(element, gen.uniform(-1.0, 1.0));
    }
    buffers.emplace_back(element, t.shape);
    buffers.back().store(t.data);
    args.push_back(std::move(t));
  }

  FailureOr<std::vector<Tensor>> expected = interpret(func, args);
  if (failed(expected))
    return 2;

  tickrt_model *model;
  tickrt_entry entry;
  if ((onGPU && tickrt_cuda_open() != TICKRT_OK) ||
      tickrt_model_open(libFile.c_str(), &model) != TICKRT_OK ||
      tickrt_model_entry(model, functionName.c_str(), &entry) != TICKRT_OK) {
    llvm::errs() << "tick-check-numerics: " << tickrt_last_error() << "\n";
    return 2;
  }

  // A library compiled with other options (another --optimizer: more
  // state, other results) reads more or fewer buffers than this passes.
  int64_t arity = 0;
  size_t passed = buffers.size() + ownResults;
  if (tickrt_model_arity(model, functionName.c_str(), &arity) == TICKRT_OK &&
      static_cast<size_t>(arity) != passed) {
    llvm::errs() << "tick-check-numerics: @" << functionName << " in "
                 << libFile << " takes " << arity << " buffers, but "
                 << modelFile << "'s @" << functionName
                 << (optimizer.empty() ? " without --optimizer"
                                       : " with --optimizer=" + optimizer)
                 << " has " << passed
                 << ": was the library compiled with other options?\n";
    tickrt_model_close(model);
    return 2;
  }

  std::vector<int> counts(threadCounts.begin(), threadCounts.end());
  if (counts.empty())
    counts.push_back(0);
  std::vector<std::vector<std::vector<double>>> runs;
  for (int threads : counts) {
    if (tickrt_model_set_num_threads(model, threads) != TICKRT_OK) {
      llvm::errs() << "tick-check-numerics: " << tickrt_last_error() << "\n";
      return 2;
    }
    // Every run starts from the same inputs: in-place updates are undone.
    std::vector<Buffer> inputs = buffers;
    std::vector<Buffer> outputs;
    for (Type t : func.getResultTypes().take_front(ownResults)) {
      auto type = cast<RankedTensorType>(t);
      outputs.emplace_back(type.getElementType(),
                           std::vector<int64_t>(type.getShape()));
    }
    std::vector<void *> pointers;
    for (Buffer &b : inputs)
      pointers.push_back(b.describe());
    for (Buffer &b : outputs)
      pointers.push_back(b.describe());
    if (llvm::is_contained(pointers, nullptr))
      return 2;
    entry(pointers.data());
    if (onGPU && tickrt_cuda_status() != TICKRT_OK) {
      llvm::errs() << "tick-check-numerics: " << tickrt_last_error() << "\n";
      return 2;
    }
    for (Buffer &b : inputs)
      if (!b.fetch())
        return 2;
    for (Buffer &b : outputs)
      if (!b.fetch())
        return 2;
    runs.emplace_back();
    for (Buffer &b : outputs)
      runs.back().push_back(b.load());
    for (unsigned param : written)
      runs.back().push_back(inputs[param].load());
  }
  tickrt_model_close(model);

  bool pass = true;
  for (size_t out = 0; out < expected->size(); ++out) {
    const std::vector<double> &want = (*expected)[out].data;
    double maxErr = 0, maxRatio = 0, maxSpread = 0;
    int64_t bad = 0;
    for (size_t i = 0; i < want.size(); ++i) {
      double tol = atol + rtol * std::fabs(want[i]);
      for (size_t r = 0; r < runs.size(); ++r) {
        double got = runs[r][out][i];
        double err = std::fabs(got - want[i]);
        if (!(err <= tol))
          ++bad;
        maxErr = std::max(maxErr, err);
        maxRatio = std::max(maxRatio, err / tol);
        double spread = std::fabs(got - runs[0][out][i]);
        if (!(spread <= tol))
          ++bad;
        maxSpread = std::max(maxSpread, spread);
      }
    }
    std::string name = out < ownResults
                           ? "output " + std::to_string(out)
                           : "updated " + func.getArgAttrOfType<StringAttr>(
                                              written[out - ownResults],
                                              tick::nn::kParameterArgAttr)
                                              .getValue()
                                              .str();
    llvm::outs() << name << ": " << want.size()
                 << " elements, max |error| " << maxErr
                 << ", max error/tolerance " << maxRatio
                 << ", max spread across thread counts " << maxSpread << ", "
                 << bad << " outside tolerance\n";
    pass &= bad == 0;
  }
  llvm::outs() << (pass ? "PASS" : "FAIL") << "\n";
  return pass ? 0 : 1;
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(category);
  if (!cl::ParseCommandLineOptions(argc, argv, "Check compiled code against the fp64 reference\n", &llvm::errs()))
    return 2;
  return run();
}
