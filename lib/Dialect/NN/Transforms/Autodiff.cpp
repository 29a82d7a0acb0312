//===- Autodiff.cpp - train step from a loss function ---------------------===//
//
// Reverse-mode differentiation of a straight-line loss function. Only
// values that depend on a parameter get gradients (activity analysis), so
// the data path (flatten of the input) costs nothing backwards. Gradients
// of a value read several times are summed.
//
//===----------------------------------------------------------------------===//

#include "tick/Dialect/NN/IR/NNOps.h"
#include "tick/Dialect/NN/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"

namespace tick::nn {
#define GEN_PASS_DEF_NNAUTODIFF
#include "tick/Dialect/NN/Transforms/Passes.h.inc"
} // namespace tick::nn

using namespace mlir;
using namespace tick::nn;

namespace {

/// The optimizer with every hyperparameter resolved to PyTorch's default.
struct Optimizer {
  enum Kind { None, SGD, Adam, AdamW } kind;
  double lr, momentum, weightDecay, beta1, beta2, eps;
};

struct AutodiffPass : tick::nn::impl::NNAutodiffBase<AutodiffPass> {
  using Base::Base;

  FailureOr<Optimizer> resolveOptimizer(ModuleOp module) {
    Optimizer opt{Optimizer::Adam, lr, momentum, weightDecay, beta1, beta2, eps};
    if (optimizer == "none")
      opt.kind = Optimizer::None;
    else if (optimizer == "sgd")
      opt.kind = Optimizer::SGD;
    else if (optimizer == "adamw")
      opt.kind = Optimizer::AdamW;
    else if (optimizer != "adam")
      return module.emitError("unknown optimizer '")
             << optimizer << "', expected none, sgd, adam or adamw";
    if (opt.lr < 0)
      opt.lr = opt.kind == Optimizer::SGD ? 0.01 : 1e-3;
    if (opt.weightDecay < 0)
      opt.weightDecay = opt.kind == Optimizer::AdamW ? 1e-2 : 0.0;
    return opt;
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    FailureOr<Optimizer> opt = resolveOptimizer(module);
    if (failed(opt))
      return signalPassFailure();
    auto loss = module.lookupSymbol<func::FuncOp>(lossFunction);
    if (!loss || loss.isExternal()) {
      module.emitError("expects a function @") << lossFunction << " to differentiate";
      return signalPassFailure();
    }
    if (failed(buildTrainStep(module, loss, *opt)))
      signalPassFailure();
  }

  LogicalResult buildTrainStep(ModuleOp module, func::FuncOp loss,
                               const Optimizer &opt) {
    if (!loss.getBody().hasOneBlock())
      return loss.emitError("expects a loss function of one block");
    WalkResult calls = loss.walk([](func::CallOp call) {
      call.emitError("expects the loss function free of calls: run the "
                     "inliner before nn-autodiff");
      return WalkResult::interrupt();
    });
    if (calls.wasInterrupted())
      return failure();
    auto ret = cast<func::ReturnOp>(loss.getBody().front().getTerminator());
    auto ce = ret.getNumOperands() == 1
                  ? ret.getOperand(0).getDefiningOp<CrossEntropyOp>()
                  : CrossEntropyOp();
    if (!ce)
      return loss.emitError("expects the loss function to return the result "
                            "of nn.cross_entropy");

    // train_step starts as a copy of the loss function.
    OpBuilder b(module.getBodyRegion());
    b.setInsertionPointToEnd(module.getBody());
    auto step = cast<func::FuncOp>(b.clone(*loss));
    step.setSymName("train_step");
    Block &body = step.getBody().front();
    auto stepReturn = cast<func::ReturnOp>(body.getTerminator());
    auto stepLoss = stepReturn.getOperand(0).getDefiningOp<CrossEntropyOp>();
    b.setInsertionPoint(stepReturn);
    Location loc = stepReturn.getLoc();

    // Activity: values that depend on a parameter.
    DenseSet<Value> active;
    for (Operation &op : body.without_terminator()) {
      bool isActive = isa<GetParameterOp>(op) ||
                      llvm::any_of(op.getOperands(),
                                   [&](Value v) { return active.contains(v); });
      if (isActive)
        active.insert(op.result_begin(), op.result_end());
    }

    // Reverse sweep from d(loss)/d(loss) = 1.
    DenseMap<Value, Value> grads;
    auto accumulate = [&](Value value, Value grad) {
      Value &slot = grads[value];
      slot = slot ? arith::AddFOp::create(b, loc, slot, grad).getResult() : grad;
    };
    Value lossValue = stepLoss.getResult();
    auto lossType = cast<RankedTensorType>(lossValue.getType());
    grads[lossValue] = arith::ConstantOp::create(
        b, loc, lossType,
        DenseElementsAttr::get(lossType, b.getFloatAttr(lossType.getElementType(), 1.0)));
    SmallVector<Operation *> forward;
    for (Operation &op : body.without_terminator())
      forward.push_back(&op);
    for (Operation *op : llvm::reverse(forward)) {
      SmallVector<Value> resultGrads;
      bool any = false;
      for (Value r : op->getResults()) {
        resultGrads.push_back(grads.lookup(r));
        any |= static_cast<bool>(resultGrads.back());
      }
      if (!any || isa<GetParameterOp>(op))
        continue;
      auto rule = dyn_cast<DifferentiableOpInterface>(op);
      if (!rule)
        return op->emitError("has no gradient rule (DifferentiableOpInterface)");
      SmallVector<bool> needed = llvm::map_to_vector(
          op->getOperands(), [&](Value v) { return active.contains(v); });
      SmallVector<Value> operandGrads = rule.buildGradients(b, resultGrads, needed);
      for (auto [operand, grad] : llvm::zip(op->getOperands(), operandGrads))
        if (grad)
          accumulate(operand, grad);
    }

    // Gradient of each parameter, summed over its reads.
    llvm::MapVector<StringRef, Value> paramGrads;
    for (Operation *op : forward)
      if (auto read = dyn_cast<GetParameterOp>(op))
        if (Value g = grads.lookup(read.getResult())) {
          Value &slot = paramGrads[read.getName()];
          slot = slot ? arith::AddFOp::create(b, loc, slot, g).getResult() : g;
        }

    Value correct = CorrectCountOp::create(b, loc, stepLoss.getLogits(),
                                           stepLoss.getLabels());
    SmallVector<Value> results = {lossValue, correct};
    if (opt.kind == Optimizer::None) {
      // The gradients themselves, in parameter declaration order.
      for (auto param : module.getOps<ParameterOp>())
        if (Value g = paramGrads.lookup(param.getSymName()))
          results.push_back(g);
    } else if (failed(applyOptimizer(module, step, b, loc, opt, paramGrads))) {
      return failure();
    }
    stepReturn->setOperands(results);
    step.setType(FunctionType::get(&getContext(), step.getArgumentTypes(),
                                   ValueRange(results).getTypes()));
    return success();
  }

