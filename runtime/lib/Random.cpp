//===- Random.cpp - seeded random numbers and initializers ----------------===//

#include "tick/Runtime/Data.h"

#include <cmath>

namespace {

uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

/// splitmix64 spreads one seed over the four state words.
uint64_t splitmix64(uint64_t &x) {
  uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

} // namespace

extern "C" void tickrt_rng_seed(tickrt_rng *rng, uint64_t seed) {
  for (uint64_t &word : rng->s)
    word = splitmix64(seed);
}

extern "C" uint64_t tickrt_rng_next(tickrt_rng *rng) {
  uint64_t *s = rng->s;
  uint64_t result = rotl(s[1] * 5, 7) * 9;
  uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return result;
}

extern "C" double tickrt_rng_uniform(tickrt_rng *rng, double lo, double hi) {
  // 53 random bits: every double in [0, 1) with that spacing.
  double unit = (tickrt_rng_next(rng) >> 11) * 0x1.0p-53;
  return lo + (hi - lo) * unit;
}

extern "C" void tickrt_rng_permutation(tickrt_rng *rng, int64_t *out,
                                       int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    out[i] = i;
  for (int64_t i = n - 1; i > 0; --i) {
    // Lemire's multiply-shift maps 64 random bits onto [0, i] with a bias
    // below 2^-40 for the sizes of data sets.
    uint64_t j = static_cast<uint64_t>(
        (static_cast<unsigned __int128>(tickrt_rng_next(rng)) * uint64_t(i + 1)) >> 64);
    int64_t t = out[i];
    out[i] = out[j];
    out[j] = t;
  }
}

extern "C" void tickrt_init_tensor(float *data, int64_t count, tickrt_init init,
                                   int64_t fanIn, tickrt_rng *rng) {
  if (init == TICKRT_INIT_UNIFORM_FAN_IN) {
    double bound = 1.0 / std::sqrt(static_cast<double>(fanIn));
    for (int64_t i = 0; i < count; ++i)
      data[i] = static_cast<float>(tickrt_rng_uniform(rng, -bound, bound));
    return;
  }
  float value = init == TICKRT_INIT_ONES ? 1.0f : 0.0f;
  for (int64_t i = 0; i < count; ++i)
    data[i] = value;
}
