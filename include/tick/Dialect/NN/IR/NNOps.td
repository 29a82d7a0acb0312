//===- NNOps.td - nn dialect operations --------------------*- tablegen -*-===//

#ifndef TICK_DIALECT_NN_IR_NNOPS_TD
#define TICK_DIALECT_NN_IR_NNOPS_TD

include "tick/Dialect/NN/IR/NNDialect.td"
include "mlir/IR/OpBase.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

//===----------------------------------------------------------------------===//
// Type constraints
//===----------------------------------------------------------------------===//

def NN_Float : AnyTypeOf<[F32, F64]>;
def NN_FloatTensor : RankedTensorOf<[F32, F64]>;
def NN_Matrix : TensorRankOf<[F32, F64], [2]>;
def NN_Vector : TensorRankOf<[F32, F64], [1]>;
def NN_Scalar : TensorRankOf<[F32, F64], [0]>;
def NN_Labels : TensorRankOf<[I32, I64], [1]>;

//===----------------------------------------------------------------------===//
// Parameters
//===----------------------------------------------------------------------===//

def NN_ParameterOp : NN_Op<"parameter", [Symbol]> {
  let summary = "a named, trainable tensor and how to initialize it";
  let description = [{
    Declares a parameter of the model. The symbol name is the PyTorch
    `state_dict` key of the tensor, so checkpoints use the same names.
    The initializer follows PyTorch's defaults for each layer:

    - `kaiming_uniform`: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with fan_in the
      second dimension of the rank-2 weight (`nn.Linear.weight`, which
      PyTorch initializes with kaiming_uniform(a=sqrt(5)));
    - `fan_in_uniform(fan_in = N)`: U(-1/sqrt(N), 1/sqrt(N)), the default of
      `nn.Linear.bias`, where N is the in_features of its layer;
    - `ones`, `zeros`: the defaults of `nn.LayerNorm.weight` and `.bias`.

    Example:

    ```mlir
    nn.parameter @fc1.weight kaiming_uniform : tensor<128x784xf32>
    nn.parameter @fc1.bias fan_in_uniform(fan_in = 784) : tensor<128xf32>
    nn.parameter @ln1.weight ones : tensor<128xf32>
    ```
  }];
  let arguments = (ins SymbolNameAttr:$sym_name,
                       TypeAttrOf<AnyRankedTensor>:$type,
                       NN_InitKindProp:$init,
                       OptionalAttr<I64Attr>:$fan_in);
  let assemblyFormat = [{
    $sym_name $init (`(` `fan_in` `=` $fan_in^ `)`)? attr-dict `:` $type
  }];
  let extraClassDeclaration = [{
    mlir::RankedTensorType getTensorType() {
      return mlir::cast<mlir::RankedTensorType>(getType());
    }
  }];
  let hasVerifier = 1;
}

def NN_GetParameterOp : NN_Op<"get_parameter",
    [Pure, DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "the current value of a parameter";
  let description = [{
    Reads the parameter named by the symbol. The result type must be the
    declared type of the parameter.

    ```mlir
    %w = nn.get_parameter @fc1.weight : tensor<128x784xf32>
    ```
  }];
  let arguments = (ins FlatSymbolRefAttr:$name);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$name attr-dict `:` type($result)";
}

//===----------------------------------------------------------------------===//
// Layers
//===----------------------------------------------------------------------===//

def NN_LinearOp : NN_Op<"linear", [Pure]> {
  let summary = "affine layer y = x * transpose(W) + b";
  let description = [{
    PyTorch's `nn.Linear`: the weight has PyTorch's layout
    `[out_features, in_features]`; the bias `[out_features]` is optional.

    ```mlir
    %y = nn.linear %x, %w, %b
        : (tensor<?x784xf32>, tensor<128x784xf32>, tensor<128xf32>)
          -> tensor<?x128xf32>
    ```
  }];
  let arguments = (ins NN_Matrix:$input, NN_Matrix:$weight,
                       Optional<NN_Vector>:$bias);
  let results = (outs NN_Matrix:$result);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def NN_LayerNormOp : NN_Op<"layer_norm", [Pure]> {
  let summary = "layer normalization over the feature dimension";
  let description = [{
    PyTorch's `nn.LayerNorm(features)` on `[batch, features]`:
    y = (x - mean) / sqrt(var + eps) * weight + bias, with the mean and the
    biased variance taken over each row. `eps` defaults to 1e-5.

    ```mlir
    %y = nn.layer_norm %x, %gamma, %beta eps = 1.0e-05
        : (tensor<?x128xf32>, tensor<128xf32>, tensor<128xf32>)
          -> tensor<?x128xf32>
    ```
  }];
  let arguments = (ins NN_Matrix:$input, NN_Vector:$weight, NN_Vector:$bias,
                       DefaultValuedAttr<F64Attr, "1.0e-5">:$eps);
  let results = (outs NN_Matrix:$result);
  let assemblyFormat = [{
    $input `,` $weight `,` $bias (`eps` `=` $eps^)? attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def NN_ReLUOp : NN_Op<"relu", [Pure, SameOperandsAndResultType]> {
  let summary = "rectified linear unit, max(x, 0) elementwise";
  let description = [{
    ```mlir
    %y = nn.relu %x : tensor<?x128xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
}

def NN_FlattenOp : NN_Op<"flatten", [Pure]> {
  let summary = "collapse every dimension after the batch into one";
  let description = [{
    `torch.flatten(x, 1)`: `[B, d1, ..., dn]` becomes `[B, d1 * ... * dn]`.
    The feature dimensions must be static.

    ```mlir
    %y = nn.flatten %x : tensor<?x1x28x28xf32> -> tensor<?x784xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input);
  let results = (outs NN_Matrix:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Losses
//===----------------------------------------------------------------------===//

def NN_CrossEntropyOp : NN_Op<"cross_entropy", [Pure]> {
  let summary = "mean softmax cross-entropy of logits against class labels";
  let description = [{
    PyTorch's `F.cross_entropy(logits, labels)` with mean reduction:
    mean over the batch of `logsumexp(logits[i]) - logits[i, labels[i]]`,
    computed with the row maximum subtracted so large logits do not
    overflow. Labels are class indices in `[0, classes)`.

    ```mlir
    %loss = nn.cross_entropy %logits, %labels
        : tensor<?x10xf32>, tensor<?xi64> -> tensor<f32>
    ```
  }];
  let arguments = (ins NN_Matrix:$logits, NN_Labels:$labels);
  let results = (outs NN_Scalar:$result);
  let assemblyFormat = [{
    $logits `,` $labels attr-dict `:` type($logits) `,` type($labels) `->`
    type($result)
  }];
  let hasVerifier = 1;
}

#endif // TICK_DIALECT_NN_IR_NNOPS_TD
