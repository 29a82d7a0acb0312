//===- Files.cpp - reading whole files ------------------------------------===//

#include "Files.h"

#include "Error.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

tickrt_status tickrt::readWholeFile(const char *path, size_t maxBytes,
                                    std::vector<uint8_t> &bytes) {
  FILE *f = std::fopen(path, "rb");
  if (!f)
    return fail(TICKRT_ERROR_IO, "%s: cannot open: %s", path,
                std::strerror(errno));
  uint8_t chunk[1 << 16];
  size_t n;
  while ((n = std::fread(chunk, 1, sizeof(chunk), f)) > 0) {
    bytes.insert(bytes.end(), chunk, chunk + n);
    if (bytes.size() > maxBytes) {
      std::fclose(f);
      return fail(TICKRT_ERROR_FORMAT, "%s: larger than %zu bytes", path,
                  maxBytes);
    }
  }
  bool failed = std::ferror(f);
  std::fclose(f);
  if (failed)
    return fail(TICKRT_ERROR_IO, "%s: read error", path);
  return TICKRT_OK;
}
