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
#include <algorithm>
#include <map>
#include <numeric>
#include <optional>
#include <memory>
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
using CUgraph = void *;
using CUgraphExec = void *;
constexpr unsigned kStreamDefault = 0;    // CU_STREAM_DEFAULT
constexpr unsigned kAttachGlobal = 1;     // CU_MEM_ATTACH_GLOBAL
constexpr unsigned kEventNoTiming = 2;    // CU_EVENT_DISABLE_TIMING
constexpr int kPoolReleaseThreshold = 4;  // CU_MEMPOOL_ATTR_RELEASE_THRESHOLD
constexpr int kCaptureRelaxed = 2;        // CU_STREAM_CAPTURE_MODE_RELAXED

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
  // Replaying calls as CUDA graphs (CUDA 12.4+): optional.
  CUresult (*funcGetParamInfo)(CUfunction, size_t, size_t *, size_t *);
  CUresult (*streamBeginCapture)(CUstream, int);
  CUresult (*streamEndCapture)(CUstream, CUgraph *);
  CUresult (*graphInstantiate)(CUgraphExec *, CUgraph, unsigned long long);
  CUresult (*graphLaunch)(CUgraphExec, CUstream);
  CUresult (*graphDestroy)(CUgraph);
  CUresult (*graphExecDestroy)(CUgraphExec);
};

struct Symbol {
  const char *name;
  void **slot;
  bool required;
};

/// One driver operation of a call of compiled code, as made.
struct Op {
  enum Kind { Alloc, Free, Launch, Copy, Set32, Set16 } kind;
  explicit Op(Kind kind) : kind(kind) {}
  /// Alloc: bytes, block. Free: block. Copy: destination, source, bytes.
  /// Set32/Set16: destination, value, count.
  uint64_t a = 0, b = 0, c = 0;
  /// Launch: the kernel, grid and block sizes, shared memory, and the
  /// bytes of each parameter in order.
  CUfunction function = nullptr;
  unsigned dims[7] = {};
  std::vector<size_t> paramSizes;
  std::vector<char> params;

  /// The same operation with the same arguments (an allocation: of the
  /// same size).
  bool sameAs(const Op &o) const {
    if (kind != o.kind)
      return false;
    switch (kind) {
    case Alloc:
      return a == o.a;
    case Free:
      return a == o.a;
    case Launch:
      return function == o.function &&
             std::equal(std::begin(dims), std::end(dims), o.dims) &&
             paramSizes == o.paramSizes && params == o.params;
    default:
      return a == o.a && b == o.b && c == o.c;
    }
  }
};

/// A call of compiled code made into a CUDA graph: a later call that makes
/// the same operations with the same arguments launches it instead.
struct CallGraph {
  std::vector<Op> ops;
  CUgraphExec exec = nullptr;
};

