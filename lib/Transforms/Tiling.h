//===- Tiling.h - tile sizes the CPU passes share ----------------*- C++ -*-===//

#ifndef TICK_LIB_TRANSFORMS_TILING_H
#define TICK_LIB_TRANSFORMS_TILING_H

#include <algorithm>
#include <cstdint>

namespace tick {

/// The largest divisor of `size` that is at most `limit` (at least 1): a
/// tile size that splits a static dimension into static tiles.
inline int64_t largestDivisorAtMost(int64_t size, int64_t limit) {
  for (int64_t d = std::min(size, limit); d > 1; --d)
    if (size % d == 0)
      return d;
  return 1;
}

} // namespace tick

#endif // TICK_LIB_TRANSFORMS_TILING_H
