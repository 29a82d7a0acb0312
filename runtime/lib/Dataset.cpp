//===- Dataset.cpp - the four files of an MNIST-style directory -----------===//

#include "Error.h"
#include "tick/Runtime/Data.h"

#include <string>
#include <sys/stat.h>

namespace {

/// DIR/NAME.gz if it exists, else DIR/NAME.
std::string findFile(const std::string &dir, const char *name) {
  std::string plain = dir + "/" + name;
  struct stat st;
  if (stat((plain + ".gz").c_str(), &st) == 0)
    return plain + ".gz";
  return plain;
}

tickrt_status openSplit(const std::string &dir, const char *images,
                        const char *labels, int64_t classes,
                        tickrt_idx *imageOut, tickrt_idx *labelOut) {
  std::string imagePath = findFile(dir, images);
  std::string labelPath = findFile(dir, labels);
  if (tickrt_status s = tickrt_idx_read(imagePath.c_str(), imageOut))
    return s;
  if (tickrt_status s = tickrt_idx_read(labelPath.c_str(), labelOut))
    return s;
  if (imageOut->rank != 3)
    return tickrt::fail(TICKRT_ERROR_FORMAT,
                        "%s: images must have rank 3 [count, rows, cols], got "
                        "rank %d",
                        imagePath.c_str(), imageOut->rank);
  if (labelOut->rank != 1)
    return tickrt::fail(TICKRT_ERROR_FORMAT,
                        "%s: labels must have rank 1, got rank %d",
                        labelPath.c_str(), labelOut->rank);
  if (labelOut->dims[0] != imageOut->dims[0])
    return tickrt::fail(TICKRT_ERROR_FORMAT,
                        "%s: %lld labels for %lld images in %s",
                        labelPath.c_str(),
                        static_cast<long long>(labelOut->dims[0]),
                        static_cast<long long>(imageOut->dims[0]),
                        imagePath.c_str());
  for (int64_t i = 0; i < labelOut->count; ++i)
    if (labelOut->data[i] >= classes)
      return tickrt::fail(TICKRT_ERROR_FORMAT,
                          "%s: label %d of sample %lld is out of range for a "
                          "model of %lld classes",
                          labelPath.c_str(), labelOut->data[i],
                          static_cast<long long>(i),
                          static_cast<long long>(classes));
  return TICKRT_OK;
}

} // namespace

extern "C" tickrt_status tickrt_dataset_open(const char *dir, int64_t classes,
                                             tickrt_dataset *out) {
  if (!dir || !out || classes <= 0)
    return tickrt::fail(TICKRT_ERROR_ARGUMENT, "no data directory given");
  *out = tickrt_dataset{};
  tickrt_status s = openSplit(dir, "train-images-idx3-ubyte",
                              "train-labels-idx1-ubyte", classes,
                              &out->train_images, &out->train_labels);
  if (!s)
    s = openSplit(dir, "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte",
                  classes, &out->test_images, &out->test_labels);
  if (!s && (out->train_images.dims[1] != out->test_images.dims[1] ||
             out->train_images.dims[2] != out->test_images.dims[2]))
    s = tickrt::fail(TICKRT_ERROR_FORMAT,
                     "%s: training images are %lldx%lld, test images %lldx%lld",
                     dir, static_cast<long long>(out->train_images.dims[1]),
                     static_cast<long long>(out->train_images.dims[2]),
                     static_cast<long long>(out->test_images.dims[1]),
                     static_cast<long long>(out->test_images.dims[2]));
  if (s) {
    tickrt_dataset_close(out);
    return s;
  }
  out->features = out->train_images.dims[1] * out->train_images.dims[2];
  return TICKRT_OK;
}

extern "C" void tickrt_dataset_close(tickrt_dataset *dataset) {
  if (!dataset)
    return;
  tickrt_idx_free(&dataset->train_images);
  tickrt_idx_free(&dataset->train_labels);
  tickrt_idx_free(&dataset->test_images);
  tickrt_idx_free(&dataset->test_labels);
}

extern "C" void tickrt_dataset_prefetch(const tickrt_idx *images,
                                        const tickrt_idx *labels,
                                        const int64_t *indices, int64_t count) {
  constexpr int64_t kLine = 64;
  int64_t features = images->dims[1] * images->dims[2];
  for (int64_t i = 0; i < count; ++i) {
    const uint8_t *row = images->data + indices[i] * features;
    for (int64_t b = 0; b < features; b += kLine)
      __builtin_prefetch(row + b, /*rw=*/0, /*locality=*/2);
    __builtin_prefetch(labels->data + indices[i], 0, 2);
  }
}

extern "C" void tickrt_dataset_gather(const tickrt_idx *images,
                                      const tickrt_idx *labels,
                                      const int64_t *indices, int64_t count,
                                      float *pixels, int64_t *labelOut) {
  int64_t features = images->dims[1] * images->dims[2];
  for (int64_t i = 0; i < count; ++i) {
    const uint8_t *src = images->data + indices[i] * features;
    float *dst = pixels + i * features;
    for (int64_t f = 0; f < features; ++f)
      dst[f] = src[f] * (1.0f / 255.0f);
    labelOut[i] = labels->data[indices[i]];
  }
}
