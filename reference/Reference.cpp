//===- Reference.cpp - fp64 reference implementation of the nn ops --------===//

#include "Reference.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

namespace tick::ref {

namespace {
/// Mean and 1 / sqrt(biased variance + eps) of one row.
std::pair<double, double> rowStatistics(const double *row, int64_t features,
                                        double eps) {
  double mean = 0.0, var = 0.0;
  for (int64_t f = 0; f < features; ++f)
    mean += row[f];
  mean /= features;
  for (int64_t f = 0; f < features; ++f)
    var += (row[f] - mean) * (row[f] - mean);
  var /= features;
  return {mean, 1.0 / std::sqrt(var + eps)};
}

/// Maximum and sum of exp(x - maximum) of one row of logits.
std::pair<double, double> softmaxStatistics(const double *row,
                                            int64_t classes) {
  double max = -std::numeric_limits<double>::infinity();
  for (int64_t c = 0; c < classes; ++c)
    max = std::max(max, row[c]);
  double sum = 0.0;
  for (int64_t c = 0; c < classes; ++c)
    sum += std::exp(row[c] - max);
  return {max, sum};
}
} // namespace

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
    auto [mean, invStd] = rowStatistics(row, features, eps);
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
    auto [max, sum] = softmaxStatistics(row, classes);
    total += std::log(sum) + max - row[labels[b]];
  }
  return total / batch;
}

Vec linearGradInput(const Vec &dy, const Vec &w, int64_t batch, int64_t in,
                    int64_t out) {
  Vec dx(batch * in, 0.0);
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t o = 0; o < out; ++o)
      for (int64_t i = 0; i < in; ++i)
        dx[b * in + i] += dy[b * out + o] * w[o * in + i];
  return dx;
}

Vec linearGradWeight(const Vec &dy, const Vec &x, int64_t batch, int64_t in,
                     int64_t out) {
  Vec dw(out * in, 0.0);
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t o = 0; o < out; ++o)
      for (int64_t i = 0; i < in; ++i)
        dw[o * in + i] += dy[b * out + o] * x[b * in + i];
  return dw;
}

Vec linearGradBias(const Vec &dy, int64_t batch, int64_t out) {
  Vec db(out, 0.0);
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t o = 0; o < out; ++o)
      db[o] += dy[b * out + o];
  return db;
}

LayerNormGrads layerNormGrad(const Vec &dy, const Vec &x, const Vec &weight,
                             int64_t batch, int64_t features, double eps) {
  LayerNormGrads g{Vec(x.size()), Vec(features, 0.0), Vec(features, 0.0)};
  Vec xhat(features), gy(features);
  for (int64_t b = 0; b < batch; ++b) {
    const double *row = &x[b * features];
    const double *drow = &dy[b * features];
    auto [mean, invStd] = rowStatistics(row, features, eps);
    double sumG = 0.0, sumGX = 0.0;
    for (int64_t f = 0; f < features; ++f) {
      xhat[f] = (row[f] - mean) * invStd;
      gy[f] = drow[f] * weight[f];
      sumG += gy[f];
      sumGX += gy[f] * xhat[f];
      g.weight[f] += drow[f] * xhat[f];
      g.bias[f] += drow[f];
    }
    for (int64_t f = 0; f < features; ++f)
      g.input[b * features + f] =
          invStd * (gy[f] - sumG / features - xhat[f] * sumGX / features);
  }
  return g;
}

Vec reluGrad(const Vec &dy, const Vec &x) {
  Vec dx(x.size());
  for (size_t i = 0; i < x.size(); ++i)
    dx[i] = x[i] > 0 ? dy[i] : 0.0;
  return dx;
}

Vec crossEntropyGrad(const Vec &logits, const std::vector<int64_t> &labels,
                     int64_t batch, int64_t classes, double lossGrad) {
  Vec d(logits.size());
  for (int64_t b = 0; b < batch; ++b) {
    const double *row = &logits[b * classes];
    auto [max, sum] = softmaxStatistics(row, classes);
    for (int64_t c = 0; c < classes; ++c)
      d[b * classes + c] = lossGrad / batch *
                           (std::exp(row[c] - max) / sum - (c == labels[b]));
  }
  return d;
}

int64_t correctCount(const Vec &logits, const std::vector<int64_t> &labels,
                     int64_t batch, int64_t classes) {
  int64_t correct = 0;
  for (int64_t b = 0; b < batch; ++b) {
    const double *row = &logits[b * classes];
    int64_t best = 0;
    for (int64_t c = 1; c < classes; ++c)
      if (row[c] > row[best])
        best = c;
    correct += best == labels[b];
  }
  return correct;
}

void sgdStep(Vec &param, const Vec &grad, Vec &buffer, double lr,
             double momentum, double weightDecay) {
  for (size_t i = 0; i < param.size(); ++i) {
    double g = grad[i] + weightDecay * param[i];
    if (momentum != 0) {
      buffer[i] = momentum * buffer[i] + g;
      g = buffer[i];
    }
    param[i] -= lr * g;
  }
}

void adamStep(Vec &param, const Vec &grad, Vec &expAvg, Vec &expAvgSq,
              double step, double lr, double beta1, double beta2, double eps,
              double weightDecay, bool decoupled) {
  double correction1 = 1 - std::pow(beta1, step);
  double correction2 = 1 - std::pow(beta2, step);
  for (size_t i = 0; i < param.size(); ++i) {
    double g = grad[i];
    if (decoupled)
      param[i] *= 1 - lr * weightDecay;
    else
      g += weightDecay * param[i];
    expAvg[i] = beta1 * expAvg[i] + (1 - beta1) * g;
    expAvgSq[i] = beta2 * expAvgSq[i] + (1 - beta2) * g * g;
    double denom = std::sqrt(expAvgSq[i]) / std::sqrt(correction2) + eps;
    param[i] -= lr / correction1 * expAvg[i] / denom;
  }
}

} // namespace tick::ref
