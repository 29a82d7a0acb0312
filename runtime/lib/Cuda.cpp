//===- Cuda.cpp - the CUDA driver, loaded at run time, and mgpu* ----------===//
//
// Compiled --target=cuda models call the mgpu* functions of MLIR's
// gpu-to-llvm ABI: module loading from global constructors, then per call
// a stream, stream-ordered allocations, copies, launches and a final
// synchronize. They are implemented here over the CUDA driver API, found
// with dlopen so that nothing links against libcuda. Every driver call is
// checked: mgpu* functions cannot return errors, so the first failure is
// kept (tickrt_cuda_status) and later mgpu* calls do nothing. This file
// loads the driver and holds the tickrt_cuda_* functions and module
// loading; CudaCalls.cpp the calls of compiled code.
//
//===----------------------------------------------------------------------===//

#include "tick/Runtime/Cuda.h"

#include "CudaDriver.h"
#include "Error.h"

#include <cstdlib>
#include <dlfcn.h>

namespace tickrt::cuda {

State &state() {
  // Never destroyed: compiled code unloads its kernels from a global
  // destructor, after the function-local statics are gone.
  static State *s = new State;
  return *s;
}

int defaultDevice = 0;

std::string describe(const Driver &d, CUresult result) {
  const char *name = nullptr, *text = nullptr;
  if (d.getErrorName)
    d.getErrorName(result, &name);
  if (d.getErrorString)
    d.getErrorString(result, &text);
  if (name)
    return text ? std::string(name) + " (" + text + ")" : std::string(name);
  // The driver cannot name its own error when it is only a stub.
  switch (result) {
  case 34:
    return "CUDA_ERROR_STUB_LIBRARY (libcuda.so.1 is the toolkit's stub, not "
           "a driver)";
  case 35:
    return "CUDA_ERROR_INSUFFICIENT_DRIVER (the driver is older than the "
           "CUDA runtime needs)";
  case 100:
    return "CUDA_ERROR_NO_DEVICE (no CUDA-capable device is detected)";
  default:
    return "CUDA error " + std::to_string(result);
  }
}

/// Records the first failure of a driver call made for compiled code.
bool check(CUresult result, const char *call) {
  if (result == 0)
    return true;
  State &s = state();
  std::lock_guard<std::mutex> lock(s.mutex);
  s.usable.store(false, std::memory_order_release);
  if (s.failure == TICKRT_OK) {
    s.failure = TICKRT_ERROR_DEVICE;
    s.failureMessage =
        std::string("CUDA error in ") + call + ": " + describe(s.driver, result);
  }
  return false;
}

/// The driver with this thread's context current, or null after recording
/// why not. Compiled code may call in before anyone opened the driver (its
/// global constructors load the kernels).
const Driver *driverFor(const char *what) {
  State &s = state();
  thread_local bool current = false;
  if (current && s.usable.load(std::memory_order_acquire))
    return &s.driver;
  if (tickrt_cuda_open() != TICKRT_OK) {
    std::lock_guard<std::mutex> lock(s.mutex);
    if (s.failure == TICKRT_OK) {
      s.failure = s.openStatus;
      s.failureMessage = s.openError + " (in " + what + ")";
    }
    return nullptr;
  }
  {
    std::lock_guard<std::mutex> lock(s.mutex);
    if (s.failure != TICKRT_OK)
      return nullptr;
  }
  if (!current) {
    if (!check(s.driver.ctxSetCurrent(s.context), "cuCtxSetCurrent"))
      return nullptr;
    current = true;
  }
  return &s.driver;
}

} // namespace tickrt::cuda

using namespace tickrt::cuda;

