// MaxPool and AveragePool with 1 to 3 spatial dims (ONNX semantics), and the
// global variants.
//
// A window starts at o * stride - pad_begin and spans `kernel` positions.
// Padding never contributes to a max. An average divides the sum of the
// window's in-bounds elements by their count, or, with count_include_pad, by
// the window's extent clipped to the padded input (so with ceil_mode the part
// of a window hanging past the end padding is never counted; ONNX Runtime and
// PyTorch agree).
#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include "runtime/reference/kernels.h"

namespace eb::ref::detail {
namespace {

struct Dim {
  int64_t in = 1, out = 1, kernel = 1, stride = 1, pad_begin = 0, pad_end = 0;
};

// The window of output position o: [begin, end) clipped to the input, and
// its extent clipped to the padded input.
struct Window {
  int64_t begin, end, padded_extent;
};

Window window(const Dim& d, int64_t o) {
  const int64_t start = o * d.stride - d.pad_begin;
  const int64_t stop = start + d.kernel;
  return {std::max<int64_t>(start, 0), std::min(stop, d.in), std::min(stop, d.in + d.pad_end) - start};
}

}  // namespace

Status pool(const Node& node, Inputs in, TensorView out) {
  const auto& a = node.get<PoolAttrs>();
  const bool is_max = node.op == OpKind::MaxPool;
  const Shape& xs = in[0].shape;
  const std::size_t n_spatial = xs.rank() - 2;
  if (n_spatial < 1 || n_spatial > 3) return unsupported("pooling supports 1 to 3 spatial dims, input is [" + xs.to_string() + "]");
  const auto strides = or_default(a.strides, n_spatial, 1);
  const auto pads = or_default(a.pads, 2 * n_spatial, 0);
  std::array<Dim, 3> dim;  // D, H, W; missing leading dims have extent 1
  for (std::size_t i = 0; i < n_spatial; ++i) {
    Dim& d = dim[3 - n_spatial + i];
    d.in = xs[2 + i];
    d.out = out.shape[2 + i];
    d.kernel = a.kernel[i];
    d.stride = strides[i];
    d.pad_begin = pads[i];
    d.pad_end = pads[n_spatial + i];
  }
  const Dim& D = dim[0];
  const Dim& H = dim[1];
  const Dim& W = dim[2];
  const int64_t planes = xs[0] * xs[1];
  const int64_t in_plane = D.in * H.in * W.in;
  const int64_t out_plane = D.out * H.out * W.out;

  for (int64_t p = 0; p < planes; ++p) {
    const float* x = in[0].data + p * in_plane;
    float* y = out.data + p * out_plane;
    for (int64_t od = 0; od < D.out; ++od) {
      const Window wd = window(D, od);
      for (int64_t oh = 0; oh < H.out; ++oh) {
        const Window wh = window(H, oh);
        for (int64_t ow = 0; ow < W.out; ++ow) {
          const Window ww = window(W, ow);
          float best = -std::numeric_limits<float>::infinity();
          double sum = 0.0;
          int64_t count = 0;
          for (int64_t id = wd.begin; id < wd.end; ++id)
            for (int64_t ih = wh.begin; ih < wh.end; ++ih)
              for (int64_t iw = ww.begin; iw < ww.end; ++iw) {
                const float v = x[(id * H.in + ih) * W.in + iw];
                if (!std::isnan(best) && (v > best || std::isnan(v))) best = v;  // NaN sticks
                sum += v;
                ++count;
              }
          float& result = y[(od * H.out + oh) * W.out + ow];
          if (is_max) {
            result = best;
          } else {
            const int64_t divisor = a.count_include_pad ? wd.padded_extent * wh.padded_extent * ww.padded_extent : count;
            result = divisor > 0 ? static_cast<float>(sum / static_cast<double>(divisor)) : 0.0f;
          }
        }
      }
    }
  }
  return Status::ok();
}

Status global_pool(const Node& node, Inputs in, TensorView out) {
  const Shape& xs = in[0].shape;
  const int64_t planes = xs[0] * xs[1];
  const int64_t spatial = product(xs, 2, xs.rank());
  const bool is_max = node.op == OpKind::GlobalMaxPool;
  for (int64_t p = 0; p < planes; ++p) {
    const float* x = in[0].data + p * spatial;
    if (is_max) {
      float best = -std::numeric_limits<float>::infinity();
      for (int64_t i = 0; i < spatial && !std::isnan(best); ++i)
        if (x[i] > best || std::isnan(x[i])) best = x[i];
      out.data[p] = best;
    } else {
      double sum = 0.0;
      for (int64_t i = 0; i < spatial; ++i) sum += x[i];
      out.data[p] = spatial > 0 ? static_cast<float>(sum / static_cast<double>(spatial)) : 0.0f;
    }
  }
  return Status::ok();
}

}  // namespace eb::ref::detail
