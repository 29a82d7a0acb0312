//===- Idx.cpp - MNIST-style IDX files, raw or gzip -----------------------===//

#include "Error.h"
#include "Files.h"
#include "tick/Runtime/Data.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <sys/mman.h>
#include <sys/stat.h>
#include <vector>
#include <zlib.h>

namespace {

/// Largest decompressed file accepted: far above Fashion-MNIST's 47 MB, far
/// below what a gzip bomb would make us allocate.
constexpr size_t kMaxBytes = size_t(1) << 31;

/// The bytes of an IDX file in order: the file's own, or what its gzip
/// stream inflates to, straight into the caller's buffer. Input comes from
/// memory (the fuzzers) or from the file a chunk at a time: reading the
/// whole file, inflating it into a vector and copying the data out held
/// the 47 MB of Fashion-MNIST's training images twice, plus the 26 MB of
/// its gzip file.
class IdxBytes {
public:
  IdxBytes(const char *path, std::vector<uint8_t> bytes)
      : path(path), input(std::move(bytes)) {
    start();
  }
  IdxBytes(const char *path, FILE *file) : path(path), file(file) {
    status = refill();
    start();
  }
  ~IdxBytes() {
    if (started)
      inflateEnd(&z);
  }

  bool isGzip() const { return gzipped; }

  /// The bytes not read yet: for raw data, sets `left` to them and returns
  /// true; for a gzip stream, lowers `left` to the most its compressed
  /// bytes can inflate to (deflate's limit is 1032 to 1) and returns false.
  bool bytesLeft(size_t &left) {
    size_t input = this->input.size() - position;
    if (file) {
      struct stat st;
      if (fstat(fileno(file), &st) != 0 || st.st_size < 0)
        return false;
      input += size_t(st.st_size) - std::min(size_t(st.st_size), fileRead);
    }
    if (!gzipped) {
      left = input;
      return true;
    }
    // (plus what inflate may hold back: less than a chunk)
    if (left > kChunk && input < (left - kChunk) / kMostInflation)
      left = input * kMostInflation + kChunk;
    return false;
  }

  /// Reads up to `n` bytes into `dst`; `got` says how many there were.
  tickrt_status read(uint8_t *dst, size_t n, size_t &got) {
    got = 0;
    if (status)
      return status;
    if (!gzipped) {
      got = std::min(n, input.size() - position);
      std::memcpy(dst, input.data() + position, got);
      position += got;
      if (got < n && file) {
        size_t more = std::fread(dst + got, 1, n - got, file);
        fileRead += more;
        got += more;
        if (std::ferror(file))
          return status = tickrt::fail(TICKRT_ERROR_IO, "%s: read error", path);
      }
      return TICKRT_OK;
    }
    if (!started)
      return status = tickrt::fail(TICKRT_ERROR_MEMORY, "%s: cannot start zlib",
                                   path);
    while (got < n && !ended) {
      if (position == input.size())
        if (tickrt_status s = refill())
          return status = s;
      z.next_in = input.data() + position;
      z.avail_in = static_cast<uInt>(input.size() - position);
      uInt want = static_cast<uInt>(std::min<size_t>(n - got, 1u << 30));
      z.next_out = dst + got;
      z.avail_out = want;
      int ret = inflate(&z, Z_NO_FLUSH);
      position = input.size() - z.avail_in;
      got += want - z.avail_out;
      if (ret == Z_STREAM_END)
        ended = true;
      else if (ret != Z_OK)
        return status =
                   tickrt::fail(TICKRT_ERROR_FORMAT,
                                "%s: corrupt or truncated gzip data (%s)", path,
                                z.msg ? z.msg : "unexpected end of input");
    }
    return TICKRT_OK;
  }

  /// How many bytes are left (counting stops past `limit`).
  tickrt_status remaining(size_t limit, size_t &left) {
    left = 0;
    uint8_t chunk[1 << 16];
    size_t got;
    do {
      if (tickrt_status s = read(chunk, sizeof(chunk), got))
        return s;
      left += got;
    } while (got == sizeof(chunk) && left <= limit);
    return TICKRT_OK;
  }

private:
  void start() {
    gzipped = input.size() >= 2 && input[0] == 0x1f && input[1] == 0x8b;
    if (gzipped)
      started = inflateInit2(&z, 16 + MAX_WBITS) == Z_OK;
  }

  /// The next chunk of the file as the input (none at its end).
  tickrt_status refill() {
    input.resize(file ? kChunk : 0);
    position = 0;
    if (!file)
      return TICKRT_OK;
    input.resize(std::fread(input.data(), 1, kChunk, file));
    fileRead += input.size();
    if (std::ferror(file))
      return tickrt::fail(TICKRT_ERROR_IO, "%s: read error", path);
    return TICKRT_OK;
  }