namespace {

struct Symbol {
  const char *name;
  void **slot;
  bool required;
};

tickrt_status openLocked(State &s) {
  void *handle = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!handle)
    return tickrt::fail(TICKRT_ERROR_DEVICE,
                        "no CUDA driver: %s (a --target=cuda model needs an "
                        "NVIDIA GPU and its driver)",
                        dlerror());
  Driver &d = s.driver;
  const Symbol symbols[] = {
      {"cuInit", (void **)&d.init, true},
      {"cuDeviceGet", (void **)&d.deviceGet, true},
      {"cuDeviceGetName", (void **)&d.deviceGetName, true},
      {"cuDevicePrimaryCtxRetain", (void **)&d.primaryCtxRetain, true},
      {"cuCtxSetCurrent", (void **)&d.ctxSetCurrent, true},
      {"cuGetErrorName", (void **)&d.getErrorName, true},
      {"cuGetErrorString", (void **)&d.getErrorString, true},
      {"cuModuleLoadData", (void **)&d.moduleLoadData, true},
      {"cuModuleUnload", (void **)&d.moduleUnload, true},
      {"cuModuleGetFunction", (void **)&d.moduleGetFunction, true},
      {"cuLaunchKernel", (void **)&d.launchKernel, true},
      {"cuStreamCreate", (void **)&d.streamCreate, true},
      {"cuStreamSynchronize", (void **)&d.streamSynchronize, true},
      {"cuStreamWaitEvent", (void **)&d.streamWaitEvent, true},
      {"cuEventCreate", (void **)&d.eventCreate, true},
      {"cuEventDestroy_v2", (void **)&d.eventDestroy, true},
      {"cuEventRecord", (void **)&d.eventRecord, true},
      {"cuEventSynchronize", (void **)&d.eventSynchronize, true},
      {"cuMemAlloc_v2", (void **)&d.memAlloc, true},
      {"cuMemFree_v2", (void **)&d.memFree, true},
      {"cuMemAllocManaged", (void **)&d.memAllocManaged, true},
      {"cuMemcpyHtoD_v2", (void **)&d.memcpyHtoD, true},
      {"cuMemcpyDtoH_v2", (void **)&d.memcpyDtoH, true},
      {"cuMemcpyAsync", (void **)&d.memcpyAsync, true},
      {"cuMemsetD32Async", (void **)&d.memsetD32Async, true},
      {"cuMemsetD16Async", (void **)&d.memsetD16Async, true},
      {"cuMemAllocAsync", (void **)&d.memAllocAsync, false},
      {"cuMemFreeAsync", (void **)&d.memFreeAsync, false},
      {"cuDeviceGetDefaultMemPool", (void **)&d.deviceGetDefaultMemPool, false},
      {"cuMemPoolSetAttribute", (void **)&d.memPoolSetAttribute, false},
      {"cuFuncGetParamInfo", (void **)&d.funcGetParamInfo, false},
      {"cuStreamBeginCapture_v2", (void **)&d.streamBeginCapture, false},
      {"cuStreamEndCapture", (void **)&d.streamEndCapture, false},
      {"cuGraphInstantiateWithFlags", (void **)&d.graphInstantiate, false},
      {"cuGraphLaunch", (void **)&d.graphLaunch, false},
      {"cuGraphDestroy", (void **)&d.graphDestroy, false},
      {"cuGraphExecDestroy", (void **)&d.graphExecDestroy, false},
  };
  for (const Symbol &symbol : symbols) {
    *symbol.slot = dlsym(handle, symbol.name);
    if (!*symbol.slot && symbol.required)
      return tickrt::fail(TICKRT_ERROR_DEVICE,
                          "the CUDA driver libcuda.so.1 has no %s (too old?)",
                          symbol.name);
  }
  CUdevice device;
  if (CUresult r = d.init(0))
    return tickrt::fail(TICKRT_ERROR_DEVICE, "cannot start the CUDA driver: %s",
                        describe(d, r).c_str());
  if (CUresult r = d.deviceGet(&device, defaultDevice))
    return tickrt::fail(TICKRT_ERROR_DEVICE, "no GPU %d: %s", defaultDevice,
                        describe(d, r).c_str());
  if (CUresult r = d.primaryCtxRetain(&s.context, device))
    return tickrt::fail(TICKRT_ERROR_DEVICE, "cannot open GPU %d: %s",
                        defaultDevice, describe(d, r).c_str());
  if (CUresult r = d.ctxSetCurrent(s.context))
    return tickrt::fail(TICKRT_ERROR_DEVICE, "cannot use GPU %d: %s",
                        defaultDevice, describe(d, r).c_str());
  d.deviceGetName(s.deviceName, sizeof(s.deviceName), device);
  const char *sync = std::getenv("TICKRT_CUDA_SYNC");
  s.syncEachLaunch = sync && std::string(sync) == "1";
  // Calls replayed as CUDA graphs unless TICKRT_CUDA_GRAPHS=0, or each
  // launch is to be waited for.
  const char *graphs = std::getenv("TICKRT_CUDA_GRAPHS");
  s.graphsEnabled = !s.syncEachLaunch && !(graphs && std::string(graphs) == "0") &&
                    d.funcGetParamInfo && d.streamBeginCapture &&
                    d.streamEndCapture && d.graphInstantiate && d.graphLaunch &&
                    d.graphDestroy && d.graphExecDestroy;
  // Freed blocks stay in the pool instead of going back to the driver, so
  // a tick's temporaries cost no cudaMalloc after the first tick.
  CUmemoryPool pool;
  if (d.memAllocAsync && d.memFreeAsync && d.deviceGetDefaultMemPool &&
      d.memPoolSetAttribute && d.deviceGetDefaultMemPool(&pool, device) == 0) {
    uint64_t keepAll = UINT64_MAX;
    s.streamOrderedAlloc =
        d.memPoolSetAttribute(pool, kPoolReleaseThreshold, &keepAll) == 0;
  }
  return TICKRT_OK;
}

} // namespace

