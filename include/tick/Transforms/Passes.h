//===- Passes.h - Tick code generation passes -------------------*- C++ -*-===//

#ifndef TICK_TRANSFORMS_PASSES_H
#define TICK_TRANSFORMS_PASSES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"

namespace tick {

#define GEN_PASS_DECL
#include "tick/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "tick/Transforms/Passes.h.inc"

} // namespace tick

#endif // TICK_TRANSFORMS_PASSES_H
