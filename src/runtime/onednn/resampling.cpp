// Nearest-neighbour upsampling by integer factors over the spatial dims,
// channels-last, in bands of output rows (whole multiples of the factor,
// so each band reads its own input rows). oneDNN's nearest rule,
// round((o + 0.5) * in / out - 0.5), picks floor(o / f) for an integer
// factor f, as ONNX's nearest does.
#include "runtime/onednn/common.h"

namespace eb::rt::onednn {

Result<KernelChoice> create_resampling(const KernelRequest& r) {
  return guarded("resampling", [&]() -> Result<KernelChoice> {
    const Node& n = r.node.node;
    const auto& scales = n.get<UpsampleAttrs>().scales;
    if (scales.size() < 3 || scales[0] != 1 || scales[1] != 1) return unsupported("upsampling over batch or channels");
    const std::vector<int64_t>& x = shape_of(r.graph, n.inputs[0]).dims();
    const std::vector<int64_t>& y = shape_of(r.graph, n.outputs[0]).dims();
    const int64_t f = scales[2];
    const int parts = parts_for(r, x[0], x[2], static_cast<double>(Shape(y).numel()), 1 << 15);
    const dnnl::primitive_attr attr = attributes_for(r.node);
    auto kernel = std::make_unique<PrimitiveKernel>(r);
    using S = PrimitiveKernel::Source;
    for (const auto& [i0, i1] : split_even(x[2], parts)) {
      const Layout src = channels_last(with_rows(x, i1 - i0));
      const Layout dst = channels_last(with_rows(y, (i1 - i0) * f));
      const dnnl::resampling_forward::desc desc(dnnl::prop_kind::forward_inference, dnnl::algorithm::resampling_nearest, src, dst);
      const dnnl::resampling_forward::primitive_desc pd(desc, attr, r.engine);
      kernel->add_part(pd, {{DNNL_ARG_SRC, S::input, 0, src, i0 * row_pitch(x) * 4, {}},
                            {DNNL_ARG_DST, S::output, 0, dst, i0 * f * row_pitch(y) * 4, {}}});
    }
    KernelChoice choice;
    choice.kernel = std::move(kernel);
    choice.inputs = {channels_last(x)};
    choice.output = channels_last(y);
    return choice;
  });
}

}  // namespace eb::rt::onednn
