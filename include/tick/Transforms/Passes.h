//===- Passes.h - Tick code generation passes -------------------*- C++ -*-===//

#ifndef TICK_TRANSFORMS_PASSES_H
#define TICK_TRANSFORMS_PASSES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"

namespace tick {

/// A core's L2 cache: an operand larger than this is read from L3 or
/// memory each time a loop goes through it (tick-tile-parallel's larger
/// blocks, tick-fold-transposes-into-matmuls' dot products).
constexpr int64_t kL2CacheBytes = 1 << 20;

/// The largest buffer the CPU pipeline keeps on a thread's stack rather
/// than allocating it in each parallel iteration.
constexpr int64_t kStackBufferBytes = 64 * 1024;

/// The most multiply-adds a row for which a matmul reading its left
/// operand by rows is computed a warp per row by tick-gpu-row-kernels, not
/// in tiles by tick-gpu-matmul-tiles: both passes' `row-matmul-macs`.
constexpr int64_t kRowMatmulMacs = 1024;

/// The most neighbouring columns a lane of a tick-gpu-row-kernels warp
/// holds together and loads or stores as one vector (4 f32: 16 bytes).
constexpr int64_t kRowGroupWidth = 4;

/// The group widths a row kernel can take (`group-width`).
constexpr bool isRowGroupWidth(int64_t width) {
  return width == 1 || width == 2 || width == 4;
}

/// tick-gpu-matmul-tiles splits a matmul along k while its kernel has fewer
/// warps than this (31 a multiprocessor of an H100: enough to hide the
/// loads' latency).
constexpr int64_t kMatmulMinWarps = 4096;

/// Matmuls with at least this many 64 x 64 output tiles take them in
/// tick-gpu-matmul-tiles (two blocks a multiprocessor of an H100).
constexpr int64_t kLargeTilesFrom = 264;

/// Threads of a 64 x 64 tile in tick-gpu-matmul-tiles: 64 (8 x 8 outputs
/// each) or 256 (4 x 4 each).
constexpr int64_t kLargeTileThreads = 64;

/// The thread counts a 64 x 64 tile can take (`large-tile-threads`).
constexpr bool isLargeTileThreads(int64_t threads) {
  return threads == 64 || threads == 256;
}

/// The alignment in bytes of every workgroup buffer, on the GPU
/// (tick-gpu-align-workgroup-memory) and when kernels run on the CPU
/// (tick-gpu-launch-to-loops): the matmul tiles are read 16 bytes at a time.
constexpr int64_t kWorkgroupAlignment = 16;

/// The function of a CPU model library that runs a callback on its threads
/// (tick-add-parallel-for); the runtime looks it up by this name.
constexpr const char kParallelForName[] = "_tick_parallel_for";

#define GEN_PASS_DECL
#include "tick/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "tick/Transforms/Passes.h.inc"

} // namespace tick

#endif // TICK_TRANSFORMS_PASSES_H
