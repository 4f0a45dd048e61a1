// Local response normalization across channels, the ONNX formula:
//   square_sum[n, c, ...] = sum of x[n, i, ...]^2 for i in
//                           [c - floor((size - 1) / 2), c + ceil((size - 1) / 2)] within [0, C)
//   y = x / (bias + alpha / size * square_sum) ^ beta
#include <algorithm>
#include <cmath>

#include "runtime/reference/kernels.h"

namespace eb::ref::detail {

Status lrn(const Node& node, Inputs in, TensorView out) {
  const auto& a = node.get<LrnAttrs>();
  if (a.size < 1) return invalid_argument("LRN size must be >= 1, got " + std::to_string(a.size));
  const Shape& xs = in[0].shape;
  if (xs.rank() < 2) return invalid_argument("LRN input [" + xs.to_string() + "] must have a channel dim");
  const int64_t batch = xs[0];
  const int64_t channels = xs[1];
  const int64_t spatial = product(xs, 2, xs.rank());
  const int64_t before = (a.size - 1) / 2;     // floor((size - 1) / 2)
  const int64_t after = a.size - 1 - before;   // ceil((size - 1) / 2)
  const double alpha_over_size = static_cast<double>(a.alpha) / static_cast<double>(a.size);
  for (int64_t n = 0; n < batch; ++n) {
    const float* x = in[0].data + n * channels * spatial;
    float* y = out.data + n * channels * spatial;
    for (int64_t c = 0; c < channels; ++c) {
      const int64_t lo = std::max<int64_t>(0, c - before);
      const int64_t hi = std::min<int64_t>(channels - 1, c + after);
      for (int64_t s = 0; s < spatial; ++s) {
        double square_sum = 0.0;
        for (int64_t i = lo; i <= hi; ++i) {
          const double v = x[i * spatial + s];
          square_sum += v * v;
        }
        const double denom = std::pow(static_cast<double>(a.bias) + alpha_over_size * square_sum, static_cast<double>(a.beta));
        y[c * spatial + s] = static_cast<float>(x[c * spatial + s] / denom);
      }
    }
  }
  return Status::ok();
}

}  // namespace eb::ref::detail
