// BatchNormalization, inference form, per channel (dim 1):
// y = scale * (x - mean) / sqrt(var + epsilon) + bias.
#include <cmath>

#include "runtime/reference/kernels.h"

namespace eb::ref::detail {

Status batch_norm(const Node& node, Inputs in, TensorView out) {
  const float epsilon = node.get<BatchNormAttrs>().epsilon;
  const Shape& xs = in[0].shape;
  const int64_t batch = xs[0];
  const int64_t channels = xs[1];
  const int64_t spatial = product(xs, 2, xs.rank());
  const float* scale = in[1].data;
  const float* shift = in[2].data;
  const float* mean = in[3].data;
  const float* var = in[4].data;
  for (int64_t n = 0; n < batch; ++n) {
    for (int64_t c = 0; c < channels; ++c) {
      // The per-channel factor in double, then one multiply-add per element.
      const double inv_std = 1.0 / std::sqrt(static_cast<double>(var[c]) + static_cast<double>(epsilon));
      const double k = static_cast<double>(scale[c]) * inv_std;
      const float* x = in[0].data + (n * channels + c) * spatial;
      float* y = out.data + (n * channels + c) * spatial;
      for (int64_t i = 0; i < spatial; ++i)
        y[i] = static_cast<float>(k * (static_cast<double>(x[i]) - mean[c]) + shift[c]);
    }
  }
  return Status::ok();
}

}  // namespace eb::ref::detail
