/*===- Cuda.h - Tick runtime: the GPU a --target=cuda model runs on -------===*\
|*                                                                            *|
|* The CUDA driver is loaded at run time (dlopen "libcuda.so.1"), so every    *|
|* program builds and starts without one and says clearly when a GPU is      *|
|* asked for and none is there. The mgpu* functions that compiled models     *|
|* call (MLIR's gpu-to-llvm ABI) are in this library too; they cannot return *|
|* errors, so their first failure is kept and reported by                    *|
|* tickrt_cuda_status(). With TICKRT_CUDA_SYNC=1 in the environment every    *|
|* kernel is waited for as it is launched, so a fault names its kernel.     *|
|* A call of compiled code that repeats an earlier one is replayed as a     *|
|* CUDA graph, unless TICKRT_CUDA_GRAPHS=0.                                  *|
\*===----------------------------------------------------------------------===*/

#ifndef TICK_RUNTIME_CUDA_H
#define TICK_RUNTIME_CUDA_H

#include "tick/Runtime/Runtime.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Loads the driver and makes GPU 0's primary context current. Fails with
 * TICKRT_ERROR_DEVICE and a message when there is no driver or no GPU.
 * Repeated calls return the first call's result. */
TICKRT_API tickrt_status tickrt_cuda_open(void);

/* The name of the GPU ("NVIDIA H100 80GB HBM3"), after tickrt_cuda_open. */
TICKRT_API const char *tickrt_cuda_device_name(void);

/* Device memory; every call checked. */
TICKRT_API tickrt_status tickrt_cuda_alloc(size_t bytes, void **device);
TICKRT_API void tickrt_cuda_free(void *device);
TICKRT_API tickrt_status tickrt_cuda_to_device(void *device, const void *host,
                                               size_t bytes);
TICKRT_API tickrt_status tickrt_cuda_to_host(void *host, const void *device,
                                             size_t bytes);
/* Device to device, ordered after compiled calls that have returned. */
TICKRT_API tickrt_status tickrt_cuda_copy(void *to, const void *from,
                                          size_t bytes);

/* Frees the device blocks and destroys the CUDA graphs the runtime keeps
 * for later calls of compiled code, when no call is in flight (the
 * trainers do at the end; unloading a model's kernels does too). */
TICKRT_API void tickrt_cuda_trim(void);

/* TICKRT_OK, or the first failure of an mgpu* call made by compiled code
 * (with its message in tickrt_last_error()). */
TICKRT_API tickrt_status tickrt_cuda_status(void);

#ifdef __cplusplus
}
#endif

#endif /* TICK_RUNTIME_CUDA_H */
