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
    const auto add = [&](const Layout& md, std::ptrdiff_t offset) {
      const dnnl::eltwise_forward::desc desc(dnnl::prop_kind::forward_inference, e.algorithm, md, e.alpha, e.beta);
      const dnnl::eltwise_forward::primitive_desc pd(desc, attr, r.engine);
      kernel->add_part(pd, {{DNNL_ARG_SRC, S::input, 0, md, offset, {}}, {DNNL_ARG_DST, S::output, 0, md, offset, {}}});
    };
    const std::vector<int64_t> dims = shape_of(r.graph, n.inputs[0]).dims();
    if (dense) {
      for (const auto& [c0, c1] : flat_chunks(r, static_cast<int64_t>(layout.get_size() / 4))) add(Layout({c1 - c0}, dt::f32, tag::a), c0 * 4);
    } else if (dims.size() >= 3 && dims[0] == 1 && layout == blocked16(dims)) {
      // 16-channel blocks with the last one padded (e.g. 728 channels): runs
      // of whole blocks, each a blocked tensor of its own; oneDNN keeps the
      // padding of the last one zero.
      const int64_t blocks = (dims[1] + 15) / 16, plane = Shape(dims).numel() / dims[1];
      for (const auto& [c0, c1] : runs_of_16(dims[1], parts_for(r, 1, blocks, static_cast<double>(Shape(dims).numel()), 1 << 15)))
        add(blocked16(with_channels(dims, c1 - c0)), c0 * plane * 4);
    } else {
      add(layout, 0);  // another padded layout runs whole: the padding must stay zero
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
