// Add with multidirectional (numpy) broadcasting.
//
// Both inputs are seen through the output's rank: a missing leading dim or a
// dim of extent 1 gets stride 0, so the same element is read again. An
// odometer walks the output's outer dims; the innermost dim is a plain loop.
#include <vector>

#include "runtime/reference/kernels.h"

namespace eb::ref::detail {
namespace {

// Element strides of `s` seen as a tensor of rank `rank` broadcast to `out`.
std::vector<int64_t> broadcast_strides(const Shape& s, const Shape& out) {
  const std::size_t rank = out.rank();
  std::vector<int64_t> strides(rank, 0);
  int64_t stride = 1;
  for (std::size_t k = 0; k < s.rank(); ++k) {
    const std::size_t d_in = s.rank() - 1 - k;
    const std::size_t d_out = rank - 1 - k;
    strides[d_out] = s[d_in] == 1 ? 0 : stride;
    stride *= s[d_in];
  }
  return strides;
}

}  // namespace

Status add(const Node&, Inputs in, TensorView out) {
  const Shape& ys = out.shape;
  const int64_t total = ys.numel();
  if (total == 0) return Status::ok();
  if (in[0].shape == ys && in[1].shape == ys) {  // the common case: no broadcasting
    for (int64_t i = 0; i < total; ++i) out.data[i] = in[0].data[i] + in[1].data[i];
    return Status::ok();
  }
  if (ys.rank() == 0) {  // both scalars
    out.data[0] = in[0].data[0] + in[1].data[0];
    return Status::ok();
  }
  const std::size_t rank = ys.rank();
  const std::vector<int64_t> sa = broadcast_strides(in[0].shape, ys);
  const std::vector<int64_t> sb = broadcast_strides(in[1].shape, ys);
  const int64_t inner = ys[rank - 1];
  const int64_t ia = sa[rank - 1];
  const int64_t ib = sb[rank - 1];
  std::vector<int64_t> index(rank, 0);  // odometer over dims [0, rank - 1)
  int64_t offset_a = 0, offset_b = 0;
  for (int64_t base = 0; base < total; base += inner) {
    for (int64_t i = 0; i < inner; ++i) out.data[base + i] = in[0].data[offset_a + i * ia] + in[1].data[offset_b + i * ib];
    // Advance the odometer, keeping both input offsets in step.
    for (std::size_t d = rank - 1; d-- > 0;) {
      ++index[d];
      offset_a += sa[d];
      offset_b += sb[d];
      if (index[d] < ys[d]) break;
      offset_a -= sa[d] * index[d];
      offset_b -= sb[d] * index[d];
      index[d] = 0;
    }
  }
  return Status::ok();
}

}  // namespace eb::ref::detail
