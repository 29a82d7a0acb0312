//===- Session.cpp - a model compiled and loaded for training -------------===//

#include "Session.h"

#include "Driver.h"
#include "tick/Runtime/Cuda.h"

#include "llvm/Support/FileSystem.h"

#include <malloc.h>

using namespace tick;

Session::~Session() {
  tickrt_model_close(library);
  if (!directory.empty())
    llvm::sys::fs::remove_directories(directory);
}

int Session::open(const std::string &path, CompileSettings compile,
                  NativeTarget &native) {
  if (int code = compileAndLoad(path, compile, native))
    return code;
  // MLIR's and LLVM's heap is free now, but glibc keeps it for the process:
  // hand it back before the trainer reads its data (13 MB of tickc train's
  // peak with the reference net).
  malloc_trim(0);
  return kSuccess;
}

int Session::compileAndLoad(const std::string &path, CompileSettings compile,
                            NativeTarget &native) {
  LoadedModel loaded;
  if (int code = loaded.load(path))
    return code;
  // Without a GPU there is no point compiling for one: say so first.
  if (compile.gpu.cuda) {
    if (tickrt_cuda_open())
      return fail(kDeviceError, tickrt_last_error());
    llvm::errs() << "tickc: running on " << tickrt_cuda_device_name() << "\n";
  }

  if (int code = readModelInfo(*loaded.module, path, compile, info))
    return code;

  // Compile once, to a library in a directory of our own.
  llvm::SmallString<128> dir;
  if (std::error_code ec = llvm::sys::fs::createUniqueDirectory("tickc", dir))
    return fail(kIOError, "cannot create a temporary directory: " + ec.message());
  directory = dir.str().str();
  compile.emit = Stage::Lib;
  compile.output = directory + "/libmodel.so";
  compile.modelName = "model";
  if (int code = compileModule(std::move(loaded.module), compile, native))
    return code;
  model = info.describe();
  if (tickrt_model_open(compile.output.c_str(), &library) ||
      tickrt_model_entry(library, "forward", &model.forward) ||
      (!compile.optimizer.empty() &&
       tickrt_model_entry(library, "train_step", &model.train_step)))
    return fail(kToolError, tickrt_last_error());
  model.set_num_threads = tickrt_model_threads_setter(library);
  model.parallel_for = tickrt_model_parallel_for(library);
  return kSuccess;
}