  /// Declares a zero-initialized state parameter after the last parameter.
  ParameterOp declareState(ModuleOp module, StringRef name, Type type) {
    ParameterOp last;
    for (auto p : module.getOps<ParameterOp>())
      last = p;
    OpBuilder b(module.getBodyRegion());
    if (last)
      b.setInsertionPointAfter(last);
    else
      b.setInsertionPointToStart(module.getBody());
    return ParameterOp::create(b, module.getLoc(), b.getStringAttr(name),
                               TypeAttr::get(type),
                               InitKind::Zeros, IntegerAttr());
  }

  LogicalResult applyOptimizer(ModuleOp module, func::FuncOp step, OpBuilder &b,
                               Location loc, const Optimizer &opt,
                               llvm::MapVector<StringRef, Value> &paramGrads) {
    auto read = [&](ParameterOp p) -> Value {
      return GetParameterOp::create(b, loc, p.getType(), p.getSymName());
    };
    auto write = [&](StringRef name, Value v) {
      SetParameterOp::create(b, loc, name, v);
    };
    auto f64 = [&](double v) { return b.getF64FloatAttr(v); };

    Value stepCount;
    if (opt.kind != Optimizer::SGD && !paramGrads.empty()) {
      // The step count t of the bias corrections, as in torch.optim.Adam.
      Type element =
          cast<RankedTensorType>(paramGrads.front().second.getType()).getElementType();
      auto scalar = RankedTensorType::get({}, element);
      ParameterOp counter = declareState(module, "optimizer.step", scalar);
      stepCount = IncrementOp::create(b, loc, read(counter));
      write(counter.getSymName(), stepCount);
    }

    for (auto &[name, grad] : paramGrads) {
      auto param = module.lookupSymbol<ParameterOp>(name);
      Value value = read(param);
      Type type = param.getType();
      std::string prefix = ("optimizer." + name + ".").str();
      if (opt.kind == Optimizer::SGD) {
        // With no momentum PyTorch keeps no buffer: the gradient stands in.
        Value buffer = grad;
        ParameterOp state;
        if (opt.momentum != 0) {
          state = declareState(module, prefix + "momentum_buffer", type);
          buffer = read(state);
        }
        auto update = SGDStepOp::create(b, loc, type, type, value, grad, buffer,
                                        f64(opt.lr), f64(opt.momentum),
                                        f64(opt.weightDecay));
        write(name, update.getNewParam());
        if (state)
          write(state.getSymName(), update.getNewMomentumBuffer());
        continue;
      }
      ParameterOp m = declareState(module, prefix + "exp_avg", type);
      ParameterOp v = declareState(module, prefix + "exp_avg_sq", type);
      auto update = AdamStepOp::create(
          b, loc, type, type, type, value, grad, read(m), read(v), stepCount,
          f64(opt.lr), f64(opt.beta1), f64(opt.beta2), f64(opt.eps),
          f64(opt.weightDecay),
          opt.kind == Optimizer::AdamW ? b.getUnitAttr() : UnitAttr());
      write(name, update.getNewParam());
      write(m.getSymName(), update.getNewExpAvg());
      write(v.getSymName(), update.getNewExpAvgSq());
    }
    return success();
  }
};

} // namespace
