//===- Native.h - LLVM IR, assembly, objects, shared libraries --*- C++ -*-===//

#ifndef TICK_TOOLS_TICKC_NATIVE_H
#define TICK_TOOLS_TICKC_NATIVE_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/IR/Module.h"
#include "llvm/Target/TargetMachine.h"
#include <memory>
#include <string>

namespace tick {

/// The machine code is generated for: the host unless --cpu/--mattr say.
struct NativeTarget {
  std::unique_ptr<llvm::TargetMachine> machine;
  /// f32 lanes of the widest vector registers the features allow.
  int64_t vectorWidth = 4;
};

/// Fails with a message in `error` when the target is unknown.
std::unique_ptr<NativeTarget> createNativeTarget(llvm::StringRef cpu,
                                                 llvm::StringRef mattr,
                                                 std::string &error);

/// Translates an LLVM-dialect module to LLVM IR and optimizes it at -O3.
std::unique_ptr<llvm::Module> translateAndOptimize(mlir::ModuleOp module,
                                                   llvm::LLVMContext &context,
                                                   NativeTarget &target);

/// Writes assembly or an object file.
bool emitMachineCode(llvm::Module &module, NativeTarget &target,
                     llvm::CodeGenFileType type, llvm::raw_pwrite_stream &os,
                     std::string &error);

/// Links an object into a shared library, with the OpenMP runtime when
/// `openmp` (CPU code).
bool linkSharedLibrary(llvm::StringRef object, llvm::StringRef output,
                       bool openmp, std::string &error);

/// Links an object holding main() into a standalone executable with Tick's
/// runtime (libtickrt.a beside tickc, in ../lib), zlib and the C++ runtime
/// linked in; it needs only libc, and libomp when `openmp` (CPU code).
bool linkExecutable(llvm::StringRef object, llvm::StringRef output,
                    bool openmp, std::string &error);

} // namespace tick

#endif // TICK_TOOLS_TICKC_NATIVE_H
