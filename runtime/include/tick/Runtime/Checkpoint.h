/*===- Checkpoint.h - Tick runtime: safetensors files --------------------===*\
|*                                                                            *|
|* Checkpoints are safetensors files: PyTorch loads them with                 *|
|* safetensors.torch.load_file, and their tensor names are state_dict keys.  *|
|* Saving is atomic (temporary file, fsync, rename, fsync of the directory): *|
|* a crash or a full disk leaves the previous file as it was. Loading checks *|
|* everything before trusting anything.                                      *|
\*===----------------------------------------------------------------------===*/

#ifndef TICK_RUNTIME_CHECKPOINT_H
#define TICK_RUNTIME_CHECKPOINT_H

#include "tick/Runtime/Runtime.h"

#ifdef __cplusplus
extern "C" {
#endif

/* An f32 tensor to save, or the slot to load one into. */
typedef struct tickrt_named_tensor {
  const char *name;
  int rank;
  int64_t shape[TICKRT_MAX_RANK];
  float *data;
} tickrt_named_tensor;

typedef struct tickrt_metadata_entry {
  const char *key;
  const char *value;
} tickrt_metadata_entry;

/* Writes `tensors` and the string `metadata` to `path` atomically. */
TICKRT_API tickrt_status tickrt_checkpoint_save(
    const char *path, const tickrt_named_tensor *tensors, int64_t count,
    const tickrt_metadata_entry *metadata, int64_t metadata_count);

typedef struct tickrt_checkpoint tickrt_checkpoint;

/* Opens and validates a safetensors file: header size within the file,
 * well-formed JSON, known dtypes, byte ranges inside the data section that
 * match their shapes and do not overlap. */
TICKRT_API tickrt_status tickrt_checkpoint_open(const char *path,
                                                tickrt_checkpoint **out);
/* Copies tensor `t->name` into `t->data`; it must be F32 of shape t->shape. */
TICKRT_API tickrt_status tickrt_checkpoint_read(tickrt_checkpoint *checkpoint,
                                                const tickrt_named_tensor *t);
/* A metadata value, or NULL. Valid until the checkpoint is closed. */
TICKRT_API const char *tickrt_checkpoint_metadata(tickrt_checkpoint *checkpoint,
                                                  const char *key);
TICKRT_API void tickrt_checkpoint_close(tickrt_checkpoint *checkpoint);

#ifdef __cplusplus
}
#endif

#endif /* TICK_RUNTIME_CHECKPOINT_H */
