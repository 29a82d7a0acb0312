//===- Native.cpp - LLVM IR, assembly, objects, shared libraries ----------===//

#include "Native.h"

#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/SubtargetFeature.h"

using namespace tick;

std::unique_ptr<NativeTarget> tick::createNativeTarget(llvm::StringRef cpu,
                                                       llvm::StringRef mattr,
                                                       std::string &error) {
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  llvm::Triple triple(llvm::sys::getDefaultTargetTriple());
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return nullptr;

  // The host's CPU and features unless the user names them; a named CPU
  // brings its own features.
  std::string cpuName =
      cpu.empty() ? llvm::sys::getHostCPUName().str() : cpu.str();
  std::string featureString = mattr.str();
  if (cpu.empty() && mattr.empty()) {
    llvm::SubtargetFeatures list;
    for (const auto &feature : llvm::sys::getHostCPUFeatures())
      list.AddFeature(feature.getKey(), feature.getValue());
    featureString = list.getString();
  }
  std::unique_ptr<llvm::MCSubtargetInfo> generic(
      target->createMCSubtargetInfo(triple, "", ""));
  if (!generic->isCPUStringValid(cpuName)) {
    error = "unknown --cpu '" + cpuName + "'";
    return nullptr;
  }
  std::unique_ptr<llvm::MCSubtargetInfo> subtarget(
      target->createMCSubtargetInfo(triple, cpuName, featureString));

  auto result = std::make_unique<NativeTarget>();
  result->machine.reset(target->createTargetMachine(
      triple, cpuName, featureString, llvm::TargetOptions(), llvm::Reloc::PIC_,
      std::nullopt, llvm::CodeGenOptLevel::Aggressive));
  if (!result->machine) {
    error = "cannot create a target machine for " + triple.str();
    return nullptr;
  }
  // f32 lanes of the widest vector registers the subtarget has.
  result->vectorWidth = subtarget->checkFeatures("+avx512f") ? 16
                        : subtarget->checkFeatures("+avx")   ? 8
                                                             : 4;
  return result;
}

std::unique_ptr<llvm::Module>
tick::translateAndOptimize(mlir::ModuleOp module, llvm::LLVMContext &context,
                           NativeTarget &target) {
  std::unique_ptr<llvm::Module> llvmModule =
      mlir::translateModuleToLLVMIR(module, context, "tick");
  if (!llvmModule)
    return nullptr;
  llvmModule->setTargetTriple(target.machine->getTargetTriple());
  // The vector code is already shaped for registers of vectorWidth lanes:
  // keep the backend from splitting it (some CPUs prefer 256-bit vectors
  // for code they vectorize themselves).
  std::string bits = std::to_string(target.vectorWidth * 32);
  for (llvm::Function &function : *llvmModule)
    if (!function.isDeclaration()) {
      function.addFnAttr("prefer-vector-width", bits);
      function.addFnAttr("min-legal-vector-width", bits);
    }
  llvmModule->setDataLayout(target.machine->createDataLayout());
  auto optimize = mlir::makeOptimizingTransformer(3, 0, target.machine.get());
  if (llvm::Error err = optimize(llvmModule.get())) {
    llvm::consumeError(std::move(err));
    return nullptr;
  }
  return llvmModule;
}

bool tick::emitMachineCode(llvm::Module &module, NativeTarget &target,
                           llvm::CodeGenFileType type,
                           llvm::raw_pwrite_stream &os, std::string &error) {
  llvm::legacy::PassManager pm;
  if (target.machine->addPassesToEmitFile(pm, os, nullptr, type)) {
    error = "the target cannot emit this file type";
    return false;
  }
  pm.run(module);
  return true;
}

/// Runs clang, which drives the system linker and knows where libomp
/// lives, with `args` after the program name.
static bool runClang(llvm::ArrayRef<llvm::StringRef> args,
                     llvm::StringRef output, std::string &error) {
  llvm::ErrorOr<std::string> clang = llvm::sys::findProgramByName("clang-22");
  if (!clang)
    clang = llvm::sys::findProgramByName("clang");
  if (!clang) {
    error = "clang-22 not found in PATH (scripts/setup installs it)";
    return false;
  }
  llvm::SmallVector<llvm::StringRef> command = {*clang};
  command.append(args.begin(), args.end());
  std::string message;
  int code = llvm::sys::ExecuteAndWait(*clang, command, std::nullopt, {}, 0, 0,
                                       &message);
  if (code != 0) {
    error = "linking " + output.str() + " failed" +
            (message.empty() ? "" : ": " + message);
    return false;
  }
  return true;
}

bool tick::linkSharedLibrary(llvm::StringRef object, llvm::StringRef output,
                             bool openmp, std::string &error) {
  llvm::SmallVector<llvm::StringRef> args = {"-shared", object, "-o", output};
  if (openmp)
    args.push_back("-fopenmp=libomp");
  return runClang(args, output, error);
}

bool tick::linkExecutable(llvm::StringRef object, llvm::StringRef output,
                          bool openmp, std::string &error) {
  std::string tickc = llvm::sys::fs::getMainExecutable(nullptr, nullptr);
  llvm::SmallString<256> runtime(
      llvm::sys::path::parent_path(llvm::sys::path::parent_path(tickc)));
  llvm::sys::path::append(runtime, "lib", "libtickrt.a");
  if (!llvm::sys::fs::exists(runtime)) {
    error = "Tick's runtime library " + runtime.str().str() +
            " is missing (build the tickrt_static target)";
    return false;
  }
  llvm::SmallVector<llvm::StringRef> args = {
      "--driver-mode=g++", object, runtime, "-o", output,
      // Nothing from the build machine but libc (and libomp) at run time.
      "-static-libstdc++", "-static-libgcc", "-Wl,-Bstatic", "-lz",
      "-Wl,-Bdynamic", "-ldl", "-lpthread"};
  if (openmp)
    args.push_back("-fopenmp=libomp");
#ifdef TICK_RUNTIME_SANITIZED
  args.push_back("-fsanitize=address,undefined");
#endif
  return runClang(args, output, error);
}
