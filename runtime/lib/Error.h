//===- Error.h - per-thread error messages ----------------------*- C++ -*-===//

#ifndef TICK_RUNTIME_LIB_ERROR_H
#define TICK_RUNTIME_LIB_ERROR_H

#include "tick/Runtime/Runtime.h"

namespace tickrt {

/// Records a printf-style message for tickrt_last_error and returns status.
tickrt_status fail(tickrt_status status, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

} // namespace tickrt

#endif // TICK_RUNTIME_LIB_ERROR_H
