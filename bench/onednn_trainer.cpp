//===- onednn_trainer.cpp - the baseline a C++ engineer would write -------===//
//
// The reference network (or a wider one of the same shape) trained by hand:
// oneDNN's sgemm for every matmul, plain loops (OpenMP over rows) for bias,
// LayerNorm, ReLU, the loss and Adam. Used by bench/ to time Tick against.
//
//   onednn_trainer --layers 784,128,64,10 --batch 64 --steps N [--warmup W]
//                  [--data DIR] [--weights FILE] [--print-losses]
//
// Data: batches in file order from an MNIST-style directory (tickrt reads
// it). Prints the median microseconds per train step and, with
// --print-losses, each step's loss. Weights: PyTorch's initialization from
// seed 0, or a safetensors file with Tick's names (fc1.weight, ln1.bias...).
//
//===----------------------------------------------------------------------===//

#include "tick/Runtime/Checkpoint.h"
#include "tick/Runtime/Data.h"

#include <oneapi/dnnl/dnnl.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

struct Param {
  std::string name;
  std::vector<int64_t> shape;
  std::vector<float> value, grad, m, v;
  Param(std::string n, std::vector<int64_t> s, tickrt_init init, int64_t fanIn,
        tickrt_rng &rng)
      : name(std::move(n)), shape(std::move(s)) {
    int64_t count = 1;
    for (int64_t d : shape)
      count *= d;
    value.resize(count);
    grad.assign(count, 0);
    m.assign(count, 0);
    v.assign(count, 0);
    tickrt_init_tensor(value.data(), count, init, fanIn, &rng);
  }
};

void gemm(char ta, char tb, int64_t m, int64_t n, int64_t k, const float *a,
          int64_t lda, const float *b, int64_t ldb, float beta, float *c) {
  if (dnnl_sgemm(ta, tb, m, n, k, 1.0f, a, lda, b, ldb, beta, c, n) !=
      dnnl_success) {
    std::fprintf(stderr, "dnnl_sgemm failed\n");
    std::exit(1);
  }
}

struct Net {
  std::vector<int64_t> widths; // 784, 128, 64, 10
  int64_t batch;
  std::vector<Param> fc_w, fc_b, ln_w, ln_b;
  // Activations per layer: input, pre-norm, normalized, mean, rstd.
  std::vector<std::vector<float>> in, pre, xhat, mean, rstd, grad;
  std::vector<float> probs;
  int64_t step = 0;

  Net(std::vector<int64_t> w, int64_t b, tickrt_rng &rng) : widths(std::move(w)), batch(b) {
    size_t layers = widths.size() - 1;
    for (size_t l = 0; l < layers; ++l) {
      std::string i = std::to_string(l + 1);
      fc_w.emplace_back("fc" + i + ".weight", std::vector<int64_t>{widths[l + 1], widths[l]},
                        TICKRT_INIT_UNIFORM_FAN_IN, widths[l], rng);
      fc_b.emplace_back("fc" + i + ".bias", std::vector<int64_t>{widths[l + 1]},
                        TICKRT_INIT_UNIFORM_FAN_IN, widths[l], rng);
      if (l + 1 < layers) {
        ln_w.emplace_back("ln" + i + ".weight", std::vector<int64_t>{widths[l + 1]},
                          TICKRT_INIT_ONES, 0, rng);
        ln_b.emplace_back("ln" + i + ".bias", std::vector<int64_t>{widths[l + 1]},
                          TICKRT_INIT_ZEROS, 0, rng);
      }
    }
    for (size_t l = 0; l <= layers; ++l) {
      in.emplace_back(batch * widths[l]);
      grad.emplace_back(batch * widths[l]);
    }
    for (size_t l = 0; l < layers; ++l) {
      pre.emplace_back(batch * widths[l + 1]);
      xhat.emplace_back(batch * widths[l + 1]);
      mean.emplace_back(batch);
      rstd.emplace_back(batch);
    }
  }

  std::vector<Param *> params() {
    std::vector<Param *> all;
    for (size_t l = 0; l < fc_w.size(); ++l) {
      all.push_back(&fc_w[l]);
      all.push_back(&fc_b[l]);
      if (l < ln_w.size()) {
        all.push_back(&ln_w[l]);
        all.push_back(&ln_b[l]);
      }
    }
    return all;
  }

