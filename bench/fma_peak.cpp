//===- fma_peak.cpp - the machine's measured FP32 FMA peak ----------------===//
//
// The ceiling bench/run reports Tick's GFLOP/s against: every OpenMP
// thread runs independent chains of AVX-512 fused multiply-adds on
// registers (no memory traffic), enough chains to cover the FMA latency on
// every FMA port. Prints GFLOP/s counting an FMA on 16 lanes as 32 FLOP.
//
//   fma_peak [--seconds S]   (threads: OMP_NUM_THREADS)
//
//===----------------------------------------------------------------------===//

#include <immintrin.h>
#include <omp.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

constexpr int kChains = 16;       // 2 ports x 4-cycle latency, twice over
constexpr long kInner = 1 << 20;  // FMAs per chain between clock reads

/// Runs kInner rounds of kChains FMAs; returns a value that depends on all
/// of them so the compiler keeps every one. Callers vary `seed` so that the
/// call is not hoisted out of their loop as a pure function of a constant.
__attribute__((noinline)) float fmaRounds(float seed) {
  __m512 acc[kChains];
  for (int c = 0; c < kChains; ++c)
    acc[c] = _mm512_set1_ps(seed + c);
  const __m512 mul = _mm512_set1_ps(0.999999f), add = _mm512_set1_ps(1e-7f);
  for (long i = 0; i < kInner; ++i)
    for (int c = 0; c < kChains; ++c)
      acc[c] = _mm512_fmadd_ps(acc[c], mul, add);
  __m512 sum = acc[0];
  for (int c = 1; c < kChains; ++c)
    sum = _mm512_add_ps(sum, acc[c]);
  return _mm512_reduce_add_ps(sum);
}

} // namespace

int main(int argc, char **argv) {
  double seconds = 0.5;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--seconds") && i + 1 < argc) {
      seconds = std::atof(argv[++i]);
    } else {
      std::fprintf(stderr, "usage: fma_peak [--seconds S]\n");
      return 2;
    }
  }
  if (!__builtin_cpu_supports("avx512f")) {
    std::fprintf(stderr, "fma_peak: this CPU has no AVX-512\n");
    return 1;
  }
  long rounds = 0;
  float sink = 0;
  auto start = std::chrono::steady_clock::now();
  double elapsed = 0;
#pragma omp parallel reduction(+ : rounds, sink)
  {
    // Every thread runs until the shared deadline; rounds are counted per
    // thread so a slow thread does not stretch the others' time.
    do {
      sink += fmaRounds(static_cast<float>(omp_get_thread_num() + rounds));
      ++rounds;
    } while (std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
                 .count() < seconds);
  }
  elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  double flops = 2.0 * 16 * kChains * double(kInner) * rounds;
  std::printf("fma peak: %.1f GFLOP/s with %d threads (%.3f s, checksum %g)\n",
              flops / elapsed / 1e9, omp_get_max_threads(), elapsed, sink);
  return 0;
}
