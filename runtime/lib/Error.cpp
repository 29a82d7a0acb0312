//===- Error.cpp - per-thread error messages ------------------------------===//

#include "Error.h"

#include <cstdarg>
#include <cstdio>

namespace {
thread_local char lastError[1024] = "";
} // namespace

tickrt_status tickrt::fail(tickrt_status status, const char *format, ...) {
  va_list args;
  va_start(args, format);
  std::vsnprintf(lastError, sizeof(lastError), format, args);
  va_end(args);
  return status;
}

extern "C" const char *tickrt_last_error(void) { return lastError; }
