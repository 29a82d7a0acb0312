//===- NNInterfaces.td - nn op interfaces ------------------*- tablegen -*-===//

#ifndef TICK_DIALECT_NN_IR_NNINTERFACES_TD
#define TICK_DIALECT_NN_IR_NNINTERFACES_TD

include "mlir/IR/OpBase.td"

def NN_DifferentiableOpInterface : OpInterface<"DifferentiableOpInterface"> {
  let cppNamespace = "::tick::nn";
  let description = [{
    An op that knows its own gradient rule, so nn-autodiff can
    differentiate any model built from such ops: a new op brings its rule.
  }];
  let methods = [
    InterfaceMethod<[{
        Builds the gradients of the op's operands from the gradients of its
        results (null where a result has no gradient). Returns one value
        per operand, null for operands in `needed` marked false or with no
        gradient (integer labels, say).
      }],
      "::llvm::SmallVector<::mlir::Value>", "buildGradients",
      (ins "::mlir::OpBuilder &":$builder,
           "::mlir::ValueRange":$resultGradients,
           "::llvm::ArrayRef<bool>":$needed)>
  ];
}

#endif // TICK_DIALECT_NN_IR_NNINTERFACES_TD
