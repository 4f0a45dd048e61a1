// Constant padding (ONNX pads layout [begin_0.., end_0..], non-negative):
// fill the output with the value, then copy each input row into place.
#include <algorithm>
#include <vector>

#include "runtime/reference/kernels.h"

namespace eb::ref::detail {

Status pad(const Node& node, Inputs in, TensorView out) {
  const auto& a = node.get<PadAttrs>();
  const Shape& xs = in[0].shape;
  const Shape& ys = out.shape;
  const std::size_t rank = xs.rank();
  std::fill(out.data, out.data + ys.numel(), a.value);
  const int64_t total = xs.numel();
  if (total == 0) return Status::ok();
  if (rank == 0) {
    out.data[0] = in[0].data[0];
    return Status::ok();
  }
  // Output element strides.
  std::vector<int64_t> stride(rank, 1);
  for (std::size_t d = rank - 1; d-- > 0;) stride[d] = stride[d + 1] * ys[d + 1];

  const int64_t inner = xs[rank - 1];
  std::vector<int64_t> index(rank, 0);  // odometer over the input's dims [0, rank - 1)
  for (int64_t base = 0; base < total; base += inner) {
    int64_t dst = a.pads[rank - 1];
    for (std::size_t d = 0; d + 1 < rank; ++d) dst += (index[d] + a.pads[d]) * stride[d];
    std::copy(in[0].data + base, in[0].data + base + inner, out.data + dst);
    for (std::size_t d = rank - 1; d-- > 0;) {
      if (++index[d] < xs[d]) break;
      index[d] = 0;
    }
  }
  return Status::ok();
}

}  // namespace eb::ref::detail