extern "C" tickrt_status tickrt_cuda_open(void) {
  State &s = state();
  std::lock_guard<std::mutex> lock(s.mutex);
  if (!s.opened) {
    s.opened = true;
    s.openStatus = openLocked(s);
    if (s.openStatus != TICKRT_OK)
      s.openError = tickrt_last_error();
    else
      s.usable.store(true, std::memory_order_release);
  }
  if (s.openStatus != TICKRT_OK)
    return tickrt::fail(s.openStatus, "%s", s.openError.c_str());
  return TICKRT_OK;
}

extern "C" const char *tickrt_cuda_device_name(void) {
  return state().deviceName;
}

extern "C" tickrt_status tickrt_cuda_status(void) {
  State &s = state();
  std::lock_guard<std::mutex> lock(s.mutex);
  if (s.failure == TICKRT_OK)
    return TICKRT_OK;
  return tickrt::fail(s.failure, "%s", s.failureMessage.c_str());
}

extern "C" tickrt_status tickrt_cuda_alloc(size_t bytes, void **device) {
  if (!device)
    return tickrt::fail(TICKRT_ERROR_ARGUMENT, "no result pointer given");
  if (tickrt_status status = tickrt_cuda_open())
    return status;
  const Driver &d = state().driver;
  CUdeviceptr p = 0;
  if (CUresult r = d.memAlloc(&p, bytes ? bytes : 1))
    return tickrt::fail(TICKRT_ERROR_DEVICE,
                        "cannot allocate %zu bytes on the GPU: %s", bytes,
                        describe(d, r).c_str());
  *device = reinterpret_cast<void *>(p);
  State &s = state();
  std::lock_guard<std::mutex> lock(s.mutex);
  s.deviceRanges[p] = bytes ? bytes : 1;
  return TICKRT_OK;
}

extern "C" void tickrt_cuda_free(void *device) {
  if (!device || tickrt_cuda_open() != TICKRT_OK)
    return;
  State &s = state();
  {
    std::lock_guard<std::mutex> lock(s.mutex);
    s.deviceRanges.erase(devicePointer(device));
  }
  s.driver.memFree(devicePointer(device));
}

