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

//===--------------------------------------------------------------------===//
// Backward: the gradients of the ops above, given dy, the gradient of their
// result.
//===--------------------------------------------------------------------===//

/// dx = dy * w.
Vec linearGradInput(const Vec &dy, const Vec &w, int64_t batch, int64_t in,
                    int64_t out);
/// dw = transpose(dy) * x.
Vec linearGradWeight(const Vec &dy, const Vec &x, int64_t batch, int64_t in,
                     int64_t out);
/// db = column sums of dy.
Vec linearGradBias(const Vec &dy, int64_t batch, int64_t out);

struct LayerNormGrads {
  Vec input, weight, bias;
};
LayerNormGrads layerNormGrad(const Vec &dy, const Vec &x, const Vec &weight,
                             int64_t batch, int64_t features, double eps);

/// dy where x > 0, else 0.
Vec reluGrad(const Vec &dy, const Vec &x);

/// d(lossGrad * crossEntropy) / d logits.
Vec crossEntropyGrad(const Vec &logits, const std::vector<int64_t> &labels,
                     int64_t batch, int64_t classes, double lossGrad);

/// Rows whose first maximal logit is at the label.
int64_t correctCount(const Vec &logits, const std::vector<int64_t> &labels,
                     int64_t batch, int64_t classes);

//===--------------------------------------------------------------------===//
// Optimizers, as torch.optim writes them (in place).
//===--------------------------------------------------------------------===//

/// SGD, dampening 0, no Nesterov. With momentum 0 `buffer` is unused.
void sgdStep(Vec &param, const Vec &grad, Vec &buffer, double lr,
             double momentum, double weightDecay);

/// Adam, or AdamW when `decoupled`, at step `step` (counting from 1).
void adamStep(Vec &param, const Vec &grad, Vec &expAvg, Vec &expAvgSq,
              double step, double lr, double beta1, double beta2, double eps,
              double weightDecay, bool decoupled);

} // namespace tick::ref

#endif // TICK_REFERENCE_REFERENCE_H
