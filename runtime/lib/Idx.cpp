//===- Idx.cpp - MNIST-style IDX files, raw or gzip -----------------------===//

#include "Error.h"
#include "Files.h"
#include "tick/Runtime/Data.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>
#include <zlib.h>

namespace {

/// Largest decompressed file accepted: far above Fashion-MNIST's 47 MB, far
/// below what a gzip bomb would make us allocate.
constexpr size_t kMaxBytes = size_t(1) << 31;

bool isGzip(const std::vector<uint8_t> &bytes) {
  return bytes.size() >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b;
}

tickrt_status gunzip(const char *path, const std::vector<uint8_t> &in,
                     std::vector<uint8_t> &out) {
  z_stream z{};
  if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
    return tickrt::fail(TICKRT_ERROR_MEMORY, "%s: cannot start zlib", path);
  z.next_in = const_cast<Bytef *>(in.data());
  z.avail_in = static_cast<uInt>(in.size());
  uint8_t chunk[1 << 16];
  int ret;
  do {
    z.next_out = chunk;
    z.avail_out = sizeof(chunk);
    ret = inflate(&z, Z_NO_FLUSH);
    if (ret != Z_OK && ret != Z_STREAM_END)
      break;
    out.insert(out.end(), chunk, chunk + (sizeof(chunk) - z.avail_out));
    if (out.size() > kMaxBytes)
      break;
  } while (ret != Z_STREAM_END && (z.avail_in > 0 || z.avail_out == 0));
  inflateEnd(&z);
  if (out.size() > kMaxBytes)
    return tickrt::fail(TICKRT_ERROR_FORMAT,
                        "%s: decompresses to more than %zu bytes", path,
                        kMaxBytes);
  if (ret != Z_STREAM_END)
    return tickrt::fail(TICKRT_ERROR_FORMAT,
                        "%s: corrupt or truncated gzip data (%s)", path,
                        z.msg ? z.msg : "unexpected end of input");
  return TICKRT_OK;
}

uint32_t bigEndian32(const uint8_t *p) {
  return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 |
         uint32_t(p[3]);
}

} // namespace

extern "C" tickrt_status tickrt_idx_read(const char *path, tickrt_idx *out) {
  if (!path || !out)
    return tickrt::fail(TICKRT_ERROR_ARGUMENT, "no IDX path given");
  *out = tickrt_idx{};
  std::vector<uint8_t> bytes;
  if (tickrt_status s = tickrt::readWholeFile(path, kMaxBytes, bytes))
    return s;
  return tickrt::parseIdx(path, std::move(bytes), out);
}

tickrt_status tickrt::parseIdx(const char *path, std::vector<uint8_t> bytes,
                               tickrt_idx *out) {
  *out = tickrt_idx{};
  bool gzipped = isGzip(bytes);
  if (gzipped) {
    std::vector<uint8_t> plain;
    if (tickrt_status s = gunzip(path, bytes, plain))
      return s;
    bytes.swap(plain);
  }
  const char *what = gzipped ? "gzip-compressed, but what it holds is not"
                             : "not";
  if (bytes.size() < 4 || bytes[0] != 0 || bytes[1] != 0)
    return tickrt::fail(TICKRT_ERROR_FORMAT,
                        "%s: %s an IDX file (bad magic number)", path, what);
  if (bytes[2] != 0x08)
    return tickrt::fail(TICKRT_ERROR_FORMAT,
                        "%s: IDX data type 0x%02x is not unsigned bytes (0x08)",
                        path, bytes[2]);
  int rank = bytes[3];
  if (rank < 1 || rank > 4)
    return tickrt::fail(TICKRT_ERROR_FORMAT, "%s: IDX rank %d is not in 1..4",
                        path, rank);
  size_t header = 4 + 4 * size_t(rank);
  if (bytes.size() < header)
    return tickrt::fail(TICKRT_ERROR_FORMAT,
                        "%s: truncated IDX header (%zu bytes, need %zu)", path,
                        bytes.size(), header);
  uint64_t count = 1;
  for (int d = 0; d < rank; ++d) {
    uint32_t size = bigEndian32(&bytes[4 + 4 * d]);
    if (size == 0)
      return tickrt::fail(TICKRT_ERROR_FORMAT, "%s: IDX dimension %d is 0",
                          path, d);
    if (__builtin_mul_overflow(count, uint64_t(size), &count) ||
        count > kMaxBytes)
      return tickrt::fail(TICKRT_ERROR_FORMAT,
                          "%s: IDX dimensions overflow the size limit", path);
    out->dims[d] = size;
  }
  if (bytes.size() != header + count)
    return tickrt::fail(TICKRT_ERROR_FORMAT,
                        "%s: %s: IDX header promises %llu data bytes, the "
                        "file has %zu",
                        path, bytes.size() < header + count ? "truncated"
                                                            : "trailing data",
                        static_cast<unsigned long long>(count),
                        bytes.size() - header);
  out->rank = rank;
  out->count = static_cast<int64_t>(count);
  out->data = static_cast<uint8_t *>(std::malloc(count));
  if (!out->data)
    return tickrt::fail(TICKRT_ERROR_MEMORY, "%s: out of memory", path);
  std::memcpy(out->data, bytes.data() + header, count);
  return TICKRT_OK;
}

extern "C" void tickrt_idx_free(tickrt_idx *idx) {
  if (!idx)
    return;
  std::free(idx->data);
  *idx = tickrt_idx{};
}
