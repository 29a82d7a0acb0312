//===- NNDialect.td - nn dialect definition ----------------*- tablegen -*-===//

#ifndef TICK_DIALECT_NN_IR_NNDIALECT_TD
#define TICK_DIALECT_NN_IR_NNDIALECT_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

def NN_Dialect : Dialect {
  let name = "nn";
  let cppNamespace = "::tick::nn";
  let summary = "Layers, losses and parameters of small neural networks";
  let description = [{
    The `nn` dialect describes a model the way a PyTorch module does: named
    parameters with their initializers (`nn.parameter`), read inside
    functions with `nn.get_parameter`, and value-semantic tensor ops for the
    layers (`nn.linear`, `nn.layer_norm`, `nn.relu`, `nn.flatten`) and the
    loss (`nn.cross_entropy`). Parameter names follow PyTorch's `state_dict`
    keys (`fc1.weight`, `ln1.bias`, ...), so checkpoints map one to one.

    All layer ops work on `[batch, features]` tensors; the batch dimension
    may be dynamic (`?`) and is specialized by `tickc`.

    `nn-autodiff` writes the rest of the dialect: one gradient op per layer
    (`nn.linear_grad_*`, `nn.layer_norm_grad`, `nn.relu_grad`,
    `nn.cross_entropy_grad`), the optimizer steps (`nn.sgd_step`,
    `nn.adam_step`, `nn.increment`), `nn.correct_count`, and
    `nn.set_parameter` for the updates.
  }];
  let useDefaultAttributePrinterParser = 1;
}

class NN_Op<string mnemonic, list<Trait> traits = []>
    : Op<NN_Dialect, mnemonic, traits>;

//===----------------------------------------------------------------------===//
// Initializers
//===----------------------------------------------------------------------===//

def NN_InitKind : I32EnumAttr<"InitKind", "parameter initializer", [
    I32EnumAttrCase<"Zeros", 0, "zeros">,
    I32EnumAttrCase<"Ones", 1, "ones">,
    I32EnumAttrCase<"KaimingUniform", 2, "kaiming_uniform">,
    I32EnumAttrCase<"FanInUniform", 3, "fan_in_uniform">]> {
  let cppNamespace = "::tick::nn";
  let genSpecializedAttr = 0;
}

def NN_InitKindAttr : EnumAttr<NN_Dialect, NN_InitKind, "init"> {
  let assemblyFormat = "`<` $value `>`";
}

/// The initializer as an op property: bare in the custom form
/// (`nn.parameter @w kaiming_uniform : ...`), `#nn.init<...>` in the generic one.
def NN_InitKindProp : EnumPropWithAttrForm<NN_InitKind, NN_InitKindAttr> {
  let storeInCustomAttribute = 1;
}

#endif // TICK_DIALECT_NN_IR_NNDIALECT_TD