  static constexpr size_t kChunk = 1 << 16;
  static constexpr size_t kMostInflation = 1032;
  const char *path;
  FILE *file = nullptr;
  size_t fileRead = 0; // bytes read from `file` so far
  std::vector<uint8_t> input;
  size_t position = 0;
  bool gzipped = false;
  z_stream z{};
  bool started = false, ended = false;
  tickrt_status status = TICKRT_OK;
};

uint32_t bigEndian32(const uint8_t *p) {
  return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 |
         uint32_t(p[3]);
}

/// Asks the kernel to back `bytes` at `data`, not yet touched, with 2 MiB
/// pages where whole ones fit. A trainer reads shuffled samples' rows all
/// over a dataset (Fashion-MNIST's training images: 47 MB, 784 bytes a
/// row): with 4 KiB pages nearly every row is a TLB miss. Only a hint:
/// where transparent huge pages are off, nothing changes.
void adviseHugePages(uint8_t *data, size_t bytes) {
#ifdef MADV_HUGEPAGE
  constexpr uintptr_t kHuge = uintptr_t(2) << 20;
  uintptr_t begin =
      (reinterpret_cast<uintptr_t>(data) + kHuge - 1) & ~(kHuge - 1);
  uintptr_t end = (reinterpret_cast<uintptr_t>(data) + bytes) & ~(kHuge - 1);
  if (end > begin)
    madvise(reinterpret_cast<void *>(begin), end - begin, MADV_HUGEPAGE);
#else
  (void)data;
  (void)bytes;
#endif
}

/// Fills `out` (its data malloc'ed) from `in`; on error `out` may hold
/// part of it (readIdx frees it).
tickrt_status parseInto(const char *path, IdxBytes &in, tickrt_idx *out) {
  const char *what =
      in.isGzip() ? "gzip-compressed, but what it holds is not" : "not";
  uint8_t head[4 + 4 * 4];
  size_t got;
  if (tickrt_status s = in.read(head, 4, got))
    return s;
  if (got < 4 || head[0] != 0 || head[1] != 0)
    return tickrt::fail(TICKRT_ERROR_FORMAT,
                        "%s: %s an IDX file (bad magic number)", path, what);
  if (head[2] != 0x08)
    return tickrt::fail(TICKRT_ERROR_FORMAT,
                        "%s: IDX data type 0x%02x is not unsigned bytes (0x08)",
                        path, head[2]);
  int rank = head[3];
  if (rank < 1 || rank > 4)
    return tickrt::fail(TICKRT_ERROR_FORMAT, "%s: IDX rank %d is not in 1..4",
                        path, rank);
  size_t header = 4 + 4 * size_t(rank);
  if (tickrt_status s = in.read(head + 4, header - 4, got))
    return s;
  if (got < header - 4)
    return tickrt::fail(TICKRT_ERROR_FORMAT,
                        "%s: truncated IDX header (%zu bytes, need %zu)", path,
                        4 + got, header);
  uint64_t count = 1;
  for (int d = 0; d < rank; ++d) {
    uint32_t size = bigEndian32(&head[4 + 4 * d]);
    if (size == 0)
      return tickrt::fail(TICKRT_ERROR_FORMAT, "%s: IDX dimension %d is 0",
                          path, d);
    if (__builtin_mul_overflow(count, uint64_t(size), &count) ||
        count > kMaxBytes)
      return tickrt::fail(TICKRT_ERROR_FORMAT,
                          "%s: IDX dimensions overflow the size limit", path);
    out->dims[d] = size;
  }
  out->rank = rank;
  out->count = static_cast<int64_t>(count);
  // Raw data says its size: a header that promises more or less than the
  // file holds fails before anything is allocated. A gzip stream bounds
  // what it inflates to, so that a header promising 2 GiB in a small file
  // costs no more than the file could hold.
  auto wrongSize = [&](size_t has) {
    return tickrt::fail(TICKRT_ERROR_FORMAT,
                        "%s: %s: IDX header promises %llu data bytes, the "
                        "file has %zu",
                        path, has < count ? "truncated" : "trailing data",
                        static_cast<unsigned long long>(count), has);
  };
  size_t most = count;
  if (in.bytesLeft(most) && most != count)
    return wrongSize(most);
  size_t capacity = std::min<size_t>(count, most);
  out->data =
      static_cast<uint8_t *>(std::malloc(std::max<size_t>(capacity, 1)));
  if (!out->data)
    return tickrt::fail(TICKRT_ERROR_MEMORY, "%s: out of memory", path);
  adviseHugePages(out->data, capacity);
  tickrt_status s = in.read(out->data, capacity, got);
  size_t extra = 0;
  if (!s && got == capacity)
    s = in.remaining(kMaxBytes, extra);
  if (!s && got + extra != count)
    s = wrongSize(got + extra);
  return s;
}

/// Fills `out` (its data malloc'ed) from `in`; leaves `out` empty on error.
tickrt_status readIdx(const char *path, IdxBytes &in, tickrt_idx *out) {
  *out = tickrt_idx{};
  tickrt_status s = parseInto(path, in, out);
  if (s)
    tickrt_idx_free(out);
  return s;
}

} // namespace

extern "C" tickrt_status tickrt_idx_read(const char *path, tickrt_idx *out) {
  if (!path || !out)
    return tickrt::fail(TICKRT_ERROR_ARGUMENT, "no IDX path given");
  *out = tickrt_idx{};
  FILE *file = std::fopen(path, "rb");
  if (!file)
    return tickrt::fail(TICKRT_ERROR_IO, "%s: cannot open: %s", path,
                        std::strerror(errno));
  tickrt_status s;
  {
    IdxBytes in(path, file);
    s = readIdx(path, in, out);
  }
  std::fclose(file);
  return s;
}

tickrt_status tickrt::parseIdx(const char *path, std::vector<uint8_t> bytes,
                               tickrt_idx *out) {
  IdxBytes in(path, std::move(bytes));
  return readIdx(path, in, out);
}

extern "C" void tickrt_idx_free(tickrt_idx *idx) {
  if (!idx)
    return;
  std::free(idx->data);
  *idx = tickrt_idx{};
}
