//===- IdxFuzzer.cpp - libFuzzer target: the IDX reader -------------------===//

#include "../runtime/lib/Files.h"

#include <cstddef>
#include <cstdint>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  tickrt_idx idx;
  if (tickrt::parseIdx("fuzz.idx", std::vector<uint8_t>(data, data + size),
                       &idx) == TICKRT_OK) {
    // A file that parses has exactly the bytes its header promises.
    volatile uint8_t sum = 0;
    for (int64_t i = 0; i < idx.count; ++i)
      sum += idx.data[i];
    tickrt_idx_free(&idx);
  }
  return 0;
}