  /// One train step on `in[0]`; returns the mean loss.
  float trainStep(const int64_t *labels) {
    size_t layers = fc_w.size();
    for (size_t l = 0; l < layers; ++l) {
      int64_t n = widths[l + 1], k = widths[l];
      float *y = pre[l].data();
      gemm('N', 'T', batch, n, k, in[l].data(), k, fc_w[l].value.data(), k, 0.0f, y);
      const float *bias = fc_b[l].value.data();
      if (l + 1 == layers) {
#pragma omp parallel for
        for (int64_t b = 0; b < batch; ++b)
          for (int64_t j = 0; j < n; ++j)
            in[l + 1][b * n + j] = y[b * n + j] + bias[j];
        break;
      }
      const float *g = ln_w[l].value.data(), *be = ln_b[l].value.data();
#pragma omp parallel for
      for (int64_t b = 0; b < batch; ++b) {
        float *row = y + b * n;
        float mu = 0, var = 0;
        for (int64_t j = 0; j < n; ++j)
          mu += (row[j] += bias[j]);
        mu /= n;
        for (int64_t j = 0; j < n; ++j)
          var += (row[j] - mu) * (row[j] - mu);
        float r = 1.0f / std::sqrt(var / n + 1e-5f);
        mean[l][b] = mu;
        rstd[l][b] = r;
        for (int64_t j = 0; j < n; ++j) {
          float h = (row[j] - mu) * r;
          xhat[l][b * n + j] = h;
          in[l + 1][b * n + j] = std::max(h * g[j] + be[j], 0.0f);
        }
      }
    }
    // Softmax cross-entropy and its gradient.
    int64_t c = widths.back();
    const float *logits = in[layers].data();
    float *dlogits = grad[layers].data();
    double loss = 0;
#pragma omp parallel for reduction(+ : loss)
    for (int64_t b = 0; b < batch; ++b) {
      const float *row = logits + b * c;
      float mx = *std::max_element(row, row + c), sum = 0;
      for (int64_t j = 0; j < c; ++j)
        sum += std::exp(row[j] - mx);
      loss += std::log(sum) + mx - row[labels[b]];
      for (int64_t j = 0; j < c; ++j)
        dlogits[b * c + j] = (std::exp(row[j] - mx) / sum - (j == labels[b])) / batch;
    }
    // Backward.
    for (size_t l = layers; l-- > 0;) {
      int64_t n = widths[l + 1], k = widths[l];
      float *dy = grad[l + 1].data();
      if (l + 1 < layers) {
        // ReLU then LayerNorm backward, in place on dy.
        const float *g = ln_w[l].value.data(), *be = ln_b[l].value.data();
        float *dg = ln_w[l].grad.data(), *db = ln_b[l].grad.data();
        std::fill(dg, dg + n, 0.0f);
        std::fill(db, db + n, 0.0f);
        for (int64_t b = 0; b < batch; ++b)
          for (int64_t j = 0; j < n; ++j) {
            float h = xhat[l][b * n + j];
            float &d = dy[b * n + j];
            if (h * g[j] + be[j] <= 0)
              d = 0;
            dg[j] += d * h;
            db[j] += d;
          }
#pragma omp parallel for
        for (int64_t b = 0; b < batch; ++b) {
          float sumG = 0, sumGX = 0;
          for (int64_t j = 0; j < n; ++j) {
            float gg = dy[b * n + j] * g[j];
            sumG += gg;
            sumGX += gg * xhat[l][b * n + j];
          }
          for (int64_t j = 0; j < n; ++j) {
            float gg = dy[b * n + j] * g[j];
            dy[b * n + j] = rstd[l][b] * (gg - sumG / n - xhat[l][b * n + j] * sumGX / n);
          }
        }
      }
      float *dbias = fc_b[l].grad.data();
      std::fill(dbias, dbias + n, 0.0f);
      for (int64_t b = 0; b < batch; ++b)
        for (int64_t j = 0; j < n; ++j)
          dbias[j] += dy[b * n + j];
      gemm('T', 'N', n, k, batch, dy, n, in[l].data(), k, 0.0f, fc_w[l].grad.data());
      if (l > 0)
        gemm('N', 'N', batch, k, n, dy, n, fc_w[l].value.data(), k, 0.0f, grad[l].data());
    }
    // Adam, as torch.optim.Adam.
    ++step;
    double c1 = 1 - std::pow(0.9, step), c2 = 1 - std::pow(0.999, step);
    float stepSize = static_cast<float>(1e-3 / c1);
    float c2sqrt = static_cast<float>(std::sqrt(c2));
    for (Param *p : params()) {
      int64_t count = p->value.size();
#pragma omp parallel for
      for (int64_t i = 0; i < count; ++i) {
        float g = p->grad[i];
        p->m[i] = 0.9f * p->m[i] + 0.1f * g;
        p->v[i] = 0.999f * p->v[i] + 0.001f * g * g;
        p->value[i] -= stepSize * p->m[i] / (std::sqrt(p->v[i]) / c2sqrt + 1e-8f);
      }
    }
    return static_cast<float>(loss / batch);
  }
};

} // namespace

