//===- Passes.td - nn dialect passes -----------------------*- tablegen -*-===//

#ifndef TICK_DIALECT_NN_TRANSFORMS_PASSES_TD
#define TICK_DIALECT_NN_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def NNSpecializeBatch : Pass<"nn-specialize-batch", "mlir::ModuleOp"> {
  let summary = "Give the dynamic batch dimension a static size";
  let description = [{
    Replaces the dynamic batch dimension (`?`, dimension 0) of every tensor
    in every function with `batch-size`, so the code generators see static
    shapes they can tile and vectorize. Run it before
    `convert-nn-to-linalg`. Any other dynamic dimension is an error.
  }];
  let options = [
    Option<"batchSize", "batch-size", "int64_t", /*default=*/"64",
           "The static batch size">
  ];
}

def NNMaterializeParameters
    : Pass<"nn-materialize-parameters", "mlir::ModuleOp"> {
  let summary = "Turn parameter reads into function arguments";
  let description = [{
    Every function defined in the module gets one leading tensor argument
    per `nn.parameter`, in declaration order, carrying the parameter's name
    as `{nn.parameter = "fc1.weight"}`. `nn.get_parameter` is replaced by
    the argument, calls inside the module pass the parameters on, and the
    `nn.parameter` declarations are removed. Each `nn.set_parameter`
    becomes an extra result, after the function's own, in declaration
    order; bufferization then writes it into the argument's buffer in place.
    The compiled entry points so take `(parameters..., inputs...)`: the
    runtime owns the storage.
  }];
  let dependentDialects = ["mlir::func::FuncDialect"];
}

def NNVerifyLowered : Pass<"nn-verify-lowered", "mlir::ModuleOp"> {
  let summary = "Fail if any nn op survived lowering";
  let description = [{
    The contract between the nn passes and the code generators: after
    `nn-materialize-parameters` and `convert-nn-to-linalg` no op of the nn
    dialect may remain. Reports the first survivor with its location.
  }];
}

def NNAutodiff : Pass<"nn-autodiff", "mlir::ModuleOp"> {
  let summary = "Build a train step from the loss function";
  let description = [{
    Adds `@train_step`, with the arguments of the loss function (`loss`
    option), returning the loss and the number of correct predictions. It
    runs the forward pass and the loss, the backward pass (each op's
    gradient rule, DifferentiableOpInterface, applied in reverse), and the
    optimizer update of every parameter, written back with
    `nn.set_parameter`. Optimizer state becomes parameters of its own,
    named `optimizer.<parameter>.<state>` (`momentum_buffer`, `exp_avg`,
    `exp_avg_sq`) and `optimizer.step`, zero-initialized, so it is saved and
    restored with the model. The loss function must be free of calls (run
    the inliner first) and return the result of `nn.cross_entropy`.

    With optimizer `none` the step updates nothing and returns the
    parameters' gradients after the loss and the count, in parameter
    declaration order.

    Hyperparameters follow torch.optim: sgd (lr 0.01, momentum 0,
    weight_decay 0), adam (lr 1e-3, betas 0.9/0.999, eps 1e-8,
    weight_decay 0), adamw (as adam with decoupled weight_decay 1e-2).
    A negative lr or weight-decay means the optimizer's default.
  }];
  let options = [
    Option<"lossFunction", "loss", "std::string", /*default=*/"\"loss\"",
           "The function to differentiate">,
    Option<"optimizer", "optimizer", "std::string", /*default=*/"\"adam\"",
           "none, sgd, adam or adamw">,
    Option<"lr", "lr", "double", /*default=*/"-1.0", "Learning rate">,
    Option<"momentum", "momentum", "double", /*default=*/"0.0",
           "SGD momentum">,
    Option<"weightDecay", "weight-decay", "double", /*default=*/"-1.0",
           "Weight decay">,
    Option<"beta1", "beta1", "double", /*default=*/"0.9", "Adam beta1">,
    Option<"beta2", "beta2", "double", /*default=*/"0.999", "Adam beta2">,
    Option<"eps", "eps", "double", /*default=*/"1.0e-8", "Adam epsilon">
  ];
  let dependentDialects = [
    "mlir::arith::ArithDialect", "mlir::func::FuncDialect",
    "mlir::tensor::TensorDialect"
  ];
}

#endif // TICK_DIALECT_NN_TRANSFORMS_PASSES_TD
