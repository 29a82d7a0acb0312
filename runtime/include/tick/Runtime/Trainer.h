/*===- Trainer.h - Tick runtime: training and evaluating a compiled model -===*\
|*                                                                            *|
|* The host side of training, shared by `tickc train`/`tickc eval` and the   *|
|* standalone trainers `tickc compile --emit=exe` writes: data, shuffled     *|
|* batches, the loop of ticks (one call of the compiled train step each),    *|
|* progress, evaluation, checkpoints and metrics. Everything numeric runs    *|
|* in the compiled code; only the test loss is computed here, in double     *|
|* precision, from the logits. Results go to stdout, progress and errors to  *|
|* stderr as "PROGRAM: error: ...".                                          *|
\*===----------------------------------------------------------------------===*/

#ifndef TICK_RUNTIME_TRAINER_H
#define TICK_RUNTIME_TRAINER_H

#include "tick/Runtime/Data.h"
#include "tick/Runtime/Runtime.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Exit codes of tickc and of standalone trainers. */
enum {
  TICKRT_EXIT_OK = 0,
  TICKRT_EXIT_MODEL = 1,  /* the model or an input stage is wrong */
  TICKRT_EXIT_USAGE = 2,  /* bad command line */
  TICKRT_EXIT_IO = 3,     /* a file cannot be read or written, or is malformed */
  TICKRT_EXIT_TOOL = 4,   /* code generation or linking failed */
  TICKRT_EXIT_DEVICE = 5, /* no GPU or driver, or the GPU failed */
};

/* A parameter or optimizer state tensor ("optimizer." names) of the model,
 * in the order of the leading arguments of every entry point. */
typedef struct tickrt_trainer_parameter {
  const char *name;
  int rank;
  int64_t shape[TICKRT_MAX_RANK];
  tickrt_init init;
  int64_t fan_in;
} tickrt_trainer_parameter;

/* A model compiled for one batch size. */
typedef struct tickrt_trainer_model {
  const char *name; /* shown in messages: the model file */
  int num_parameters;
  const tickrt_trainer_parameter *parameters;
  int input_rank; /* of one sample: [1, 28, 28] has rank 3 */
  int64_t input_shape[TICKRT_MAX_RANK];
  int64_t classes;
  int64_t batch_size;
  int labels32;          /* i32 labels instead of i64 */
  const char *optimizer; /* sgd, adam or adamw; NULL: no train step */
  int cuda;              /* the compiled code takes device memory */
  tickrt_entry forward, train_step;
  void (*set_num_threads)(int); /* OpenMP threads; NULL: none */
  tickrt_parallel_for parallel_for; /* gathers batches; NULL: one thread */
} tickrt_trainer_model;

typedef struct tickrt_train_options {
  const char *program; /* message prefix: "tickc" */
  const char *data;    /* directory of the four IDX files */
  const char *save, *resume, *weights, *metrics; /* NULL: none */
  int64_t epochs;      /* 0: unless ticks, 10 */
  int64_t ticks;       /* 0: whole epochs */
  int64_t save_every;  /* 0: at the end only */
  uint64_t seed;
  int shuffle;
  int threads; /* 0: the OpenMP default */
} tickrt_train_options;

/* Train, or report the test loss and accuracy of options->weights.
 * Return a TICKRT_EXIT_* code, after printing why when it is not OK. */
TICKRT_API int tickrt_train(const tickrt_trainer_model *model,
                            const tickrt_train_options *options);
TICKRT_API int tickrt_evaluate(const tickrt_trainer_model *model,
                               const tickrt_train_options *options);

/* Times `calls` calls of the compiled forward on one batch of synthetic
 * inputs (no data set needed), after 10 more to warm up, and prints the
 * median microseconds per call. */
TICKRT_API int tickrt_bench_forward(const tickrt_trainer_model *model,
                                    const tickrt_train_options *options,
                                    int64_t calls);

/* main() of a standalone trainer: parses argv (--help lists the options),
 * then trains or evaluates. */
TICKRT_API int tickrt_trainer_main(const tickrt_trainer_model *model, int argc,
                                   char **argv);

#ifdef __cplusplus
}
#endif

#endif /* TICK_RUNTIME_TRAINER_H */
