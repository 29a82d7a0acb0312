/*===- Data.h - Tick runtime: IDX data sets, random numbers, init --------===*\
|*                                                                            *|
|* MNIST-style IDX files (raw or gzip), strictly validated; a seeded,        *|
|* serializable random number generator; PyTorch's default initializers.    *|
\*===----------------------------------------------------------------------===*/

#ifndef TICK_RUNTIME_DATA_H
#define TICK_RUNTIME_DATA_H

#include "tick/Runtime/Runtime.h"

#ifdef __cplusplus
extern "C" {
#endif

/* An IDX file of unsigned bytes: dims[0..rank) then the data, row-major. */
typedef struct tickrt_idx {
  int rank;
  int64_t dims[4];
  int64_t count; /* product of dims */
  uint8_t *data;
} tickrt_idx;

/* Reads and validates an IDX file of unsigned bytes, raw or gzip-compressed
 * (recognized by content, whatever the name): magic, rank 1..4, no
 * overflow in the size, exact file size. Errors name the file. */
TICKRT_API tickrt_status tickrt_idx_read(const char *path, tickrt_idx *out);
TICKRT_API void tickrt_idx_free(tickrt_idx *idx);

/* The four files of an MNIST-style directory. */
typedef struct tickrt_dataset {
  tickrt_idx train_images, train_labels, test_images, test_labels;
  int64_t features; /* pixels per image */
} tickrt_dataset;

/* Opens DIR/{train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz]: images of
 * rank 3, labels of rank 1, one label per image, every label < classes. */
TICKRT_API tickrt_status tickrt_dataset_open(const char *dir, int64_t classes,
                                             tickrt_dataset *out);
TICKRT_API void tickrt_dataset_close(tickrt_dataset *dataset);

/* Copies images[indices[i]] scaled to [0, 1] and labels[indices[i]] for
 * i < count. */
TICKRT_API void tickrt_dataset_gather(const tickrt_idx *images,
                                      const tickrt_idx *labels,
                                      const int64_t *indices, int64_t count,
                                      float *pixels, int64_t *label_out);
/* Starts loading images[indices[i]] and labels[indices[i]] for i < count
 * into the caches, without waiting: called for the next batch once this
 * one is gathered, on the thread that will gather each sample, so that
 * its rows arrive while a train step computes. */
TICKRT_API void tickrt_dataset_prefetch(const tickrt_idx *images,
                                        const tickrt_idx *labels,
                                        const int64_t *indices, int64_t count);

/* xoshiro256**: small, fast, and its whole state is four words, saved in
 * checkpoints so a resumed run draws the same numbers. */
typedef struct tickrt_rng {
  uint64_t s[4];
} tickrt_rng;

TICKRT_API void tickrt_rng_seed(tickrt_rng *rng, uint64_t seed);
TICKRT_API uint64_t tickrt_rng_next(tickrt_rng *rng);
/* Uniform in [lo, hi). */
TICKRT_API double tickrt_rng_uniform(tickrt_rng *rng, double lo, double hi);
/* A uniformly random permutation of 0..n-1 (Fisher-Yates). */
TICKRT_API void tickrt_rng_permutation(tickrt_rng *rng, int64_t *out, int64_t n);

/* PyTorch's default initializers. */
typedef enum tickrt_init {
  TICKRT_INIT_ZEROS = 0,
  TICKRT_INIT_ONES = 1,
  TICKRT_INIT_UNIFORM_FAN_IN = 2, /* U(-1/sqrt(fan_in), 1/sqrt(fan_in)) */
} tickrt_init;

TICKRT_API void tickrt_init_tensor(float *data, int64_t count,
                                   tickrt_init init, int64_t fan_in,
                                   tickrt_rng *rng);

#ifdef __cplusplus
}
#endif

#endif /* TICK_RUNTIME_DATA_H */
