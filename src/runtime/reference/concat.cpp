// Concat along any axis (negative counts from the end): for each index of the
// dims before the axis, copy each input's contiguous block in turn.
#include <algorithm>

#include "runtime/reference/kernels.h"

namespace eb::ref::detail {

Status concat(const Node& node, Inputs in, TensorView out) {
  const int64_t rank = static_cast<int64_t>(out.shape.rank());
  int64_t axis = node.get<AxisAttrs>().axis;
  if (axis < 0) axis += rank;
  const int64_t outer = product(out.shape, 0, static_cast<std::size_t>(axis));
  float* y = out.data;
  for (int64_t o = 0; o < outer; ++o) {
    for (const ConstTensorView& x : in) {
      const int64_t block = product(x.shape, static_cast<std::size_t>(axis), x.shape.rank());
      const float* src = x.data + o * block;
      y = std::copy(src, src + block, y);
    }
  }
  return Status::ok();
}

}  // namespace eb::ref::detail
