// A standalone activation (one that could not be fused into its producer),
// in the producer's layout (any dense one: it is elementwise), split into
// flat chunks, in place when the memory plan allows.
#include "runtime/onednn/common.h"

namespace eb::rt::onednn {

Result<KernelChoice> create_eltwise(const KernelRequest& r) {
  return guarded("eltwise", [&]() -> Result<KernelChoice> {
    const Node& n = r.node.node;
    const Eltwise e = eltwise_of(n.op, n.attrs);
    const Layout layout = r.inputs[0];
    const bool dense = layout.get_size() == static_cast<std::size_t>(shape_of(r.graph, n.inputs[0]).numel()) * 4;
    const dnnl::primitive_attr attr = attributes_for(r.node);
    auto kernel = std::make_unique<PrimitiveKernel>(r);
    using S = PrimitiveKernel::Source;
    // A padded (blocked) layout runs whole: the padding must stay zero.
    const auto chunks = dense ? flat_chunks(r, static_cast<int64_t>(layout.get_size() / 4)) : std::vector<std::pair<int64_t, int64_t>>{{0, 0}};
    for (const auto& [c0, c1] : chunks) {
      const Layout md = dense ? Layout({c1 - c0}, dt::f32, tag::a) : layout;
      const dnnl::eltwise_forward::desc desc(dnnl::prop_kind::forward_inference, e.algorithm, md, e.alpha, e.beta);
      const dnnl::eltwise_forward::primitive_desc pd(desc, attr, r.engine);
      kernel->add_part(pd, {{DNNL_ARG_SRC, S::input, 0, md, c0 * 4, {}}, {DNNL_ARG_DST, S::output, 0, md, c0 * 4, {}}});
    }
    KernelChoice choice;
    choice.kernel = std::move(kernel);
    choice.inputs = {layout};
    choice.output = layout;
    choice.inplace_input = 0;
    return choice;
  });
}

}  // namespace eb::rt::onednn
