//===- Passes.h - Tick conversion passes ------------------------*- C++ -*-===//

#ifndef TICK_CONVERSION_PASSES_H
#define TICK_CONVERSION_PASSES_H

#include "mlir/Pass/Pass.h"

namespace tick {

#define GEN_PASS_DECL
#include "tick/Conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "tick/Conversion/Passes.h.inc"

} // namespace tick

#endif // TICK_CONVERSION_PASSES_H
