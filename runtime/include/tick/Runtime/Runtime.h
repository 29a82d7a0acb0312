/*===- Runtime.h - Tick runtime: loading and calling compiled models -----===*\
|*                                                                            *|
|* C ABI shared by every program that runs code tickc compiled. Functions    *|
|* return a tickrt_status; on failure tickrt_last_error() says what went     *|
|* wrong in words (per thread). No function prints or exits.                 *|
\*===----------------------------------------------------------------------===*/

#ifndef TICK_RUNTIME_RUNTIME_H
#define TICK_RUNTIME_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__)
#define TICKRT_API __attribute__((visibility("default")))
#else
#define TICKRT_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

typedef enum tickrt_status {
  TICKRT_OK = 0,
  TICKRT_ERROR_ARGUMENT = 1, /* a caller passed something invalid */
  TICKRT_ERROR_IO = 2,       /* a file could not be opened, read or written */
  TICKRT_ERROR_FORMAT = 3,   /* a file's contents are not what they claim */
  TICKRT_ERROR_SYMBOL = 4,   /* a compiled model lacks an entry point */
  TICKRT_ERROR_MEMORY = 5,   /* an allocation failed */
  TICKRT_ERROR_DEVICE = 6,   /* no GPU or driver, or the GPU reported an error */
} tickrt_status;

/* The message of the last failure on this thread ("" if none). */
TICKRT_API const char *tickrt_last_error(void);

/* Largest tensor rank a descriptor holds. */
#define TICKRT_MAX_RANK 8

/* A strided memref descriptor laid out as MLIR's for any rank <= MAX_RANK:
 * sizes in dims[0, rank), strides in dims[rank, 2 * rank). A pointer to it
 * is what a compiled entry point takes for each tensor argument. */
typedef struct tickrt_memref {
  void *allocated;
  void *aligned;
  int64_t offset;
  int64_t dims[2 * TICKRT_MAX_RANK];
} tickrt_memref;

/* Describes `data` as a dense row-major tensor of the given shape. */
TICKRT_API tickrt_status tickrt_memref_dense(void *data, int rank,
                                             const int64_t *sizes,
                                             tickrt_memref *out);

/* A shared library written by `tickc compile --emit=lib`. */
typedef struct tickrt_model tickrt_model;

/* An entry point taking one pointer per argument, in an array: parameters,
 * inputs, then the results it writes. */
typedef void (*tickrt_entry)(void **args);

TICKRT_API tickrt_status tickrt_model_open(const char *path,
                                           tickrt_model **model);
TICKRT_API tickrt_status tickrt_model_entry(tickrt_model *model,
                                            const char *function,
                                            tickrt_entry *entry);
/* How many pointers `function`'s entry point reads from its array: one per
 * memref argument and result, as the C interface takes them. Libraries
 * from before this query have no such count (TICKRT_ERROR_SYMBOL). */
TICKRT_API tickrt_status tickrt_model_arity(tickrt_model *model,
                                            const char *function,
                                            int64_t *arity);
TICKRT_API void tickrt_model_close(tickrt_model *model);

/* The model's omp_set_num_threads, or NULL when its code has no OpenMP
 * (--target=cuda). */
TICKRT_API void (*tickrt_model_threads_setter(tickrt_model *model))(int);

/* A loop on the model's threads: calls body(context, i) for each i in
 * [0, count), each thread a block of indices in order; NULL when the
 * model's code has none (--target=cuda). */
typedef void (*tickrt_parallel_for)(void (*body)(void *context, int64_t i),
                                    void *context, int64_t count);
TICKRT_API tickrt_parallel_for tickrt_model_parallel_for(tickrt_model *model);

/* Sets the OpenMP thread count the model's code runs with (0: leave it). */
TICKRT_API tickrt_status tickrt_model_set_num_threads(tickrt_model *model,
                                                      int threads);

#ifdef __cplusplus
}
#endif

#endif /* TICK_RUNTIME_RUNTIME_H */
