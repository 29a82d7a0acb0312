//===- CudaCalls.cpp - calls of compiled code, replayed as CUDA graphs ----===//
//
// Each call of a compiled function takes a stream, allocates temporaries,
// launches kernels, copies and fills, frees, and waits once at the end. A
// train step does the same with the same arguments every tick: about 40
// kernel launches and 20 copies and waits, each a few microseconds of host
// time while most kernels take as little. So a call made only of operations a
// graph can hold is captured, after it ran, into a CUDA graph that keeps
// its temporary blocks. A later call defers its operations while they are
// the graph's, argument for argument, and launches the graph when it ends;
// at the first operation that differs it issues what it deferred and goes
// on as before. TICKRT_CUDA_GRAPHS=0 (or TICKRT_CUDA_SYNC=1) turns this off.
//
// Outside graphs, the device blocks a call frees are kept by size for the
// next allocations: on the same stream at once, on any once it was waited
// for.
//
//===----------------------------------------------------------------------===//

#include "tick/Runtime/Cuda.h"

#include "CudaDriver.h"

#include <algorithm>
#include <numeric>

using namespace tickrt::cuda;

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
    return op.paramSizes != nullptr;
  case Op::Copy:
    return isDevice(s, op.a) && isDevice(s, op.b);
  case Op::Set32:
  case Op::Set16:
    return isDevice(s, op.a);
  default:
    return true;
  }
}

/// The sizes of `function`'s `count` parameters, or null when the driver
/// cannot say. Asked once per kernel.
const std::vector<size_t> *paramSizes(const Driver &d, State &s,
                                      CUfunction function, size_t count) {
  std::lock_guard<std::mutex> lock(s.mutex);
  auto [it, added] = s.paramSizes.try_emplace(function);
  std::vector<size_t> &sizes = it->second;
  if (added) {
    sizes.resize(count);
    for (size_t i = 0; i < count; ++i) {
      size_t offset = 0;
      if (!d.funcGetParamInfo ||
          d.funcGetParamInfo(function, i, &offset, &sizes[i]) != 0) {
        sizes.clear();
        break;
      }
    }
  }
  return sizes.size() == count ? &sizes : nullptr;
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
  for (size_t size : *op.paramSizes) {
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
    check(
        d.memsetD16Async(op.a, static_cast<unsigned short>(op.b), op.c, stream),
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
  bool handedBlocks =
      std::any_of(deferred.begin(), deferred.end(),
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
  made->site = call.site;
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
    if ((op.paramSizes = paramSizes(*d, s, function, paramCount))) {
      const std::vector<size_t> &sizes = *op.paramSizes;
      op.params.reserve(std::accumulate(sizes.begin(), sizes.end(), size_t(0)));
      for (size_t i = 0; i < paramCount; ++i) {
        const char *bytes = static_cast<const char *>(params[i]);
        op.params.insert(op.params.end(), bytes, bytes + sizes[i]);
      }
    }
  }
  if (extra || (s.graphsEnabled && !op.paramSizes)) {
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
  if (!stream &&
      !check(d->streamCreate(&stream, kStreamDefault), "cuStreamCreate"))
    return nullptr;
  // A call begins. It may defer its work while it matches a graph, one
  // call at a time: a graph's temporaries serve one call at once.
  std::lock_guard<std::mutex> lock(s.mutex);
  if (!s.graphsEnabled)
    return stream;
  Call &call = s.calls[stream];
  call = Call{};
  // The compiled function calling: its graphs are the candidates.
  call.site = __builtin_return_address(0);
  bool graphBusy =
      std::any_of(s.calls.begin(), s.calls.end(), [](const auto &c) {
        return c.second.deferring || c.second.onGraphBlocks;
      });
  if (!graphBusy)
    for (auto &graph : s.graphs)
      if (graph->site == call.site)
        call.candidates.push_back(graph.get());
  call.deferring = !call.candidates.empty();
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

namespace {

void fill(Op::Kind kind, void *dst, unsigned value, size_t count,
          CUstream stream) {
  if (const Driver *d = driverFor("filling GPU memory")) {
    Op op(kind);
    op.a = devicePointer(dst);
    op.b = value;
    op.c = count;
    submit(*d, std::move(op), stream);
  }
}

} // namespace

MGPU_API void mgpuMemset32(void *dst, unsigned value, size_t count,
                           CUstream stream) {
  fill(Op::Set32, dst, value, count, stream);
}

MGPU_API void mgpuMemset16(void *dst, unsigned short value, size_t count,
                           CUstream stream) {
  fill(Op::Set16, dst, value, count, stream);
}

namespace tickrt::cuda {

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

} // namespace tickrt::cuda
