//===- Files.h - reading whole files, parsing bytes -------------*- C++ -*-===//
//
// The parsers take bytes, not paths, so the fuzzers can drive them without
// touching the file system; the public entry points read the file first
// (tickrt_idx_read a chunk at a time, through the parser parseIdx uses).
//
//===----------------------------------------------------------------------===//

#ifndef TICK_RUNTIME_LIB_FILES_H
#define TICK_RUNTIME_LIB_FILES_H

#include "tick/Runtime/Checkpoint.h"
#include "tick/Runtime/Data.h"

#include <cstdint>
#include <vector>

namespace tickrt {

/// Reads all of `path`; fails past `maxBytes`.
tickrt_status readWholeFile(const char *path, size_t maxBytes,
                            std::vector<uint8_t> &bytes);

/// An IDX file's contents (raw or gzip); `name` is for messages.
tickrt_status parseIdx(const char *name, std::vector<uint8_t> bytes,
                       tickrt_idx *out);

/// A safetensors file's contents; `name` is for messages.
tickrt_status parseCheckpoint(const char *name, std::vector<uint8_t> bytes,
                              tickrt_checkpoint **out);

} // namespace tickrt

#endif // TICK_RUNTIME_LIB_FILES_H
