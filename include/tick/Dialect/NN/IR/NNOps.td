//===- NNOps.td - nn dialect operations --------------------*- tablegen -*-===//

#ifndef TICK_DIALECT_NN_IR_NNOPS_TD
#define TICK_DIALECT_NN_IR_NNOPS_TD

include "tick/Dialect/NN/IR/NNDialect.td"
include "tick/Dialect/NN/IR/NNInterfaces.td"
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

def NN_LinearOp : NN_Op<"linear", [Pure,
    DeclareOpInterfaceMethods<NN_DifferentiableOpInterface>]> {
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

def NN_LayerNormOp : NN_Op<"layer_norm", [Pure,
    DeclareOpInterfaceMethods<NN_DifferentiableOpInterface>]> {
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

def NN_ReLUOp : NN_Op<"relu", [Pure, SameOperandsAndResultType,
    DeclareOpInterfaceMethods<NN_DifferentiableOpInterface>]> {
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

def NN_FlattenOp : NN_Op<"flatten", [Pure,
    DeclareOpInterfaceMethods<NN_DifferentiableOpInterface>]> {
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

def NN_CrossEntropyOp : NN_Op<"cross_entropy", [Pure,
    DeclareOpInterfaceMethods<NN_DifferentiableOpInterface>]> {
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

def NN_SetParameterOp : NN_Op<"set_parameter",
    [DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "give a parameter a new value for the next call";
  let description = [{
    Writes the parameter named by the symbol: later calls of the model see
    the new value. `nn-autodiff` ends a train step with one per updated
    parameter and optimizer state; `nn-materialize-parameters` turns them
    into in-place updates of the argument buffers.

    ```mlir
    nn.set_parameter @fc1.weight, %updated : tensor<128x784xf32>
    ```
  }];
  let arguments = (ins FlatSymbolRefAttr:$name, NN_FloatTensor:$value);
  let assemblyFormat = "$name `,` $value attr-dict `:` type($value)";
}

//===----------------------------------------------------------------------===//
// Gradients (built by nn-autodiff, lowered like the forward ops)
//===----------------------------------------------------------------------===//

def NN_LinearGradInputOp : NN_Op<"linear_grad_input",
    [Pure, InferTypeOpAdaptor]> {
  let summary = "gradient of nn.linear with respect to its input";
  let description = [{
    dx = dy * W for y = x * transpose(W) + b: `[batch, out]` times
    `[out, in]` gives `[batch, in]`.

    ```mlir
    %dx = nn.linear_grad_input %dy, %w : tensor<64x128xf32>, tensor<128x784xf32>
    ```
  }];
  let arguments = (ins NN_Matrix:$result_grad, NN_Matrix:$weight);
  let results = (outs NN_Matrix:$input_grad);
  let assemblyFormat = [{
    $result_grad `,` $weight attr-dict `:` type($result_grad) `,` type($weight)
  }];
  let hasVerifier = 1;
}

def NN_LinearGradWeightOp : NN_Op<"linear_grad_weight",
    [Pure, InferTypeOpAdaptor]> {
  let summary = "gradient of nn.linear with respect to its weight";
  let description = [{
    dW = transpose(dy) * x: `[out, in]`, summed over the batch.

    ```mlir
    %dw = nn.linear_grad_weight %dy, %x : tensor<64x128xf32>, tensor<64x784xf32>
    ```
  }];
  let arguments = (ins NN_Matrix:$result_grad, NN_Matrix:$input);
  let results = (outs NN_Matrix:$weight_grad);
  let assemblyFormat = [{
    $result_grad `,` $input attr-dict `:` type($result_grad) `,` type($input)
  }];
  let hasVerifier = 1;
}

def NN_LinearGradBiasOp : NN_Op<"linear_grad_bias",
    [Pure, InferTypeOpAdaptor]> {
  let summary = "gradient of nn.linear with respect to its bias";
  let description = [{
    db = the column sums of dy over the batch.

    ```mlir
    %db = nn.linear_grad_bias %dy : tensor<64x128xf32>
    ```
  }];
  let arguments = (ins NN_Matrix:$result_grad);
  let results = (outs NN_Vector:$bias_grad);
  let assemblyFormat = "$result_grad attr-dict `:` type($result_grad)";
}

def NN_LayerNormGradOp : NN_Op<"layer_norm_grad",
    [Pure, InferTypeOpAdaptor]> {
  let summary = "gradients of nn.layer_norm";
  let description = [{
    With x̂ = (x - mean) * rstd per row: dweight = Σ_batch dy·x̂,
    dbias = Σ_batch dy (column reductions), and per row
    dx = rstd · (g - mean(g) - x̂ · mean(g·x̂)) where g = dy·weight.
    The row statistics are recomputed from x.

    ```mlir
    %dx, %dw, %db = nn.layer_norm_grad %dy, %x, %w eps = 1.0e-05
        : tensor<64x128xf32>, tensor<64x128xf32>, tensor<128xf32>
    ```
  }];
  let arguments = (ins NN_Matrix:$result_grad, NN_Matrix:$input,
                       NN_Vector:$weight,
                       DefaultValuedAttr<F64Attr, "1.0e-5">:$eps);
  let results = (outs NN_Matrix:$input_grad, NN_Vector:$weight_grad,
                      NN_Vector:$bias_grad);
  let assemblyFormat = [{
    $result_grad `,` $input `,` $weight (`eps` `=` $eps^)? attr-dict `:`
    type($result_grad) `,` type($input) `,` type($weight)
  }];
  let hasVerifier = 1;
}

def NN_ReLUGradOp : NN_Op<"relu_grad", [Pure, AllTypesMatch<["result_grad", "input", "input_grad"]>]> {
  let summary = "gradient of nn.relu: dy where x > 0, else 0";
  let description = [{
    ```mlir
    %dx = nn.relu_grad %dy, %x : tensor<64x128xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$result_grad, NN_FloatTensor:$input);
  let results = (outs NN_FloatTensor:$input_grad);
  let assemblyFormat = "$result_grad `,` $input attr-dict `:` type($input)";
}

def NN_CrossEntropyGradOp : NN_Op<"cross_entropy_grad",
    [Pure, AllTypesMatch<["logits", "logits_grad"]>]> {
  let summary = "gradient of nn.cross_entropy with respect to the logits";
  let description = [{
    dlogits = dloss / batch · (softmax(logits) - onehot(labels)).

    ```mlir
    %dl = nn.cross_entropy_grad %logits, %labels, %dloss
        : tensor<64x10xf32>, tensor<64xi64>, tensor<f32>
    ```
  }];
  let arguments = (ins NN_Matrix:$logits, NN_Labels:$labels,
                       NN_Scalar:$loss_grad);
  let results = (outs NN_Matrix:$logits_grad);
  let assemblyFormat = [{
    $logits `,` $labels `,` $loss_grad attr-dict `:` type($logits) `,`
    type($labels) `,` type($loss_grad)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Metrics and optimizers
//===----------------------------------------------------------------------===//

def NN_CorrectCountOp : NN_Op<"correct_count", [Pure, InferTypeOpAdaptor]> {
  let summary = "number of rows whose highest logit is at the label";
  let description = [{
    Counts the rows i with argmax(logits[i]) == labels[i], ties going to
    the first maximum as in `torch.argmax`.

    ```mlir
    %n = nn.correct_count %logits, %labels : tensor<64x10xf32>, tensor<64xi64>
    ```
  }];
  let arguments = (ins NN_Matrix:$logits, NN_Labels:$labels);
  let results = (outs 0DTensorOf<[I64]>:$count);
  let assemblyFormat = [{
    $logits `,` $labels attr-dict `:` type($logits) `,` type($labels)
  }];
  let hasVerifier = 1;
}

def NN_IncrementOp : NN_Op<"increment", [Pure, AllTypesMatch<["counter", "result"]>]> {
  let summary = "a counter plus one";
  let description = [{
    Counts optimizer steps. Lowered to an update of the counter's own
    tensor, so a step counter kept as a parameter is updated in place.

    ```mlir
    %t1 = nn.increment %t : tensor<f32>
    ```
  }];
  let arguments = (ins NN_Scalar:$counter);
  let results = (outs NN_Scalar:$result);
  let assemblyFormat = "$counter attr-dict `:` type($counter)";
}

def NN_SGDStepOp : NN_Op<"sgd_step", [Pure,
    AllTypesMatch<["param", "grad", "momentum_buffer", "new_param", "new_momentum_buffer"]>]> {
  let summary = "one step of torch.optim.SGD for one parameter";
  let description = [{
    PyTorch's update (dampening 0, no Nesterov):
    g = grad + weight_decay·p; buf = momentum·buf + g; p = p - lr·buf.
    With momentum 0, buf is g and p = p - lr·g. The buffer starts at zero,
    which makes the first step's buf = g, as in PyTorch.

    ```mlir
    %p2, %b2 = nn.sgd_step %p, %g, %b lr = 0.1 momentum = 0.9 weight_decay = 0.0
        : tensor<128xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$param, NN_FloatTensor:$grad,
                       NN_FloatTensor:$momentum_buffer, F64Attr:$lr,
                       F64Attr:$momentum, F64Attr:$weight_decay);
  let results = (outs NN_FloatTensor:$new_param,
                      NN_FloatTensor:$new_momentum_buffer);
  let assemblyFormat = [{
    $param `,` $grad `,` $momentum_buffer `lr` `=` $lr `momentum` `=` $momentum
    `weight_decay` `=` $weight_decay attr-dict `:` type($param)
  }];
  let hasVerifier = 1;
}

def NN_AdamStepOp : NN_Op<"adam_step", [Pure,
    AllTypesMatch<["param", "grad", "exp_avg", "exp_avg_sq", "new_param",
                   "new_exp_avg", "new_exp_avg_sq"]>]> {
  let summary = "one step of torch.optim.Adam or AdamW for one parameter";
  let description = [{
    PyTorch's update at step t (counting from 1): Adam adds weight_decay·p
    to the gradient, AdamW (`decoupled`) multiplies p by 1 - lr·weight_decay
    first; then m = β1·m + (1-β1)·g, v = β2·v + (1-β2)·g²,
    p = p - lr/(1-β1^t) · m / (sqrt(v)/sqrt(1-β2^t) + eps).

    ```mlir
    %p2, %m2, %v2 = nn.adam_step %p, %g, %m, %v, %t lr = 1.0e-3 beta1 = 0.9
        beta2 = 0.999 eps = 1.0e-8 weight_decay = 0.0 : tensor<128xf32>, tensor<f32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$param, NN_FloatTensor:$grad,
                       NN_FloatTensor:$exp_avg, NN_FloatTensor:$exp_avg_sq,
                       NN_Scalar:$step, F64Attr:$lr, F64Attr:$beta1,
                       F64Attr:$beta2, F64Attr:$eps, F64Attr:$weight_decay,
                       UnitAttr:$decoupled);
  let results = (outs NN_FloatTensor:$new_param, NN_FloatTensor:$new_exp_avg,
                      NN_FloatTensor:$new_exp_avg_sq);
  let assemblyFormat = [{
    $param `,` $grad `,` $exp_avg `,` $exp_avg_sq `,` $step `lr` `=` $lr
    `beta1` `=` $beta1 `beta2` `=` $beta2 `eps` `=` $eps `weight_decay` `=`
    $weight_decay (`decoupled` $decoupled^)? attr-dict `:` type($param) `,`
    type($step)
  }];
  let hasVerifier = 1;
}

#endif // TICK_DIALECT_NN_IR_NNOPS_TD
