//===- CheckpointFuzzer.cpp - libFuzzer target: the safetensors reader ----===//

#include "../runtime/lib/Files.h"

#include <cstddef>
#include <cstdint>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  tickrt_checkpoint *checkpoint;
  if (tickrt::parseCheckpoint("fuzz.safetensors",
                              std::vector<uint8_t>(data, data + size),
                              &checkpoint) != TICKRT_OK)
    return 0;
  // Read what the reference network would ask for, whatever the file holds.
  static float buffer[128 * 784];
  const tickrt_named_tensor wants[] = {
      {"fc1.weight", 2, {128, 784}, buffer},
      {"fc1.bias", 1, {128}, buffer},
      {"optimizer.step", 0, {}, buffer},
  };
  for (const tickrt_named_tensor &t : wants)
    (void)tickrt_checkpoint_read(checkpoint, &t);
  (void)tickrt_checkpoint_metadata(checkpoint, "tick.rng");
  tickrt_checkpoint_close(checkpoint);
  return 0;
}