extern "C" tickrt_status tickrt_cuda_copy(void *to, const void *from,
                                          size_t bytes) {
  if (tickrt_status status = tickrt_cuda_open())
    return status;
  const Driver &d = state().driver;
  // On the default stream: after the calls before it, before the copies
  // to the host after it.
  if (CUresult r = d.memcpyAsync(devicePointer(to), devicePointer(from), bytes,
                                 nullptr))
    return tickrt::fail(TICKRT_ERROR_DEVICE,
                        "cannot copy %zu bytes on the GPU: %s", bytes,
                        describe(d, r).c_str());
  return TICKRT_OK;
}

extern "C" tickrt_status tickrt_cuda_to_device(void *device, const void *host,
                                               size_t bytes) {
  if (tickrt_status status = tickrt_cuda_open())
    return status;
  const Driver &d = state().driver;
  if (CUresult r = d.memcpyHtoD(devicePointer(device), host, bytes))
    return tickrt::fail(TICKRT_ERROR_DEVICE,
                        "cannot copy %zu bytes to the GPU: %s", bytes,
                        describe(d, r).c_str());
  return TICKRT_OK;
}

extern "C" tickrt_status tickrt_cuda_to_host(void *host, const void *device,
                                             size_t bytes) {
  if (tickrt_status status = tickrt_cuda_open())
    return status;
  const Driver &d = state().driver;
  if (CUresult r = d.memcpyDtoH(host, devicePointer(device), bytes))
    return tickrt::fail(TICKRT_ERROR_DEVICE,
                        "cannot copy %zu bytes from the GPU: %s", bytes,
                        describe(d, r).c_str());
  return TICKRT_OK;
}

//===----------------------------------------------------------------------===//
// Module loading: the mgpu* functions compiled code calls from its global
// constructors and destructors.
//===----------------------------------------------------------------------===//

MGPU_API void mgpuSetDefaultDevice(int32_t device) { defaultDevice = device; }

MGPU_API CUmodule mgpuModuleLoad(void *data, size_t /*size*/) {
  const Driver *d = driverFor("loading the model's kernels");
  CUmodule module = nullptr;
  if (d)
    check(d->moduleLoadData(&module, data), "cuModuleLoadData");
  return module;
}

/// PTX only (no cubin): the driver compiles it on load.
MGPU_API CUmodule mgpuModuleLoadJIT(void *data, int /*optLevel*/) {
  return mgpuModuleLoad(data, 0);
}

extern "C" void tickrt_cuda_trim(void) {
  State &s = state();
  if (!s.context)
    return;
  std::lock_guard<std::mutex> lock(s.mutex);
  releaseKept(s.driver, s);
}

MGPU_API void mgpuModuleUnload(CUmodule module) {
  State &s = state();
  // At exit, after a failure or without a driver there may be nothing to do.
  if (!module || !s.context)
    return;
  std::lock_guard<std::mutex> lock(s.mutex);
  for (auto it = s.functions.begin(); it != s.functions.end();)
    it = it->first.first == module ? s.functions.erase(it) : std::next(it);
  releaseKept(s.driver, s);
  s.driver.moduleUnload(module);
}

MGPU_API CUfunction mgpuModuleGetFunction(CUmodule module, const char *name) {
  const Driver *d = driverFor("looking up a kernel");
  if (!d)
    return nullptr;
  State &s = state();
  {
    std::lock_guard<std::mutex> lock(s.mutex);
    auto it = s.functions.find({module, name});
    if (it != s.functions.end())
      return it->second;
  }
  CUfunction function = nullptr;
  if (check(d->moduleGetFunction(&function, module, name),
            "cuModuleGetFunction")) {
    std::lock_guard<std::mutex> lock(s.mutex);
    s.kernelNames.emplace(function, name);
    s.functions.emplace(std::make_pair(module, name), function);
  }
  return function;
}
