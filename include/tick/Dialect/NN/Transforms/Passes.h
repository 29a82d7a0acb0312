//===- Passes.h - nn dialect passes -----------------------------*- C++ -*-===//

#ifndef TICK_DIALECT_NN_TRANSFORMS_PASSES_H
#define TICK_DIALECT_NN_TRANSFORMS_PASSES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace tick::nn {

#define GEN_PASS_DECL
#include "tick/Dialect/NN/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "tick/Dialect/NN/Transforms/Passes.h.inc"

/// The argument attribute naming the parameter an argument carries.
inline constexpr const char *kParameterArgAttr = "nn.parameter";

} // namespace tick::nn

#endif // TICK_DIALECT_NN_TRANSFORMS_PASSES_H
