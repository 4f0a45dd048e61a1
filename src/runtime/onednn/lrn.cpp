// Local response normalization across channels, channels-last, in bands
// of rows. ONNX and oneDNN agree:
// y = x / (bias + alpha / size * sum of x^2 over the window) ^ beta,
// with a window centred on the channel for odd sizes. For even sizes they
// place the window differently: those go to the next provider.
#include "runtime/onednn/common.h"

namespace eb::rt::onednn {

Result<KernelChoice> create_lrn(const KernelRequest& r) {
  return guarded("LRN", [&]() -> Result<KernelChoice> {
    const auto& a = r.node.node.get<LrnAttrs>();
    if (a.size % 2 == 0) return unsupported("LRN of even size " + std::to_string(a.size));
    const std::vector<int64_t>& x = shape_of(r.graph, r.node.node.inputs[0]).dims();
    const dnnl::primitive_attr attr = attributes_for(r.node);
    const int parts = parts_for(r, x[0], x[2], static_cast<double>(Shape(x).numel()) * static_cast<double>(a.size), 1 << 16);
    auto kernel = std::make_unique<PrimitiveKernel>(r);
    using S = PrimitiveKernel::Source;
    for (const auto& [r0, r1] : split_even(x[2], parts)) {
      const Layout md = channels_last(with_rows(x, r1 - r0));
      const std::ptrdiff_t off = r0 * row_pitch(x) * 4;
      const dnnl::lrn_forward::desc desc(dnnl::prop_kind::forward_inference, dnnl::algorithm::lrn_across_channels, md, a.size, a.alpha,
                                         a.beta, a.bias);
      const dnnl::lrn_forward::primitive_desc pd(desc, attr, r.engine);
      kernel->add_part(pd, {{DNNL_ARG_SRC, S::input, 0, md, off, {}}, {DNNL_ARG_DST, S::output, 0, md, off, {}}});
    }
    KernelChoice choice;
    choice.kernel = std::move(kernel);
    choice.inputs = {channels_last(x)};
    choice.output = channels_last(x);
    return choice;
  });
}

}  // namespace eb::rt::onednn
