// A BatchNorm the folding pass could not fold (no conv or gemm before it):
// oneDNN inference batch normalization with the stored statistics,
// channels-last, in bands of rows.
#include "runtime/onednn/common.h"

namespace eb::rt::onednn {

Result<KernelChoice> create_batch_norm(const KernelRequest& r) {
  return guarded("batch normalization", [&]() -> Result<KernelChoice> {
    const Node& n = r.node.node;
    const std::vector<int64_t>& x = shape_of(r.graph, n.inputs[0]).dims();
    const float eps = n.get<BatchNormAttrs>().epsilon;
    const auto flags = dnnl::normalization_flags::use_global_stats | dnnl::normalization_flags::use_scale |
                       dnnl::normalization_flags::use_shift;
    const Layout vec({x[1]}, dt::f32, tag::a);
    dnnl::memory constants[4];
    for (int i = 0; i < 4; ++i) constants[i] = prepare_weights(r.graph.value(n.inputs[1 + i]).data->data(), vec, vec, r);
    const dnnl::primitive_attr attr = attributes_for(r.node);
    const bool spatial = x.size() >= 3;
    const int parts = spatial ? parts_for(r, x[0], x[2], static_cast<double>(Shape(x).numel()), 1 << 15) : 1;
    auto kernel = std::make_unique<PrimitiveKernel>(r);
    using S = PrimitiveKernel::Source;
    for (const auto& [r0, r1] : split_even(spatial ? x[2] : 1, parts)) {
      const Layout md = spatial ? channels_last(with_rows(x, r1 - r0)) : plain_layout(Shape(x));
      const std::ptrdiff_t off = spatial ? r0 * row_pitch(x) * 4 : 0;
      const dnnl::batch_normalization_forward::desc desc(dnnl::prop_kind::forward_inference, md, eps, flags);
      const dnnl::batch_normalization_forward::primitive_desc pd(desc, attr, r.engine);
      kernel->add_part(pd, {{DNNL_ARG_SRC, S::input, 0, md, off, {}},
                            {DNNL_ARG_SCALE, S::constant, 0, vec, 0, constants[0]},
                            {DNNL_ARG_SHIFT, S::constant, 0, vec, 0, constants[1]},
                            {DNNL_ARG_MEAN, S::constant, 0, vec, 0, constants[2]},
                            {DNNL_ARG_VARIANCE, S::constant, 0, vec, 0, constants[3]},
                            {DNNL_ARG_DST, S::output, 0, md, off, {}}});
    }
    KernelChoice choice;
    choice.kernel = std::move(kernel);
    choice.inputs = {channels_last(x)};
    choice.output = channels_last(x);
    choice.inplace_input = 0;
    return choice;
  });
}

}  // namespace eb::rt::onednn
