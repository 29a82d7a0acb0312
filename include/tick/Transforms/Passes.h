//===- Passes.h - Tick code generation passes -------------------*- C++ -*-===//

#ifndef TICK_TRANSFORMS_PASSES_H
#define TICK_TRANSFORMS_PASSES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"

namespace tick {

/// A core's L2 cache: an operand larger than this is read from L3 or
/// memory each time a loop goes through it (tick-tile-parallel's larger
/// blocks, tick-fold-transposes-into-matmuls' dot products).
constexpr int64_t kL2CacheBytes = 1 << 20;

#define GEN_PASS_DECL
#include "tick/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "tick/Transforms/Passes.h.inc"

} // namespace tick

#endif // TICK_TRANSFORMS_PASSES_H
