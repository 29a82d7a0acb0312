//===- Driver.h - what every tickc command shares ---------------*- C++ -*-===//

#ifndef TICK_TOOLS_TICKC_DRIVER_H
#define TICK_TOOLS_TICKC_DRIVER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

namespace tick {

/// Exit codes, as --help and the README document them.
enum ExitCode : int {
  kSuccess = 0,
  kModelError = 1, ///< the model (or an input stage) is wrong: see the error
  kUsageError = 2, ///< bad command line
  kIOError = 3,    ///< a file could not be read or written, or is malformed
  kToolError = 4,  ///< code generation or linking failed
  kDeviceError = 5, ///< no GPU or driver for --target=cuda, or the GPU failed
};

/// Prints "tickc: error: MESSAGE" and returns `code`.
int fail(int code, const llvm::Twine &message);

/// Writes `print`'s output to `path` through a temporary file, so a failed
/// run leaves no partial file behind.
int writeFile(llvm::StringRef path,
              llvm::function_ref<void(llvm::raw_ostream &)> print);

/// A context with every dialect tickc handles, and the model file parsed
/// and verified into it. Diagnostics print as file:line:col: error: ...
struct LoadedModel {
  mlir::MLIRContext context;
  llvm::SourceMgr sourceMgr;
  std::unique_ptr<mlir::SourceMgrDiagnosticHandler> diagnostics;
  mlir::OwningOpRef<mlir::ModuleOp> module;

  LoadedModel();
  /// kSuccess, kIOError (unreadable) or kModelError (invalid).
  int load(llvm::StringRef path);
};

} // namespace tick

#endif // TICK_TOOLS_TICKC_DRIVER_H
