//===- gradcheck.cpp - reference backward against finite differences ------===//
//
// For each op of the fp64 reference: a random objective L = Σ r·y over the
// op's output y, its analytic gradients from the reference backward with
// dy = r, and central differences (L(v+h) - L(v-h)) / 2h for every element
// v of every differentiable input. Prints the worst relative error per
// gradient and PASS or FAIL (limit 1e-6); exits 1 on FAIL.
//
//===----------------------------------------------------------------------===//

#include "Reference.h"

#include <cmath>
#include <cstdio>
#include <functional>
#include <random>

using namespace tick::ref;

namespace {

std::mt19937_64 rng(7);

Vec random(size_t n, double lo = -1.0, double hi = 1.0) {
  std::uniform_real_distribution<double> d(lo, hi);
  Vec v(n);
  for (double &x : v)
    x = d(rng);
  return v;
}

double dot(const Vec &a, const Vec &b) {
  double s = 0;
  for (size_t i = 0; i < a.size(); ++i)
    s += a[i] * b[i];
  return s;
}

bool failed = false;

/// Compares `analytic` with central differences of `objective` in `input`.
void check(const char *name, Vec &input, const Vec &analytic,
           const std::function<double()> &objective) {
  const double h = 1e-6;
  double worst = 0;
  for (size_t i = 0; i < input.size(); ++i) {
    double saved = input[i];
    input[i] = saved + h;
    double up = objective();
    input[i] = saved - h;
    double down = objective();
    input[i] = saved;
    double numeric = (up - down) / (2 * h);
    double scale = std::max(1.0, std::fabs(numeric));
    worst = std::max(worst, std::fabs(numeric - analytic[i]) / scale);
  }
  bool ok = worst <= 1e-6;
  failed |= !ok;
  std::printf("%-28s %zu elements, max relative error %.2e %s\n", name,
              input.size(), worst, ok ? "ok" : "TOO LARGE");
}

} // namespace

int main() {
  // Linear, 5 x 7 -> 3, sizes that are not multiples of anything.
  {
    const int64_t B = 5, I = 7, O = 3;
    Vec x = random(B * I), w = random(O * I), b = random(O), r = random(B * O);
    auto L = [&] { return dot(r, linear(x, w, b, B, I, O)); };
    check("linear d/dinput", x, linearGradInput(r, w, B, I, O), L);
    check("linear d/dweight", w, linearGradWeight(r, x, B, I, O), L);
    check("linear d/dbias", b, linearGradBias(r, B, O), L);
  }
  // LayerNorm over 9 features.
  {
    const int64_t B = 4, F = 9;
    const double eps = 1e-5;
    Vec x = random(B * F, -2, 2), w = random(F), b = random(F),
        r = random(B * F);
    auto L = [&] { return dot(r, layerNorm(x, w, b, B, F, eps)); };
    LayerNormGrads g = layerNormGrad(r, x, w, B, F, eps);
    check("layer_norm d/dinput", x, g.input, L);
    check("layer_norm d/dweight", w, g.weight, L);
    check("layer_norm d/dbias", b, g.bias, L);
  }
  // ReLU with inputs kept away from the kink at 0.
  {
    Vec x = random(30, 0.1, 1.0), r = random(30);
    for (size_t i = 0; i < x.size(); i += 2)
      x[i] = -x[i];
    auto L = [&] { return dot(r, relu(x)); };
    check("relu d/dinput", x, reluGrad(r, x), L);
  }
  // Cross-entropy over 7 classes, scaled by an upstream gradient.
  {
    const int64_t B = 5, C = 7;
    Vec logits = random(B * C, -3, 3);
    std::vector<int64_t> labels = {0, 6, 3, 3, 1};
    const double dloss = 0.7;
    auto L = [&] { return dloss * crossEntropy(logits, labels, B, C); };
    check("cross_entropy d/dlogits", logits,
          crossEntropyGrad(logits, labels, B, C, dloss), L);
  }
  std::printf("%s\n", failed ? "FAIL" : "PASS");
  return failed ? 1 : 0;
}
