// Max / average pooling (incl. ceil mode) and global pooling. Channels-last
// input splits into bands of output rows; input in 16-channel blocks (from
// a Winograd convolution) stays so and splits into chunks of blocks.
//
// Ceil mode is expressed as extra end padding: oneDNN sizes its output with
// floor division, so the end padding grows until it yields the graph's
// output size. Max pooling never reads padding and average pooling
// without count_include_pad divides by the real elements only, so the extra
// padding changes nothing else. With count_include_pad, the divisor would
// count the extra padding too: that case is left to the next provider.
#include <algorithm>

#include "runtime/onednn/common.h"

namespace eb::rt::onednn {

Result<KernelChoice> create_pool(const KernelRequest& r) {
  return guarded("pooling", [&]() -> Result<KernelChoice> {
    const Node& n = r.node.node;
    const std::vector<int64_t>& x = shape_of(r.graph, n.inputs[0]).dims();
    const std::vector<int64_t>& y = shape_of(r.graph, n.outputs[0]).dims();
    const std::size_t sp = x.size() - 2;

    dnnl::memory::dims kernel(sp), strides(sp, 1), pad_l(sp, 0), pad_r(sp, 0);
    dnnl::algorithm alg = dnnl::algorithm::pooling_max;
    const bool global = n.op == OpKind::GlobalAvgPool || n.op == OpKind::GlobalMaxPool;
    if (global) {
      for (std::size_t i = 0; i < sp; ++i) kernel[i] = x[2 + i];
      if (n.op == OpKind::GlobalAvgPool) alg = dnnl::algorithm::pooling_avg_exclude_padding;
    } else {
      const auto& a = n.get<PoolAttrs>();
      bool grown = false;
      for (std::size_t i = 0; i < sp; ++i) {
        kernel[i] = a.kernel[i];
        if (!a.strides.empty()) strides[i] = a.strides[i];
        if (!a.pads.empty()) {
          pad_l[i] = a.pads[i];
          pad_r[i] = a.pads[sp + i];
        }
        const int64_t needed = (y[2 + i] - 1) * strides[i] + kernel[i] - x[2 + i] - pad_l[i];
        if (needed > pad_r[i]) {
          pad_r[i] = needed;
          grown = true;
        }
      }
      if (n.op == OpKind::AvgPool) {
        alg = a.count_include_pad ? dnnl::algorithm::pooling_avg_include_padding : dnnl::algorithm::pooling_avg_exclude_padding;
        if (a.count_include_pad && grown) return unsupported("ceil-mode average pooling counting the padding");
      }
    }
    const dnnl::primitive_attr attr = attributes_for(r.node);
    auto k = std::make_unique<PrimitiveKernel>(r);
    using S = PrimitiveKernel::Source;
    KernelChoice choice;
    const double work = static_cast<double>(Shape(y).numel()) * static_cast<double>(kernel[0]);
    if (x[0] == 1 && x[1] % 16 == 0 && r.inputs[0] == blocked16(x)) {
      const int64_t in_plane = Shape(x).numel() / x[1], out_plane = Shape(y).numel() / y[1];
      for (auto [c0, c1] : split_even(x[1] / 16, parts_for(r, 1, x[1] / 16, work, 3e4))) {
        std::vector<int64_t> xc = x, yc = y;
        xc[1] = yc[1] = (c1 - c0) * 16;
        const Layout src = blocked16(xc), dst = blocked16(yc);
        const dnnl::pooling_forward::desc desc(dnnl::prop_kind::forward_inference, alg, src, dst, strides, kernel, pad_l, pad_r);
        const dnnl::pooling_forward::primitive_desc pd(desc, attr, r.engine);
        k->add_part(pd, {{DNNL_ARG_SRC, S::input, 0, src, c0 * 16 * in_plane * 4, {}},
                         {DNNL_ARG_DST, S::output, 0, dst, c0 * 16 * out_plane * 4, {}}});
      }
      choice.inputs = {blocked16(x)};
      choice.output = blocked16(y);
    } else {
      const Window win{x[2], kernel[0], strides[0], pad_l[0]};
      const int parts = global ? 1 : parts_for(r, x[0], y[2], work, 3e4);
      for (const auto& [o0, o1] : split_even(y[2], parts)) {
        const BandRows band = parts == 1 ? BandRows{0, x[2], pad_l[0], pad_r[0]} : band_rows(win, o0, o1);
        if (band.in_end <= band.in_begin) return unsupported("a band of output rows reads only padding");
        dnnl::memory::dims pl = pad_l, pr = pad_r;
        pl[0] = band.pad_l;
        pr[0] = band.pad_r;
        const Layout src = channels_last(with_rows(x, band.in_end - band.in_begin));
        const Layout dst = channels_last(with_rows(y, o1 - o0));
        const dnnl::pooling_forward::desc desc(dnnl::prop_kind::forward_inference, alg, src, dst, strides, kernel, pl, pr);
        const dnnl::pooling_forward::primitive_desc pd(desc, attr, r.engine);
        k->add_part(pd, {{DNNL_ARG_SRC, S::input, 0, src, band.in_begin * row_pitch(x) * 4, {}},
                         {DNNL_ARG_DST, S::output, 0, dst, o0 * row_pitch(y) * 4, {}}});
      }
      choice.inputs = {channels_last(x)};
      choice.output = channels_last(y);
    }
    choice.kernel = std::move(k);
    return choice;
  });
}

}  // namespace eb::rt::onednn
