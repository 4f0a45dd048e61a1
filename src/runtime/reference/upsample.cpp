// Nearest-neighbour upsampling by an integer factor per dim:
// y[i_0, ..., i_r-1] = x[i_0 / s_0, ..., i_r-1 / s_r-1].
// An odometer walks the output's outer dims; the innermost dim is a loop.
#include <vector>

#include "runtime/reference/kernels.h"

namespace eb::ref::detail {

Status upsample(const Node& node, Inputs in, TensorView out) {
  const auto& scales = node.get<UpsampleAttrs>().scales;
  const Shape& xs = in[0].shape;
  const Shape& ys = out.shape;
  const std::size_t rank = ys.rank();
  const int64_t total = ys.numel();
  if (total == 0) return Status::ok();
  if (rank == 0) {
    out.data[0] = in[0].data[0];
    return Status::ok();
  }
  // Input element strides.
  std::vector<int64_t> stride(rank, 1);
  for (std::size_t d = rank - 1; d-- > 0;) stride[d] = stride[d + 1] * xs[d + 1];

  const int64_t inner = ys[rank - 1];
  const int64_t inner_scale = scales[rank - 1];
  std::vector<int64_t> index(rank, 0);  // odometer over the output's dims [0, rank - 1)
  for (int64_t base = 0; base < total; base += inner) {
    int64_t src = 0;
    for (std::size_t d = 0; d + 1 < rank; ++d) src += (index[d] / scales[d]) * stride[d];
    for (int64_t i = 0; i < inner; ++i) out.data[base + i] = in[0].data[src + i / inner_scale];
    for (std::size_t d = rank - 1; d-- > 0;) {
      if (++index[d] < ys[d]) break;
      index[d] = 0;
    }
  }
  return Status::ok();
}

}  // namespace eb::ref::detail
