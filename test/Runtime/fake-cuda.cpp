//===- fake-cuda.cpp - a CUDA driver without a GPU, counting calls ------===//
//
// Built as libcuda.so.1 in its own folder: with that folder on
// LD_LIBRARY_PATH, Tick's runtime loads this instead of NVIDIA's driver and
// a GPU trainer runs its host code to the end. "Device" memory is host
// memory, copies are memcpy, kernels and graphs do nothing (so losses are
// whatever the zeroed buffers give). It cannot read the kernels' signatures:
// it says every parameter has 4 bytes, which lies within each real one
// and is enough for the runtime to compare calls. At exit it writes how
// often each driver call was made to the file $FAKE_CUDA_COUNTS, "name
// count" per line: tests check what the host side of a tick costs in
// driver calls.
//
//===----------------------------------------------------------------------===//

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>

namespace {

std::map<std::string, long> &counts() {
  // Never destroyed: WriteCounts reads it at exit.
  static auto *c = new std::map<std::string, long>;
  return *c;
}

int count(const char *call) {
  ++counts()[call];
  return 0;
}

void writeCounts() {
  const char *path = std::getenv("FAKE_CUDA_COUNTS");
  if (!path)
    return;
  if (FILE *f = std::fopen(path, "w")) {
    for (auto &[name, n] : counts())
      std::fprintf(f, "%s %ld\n", name.c_str(), n);
    std::fclose(f);
  }
}

// At exit, when tools such as compute-sanitizer report what is still
// allocated: before compiled code unloads its kernels (a global destructor
// of the program, run after this library's).
struct WriteAtExit {
  ~WriteAtExit() { writeCounts(); }
} writeAtExit;

using Ptr = unsigned long long;

Ptr allocate(Ptr *p, size_t bytes) {
  *p = reinterpret_cast<Ptr>(std::calloc(1, bytes ? bytes : 1));
  return *p;
}

} // namespace

#define API extern "C" __attribute__((visibility("default")))

/// How often `call` was made so far (for test programs, through dlsym).
API long fakeCudaCount(const char *call) {
  auto it = counts().find(call);
  return it == counts().end() ? 0 : it->second;
}

API int cuInit(unsigned) { return count("cuInit"); }
API int cuDeviceGet(int *device, int) {
  *device = 0;
  return count("cuDeviceGet");
}
API int cuDeviceGetCount(int *n) {
  *n = 1;
  return count("cuDeviceGetCount");
}
API int cuDeviceGetName(char *name, int length, int) {
  std::snprintf(name, length, "fake GPU (test/Runtime/fake-cuda.cpp)");
  return count("cuDeviceGetName");
}
API int cuDevicePrimaryCtxRetain(void **ctx, int) {
  static int context;
  *ctx = &context;
  return count("cuDevicePrimaryCtxRetain");
}
API int cuCtxSetCurrent(void *) { return count("cuCtxSetCurrent"); }
API int cuGetErrorName(int, const char **name) {
  *name = "CUDA_ERROR_FAKE";
  return 0;
}
API int cuGetErrorString(int, const char **text) {
  *text = "fake driver";
  return 0;
}
API int cuModuleLoadData(void **module, const void *) {
  static int loaded;
  *module = &loaded;
  return count("cuModuleLoadData");
}
API int cuModuleUnload(void *) { return count("cuModuleUnload"); }
API int cuModuleGetFunction(void **function, void *, const char *name) {
  // A distinct handle per kernel name.
  static std::map<std::string, int> functions;
  *function = &functions[name];
  return count("cuModuleGetFunction");
}
API int cuLaunchKernel(void *, unsigned, unsigned, unsigned, unsigned, unsigned,
                       unsigned, unsigned, void *, void **, void **) {
  return count("cuLaunchKernel");
}
API int cuStreamCreate(void **stream, unsigned) {
  *stream = std::malloc(1);
  return count("cuStreamCreate");
}
API int cuStreamSynchronize(void *) { return count("cuStreamSynchronize"); }
API int cuStreamWaitEvent(void *, void *, unsigned) {
  return count("cuStreamWaitEvent");
}
API int cuEventCreate(void **event, unsigned) {
  *event = std::malloc(1);
  return count("cuEventCreate");
}
API int cuEventDestroy_v2(void *event) {
  std::free(event);
  return count("cuEventDestroy");
}
API int cuEventRecord(void *, void *) { return count("cuEventRecord"); }
API int cuEventSynchronize(void *) { return count("cuEventSynchronize"); }
API int cuMemAlloc_v2(Ptr *p, size_t bytes) {
  allocate(p, bytes);
  return count("cuMemAlloc");
}
API int cuMemFree_v2(Ptr p) {
  std::free(reinterpret_cast<void *>(p));
  return count("cuMemFree");
}
API int cuMemAllocManaged(Ptr *p, size_t bytes, unsigned) {
  allocate(p, bytes);
  return count("cuMemAllocManaged");
}
API int cuMemAllocAsync(Ptr *p, size_t bytes, void *) {
  allocate(p, bytes);
  return count("cuMemAllocAsync");
}
API int cuMemFreeAsync(Ptr p, void *) {
  std::free(reinterpret_cast<void *>(p));
  return count("cuMemFreeAsync");
}
API int cuDeviceGetDefaultMemPool(void **pool, int) {
  static int defaultPool;
  *pool = &defaultPool;
  return count("cuDeviceGetDefaultMemPool");
}
API int cuMemPoolSetAttribute(void *, int, void *) {
  return count("cuMemPoolSetAttribute");
}
API int cuMemcpyHtoD_v2(Ptr dst, const void *src, size_t bytes) {
  std::memcpy(reinterpret_cast<void *>(dst), src, bytes);
  return count("cuMemcpyHtoD");
}
API int cuMemcpyDtoH_v2(void *dst, Ptr src, size_t bytes) {
  std::memcpy(dst, reinterpret_cast<void *>(src), bytes);
  return count("cuMemcpyDtoH");
}
API int cuMemcpyAsync(Ptr dst, Ptr src, size_t bytes, void *) {
  std::memcpy(reinterpret_cast<void *>(dst), reinterpret_cast<void *>(src),
              bytes);
  return count("cuMemcpyAsync");
}
API int cuMemsetD32Async(Ptr dst, unsigned value, size_t n, void *) {
  auto *p = reinterpret_cast<unsigned *>(dst);
  for (size_t i = 0; i < n; ++i)
    p[i] = value;
  return count("cuMemsetD32Async");
}
API int cuMemsetD16Async(Ptr dst, unsigned short value, size_t n, void *) {
  auto *p = reinterpret_cast<unsigned short *>(dst);
  for (size_t i = 0; i < n; ++i)
    p[i] = value;
  return count("cuMemsetD16Async");
}
API int cuFuncGetParamInfo(void *, size_t index, size_t *offset, size_t *size) {
  *offset = 4 * index;
  *size = 4;
  return count("cuFuncGetParamInfo");
}
API int cuStreamBeginCapture_v2(void *, int) {
  return count("cuStreamBeginCapture");
}
API int cuStreamEndCapture(void *, void **graph) {
  static int captured;
  *graph = &captured;
  return count("cuStreamEndCapture");
}
API int cuGraphInstantiateWithFlags(void **exec, void *, unsigned long long) {
  static int instantiated;
  *exec = &instantiated;
  return count("cuGraphInstantiate");
}
API int cuGraphLaunch(void *, void *) { return count("cuGraphLaunch"); }
API int cuGraphDestroy(void *) { return count("cuGraphDestroy"); }
API int cuGraphExecDestroy(void *) { return count("cuGraphExecDestroy"); }
