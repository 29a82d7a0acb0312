//===- Cuda.cpp - the CUDA driver, loaded at run time, and mgpu* ----------===//
//
// Compiled --target=cuda models call the mgpu* functions of MLIR's
// gpu-to-llvm ABI: module loading from global constructors, then per call
// a stream, stream-ordered allocations, copies, launches and a final
// synchronize. They are implemented here over the CUDA driver API, found
// with dlopen so that nothing links against libcuda. Every driver call is
// checked: mgpu* functions cannot return errors, so the first failure is
// kept (tickrt_cuda_status) and later mgpu* calls do nothing.
//
//===----------------------------------------------------------------------===//

#include "tick/Runtime/Cuda.h"

#include "Error.h"

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <dlfcn.h>
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace {

// The few driver API types Tick needs, as cuda.h declares them.
using CUresult = int;
using CUdevice = int;
using CUdeviceptr = unsigned long long;
using CUcontext = void *;
using CUmodule = void *;
using CUfunction = void *;
using CUstream = void *;
using CUevent = void *;
using CUmemoryPool = void *;
constexpr unsigned kStreamDefault = 0;    // CU_STREAM_DEFAULT
constexpr unsigned kAttachGlobal = 1;     // CU_MEM_ATTACH_GLOBAL
constexpr unsigned kEventNoTiming = 2;    // CU_EVENT_DISABLE_TIMING
constexpr int kPoolReleaseThreshold = 4;  // CU_MEMPOOL_ATTR_RELEASE_THRESHOLD

/// The driver entry points, by their exported (versioned) names.
struct Driver {
  CUresult (*init)(unsigned);
  CUresult (*deviceGet)(CUdevice *, int);
  CUresult (*deviceGetName)(char *, int, CUdevice);
  CUresult (*primaryCtxRetain)(CUcontext *, CUdevice);
  CUresult (*ctxSetCurrent)(CUcontext);
  CUresult (*getErrorName)(CUresult, const char **);
  CUresult (*getErrorString)(CUresult, const char **);
  CUresult (*moduleLoadData)(CUmodule *, const void *);
  CUresult (*moduleUnload)(CUmodule);
  CUresult (*moduleGetFunction)(CUfunction *, CUmodule, const char *);
  CUresult (*launchKernel)(CUfunction, unsigned, unsigned, unsigned, unsigned,
                           unsigned, unsigned, unsigned, CUstream, void **,
                           void **);
  CUresult (*streamCreate)(CUstream *, unsigned);
  CUresult (*streamSynchronize)(CUstream);
  CUresult (*streamWaitEvent)(CUstream, CUevent, unsigned);
  CUresult (*eventCreate)(CUevent *, unsigned);
  CUresult (*eventDestroy)(CUevent);
  CUresult (*eventRecord)(CUevent, CUstream);
  CUresult (*eventSynchronize)(CUevent);
  CUresult (*memAlloc)(CUdeviceptr *, size_t);
  CUresult (*memFree)(CUdeviceptr);
  CUresult (*memAllocManaged)(CUdeviceptr *, size_t, unsigned);
  CUresult (*memcpyHtoD)(CUdeviceptr, const void *, size_t);
  CUresult (*memcpyDtoH)(void *, CUdeviceptr, size_t);
  CUresult (*memcpyAsync)(CUdeviceptr, CUdeviceptr, size_t, CUstream);
  CUresult (*memsetD32Async)(CUdeviceptr, unsigned, size_t, CUstream);
  CUresult (*memsetD16Async)(CUdeviceptr, unsigned short, size_t, CUstream);
  // Stream-ordered allocation (CUDA 11.2+): optional.
  CUresult (*memAllocAsync)(CUdeviceptr *, size_t, CUstream);
  CUresult (*memFreeAsync)(CUdeviceptr, CUstream);
  CUresult (*deviceGetDefaultMemPool)(CUmemoryPool *, CUdevice);
  CUresult (*memPoolSetAttribute)(CUmemoryPool, int, void *);
};

struct Symbol {
  const char *name;
  void **slot;
  bool required;
};

struct State {
  std::mutex mutex;
  bool opened = false;
  tickrt_status openStatus = TICKRT_OK;
  std::string openError;
  Driver driver{};
  CUcontext context = nullptr;
  char deviceName[256] = "";
  bool streamOrderedAlloc = false;
  /// Streams that finished calls handed back, reused by the next calls:
  /// every call of a compiled function creates and destroys one.
  std::vector<CUstream> idleStreams;
  tickrt_status failure = TICKRT_OK;
  std::string failureMessage;
  /// Opened, and nothing failed since: the mgpu* calls' fast path, without
  /// taking the mutex (a tick makes a hundred of them).
  std::atomic<bool> usable{false};
  /// Kernel names by function, for messages.
  std::map<CUfunction, std::string> kernelNames;
  /// Functions by module and name: compiled code looks its kernel up
  /// before every launch, with the same name string each time.
  std::map<std::pair<CUmodule, const char *>, CUfunction> functions;
  /// Device blocks compiled code freed, kept for its next allocations of
  /// the same size: a tick allocates and frees the same temporaries every
  /// time, a hundred driver calls otherwise. A block freed on a stream is
  /// reused on that stream at once (the stream orders the uses) and on any
  /// stream once that one has been waited for.
  std::unordered_map<CUstream, std::vector<std::pair<uint64_t, CUdeviceptr>>>
      freedOnStream;
  std::unordered_multimap<uint64_t, CUdeviceptr> idleBlocks;
  std::unordered_map<CUdeviceptr, uint64_t> blockSizes;
  /// TICKRT_CUDA_SYNC=1: wait for each kernel as it is launched, so that a
  /// fault names the kernel that caused it.
  bool syncEachLaunch = false;
};

State &state() {
  // Never destroyed: compiled code unloads its kernels from a global
  // destructor, after the function-local statics are gone.
  static State *s = new State;
  return *s;
}

int defaultDevice = 0;

/// "CUDA_ERROR_NO_DEVICE (no CUDA-capable device is detected)".
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

CUdeviceptr devicePointer(const void *p) {
  return reinterpret_cast<CUdeviceptr>(p);
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
  return TICKRT_OK;
}

extern "C" void tickrt_cuda_free(void *device) {
  if (device && tickrt_cuda_open() == TICKRT_OK)
    state().driver.memFree(devicePointer(device));
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
// The mgpu* ABI of MLIR's gpu-to-llvm lowering.
//===----------------------------------------------------------------------===//

#define MGPU_API extern "C" __attribute__((visibility("default")))

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

MGPU_API void mgpuModuleUnload(CUmodule module) {
  State &s = state();
  {
    std::lock_guard<std::mutex> lock(s.mutex);
    for (auto it = s.functions.begin(); it != s.functions.end();)
      it = it->first.first == module ? s.functions.erase(it) : std::next(it);
  }
  // At exit, after a failure or without a driver there may be nothing to do.
  if (module && s.context)
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

MGPU_API void mgpuLaunchKernel(CUfunction function, intptr_t gridX,
                               intptr_t gridY, intptr_t gridZ, intptr_t blockX,
                               intptr_t blockY, intptr_t blockZ, int32_t smem,
                               CUstream stream, void **params, void **extra,
                               size_t /*paramCount*/) {
  const Driver *d = driverFor("launching a kernel");
  if (!d)
    return;
  State &s = state();
  CUresult launched = d->launchKernel(function, gridX, gridY, gridZ, blockX,
                                      blockY, blockZ, smem, stream, params,
                                      extra);
  // The kernel's name only for a message: not on every launch's path.
  if (launched == 0 && !s.syncEachLaunch)
    return;
  std::string name;
  {
    std::lock_guard<std::mutex> lock(s.mutex);
    auto it = s.kernelNames.find(function);
    name = it == s.kernelNames.end() ? "a kernel" : it->second;
  }
  std::string launch = "cuLaunchKernel(" + name + ")";
  if (check(launched, launch.c_str())) {
    std::string wait = "running " + name + " (TICKRT_CUDA_SYNC=1)";
    check(d->streamSynchronize(stream), wait.c_str());
  }
}

MGPU_API CUstream mgpuStreamCreate() {
  const Driver *d = driverFor("creating a stream");
  if (!d)
    return nullptr;
  State &s = state();
  {
    std::lock_guard<std::mutex> lock(s.mutex);
    if (!s.idleStreams.empty()) {
      CUstream stream = s.idleStreams.back();
      s.idleStreams.pop_back();
      return stream;
    }
  }
  // A blocking stream: it waits for the copies tickrt_cuda_to_device made
  // on the default stream before the call.
  CUstream stream = nullptr;
  check(d->streamCreate(&stream, kStreamDefault), "cuStreamCreate");
  return stream;
}

MGPU_API void mgpuStreamDestroy(CUstream stream) {
  if (!stream)
    return;
  State &s = state();
  std::lock_guard<std::mutex> lock(s.mutex);
  s.idleStreams.push_back(stream);
}

MGPU_API void mgpuStreamSynchronize(CUstream stream) {
  const Driver *d = driverFor("waiting for the GPU");
  if (!d || !check(d->streamSynchronize(stream), "cuStreamSynchronize"))
    return;
  // The stream is done with the blocks freed on it: anyone may have them.
  State &s = state();
  std::lock_guard<std::mutex> lock(s.mutex);
  auto freed = s.freedOnStream.find(stream);
  if (freed == s.freedOnStream.end())
    return;
  for (auto [bytes, block] : freed->second)
    s.idleBlocks.emplace(bytes, block);
  freed->second.clear();
}

MGPU_API void mgpuStreamWaitEvent(CUstream stream, CUevent event) {
  if (const Driver *d = driverFor("ordering streams"))
    check(d->streamWaitEvent(stream, event, 0), "cuStreamWaitEvent");
}

MGPU_API CUevent mgpuEventCreate() {
  CUevent event = nullptr;
  if (const Driver *d = driverFor("creating an event"))
    check(d->eventCreate(&event, kEventNoTiming), "cuEventCreate");
  return event;
}

MGPU_API void mgpuEventDestroy(CUevent event) {
  if (const Driver *d = driverFor("destroying an event"))
    check(d->eventDestroy(event), "cuEventDestroy");
}

MGPU_API void mgpuEventSynchronize(CUevent event) {
  if (const Driver *d = driverFor("waiting for an event"))
    check(d->eventSynchronize(event), "cuEventSynchronize");
}

MGPU_API void mgpuEventRecord(CUevent event, CUstream stream) {
  if (const Driver *d = driverFor("recording an event"))
    check(d->eventRecord(event, stream), "cuEventRecord");
}

/// A block of `bytes` freed earlier that `stream` may use now, or 0.
CUdeviceptr reuseBlock(State &s, uint64_t bytes, CUstream stream) {
  std::lock_guard<std::mutex> lock(s.mutex);
  auto freed = s.freedOnStream.find(stream);
  if (freed != s.freedOnStream.end())
    for (auto it = freed->second.begin(); it != freed->second.end(); ++it)
      if (it->first == bytes) {
        CUdeviceptr block = it->second;
        freed->second.erase(it);
        return block;
      }
  auto idle = s.idleBlocks.find(bytes);
  if (idle == s.idleBlocks.end())
    return 0;
  CUdeviceptr block = idle->second;
  s.idleBlocks.erase(idle);
  return block;
}

MGPU_API void *mgpuMemAlloc(uint64_t bytes, CUstream stream, bool hostShared) {
  const Driver *d = driverFor("allocating GPU memory");
  if (!d || bytes == 0)
    return nullptr;
  State &s = state();
  CUdeviceptr p = 0;
  if (hostShared) {
    check(d->memAllocManaged(&p, bytes, kAttachGlobal), "cuMemAllocManaged");
    return reinterpret_cast<void *>(p);
  }
  if (stream && (p = reuseBlock(s, bytes, stream)))
    return reinterpret_cast<void *>(p);
  if (s.streamOrderedAlloc && stream)
    check(d->memAllocAsync(&p, bytes, stream), "cuMemAllocAsync");
  else
    check(d->memAlloc(&p, bytes), "cuMemAlloc");
  if (p) {
    std::lock_guard<std::mutex> lock(s.mutex);
    s.blockSizes[p] = bytes;
  }
  return reinterpret_cast<void *>(p);
}

MGPU_API void mgpuMemFree(void *ptr, CUstream stream) {
  const Driver *d = driverFor("freeing GPU memory");
  if (!d || !ptr)
    return;
  State &s = state();
  CUdeviceptr block = devicePointer(ptr);
  if (stream) {
    std::lock_guard<std::mutex> lock(s.mutex);
    auto size = s.blockSizes.find(block);
    if (size != s.blockSizes.end()) {
      s.freedOnStream[stream].emplace_back(size->second, block);
      return;
    }
  }
  {
    std::lock_guard<std::mutex> lock(s.mutex);
    s.blockSizes.erase(block);
  }
  if (s.streamOrderedAlloc && stream)
    check(d->memFreeAsync(block, stream), "cuMemFreeAsync");
  else
    check(d->memFree(block), "cuMemFree");
}

MGPU_API void mgpuMemcpy(void *dst, void *src, size_t bytes, CUstream stream) {
  if (const Driver *d = driverFor("copying GPU memory"))
    check(d->memcpyAsync(devicePointer(dst), devicePointer(src), bytes, stream),
          "cuMemcpyAsync");
}

MGPU_API void mgpuMemset32(void *dst, unsigned value, size_t count,
                           CUstream stream) {
  if (const Driver *d = driverFor("filling GPU memory"))
    check(d->memsetD32Async(devicePointer(dst), value, count, stream),
          "cuMemsetD32Async");
}

MGPU_API void mgpuMemset16(void *dst, unsigned short value, size_t count,
                           CUstream stream) {
  if (const Driver *d = driverFor("filling GPU memory"))
    check(d->memsetD16Async(devicePointer(dst), value, count, stream),
          "cuMemsetD16Async");
}
