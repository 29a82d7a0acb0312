//===- Checkpoint.cpp - safetensors files, saved atomically ---------------===//

#include "Error.h"
#include "Files.h"
#include "Json.h"
#include "tick/Runtime/Checkpoint.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <strings.h>
#include <fcntl.h>
#include <map>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>
#include <zlib.h>

namespace {

/// The header may not claim more: it bounds the allocation made before the
/// header is parsed.
constexpr uint64_t kMaxHeader = 100 << 20;
/// Checkpoints of the small networks Tick trains are megabytes.
constexpr size_t kMaxFile = size_t(4) << 30;

int64_t dtypeSize(const std::string &dtype) {
  static const std::map<std::string, int64_t> sizes = {
      {"F64", 8}, {"F32", 4}, {"F16", 2}, {"BF16", 2}, {"I64", 8},
      {"I32", 4}, {"I16", 2}, {"I8", 1},  {"U8", 1},   {"BOOL", 1}};
  auto it = sizes.find(dtype);
  return it == sizes.end() ? 0 : it->second;
}

struct Entry {
  std::string dtype;
  std::vector<int64_t> shape;
  uint64_t begin, end;
};

/// The metadata key of the checksum Tick writes. Files without it (from
/// PyTorch, say) load unchecked.
constexpr const char *kChecksumKey = "tick.checksum";

/// CRC-32 of everything a loader uses: each tensor's name, dtype, shape and
/// byte range, each metadata entry but the checksum, in name order, and the
/// data section. Safetensors has no checksum of its own, and a flipped bit
/// in the data would otherwise load as a different weight.
uint32_t checksum(const std::map<std::string, Entry> &tensors,
                  const std::map<std::string, std::string> &metadata,
                  const uint8_t *data, size_t size) {
  std::string canonical;
  for (const auto &[name, e] : tensors) {
    canonical += "t:" + name + "=" + e.dtype + ":";
    for (int64_t d : e.shape)
      canonical += std::to_string(d) + ",";
    canonical += std::to_string(e.begin) + "-" + std::to_string(e.end) + "\n";
  }
  for (const auto &[key, value] : metadata)
    if (key != kChecksumKey)
      canonical += "m:" + key + "=" + value + "\n";
  uLong crc = crc32(0L, Z_NULL, 0);
  crc = crc32(crc, reinterpret_cast<const Bytef *>(canonical.data()),
              static_cast<uInt>(canonical.size()));
  // zlib takes uInt lengths: feed large data sections in pieces.
  for (size_t done = 0; done < size;) {
    size_t piece = std::min<size_t>(size - done, 1u << 30);
    crc = crc32(crc, data + done, static_cast<uInt>(piece));
    done += piece;
  }
  return static_cast<uint32_t>(crc);
}

bool writeAll(int fd, const void *data, size_t size) {
  const char *p = static_cast<const char *>(data);
  while (size > 0) {
    ssize_t n = ::write(fd, p, size);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return false;
    p += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

std::string directoryOf(const std::string &path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos)
    return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

} // namespace

struct tickrt_checkpoint {
  std::string path;
  std::vector<uint8_t> data; // the data section
  std::map<std::string, Entry> tensors;
  std::map<std::string, std::string> metadata;
};

extern "C" tickrt_status tickrt_checkpoint_save(
    const char *path, const tickrt_named_tensor *tensors, int64_t count,
    const tickrt_metadata_entry *metadata, int64_t metadataCount) {
  if (!path || (count > 0 && !tensors) || (metadataCount > 0 && !metadata))
    return tickrt::fail(TICKRT_ERROR_ARGUMENT, "nothing to save");

  // The same entries a loader will parse, for the checksum.
  std::map<std::string, Entry> entries;
  std::map<std::string, std::string> meta;
  std::vector<uint8_t> data;
  for (int64_t i = 0; i < count; ++i) {
    uint64_t n = 1;
    for (int d = 0; d < tensors[i].rank; ++d)
      n *= static_cast<uint64_t>(tensors[i].shape[d]);
    const uint8_t *bytes = reinterpret_cast<const uint8_t *>(tensors[i].data);
    entries[tensors[i].name] =
        Entry{"F32", std::vector<int64_t>(tensors[i].shape, tensors[i].shape + tensors[i].rank),
              data.size(), data.size() + n * sizeof(float)};
    data.insert(data.end(), bytes, bytes + n * sizeof(float)); // little endian
  }
  for (int64_t i = 0; i < metadataCount; ++i)
    meta[metadata[i].key] = metadata[i].value;
  char crcText[16];
  std::snprintf(crcText, sizeof(crcText), "%08x",
                checksum(entries, meta, data.data(), data.size()));

  std::string header = "{\"__metadata__\":{";
  for (int64_t i = 0; i < metadataCount; ++i)
    header += tickrt::json::quote(metadata[i].key) + ":" +
              tickrt::json::quote(metadata[i].value) + ",";
  header += tickrt::json::quote(kChecksumKey) + ":" + tickrt::json::quote(crcText) + "}";
  uint64_t offset = 0;
  for (int64_t i = 0; i < count; ++i) {
    const tickrt_named_tensor &t = tensors[i];
    uint64_t bytes = 4;
    std::string shape;
    for (int d = 0; d < t.rank; ++d) {
      bytes *= static_cast<uint64_t>(t.shape[d]);
      shape += (d ? "," : "") + std::to_string(t.shape[d]);
    }
    header += "," + tickrt::json::quote(t.name) +
              ":{\"dtype\":\"F32\",\"shape\":[" + shape +
              "],\"data_offsets\":[" + std::to_string(offset) + "," +
              std::to_string(offset + bytes) + "]}";
    offset += bytes;
  }
  header += "}";
  header.append((8 - header.size() % 8) % 8, ' '); // 8-byte aligned data

  // Everything goes to a temporary file beside the target, which replaces
  // the target only once it is complete and on disk.
  std::string tmp = std::string(path) + ".tmp.XXXXXX";
  std::vector<char> name(tmp.begin(), tmp.end());
  name.push_back('\0');
  int fd = ::mkstemp(name.data());
  if (fd < 0)
    return tickrt::fail(TICKRT_ERROR_IO, "%s: cannot create a temporary file: %s",
                        path, std::strerror(errno));
  // mkstemp makes the file private; a checkpoint gets the usual 0666 & ~umask.
  mode_t mask = ::umask(0);
  ::umask(mask);
  ::fchmod(fd, 0666 & ~mask);
  uint64_t headerSize = header.size();
  uint8_t sizeBytes[8];
  for (int i = 0; i < 8; ++i)
    sizeBytes[i] = static_cast<uint8_t>(headerSize >> (8 * i));
  bool ok = writeAll(fd, sizeBytes, 8) &&
            writeAll(fd, header.data(), header.size()) &&
            writeAll(fd, data.data(), data.size());
  int savedErrno = errno;
  ok = ok && ::fsync(fd) == 0;
  if (!ok)
    savedErrno = errno ? errno : savedErrno;
  ok = (::close(fd) == 0) && ok;
  if (!ok || ::rename(name.data(), path) != 0) {
    int e = ok ? errno : savedErrno;
    ::unlink(name.data());
    return tickrt::fail(TICKRT_ERROR_IO, "%s: cannot save: %s", path,
                        std::strerror(e ? e : EIO));
  }
  // The rename itself is durable once the directory is.
  int dir = ::open(directoryOf(path).c_str(), O_RDONLY | O_DIRECTORY);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return TICKRT_OK;
}

extern "C" tickrt_status tickrt_checkpoint_open(const char *path,
                                                tickrt_checkpoint **out) {
  if (!path || !out)
    return tickrt::fail(TICKRT_ERROR_ARGUMENT, "no checkpoint path given");
  std::vector<uint8_t> bytes;
  if (tickrt_status s = tickrt::readWholeFile(path, kMaxFile, bytes))
    return s;
  return tickrt::parseCheckpoint(path, std::move(bytes), out);
}

tickrt_status tickrt::parseCheckpoint(const char *path,
                                      std::vector<uint8_t> bytes,
                                      tickrt_checkpoint **out) {
  if (bytes.size() < 8)
    return tickrt::fail(TICKRT_ERROR_FORMAT,
                        "%s: not a safetensors file (%zu bytes, no header size)",
                        path, bytes.size());
  uint64_t headerSize = 0;
  for (int i = 7; i >= 0; --i)
    headerSize = headerSize << 8 | bytes[i];
  if (headerSize > kMaxHeader || headerSize > bytes.size() - 8)
    return tickrt::fail(TICKRT_ERROR_FORMAT,
                        "%s: header size %llu does not fit in the file (%zu "
                        "bytes): truncated or not a safetensors file",
                        path, static_cast<unsigned long long>(headerSize),
                        bytes.size());
  std::string text(bytes.begin() + 8, bytes.begin() + 8 + headerSize);
  tickrt::json::Value header;
  std::string error;
  if (!tickrt::json::parse(text, header, error))
    return tickrt::fail(TICKRT_ERROR_FORMAT, "%s: bad header: %s", path,
                        error.c_str());
  if (header.kind != tickrt::json::Value::Object)
    return tickrt::fail(TICKRT_ERROR_FORMAT, "%s: header is not an object", path);

  auto checkpoint = new tickrt_checkpoint{path, {}, {}, {}};
  auto reject = [&](const std::string &what) {
    delete checkpoint;
    return tickrt::fail(TICKRT_ERROR_FORMAT, "%s: %s", path, what.c_str());
  };
  uint64_t dataSize = bytes.size() - 8 - headerSize;
  std::vector<std::pair<uint64_t, uint64_t>> ranges;
  for (const auto &[name, value] : header.object) {
    if (name == "__metadata__") {
      if (value.kind != tickrt::json::Value::Object)
        return reject("__metadata__ is not an object");
      for (const auto &[k, v] : value.object) {
        if (v.kind != tickrt::json::Value::String)
          return reject("metadata value of '" + k + "' is not a string");
        checkpoint->metadata[k] = v.string;
      }
      continue;
    }
    const tickrt::json::Value *dtype = value.find("dtype");
    const tickrt::json::Value *shape = value.find("shape");
    const tickrt::json::Value *offsets = value.find("data_offsets");
    if (value.kind != tickrt::json::Value::Object || !dtype || !shape ||
        !offsets || dtype->kind != tickrt::json::Value::String ||
        shape->kind != tickrt::json::Value::Array ||
        offsets->kind != tickrt::json::Value::Array || offsets->array.size() != 2)
      return reject("tensor '" + name +
                    "' lacks a dtype, shape or two data_offsets");
    int64_t elementSize = dtypeSize(dtype->string);
    if (!elementSize)
      return reject("tensor '" + name + "' has unknown dtype '" +
                    dtype->string + "'");
    Entry entry{dtype->string, {}, 0, 0};
    uint64_t expected = static_cast<uint64_t>(elementSize);
    for (const tickrt::json::Value &d : shape->array) {
      if (d.kind != tickrt::json::Value::Integer || d.integer < 0)
        return reject("tensor '" + name + "' has a bad dimension");
      if (__builtin_mul_overflow(expected, static_cast<uint64_t>(d.integer), &expected))
        return reject("tensor '" + name + "' is too large");
      entry.shape.push_back(d.integer);
    }
    for (const tickrt::json::Value &o : offsets->array)
      if (o.kind != tickrt::json::Value::Integer || o.integer < 0)
        return reject("tensor '" + name + "' has a bad data offset");
    entry.begin = static_cast<uint64_t>(offsets->array[0].integer);
    entry.end = static_cast<uint64_t>(offsets->array[1].integer);
    if (entry.begin > entry.end || entry.end > dataSize)
      return reject("tensor '" + name + "' lies outside the data section (" +
                    std::to_string(entry.begin) + ".." +
                    std::to_string(entry.end) + " of " +
                    std::to_string(dataSize) + " bytes): truncated file?");
    if (entry.end - entry.begin != expected)
      return reject("tensor '" + name + "' has " +
                    std::to_string(entry.end - entry.begin) +
                    " bytes for a shape that needs " + std::to_string(expected));
    ranges.emplace_back(entry.begin, entry.end);
    checkpoint->tensors[name] = std::move(entry);
  }
  std::sort(ranges.begin(), ranges.end());
  for (size_t i = 1; i < ranges.size(); ++i)
    if (ranges[i].first < ranges[i - 1].second)
      return reject("tensors overlap in the data section");
  checkpoint->data.assign(bytes.begin() + 8 + headerSize, bytes.end());
  auto stored = checkpoint->metadata.find(kChecksumKey);
  if (stored != checkpoint->metadata.end()) {
    char computed[16];
    std::snprintf(computed, sizeof(computed), "%08x",
                  checksum(checkpoint->tensors, checkpoint->metadata,
                           checkpoint->data.data(), checkpoint->data.size()));
    if (strcasecmp(stored->second.c_str(), computed) != 0)
      return reject("checksum mismatch (stored " + stored->second +
                    ", computed " + computed + "): the file is corrupt");
  }
  *out = checkpoint;
  return TICKRT_OK;
}

extern "C" tickrt_status tickrt_checkpoint_read(tickrt_checkpoint *checkpoint,
                                                const tickrt_named_tensor *t) {
  if (!checkpoint || !t || !t->name)
    return tickrt::fail(TICKRT_ERROR_ARGUMENT, "no checkpoint or tensor given");
  auto it = checkpoint->tensors.find(t->name);
  if (it == checkpoint->tensors.end())
    return tickrt::fail(TICKRT_ERROR_FORMAT,
                        "%s: no tensor '%s' (a checkpoint of another model?)",
                        checkpoint->path.c_str(), t->name);
  const Entry &e = it->second;
  if (e.dtype != "F32")
    return tickrt::fail(TICKRT_ERROR_FORMAT, "%s: tensor '%s' is %s, not F32",
                        checkpoint->path.c_str(), t->name, e.dtype.c_str());
  bool same = e.shape.size() == static_cast<size_t>(t->rank);
  std::string want, got;
  for (int d = 0; d < t->rank; ++d) {
    want += (d ? "x" : "") + std::to_string(t->shape[d]);
    same = same && e.shape[d] == t->shape[d];
  }
  for (size_t d = 0; d < e.shape.size(); ++d)
    got += (d ? "x" : "") + std::to_string(e.shape[d]);
  if (!same)
    return tickrt::fail(TICKRT_ERROR_FORMAT,
                        "%s: tensor '%s' has shape [%s], the model needs [%s] "
                        "(a checkpoint of another model?)",
                        checkpoint->path.c_str(), t->name, got.c_str(),
                        want.c_str());
  std::memcpy(t->data, checkpoint->data.data() + e.begin, e.end - e.begin);
  return TICKRT_OK;
}

extern "C" const char *tickrt_checkpoint_metadata(tickrt_checkpoint *checkpoint,
                                                  const char *key) {
  if (!checkpoint || !key)
    return nullptr;
  auto it = checkpoint->metadata.find(key);
  return it == checkpoint->metadata.end() ? nullptr : it->second.c_str();
}

extern "C" void tickrt_checkpoint_close(tickrt_checkpoint *checkpoint) {
  delete checkpoint;
}
