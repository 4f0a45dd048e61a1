// Softmax along one axis (opset-13 semantics; negative axis counts from the
// end): y = exp(x - max) / sum(exp(x - max)) over that axis, so large inputs
// never overflow. Sums in double.
#include <cmath>
#include <limits>

#include "runtime/reference/kernels.h"

namespace eb::ref::detail {

Status softmax(const Node& node, Inputs in, TensorView out) {
  const Shape& xs = in[0].shape;
  const int64_t rank = static_cast<int64_t>(xs.rank());
  int64_t axis = node.get<AxisAttrs>().axis;
  if (axis < 0) axis += rank;
  if (rank == 0) {  // a scalar: its own softmax is 1
    out.data[0] = std::isnan(in[0].data[0]) ? in[0].data[0] : 1.0f;
    return Status::ok();
  }
  const int64_t outer = product(xs, 0, static_cast<std::size_t>(axis));
  const int64_t length = xs[static_cast<std::size_t>(axis)];
  const int64_t inner = product(xs, static_cast<std::size_t>(axis) + 1, xs.rank());
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t i = 0; i < inner; ++i) {
      // Element l of this slice is at base + l * inner.
      const float* x = in[0].data + o * length * inner + i;
      float* y = out.data + o * length * inner + i;
      float max = -std::numeric_limits<float>::infinity();
      for (int64_t l = 0; l < length; ++l) max = std::max(max, x[l * inner]);
      double sum = 0.0;
      for (int64_t l = 0; l < length; ++l) sum += std::exp(static_cast<double>(x[l * inner]) - max);
      for (int64_t l = 0; l < length; ++l) y[l * inner] = static_cast<float>(std::exp(static_cast<double>(x[l * inner]) - max) / sum);
    }
  }
  return Status::ok();
}

}  // namespace eb::ref::detail