int main(int argc, char **argv) {
  std::vector<int64_t> layers = {784, 128, 64, 10};
  int64_t batch = 64, steps = 100, warmup = 10;
  std::string data = "/usr/share/datasets/fashion-mnist", weights;
  bool printLosses = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&] { return i + 1 < argc ? std::string(argv[++i]) : std::string(); };
    if (a == "--layers") {
      layers.clear();
      std::string list = next();
      for (size_t p = 0; p < list.size();) {
        size_t comma = list.find(',', p);
        layers.push_back(std::stoll(list.substr(p, comma - p)));
        p = comma == std::string::npos ? list.size() : comma + 1;
      }
    } else if (a == "--batch") batch = std::stoll(next());
    else if (a == "--steps") steps = std::stoll(next());
    else if (a == "--warmup") warmup = std::stoll(next());
    else if (a == "--data") data = next();
    else if (a == "--weights") weights = next();
    else if (a == "--print-losses") printLosses = true;
    else {
      std::fprintf(stderr, "unknown argument %s\n", a.c_str());
      return 2;
    }
  }
  tickrt_dataset ds;
  if (tickrt_dataset_open(data.c_str(), layers.back(), &ds)) {
    std::fprintf(stderr, "%s\n", tickrt_last_error());
    return 1;
  }
  tickrt_rng rng;
  tickrt_rng_seed(&rng, 0);
  Net net(layers, batch, rng);
  if (!weights.empty()) {
    tickrt_checkpoint *c;
    if (tickrt_checkpoint_open(weights.c_str(), &c)) {
      std::fprintf(stderr, "%s\n", tickrt_last_error());
      return 1;
    }
    for (Param *p : net.params()) {
      tickrt_named_tensor t{p->name.c_str(), static_cast<int>(p->shape.size()), {}, p->value.data()};
      for (size_t d = 0; d < p->shape.size(); ++d)
        t.shape[d] = p->shape[d];
      if (tickrt_checkpoint_read(c, &t)) {
        std::fprintf(stderr, "%s\n", tickrt_last_error());
        return 1;
      }
    }
    tickrt_checkpoint_close(c);
  }
  int64_t perEpoch = ds.train_labels.count / batch;
  std::vector<int64_t> indices(batch), labels(batch);
  std::vector<double> micros;
  for (int64_t s = 0; s < warmup + steps; ++s) {
    for (int64_t i = 0; i < batch; ++i)
      indices[i] = (s % perEpoch) * batch + i;
    tickrt_dataset_gather(&ds.train_images, &ds.train_labels, indices.data(), batch,
                          net.in[0].data(), labels.data());
    auto start = std::chrono::steady_clock::now();
    float loss = net.trainStep(labels.data());
    double us = std::chrono::duration<double, std::micro>(
                    std::chrono::steady_clock::now() - start).count();
    if (s >= warmup)
      micros.push_back(us);
    if (printLosses)
      std::printf("step %lld loss %.7f\n", static_cast<long long>(s + 1), loss);
  }
  std::sort(micros.begin(), micros.end());
  std::printf("onednn: batch %lld, median %.1f us per step over %zu steps\n",
              static_cast<long long>(batch), micros[micros.size() / 2], micros.size());
  tickrt_dataset_close(&ds);
  return 0;
}
