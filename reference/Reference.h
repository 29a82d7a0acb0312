//===- Reference.h - fp64 reference implementation of the nn ops -*- C++ -*-===//
//
// Plain loops in double precision, written from PyTorch's definitions and
// nothing else, so they can judge the compiled code. Matrices are dense
// row-major [rows, cols].
//
//===----------------------------------------------------------------------===//

#ifndef TICK_REFERENCE_REFERENCE_H
#define TICK_REFERENCE_REFERENCE_H

#include <cstdint>
#include <vector>

namespace tick::ref {

using Vec = std::vector<double>;

/// y[b, o] = sum_i x[b, i] * w[o, i] + bias[o]; `bias` may be empty.
Vec linear(const Vec &x, const Vec &w, const Vec &bias, int64_t batch,
           int64_t in, int64_t out);

/// LayerNorm over each row of [batch, features], biased variance.
Vec layerNorm(const Vec &x, const Vec &weight, const Vec &bias, int64_t batch,
              int64_t features, double eps);

Vec relu(const Vec &x);

/// Mean over the batch of -log softmax(logits[b])[labels[b]].
double crossEntropy(const Vec &logits, const std::vector<int64_t> &labels,
                    int64_t batch, int64_t classes);

} // namespace tick::ref

#endif // TICK_REFERENCE_REFERENCE_H
