//===- Reference.cpp - fp64 reference implementation of the nn ops --------===//

#include "Reference.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace tick::ref {

Vec linear(const Vec &x, const Vec &w, const Vec &bias, int64_t batch,
           int64_t in, int64_t out) {
  Vec y(batch * out);
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t o = 0; o < out; ++o) {
      double sum = bias.empty() ? 0.0 : bias[o];
      for (int64_t i = 0; i < in; ++i)
        sum += x[b * in + i] * w[o * in + i];
      y[b * out + o] = sum;
    }
  return y;
}

Vec layerNorm(const Vec &x, const Vec &weight, const Vec &bias, int64_t batch,
              int64_t features, double eps) {
  Vec y(x.size());
  for (int64_t b = 0; b < batch; ++b) {
    const double *row = &x[b * features];
    double mean = 0.0;
    for (int64_t f = 0; f < features; ++f)
      mean += row[f];
    mean /= features;
    double var = 0.0;
    for (int64_t f = 0; f < features; ++f)
      var += (row[f] - mean) * (row[f] - mean);
    var /= features;
    double invStd = 1.0 / std::sqrt(var + eps);
    for (int64_t f = 0; f < features; ++f)
      y[b * features + f] = (row[f] - mean) * invStd * weight[f] + bias[f];
  }
  return y;
}

Vec relu(const Vec &x) {
  Vec y(x.size());
  for (size_t i = 0; i < x.size(); ++i)
    y[i] = std::isnan(x[i]) ? x[i] : std::max(x[i], 0.0);
  return y;
}

double crossEntropy(const Vec &logits, const std::vector<int64_t> &labels,
                    int64_t batch, int64_t classes) {
  double total = 0.0;
  for (int64_t b = 0; b < batch; ++b) {
    const double *row = &logits[b * classes];
    double max = -std::numeric_limits<double>::infinity();
    for (int64_t c = 0; c < classes; ++c)
      max = std::max(max, row[c]);
    double sum = 0.0;
    for (int64_t c = 0; c < classes; ++c)
      sum += std::exp(row[c] - max);
    total += std::log(sum) + max - row[labels[b]];
  }
  return total / batch;
}

} // namespace tick::ref