/// What one call of compiled code, on its own stream, has done so far.
struct Call {
  std::vector<Op> ops;
  /// Only operations a graph can replay: kernels with known parameters,
  /// copies and fills of device memory, allocations freed by the end.
  bool recordable = true;
  /// Graphs whose first operations are this call's so far. While there is
  /// one, nothing has been issued: at the end of the call its graph is
  /// launched, or, at the first operation that differs, what was deferred
  /// is issued.
  std::vector<CallGraph *> candidates;
  bool deferring = false;
  /// It was handed a graph's temporaries, and issued what it deferred.
  bool onGraphBlocks = false;
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
  /// Device memory by start and size (tickrt_cuda_alloc's, compiled
  /// code's): a copy between two such places can be part of a graph.
  std::map<CUdeviceptr, uint64_t> deviceRanges;
  /// Calls in flight, by stream, and the graphs made of earlier calls. A
  /// graph keeps the temporary blocks its call used: they are not freed.
  bool graphsEnabled = false;
  std::unordered_map<CUstream, Call> calls;
  std::vector<std::unique_ptr<CallGraph>> graphs;
  std::unordered_map<CUdeviceptr, uint64_t> graphBlocks;
  /// Parameter sizes by kernel (cuFuncGetParamInfo); empty: unknown.
  std::map<CUfunction, std::vector<size_t>> paramSizes;
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

namespace {

/// Destroys the graphs and frees the blocks kept for later calls, when no
/// call is in flight: before a module whose kernels the graphs launch
/// goes, and before exit, where what is still allocated is a leak to tools
/// such as compute-sanitizer. Mutex held.
void releaseKept(const Driver &d, State &s) {
  if (!s.calls.empty())
    return;
  for (auto &graph : s.graphs)
    d.graphExecDestroy(graph->exec);
  s.graphs.clear();
  std::vector<CUdeviceptr> blocks;
  for (auto [block, bytes] : s.graphBlocks)
    blocks.push_back(block);
  for (auto [bytes, block] : s.idleBlocks)
    blocks.push_back(block);
  for (auto &[stream, freed] : s.freedOnStream)
    for (auto [bytes, block] : freed)
      blocks.push_back(block);
  s.graphBlocks.clear();
  s.idleBlocks.clear();
  s.freedOnStream.clear();
  for (CUdeviceptr block : blocks) {
    s.blockSizes.erase(block);
    s.deviceRanges.erase(block);
    d.memFree(block);
  }
}

} // namespace

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

//===----------------------------------------------------------------------===//
// Calls of compiled code, and their replay as CUDA graphs.
//
// Each call of a compiled function takes a stream, allocates temporaries,
// launches kernels, copies and fills, frees, and waits once at the end. A
// train step does the same with the same arguments every tick: about 50
// launches and 20 other driver calls, each a few microseconds of host time
// while the kernels take as little. So a call made only of operations a
// graph can hold is captured, after it ran, into a CUDA graph that keeps
// its temporary blocks. A later call defers its operations while they are
// the graph's, argument for argument, and launches the graph when it ends;
// at the first operation that differs it issues what it deferred and goes
// on as before. TICKRT_CUDA_GRAPHS=0 (or TICKRT_CUDA_SYNC=1) turns this off.
//===----------------------------------------------------------------------===//

namespace {

constexpr size_t kMaxGraphs = 8;

template <typename Container, typename Predicate>
void eraseIf(Container &c, Predicate p) {
  c.erase(std::remove_if(c.begin(), c.end(), p), c.end());
}

/// Whether `p` lies in device memory the runtime knows. Mutex held.
bool isDevice(State &s, CUdeviceptr p) {
  auto it = s.deviceRanges.upper_bound(p);
  if (it == s.deviceRanges.begin())
    return false;
  --it;
  return p < it->first + it->second;
}

/// Whether a graph can hold `op`. Mutex held.
bool replayable(State &s, const Op &op) {
  switch (op.kind) {
  case Op::Launch:
    return op.params.size() ==
           std::accumulate(op.paramSizes.begin(), op.paramSizes.end(),
                           size_t(0)) &&
           (op.paramSizes.size() > 0 || op.params.empty());
  case Op::Copy:
    return isDevice(s, op.a) && isDevice(s, op.b);
  case Op::Set32:
  case Op::Set16:
    return isDevice(s, op.a);
  default:
    return true;
  }
}

/// The sizes of `function`'s `count` parameters, or nothing when the
/// driver cannot say.
std::optional<std::vector<size_t>> paramSizes(const Driver &d, State &s,
                                              CUfunction function,
                                              size_t count) {
  {
    std::lock_guard<std::mutex> lock(s.mutex);
    auto it = s.paramSizes.find(function);
    if (it != s.paramSizes.end())
      return it->second.size() == count
                 ? std::optional<std::vector<size_t>>(it->second)
                 : std::nullopt;
  }
  std::vector<size_t> sizes(count);
  for (size_t i = 0; i < count; ++i) {
    size_t offset = 0;
    if (!d.funcGetParamInfo ||
        d.funcGetParamInfo(function, i, &offset, &sizes[i]) != 0) {
      sizes.clear();
      break;
    }
  }
  std::lock_guard<std::mutex> lock(s.mutex);
  s.paramSizes[function] = sizes;
  if (sizes.size() != count)
    return std::nullopt;
  return sizes;
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

CUdeviceptr allocate(const Driver &d, State &s, uint64_t bytes,
                     CUstream stream) {
  CUdeviceptr p = 0;
  if (stream && (p = reuseBlock(s, bytes, stream)))
    return p;
  if (s.streamOrderedAlloc && stream)
    check(d.memAllocAsync(&p, bytes, stream), "cuMemAllocAsync");
  else
    check(d.memAlloc(&p, bytes), "cuMemAlloc");
  if (p) {
    std::lock_guard<std::mutex> lock(s.mutex);
    s.blockSizes[p] = bytes;
    s.deviceRanges[p] = bytes;
  }
  return p;
}

void release(const Driver &d, State &s, CUdeviceptr block, CUstream stream) {
  {
    std::lock_guard<std::mutex> lock(s.mutex);
    // A graph's temporaries stay with it.
    if (s.graphBlocks.count(block))
      return;
    auto size = s.blockSizes.find(block);
    if (stream && size != s.blockSizes.end()) {
      s.freedOnStream[stream].emplace_back(size->second, block);
      return;
    }
    s.blockSizes.erase(block);
    s.deviceRanges.erase(block);
  }
  if (s.streamOrderedAlloc && stream)
    check(d.memFreeAsync(block, stream), "cuMemFreeAsync");
  else
    check(d.memFree(block), "cuMemFree");
}

/// Pointers to each parameter of a recorded launch.
std::vector<void *> paramPointers(Op &op) {
  std::vector<void *> pointers;
  size_t offset = 0;
  for (size_t size : op.paramSizes) {
    pointers.push_back(op.params.data() + offset);
    offset += size;
  }
  return pointers;
}

CUresult launch(const Driver &d, const Op &op, CUstream stream, void **params) {
  return d.launchKernel(op.function, op.dims[0], op.dims[1], op.dims[2],
                        op.dims[3], op.dims[4], op.dims[5], op.dims[6], stream,
                        params, nullptr);
}

/// Checks a launch; with TICKRT_CUDA_SYNC=1 waits for the kernel. Either
/// failure names the kernel.
void checkLaunch(const Driver &d, State &s, CUresult launched,
                 CUfunction function, CUstream stream) {
  // The kernel's name only for a message: not on every launch's path.
  if (launched == 0 && !s.syncEachLaunch)
    return;
  std::string name;
  {
    std::lock_guard<std::mutex> lock(s.mutex);
    auto it = s.kernelNames.find(function);
    name = it == s.kernelNames.end() ? "a kernel" : it->second;
  }
  std::string call = "cuLaunchKernel(" + name + ")";
  if (check(launched, call.c_str())) {
    std::string wait = "running " + name + " (TICKRT_CUDA_SYNC=1)";
    check(d.streamSynchronize(stream), wait.c_str());
  }
}

/// Does `op` on `stream` now; an allocation returns its block. A launch
/// with `params` passes them as they are, else the recorded bytes.
CUdeviceptr issue(const Driver &d, State &s, Op &op, CUstream stream,
                  void **params = nullptr) {
  switch (op.kind) {
  case Op::Alloc:
    return allocate(d, s, op.a, stream);
  case Op::Free:
    release(d, s, op.a, stream);
    return 0;
  case Op::Launch: {
    std::vector<void *> recorded;
    if (!params) {
      recorded = paramPointers(op);
      params = recorded.data();
    }
    checkLaunch(d, s, launch(d, op, stream, params), op.function, stream);
    return 0;
  }
  case Op::Copy:
    check(d.memcpyAsync(op.a, op.b, op.c, stream), "cuMemcpyAsync");
    return 0;
  case Op::Set32:
    check(d.memsetD32Async(op.a, op.b, op.c, stream), "cuMemsetD32Async");
    return 0;
  case Op::Set16:
    check(d.memsetD16Async(op.a, static_cast<unsigned short>(op.b), op.c,
                           stream),
          "cuMemsetD16Async");
    return 0;
  }
  return 0;
}

/// Issues what `call` deferred and stops deferring. Mutex held on entry
/// and exit.
void flush(const Driver &d, State &s, std::unique_lock<std::mutex> &lock,
           Call &call, CUstream stream) {
  call.deferring = false;
  call.candidates.clear();
  std::vector<Op> deferred = std::move(call.ops);
  call.ops.clear();
  // A call that was handed a graph's temporaries runs on them now and
  // makes no graph of its own; one that was not goes on recording.
  bool handedBlocks = std::any_of(deferred.begin(), deferred.end(),
                                  [](const Op &op) { return op.kind == Op::Alloc; });
  call.recordable = !handedBlocks;
  call.onGraphBlocks = handedBlocks;
  lock.unlock();
  for (Op &op : deferred)
    if (op.kind != Op::Alloc) // the graph's block was handed out already
      issue(d, s, op, stream);
  lock.lock();
  if (call.recordable)
    call.ops = std::move(deferred);
}

/// One operation of the call on `stream`: deferred while a graph still
/// matches the call, else issued. Returns an allocation's block.
CUdeviceptr submit(const Driver &d, Op op, CUstream stream,
                   void **params = nullptr) {
  State &s = state();
  std::unique_lock<std::mutex> lock(s.mutex);
  auto found = s.calls.find(stream);
  if (!s.graphsEnabled || found == s.calls.end()) {
    lock.unlock();
    return issue(d, s, op, stream, params);
  }
  Call &call = found->second;
  if (call.deferring) {
    size_t n = call.ops.size();
    eraseIf(call.candidates, [&](CallGraph *g) {
      return g->ops.size() <= n || !g->ops[n].sameAs(op);
    });
    if (!call.candidates.empty()) {
      if (op.kind == Op::Alloc)
        op.b = call.candidates.front()->ops[n].b;
      call.ops.push_back(std::move(op));
      return call.ops.back().b;
    }
    flush(d, s, lock, call, stream);
  }
  bool keep = call.recordable && replayable(s, op);
  call.recordable = keep;
  if (!keep)
    call.ops.clear();
  lock.unlock();
  CUdeviceptr block = issue(d, s, op, stream, params);
  if (keep) {
    op.b = op.kind == Op::Alloc ? block : op.b;
    lock.lock();
    auto again = s.calls.find(stream);
    if (again != s.calls.end() && again->second.recordable)
      again->second.ops.push_back(std::move(op));
  }
  return block;
}

/// An operation no graph holds (events, managed memory): the call on
/// `stream` issues what it deferred and makes no graph.
void notReplayable(const Driver &d, CUstream stream) {
  State &s = state();
  std::unique_lock<std::mutex> lock(s.mutex);
  auto found = s.calls.find(stream);
  if (found == s.calls.end())
    return;
  if (found->second.deferring)
    flush(d, s, lock, found->second, stream);
  found->second.recordable = false;
  found->second.ops.clear();
}

/// Makes the finished `call` on the idle `stream` a graph that keeps the
/// call's temporary blocks. Mutex held.
void record(const Driver &d, State &s, Call &call, CUstream stream) {
  if (!s.graphsEnabled || !call.recordable || s.graphs.size() >= kMaxGraphs ||
      std::none_of(call.ops.begin(), call.ops.end(),
                   [](const Op &op) { return op.kind == Op::Launch; }))
    return;
  // Every temporary allocated in the call was freed in it.
  std::map<CUdeviceptr, int> live;
  for (const Op &op : call.ops)
    if (op.kind == Op::Alloc)
      ++live[op.b];
    else if (op.kind == Op::Free)
      --live[op.a];
  for (auto [block, count] : live)
    if (count != 0)
      return;
  // Capturing issues nothing: a failure costs only the graph.
  if (d.streamBeginCapture(stream, kCaptureRelaxed) != 0)
    return;
  bool captured = true;
  for (Op &op : call.ops) {
    if (op.kind == Op::Launch) {
      std::vector<void *> params = paramPointers(op);
      captured &= launch(d, op, stream, params.data()) == 0;
    } else if (op.kind == Op::Copy) {
      captured &= d.memcpyAsync(op.a, op.b, op.c, stream) == 0;
    } else if (op.kind == Op::Set32) {
      captured &= d.memsetD32Async(op.a, op.b, op.c, stream) == 0;
    } else if (op.kind == Op::Set16) {
      captured &= d.memsetD16Async(op.a, static_cast<unsigned short>(op.b),
                                   op.c, stream) == 0;
    }
  }
  CUgraph graph = nullptr;
  captured &= d.streamEndCapture(stream, &graph) == 0 && graph;
  auto made = std::make_unique<CallGraph>();
  captured &= captured && d.graphInstantiate(&made->exec, graph, 0) == 0;
  if (graph)
    d.graphDestroy(graph);
  if (!captured)
    return;
  // The blocks are the graph's from now on.
  auto &freed = s.freedOnStream[stream];
  eraseIf(freed, [&](const std::pair<uint64_t, CUdeviceptr> &entry) {
    return live.count(entry.second);
  });
  for (auto [block, count] : live)
    s.graphBlocks[block] = s.blockSizes[block];
  made->ops = std::move(call.ops);
  s.graphs.push_back(std::move(made));
}

} // namespace

MGPU_API void mgpuLaunchKernel(CUfunction function, intptr_t gridX,
                               intptr_t gridY, intptr_t gridZ, intptr_t blockX,
                               intptr_t blockY, intptr_t blockZ, int32_t smem,
                               CUstream stream, void **params, void **extra,
                               size_t paramCount) {
  const Driver *d = driverFor("launching a kernel");
  if (!d)
    return;
  State &s = state();
  Op op(Op::Launch);
  op.function = function;
  unsigned dims[7] = {unsigned(gridX),  unsigned(gridY),  unsigned(gridZ),
                      unsigned(blockX), unsigned(blockY), unsigned(blockZ),
                      unsigned(smem)};
  std::copy(std::begin(dims), std::end(dims), op.dims);
  if (s.graphsEnabled && !extra) {
    if (std::optional<std::vector<size_t>> sizes =
            paramSizes(*d, s, function, paramCount)) {
      for (size_t i = 0; i < paramCount; ++i) {
        const char *bytes = static_cast<const char *>(params[i]);
        op.params.insert(op.params.end(), bytes, bytes + (*sizes)[i]);
      }
      op.paramSizes = std::move(*sizes);
    }
  }
  if (extra || (s.graphsEnabled && op.paramSizes.size() != paramCount)) {
    // Not something a graph replays.
    notReplayable(*d, stream);
    checkLaunch(*d, s,
                d->launchKernel(function, gridX, gridY, gridZ, blockX, blockY,
                                blockZ, smem, stream, params, extra),
                function, stream);
    return;
  }
  submit(*d, std::move(op), stream, params);
}

MGPU_API CUstream mgpuStreamCreate() {
  const Driver *d = driverFor("creating a stream");
  if (!d)
    return nullptr;
  State &s = state();
  CUstream stream = nullptr;
  {
    std::lock_guard<std::mutex> lock(s.mutex);
    if (!s.idleStreams.empty()) {
      stream = s.idleStreams.back();
      s.idleStreams.pop_back();
    }
  }
  // A blocking stream: it waits for the copies tickrt_cuda_to_device made
  // on the default stream before the call.
  if (!stream && !check(d->streamCreate(&stream, kStreamDefault),
                        "cuStreamCreate"))
    return nullptr;
  // A call begins. It may defer its work while it matches a graph, one
  // call at a time: a graph's temporaries serve one call at once.
  std::lock_guard<std::mutex> lock(s.mutex);
  if (!s.graphsEnabled)
    return stream;
  Call &call = s.calls[stream];
  call = Call{};
  bool graphBusy =
      std::any_of(s.calls.begin(), s.calls.end(), [](const auto &c) {
        return c.second.deferring || c.second.onGraphBlocks;
      });
  if (!graphBusy && !s.graphs.empty()) {
    for (auto &graph : s.graphs)
      call.candidates.push_back(graph.get());
    call.deferring = true;
  }
  return stream;
}

MGPU_API void mgpuStreamDestroy(CUstream stream) {
  if (!stream)
    return;
  State &s = state();
  std::unique_lock<std::mutex> lock(s.mutex);
  auto found = s.calls.find(stream);
  if (found != s.calls.end()) {
    // Never waited for: what it deferred still has to run.
    if (found->second.deferring && s.usable.load())
      flush(s.driver, s, lock, found->second, stream);
    s.calls.erase(stream);
  }
  s.idleStreams.push_back(stream);
}

MGPU_API void mgpuStreamSynchronize(CUstream stream) {
  const Driver *d = driverFor("waiting for the GPU");
  if (!d)
    return;
  State &s = state();
  std::unique_lock<std::mutex> lock(s.mutex);
  auto found = s.calls.find(stream);
  Call *call = found == s.calls.end() ? nullptr : &found->second;
  if (call && call->deferring) {
    auto whole = std::find_if(
        call->candidates.begin(), call->candidates.end(),
        [&](CallGraph *g) { return g->ops.size() == call->ops.size(); });
    if (whole != call->candidates.end()) {
      CUgraphExec exec = (*whole)->exec;
      lock.unlock();
      check(d->graphLaunch(exec, stream), "cuGraphLaunch");
      lock.lock();
      call->deferring = false;
      call->recordable = false;
      call->ops.clear();
    } else {
      flush(*d, s, lock, *call, stream);
    }
  }
  lock.unlock();
  if (!check(d->streamSynchronize(stream), "cuStreamSynchronize"))
    return;
  lock.lock();
  found = s.calls.find(stream);
  if (found != s.calls.end()) {
    record(*d, s, found->second, stream);
    found->second = Call{};
  }
  // The stream is done with the blocks freed on it: anyone may have them.
  auto freed = s.freedOnStream.find(stream);
  if (freed == s.freedOnStream.end())
    return;
  for (auto [bytes, block] : freed->second)
    s.idleBlocks.emplace(bytes, block);
  freed->second.clear();
}

MGPU_API void mgpuStreamWaitEvent(CUstream stream, CUevent event) {
  if (const Driver *d = driverFor("ordering streams")) {
    notReplayable(*d, stream);
    check(d->streamWaitEvent(stream, event, 0), "cuStreamWaitEvent");
  }
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
  if (const Driver *d = driverFor("recording an event")) {
    notReplayable(*d, stream);
    check(d->eventRecord(event, stream), "cuEventRecord");
  }
}

MGPU_API void *mgpuMemAlloc(uint64_t bytes, CUstream stream, bool hostShared) {
  const Driver *d = driverFor("allocating GPU memory");
  if (!d || bytes == 0)
    return nullptr;
  CUdeviceptr p = 0;
  if (hostShared) {
    notReplayable(*d, stream);
    check(d->memAllocManaged(&p, bytes, kAttachGlobal), "cuMemAllocManaged");
    return reinterpret_cast<void *>(p);
  }
  Op op(Op::Alloc);
  op.a = bytes;
  return reinterpret_cast<void *>(submit(*d, std::move(op), stream));
}

MGPU_API void mgpuMemFree(void *ptr, CUstream stream) {
  const Driver *d = driverFor("freeing GPU memory");
  if (!d || !ptr)
    return;
  Op op(Op::Free);
  op.a = devicePointer(ptr);
  submit(*d, std::move(op), stream);
}

MGPU_API void mgpuMemcpy(void *dst, void *src, size_t bytes, CUstream stream) {
  if (const Driver *d = driverFor("copying GPU memory")) {
    Op op(Op::Copy);
    op.a = devicePointer(dst);
    op.b = devicePointer(src);
    op.c = bytes;
    submit(*d, std::move(op), stream);
  }
}

MGPU_API void mgpuMemset32(void *dst, unsigned value, size_t count,
                           CUstream stream) {
  if (const Driver *d = driverFor("filling GPU memory")) {
    Op op(Op::Set32);
    op.a = devicePointer(dst);
    op.b = value;
    op.c = count;
    submit(*d, std::move(op), stream);
  }
}

MGPU_API void mgpuMemset16(void *dst, unsigned short value, size_t count,
                           CUstream stream) {
  if (const Driver *d = driverFor("filling GPU memory")) {
    Op op(Op::Set16);
    op.a = devicePointer(dst);
    op.b = value;
    op.c = count;
    submit(*d, std::move(op), stream);
  }
}
