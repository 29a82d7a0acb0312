//===- CudaDriver.h - the CUDA driver as the runtime sees it ---*- C++ -*-===//
//
// The driver API types and entry points the runtime uses (found with
// dlopen, so nothing links against libcuda), and the runtime's state:
// Cuda.cpp loads the driver and implements the tickrt_cuda_* functions and
// module loading, CudaCalls.cpp the calls of compiled code (allocations,
// launches, copies, streams) and their replay as CUDA graphs.
//
//===----------------------------------------------------------------------===//

#ifndef TICK_RUNTIME_LIB_CUDADRIVER_H
#define TICK_RUNTIME_LIB_CUDADRIVER_H

#include "tick/Runtime/Runtime.h"

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace tickrt::cuda {

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
constexpr unsigned kStreamDefault = 0;   // CU_STREAM_DEFAULT
constexpr unsigned kAttachGlobal = 1;    // CU_MEM_ATTACH_GLOBAL
constexpr unsigned kEventNoTiming = 2;   // CU_EVENT_DISABLE_TIMING
constexpr int kPoolReleaseThreshold = 4; // CU_MEMPOOL_ATTR_RELEASE_THRESHOLD
constexpr int kCaptureRelaxed = 2;       // CU_STREAM_CAPTURE_MODE_RELAXED

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

/// One driver operation of a call of compiled code, as made.
struct Op {
  enum Kind { Alloc, Free, Launch, Copy, Set32, Set16 } kind;
  explicit Op(Kind kind) : kind(kind) {}
  /// Alloc: bytes, block. Free: block. Copy: destination, source, bytes.
  /// Set32/Set16: destination, value, count.
  uint64_t a = 0, b = 0, c = 0;
  /// Launch: the kernel, grid and block sizes, shared memory, the sizes
  /// of its parameters (kept by State; null when the driver cannot say)
  /// and their bytes in order.
  CUfunction function = nullptr;
  unsigned dims[7] = {};
  const std::vector<size_t> *paramSizes = nullptr;
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
  /// Where in compiled code the call began (its function's stream
  /// creation): only calls from there are compared with the graph.
  const void *site = nullptr;
  std::vector<Op> ops;
  CUgraphExec exec = nullptr;
};

/// What one call of compiled code, on its own stream, has done so far.
struct Call {
  const void *site = nullptr;
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

/// The runtime's one state, never destroyed.
State &state();

/// The GPU that tickrt_cuda_open opens (mgpuSetDefaultDevice).
extern int defaultDevice;

/// "CUDA_ERROR_NO_DEVICE (no CUDA-capable device is detected)".
std::string describe(const Driver &d, CUresult result);

/// Records the first failure of a driver call made for compiled code.
bool check(CUresult result, const char *call);

/// The driver with this thread's context current, or null after recording
/// why not.
const Driver *driverFor(const char *what);

inline CUdeviceptr devicePointer(const void *p) {
  return reinterpret_cast<CUdeviceptr>(p);
}

/// Destroys the graphs and frees the blocks kept for later calls, when no
/// call is in flight. Mutex held.
void releaseKept(const Driver &d, State &s);

} // namespace tickrt::cuda

#define MGPU_API extern "C" __attribute__((visibility("default")))

#endif // TICK_RUNTIME_LIB_CUDADRIVER_H
