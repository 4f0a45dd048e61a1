// Conv with 1 to 3 spatial dims, groups, strides, dilations and asymmetric pads.
//
// A direct loop. Every case is handled as 3-D: missing leading spatial dims
// get extent 1, kernel 1, stride 1, dilation 1 and no padding. For each
// output channel the output plane starts at the bias, then each weight
// (c, kd, kh, kw) adds weight * input to every output it touches, one output
// row at a time: the innermost loop runs over contiguous output (and, at
// stride 1, contiguous input), so the compiler vectorizes it. Each output
// element sums its terms in the fixed order (c, kd, kh, kw).
#include <algorithm>
#include <array>

#include "runtime/reference/kernels.h"

namespace eb::ref::detail {
namespace {

// Geometry of one spatial dim.
struct Dim {
  int64_t in = 1, out = 1, kernel = 1, stride = 1, dilation = 1, pad_begin = 0;
};

// ceil(a / b) for b > 0 and any sign of a.
int64_t ceil_div(int64_t a, int64_t b) { return a >= 0 ? (a + b - 1) / b : -((-a) / b); }

// Output positions o whose input position o*stride + offset lies in [0, in):
// the half-open range [lo, hi), possibly empty.
void valid_range(const Dim& d, int64_t offset, int64_t& lo, int64_t& hi) {
  lo = std::max<int64_t>(0, ceil_div(-offset, d.stride));
  hi = std::min<int64_t>(d.out, ceil_div(d.in - offset, d.stride));
  if (hi < lo) hi = lo;
}

}  // namespace

Status conv(const Node& node, Inputs in, TensorView out) {
  const auto& a = node.get<ConvAttrs>();
  const Shape& xs = in[0].shape;
  const Shape& ws = in[1].shape;
  const std::size_t n_spatial = xs.rank() - 2;
  if (n_spatial < 1 || n_spatial > 3) return unsupported("conv supports 1 to 3 spatial dims, input is [" + xs.to_string() + "]");

  const auto strides = or_default(a.strides, n_spatial, 1);
  const auto dilations = or_default(a.dilations, n_spatial, 1);
  const auto pads = or_default(a.pads, 2 * n_spatial, 0);
  std::array<Dim, 3> dim;  // D, H, W
  for (std::size_t i = 0; i < n_spatial; ++i) {
    Dim& d = dim[3 - n_spatial + i];
    d.in = xs[2 + i];
    d.out = out.shape[2 + i];
    d.kernel = ws[2 + i];
    d.stride = strides[i];
    d.dilation = dilations[i];
    d.pad_begin = pads[i];
  }
  const Dim& D = dim[0];
  const Dim& H = dim[1];
  const Dim& W = dim[2];

  const int64_t batch = xs[0];
  const int64_t channels = xs[1];
  const int64_t filters = ws[0];
  const int64_t group = a.group;
  const int64_t c_per_group = channels / group;
  const int64_t m_per_group = filters / group;
  const int64_t in_plane = D.in * H.in * W.in;
  const int64_t out_plane = D.out * H.out * W.out;
  const int64_t kernel_size = D.kernel * H.kernel * W.kernel;
  const float* bias = in.size() > 2 ? in[2].data : nullptr;

  for (int64_t n = 0; n < batch; ++n) {
    for (int64_t m = 0; m < filters; ++m) {
      const int64_t g = m / m_per_group;
      float* y = out.data + (n * filters + m) * out_plane;
      std::fill(y, y + out_plane, bias ? bias[m] : 0.0f);
      for (int64_t c = 0; c < c_per_group; ++c) {
        const float* x = in[0].data + (n * channels + g * c_per_group + c) * in_plane;
        const float* w = in[1].data + (m * c_per_group + c) * kernel_size;
        for (int64_t kd = 0; kd < D.kernel; ++kd) {
          const int64_t d_off = kd * D.dilation - D.pad_begin;
          int64_t od_lo, od_hi;
          valid_range(D, d_off, od_lo, od_hi);
          for (int64_t kh = 0; kh < H.kernel; ++kh) {
            const int64_t h_off = kh * H.dilation - H.pad_begin;
            int64_t oh_lo, oh_hi;
            valid_range(H, h_off, oh_lo, oh_hi);
            for (int64_t kw = 0; kw < W.kernel; ++kw) {
              const int64_t w_off = kw * W.dilation - W.pad_begin;
              int64_t ow_lo, ow_hi;
              valid_range(W, w_off, ow_lo, ow_hi);
              const float wv = w[(kd * H.kernel + kh) * W.kernel + kw];
              for (int64_t od = od_lo; od < od_hi; ++od) {
                const int64_t id = od * D.stride + d_off;
                for (int64_t oh = oh_lo; oh < oh_hi; ++oh) {
                  const int64_t ih = oh * H.stride + h_off;
                  float* y_row = y + (od * H.out + oh) * W.out;
                  const float* x_row = x + (id * H.in + ih) * W.in;
                  if (W.stride == 1) {
                    for (int64_t ow = ow_lo; ow < ow_hi; ++ow) y_row[ow] += wv * x_row[ow + w_off];
                  } else {
                    for (int64_t ow = ow_lo; ow < ow_hi; ++ow) y_row[ow] += wv * x_row[ow * W.stride + w_off];
                  }
                }
              }
            }
          }
        }
      }
    }
  }
  return Status::ok();
}

}  // namespace eb::ref::detail
