//===- cuda-graph-replay.cpp - calls of compiled code, replayed ---------===//
//
// Usage: tick-cuda-graph-replay (with the fake driver of fake-cuda.cpp on
// LD_LIBRARY_PATH and FAKE_CUDA_COUNTS set)
//
// Makes the mgpu* calls that two compiled functions would make, each call
// on its own stream: allocate a temporary, launch a kernel with an int
// argument, copy the temporary to an output, free it, wait. Prints, after
// each call, whether it got the same temporary as the first call of its
// function, and the kernel launches, graph launches and graphs made that
// the driver saw so far (capturing a graph launches its kernels into it).
//
//===----------------------------------------------------------------------===//

#include "tick/Runtime/Cuda.h"

#include <cstdint>
#include <cstdio>
#include <dlfcn.h>
#include <map>
#include <string>

extern "C" {
void *mgpuModuleLoad(void *data, size_t size);
void mgpuModuleUnload(void *module);
void *mgpuModuleGetFunction(void *module, const char *name);
void mgpuLaunchKernel(void *function, intptr_t gridX, intptr_t gridY,
                      intptr_t gridZ, intptr_t blockX, intptr_t blockY,
                      intptr_t blockZ, int32_t smem, void *stream,
                      void **params, void **extra, size_t paramCount);
void *mgpuStreamCreate();
void mgpuStreamDestroy(void *stream);
void mgpuStreamSynchronize(void *stream);
void *mgpuMemAlloc(uint64_t bytes, void *stream, bool hostShared);
void mgpuMemFree(void *ptr, void *stream);
void mgpuMemcpy(void *dst, void *src, size_t bytes, void *stream);
}

namespace {

void *output;

/// The body both functions share; `kernel` gets `argument`.
void *body(void *stream, void *kernel, int32_t argument) {
  void *temporary = mgpuMemAlloc(256, stream, false);
  void *params[] = {&argument};
  mgpuLaunchKernel(kernel, 1, 1, 1, 32, 1, 1, 0, stream, params, nullptr, 1);
  mgpuMemcpy(output, temporary, 256, stream);
  mgpuMemFree(temporary, stream);
  mgpuStreamSynchronize(stream);
  mgpuStreamDestroy(stream);
  return temporary;
}

// Two compiled functions: the same operations from two places in the code.
__attribute__((noinline)) void *first(void *kernel, int32_t argument) {
  return body(mgpuStreamCreate(), kernel, argument);
}
__attribute__((noinline)) void *second(void *kernel, int32_t argument) {
  return body(mgpuStreamCreate(), kernel, argument);
}

} // namespace

int main() {
  char image[] = "fake kernels";
  void *module = mgpuModuleLoad(image, sizeof image);
  void *kernel = mgpuModuleGetFunction(module, "kernel");
  if (tickrt_cuda_alloc(256, &output)) {
    std::fprintf(stderr, "no device memory\n");
    return 1;
  }
  // The fake driver the runtime loaded, for its counts.
  void *driver = dlopen("libcuda.so.1", RTLD_NOW | RTLD_NOLOAD);
  auto count = driver ? reinterpret_cast<long (*)(const char *)>(
                            dlsym(driver, "fakeCudaCount"))
                      : nullptr;
  if (!count) {
    std::fprintf(stderr, "the fake driver is not loaded\n");
    return 1;
  }
  std::map<std::string, void *> firstTemporary;
  auto show = [&](const char *function, int argument, void *temporary) {
    auto [it, inserted] = firstTemporary.emplace(function, temporary);
    std::printf("%s(%d): temporary %s, launches %ld, graph launches %ld, "
                "graphs %ld\n",
                function, argument,
                inserted                  ? "new"
                : it->second == temporary ? "same"
                                          : "other",
                count("cuLaunchKernel"), count("cuGraphLaunch"),
                count("cuGraphInstantiate"));
  };
  show("first", 1, first(kernel, 1));   // runs, then becomes a graph
  show("first", 1, first(kernel, 1));   // the graph
  show("second", 1, second(kernel, 1)); // its own: runs, becomes a graph
  show("second", 1, second(kernel, 1)); // its graph
  show("first", 2, first(kernel, 2));   // differs at the launch: runs
  show("first", 1, first(kernel, 1));   // the graph again
  tickrt_cuda_free(output);
  tickrt_cuda_trim();
  mgpuModuleUnload(module);
  if (tickrt_cuda_status()) {
    std::fprintf(stderr, "%s\n", tickrt_last_error());
    return 1;
  }
  return 0;
}
