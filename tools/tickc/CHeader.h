//===- CHeader.h - C declarations of a compiled model -----------*- C++ -*-===//

#ifndef TICK_TOOLS_TICKC_CHEADER_H
#define TICK_TOOLS_TICKC_CHEADER_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

namespace tick {

/// Writes the C header of the library compiled from `module`, a module at
/// the bufferized stage: one `_mlir_ciface_NAME` declaration per public
/// function, taking a memref descriptor per parameter and input, then one
/// per result (out-parameters the caller allocates).
mlir::LogicalResult writeCHeader(mlir::ModuleOp module,
                                 llvm::StringRef modelName,
                                 llvm::raw_ostream &os);

} // namespace tick

#endif // TICK_TOOLS_TICKC_CHEADER_H
