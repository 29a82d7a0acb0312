//===- corrupt-checkpoints.cpp - damaged checkpoints never load wrong -----===//
//
// Usage: tick-corrupt-checkpoints CHECKPOINT FLIPS SEED
//
// Loads every truncation of CHECKPOINT and FLIPS copies with one random bit
// flipped, through the runtime's public API. Each must be rejected with a
// message, or load exactly what the original holds: every tensor bit for
// bit and the metadata. Prints the counts; exits 1 on any other outcome.
//
//===----------------------------------------------------------------------===//

#include "tick/Runtime/Checkpoint.h"

#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

namespace {

struct Expected {
  std::string name;
  std::vector<int64_t> shape;
  std::vector<float> data;
};

const char *kMetadata[] = {"tick.epoch", "tick.tick", "tick.ticks_done",
                           "tick.batch_size", "tick.rng", "tick.optimizer"};

/// What the original holds, read with the same API.
bool readAll(const char *path, const std::vector<Expected> &want,
             std::vector<std::vector<float>> &data,
             std::vector<std::string> &metadata) {
  tickrt_checkpoint *c;
  if (tickrt_checkpoint_open(path, &c))
    return false;
  bool ok = true;
  data.clear();
  for (const Expected &e : want) {
    std::vector<float> buffer(e.data.size());
    tickrt_named_tensor t{e.name.c_str(), static_cast<int>(e.shape.size()), {},
                          buffer.data()};
    for (size_t d = 0; d < e.shape.size(); ++d)
      t.shape[d] = e.shape[d];
    ok = ok && tickrt_checkpoint_read(c, &t) == TICKRT_OK;
    data.push_back(std::move(buffer));
  }
  metadata.clear();
  for (const char *key : kMetadata) {
    const char *v = tickrt_checkpoint_metadata(c, key);
    metadata.push_back(v ? v : "<none>");
  }
  tickrt_checkpoint_close(c);
  return ok;
}

} // namespace

int main(int argc, char **argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s CHECKPOINT FLIPS SEED\n", argv[0]);
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  std::vector<char> original((std::istreambuf_iterator<char>(in)), {});
  long flips = std::atol(argv[2]);
  std::mt19937_64 rng(std::strtoull(argv[3], nullptr, 10));

  // The tensors the original holds: the reference network's, from its
  // header (names and shapes as tickc saves them).
  std::vector<Expected> want;
  {
    uint64_t size = 0;
    std::memcpy(&size, original.data(), 8);
    std::string header(original.data() + 8, size);
    for (size_t pos = 0; (pos = header.find("\"dtype\"", pos)) != std::string::npos; ++pos) {
      size_t nameEnd = header.rfind("\":{", pos);
      size_t nameStart = header.rfind('"', nameEnd - 1) + 1;
      Expected e{header.substr(nameStart, nameEnd - nameStart), {}, {}};
      size_t shape = header.find('[', pos), close = header.find(']', shape);
      std::string dims = header.substr(shape + 1, close - shape - 1);
      int64_t count = 1;
      for (size_t i = 0; i < dims.size();) {
        size_t comma = dims.find(',', i);
        int64_t d = std::stoll(dims.substr(i, comma - i));
        e.shape.push_back(d);
        count *= d;
        i = comma == std::string::npos ? dims.size() : comma + 1;
      }
      e.data.resize(count);
      want.push_back(std::move(e));
    }
  }
  std::vector<std::vector<float>> goodData;
  std::vector<std::string> goodMeta;
  if (!readAll(argv[1], want, goodData, goodMeta)) {
    std::fprintf(stderr, "the original does not load: %s\n", tickrt_last_error());
    return 2;
  }

  std::string scratch = std::string(argv[1]) + ".damaged";
  long rejected = 0, identical = 0, wrong = 0;
  auto attempt = [&](const std::vector<char> &bytes, const char *what) {
    std::ofstream(scratch, std::ios::binary | std::ios::trunc)
        .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    std::vector<std::vector<float>> data;
    std::vector<std::string> meta;
    if (!readAll(scratch.c_str(), want, data, meta)) {
      if (!*tickrt_last_error()) {
        std::printf("rejected without a message: %s\n", what);
        ++wrong;
      }
      ++rejected;
      return;
    }
    bool same = meta == goodMeta;
    for (size_t i = 0; same && i < data.size(); ++i)
      same = std::memcmp(data[i].data(), goodData[i].data(),
                         data[i].size() * sizeof(float)) == 0;
    if (same) {
      ++identical;
    } else {
      std::printf("loaded different contents: %s\n", what);
      ++wrong;
    }
  };

  for (size_t length = 0; length < original.size(); ++length)
    attempt(std::vector<char>(original.begin(), original.begin() + length),
            ("truncated to " + std::to_string(length)).c_str());
  long truncations = static_cast<long>(original.size());
  for (long i = 0; i < flips; ++i) {
    std::vector<char> bytes = original;
    uint64_t bit = rng() % (bytes.size() * 8);
    bytes[bit / 8] ^= static_cast<char>(1 << (bit % 8));
    attempt(bytes, ("bit " + std::to_string(bit) + " flipped").c_str());
  }
  std::remove(scratch.c_str());
  std::printf("%ld truncations and %ld bit flips: %ld rejected with a message, "
              "%ld loaded identically, %ld wrong\n",
              truncations, flips, rejected, identical, wrong);
  return wrong ? 1 : 0;
}
