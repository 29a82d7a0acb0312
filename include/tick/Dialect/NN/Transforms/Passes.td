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
    `nn.parameter` declarations are removed. The compiled entry points so
    take `(parameters..., inputs...)`: the runtime owns the storage.
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

#endif // TICK_DIALECT_NN_TRANSFORMS_PASSES_TD
