//===- Model.cpp - loading compiled models and describing tensors ---------===//

#include "Error.h"

#include <cstdlib>
#include <dlfcn.h>
#include <string>

struct tickrt_model {
  void *handle;
};

extern "C" tickrt_status tickrt_memref_dense(void *data, int rank,
                                             const int64_t *sizes,
                                             tickrt_memref *out) {
  if (!out || rank < 0 || rank > TICKRT_MAX_RANK || (rank > 0 && !sizes))
    return tickrt::fail(TICKRT_ERROR_ARGUMENT,
                        "tensor rank %d is outside [0, %d]", rank,
                        TICKRT_MAX_RANK);
  *out = tickrt_memref{data, data, 0, {}};
  int64_t stride = 1;
  for (int d = rank - 1; d >= 0; --d) {
    if (sizes[d] < 0)
      return tickrt::fail(TICKRT_ERROR_ARGUMENT, "negative size %lld",
                          static_cast<long long>(sizes[d]));
    out->dims[d] = sizes[d];
    out->dims[rank + d] = stride;
    stride *= sizes[d];
  }
  return TICKRT_OK;
}

extern "C" tickrt_status tickrt_model_open(const char *path,
                                           tickrt_model **model) {
  if (!path || !model)
    return tickrt::fail(TICKRT_ERROR_ARGUMENT, "no model path given");
  void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!handle)
    return tickrt::fail(TICKRT_ERROR_IO, "cannot load model %s: %s", path,
                        dlerror());
  *model = new tickrt_model{handle};
  return TICKRT_OK;
}

/// The address of the model's symbol `prefix` + `function`, or null with
/// the error set (`missing` names what is missing).
static void *functionSymbol(tickrt_model *model, const char *prefix,
                            const char *function, const char *missing) {
  std::string symbol = std::string(prefix) + function;
  void *address = dlsym(model->handle, symbol.c_str());
  if (!address)
    tickrt::fail(TICKRT_ERROR_SYMBOL, "the model has no %s for '%s'", missing,
                 function);
  return address;
}

extern "C" tickrt_status tickrt_model_entry(tickrt_model *model,
                                            const char *function,
                                            tickrt_entry *entry) {
  if (!model || !function || !entry)
    return tickrt::fail(TICKRT_ERROR_ARGUMENT, "no model or function given");
  // tickc emits `_tick_packed_NAME` beside the C interface `_mlir_ciface_NAME`.
  void *address = functionSymbol(model, "_tick_packed_", function, "entry point");
  if (!address)
    return TICKRT_ERROR_SYMBOL;
  *entry = reinterpret_cast<tickrt_entry>(address);
  return TICKRT_OK;
}

extern "C" tickrt_status tickrt_model_arity(tickrt_model *model,
                                            const char *function,
                                            int64_t *arity) {
  if (!model || !function || !arity)
    return tickrt::fail(TICKRT_ERROR_ARGUMENT, "no model or function given");
  // tickc emits the constant `_tick_arity_NAME` beside `_tick_packed_NAME`.
  void *address =
      functionSymbol(model, "_tick_arity_", function, "argument count");
  if (!address)
    return TICKRT_ERROR_SYMBOL;
  *arity = *static_cast<const int64_t *>(address);
  return TICKRT_OK;
}

extern "C" void tickrt_model_close(tickrt_model *model) {
  if (!model)
    return;
  dlclose(model->handle);
  delete model;
}

extern "C" void (*tickrt_model_threads_setter(tickrt_model *model))(int) {
  // The compiled code runs on the libomp the model library links.
  return model ? reinterpret_cast<void (*)(int)>(
                     dlsym(model->handle, "omp_set_num_threads"))
               : nullptr;
}

extern "C" tickrt_parallel_for tickrt_model_parallel_for(tickrt_model *model) {
  // tick-add-parallel-for's function, in every CPU model library.
  return model ? reinterpret_cast<tickrt_parallel_for>(
                     dlsym(model->handle, "_tick_parallel_for"))
               : nullptr;
}

extern "C" tickrt_status tickrt_model_set_num_threads(tickrt_model *model,
                                                      int threads) {
  if (!model)
    return tickrt::fail(TICKRT_ERROR_ARGUMENT, "no model given");
  if (threads < 0)
    return tickrt::fail(TICKRT_ERROR_ARGUMENT, "negative thread count %d",
                        threads);
  if (threads == 0)
    return TICKRT_OK;
  void (*set)(int) = tickrt_model_threads_setter(model);
  if (!set)
    return tickrt::fail(TICKRT_ERROR_SYMBOL,
                        "the model does not link the OpenMP runtime");
  set(threads);
  return TICKRT_OK;
}
