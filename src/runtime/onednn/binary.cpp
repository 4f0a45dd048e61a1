// Elementwise Add with numpy broadcasting of one operand (the other has the
// output's shape), plus eltwise post-ops. Operands of one shape are read in
// the first one's layout and split into flat chunks; a broadcast operand
// is read plain and the kernel runs whole.
#include <algorithm>

#include "runtime/onednn/common.h"

namespace eb::rt::onednn {

Result<KernelChoice> create_binary_add(const KernelRequest& r) {
  return guarded("binary add", [&]() -> Result<KernelChoice> {
    const Node& n = r.node.node;
    const Shape& y = shape_of(r.graph, n.outputs[0]);
    // src0 must have the output's shape: swap operands if needed (add commutes).
    const int big = shape_of(r.graph, n.inputs[0]) == y ? 0 : 1;
    if (shape_of(r.graph, n.inputs[big]) != y) return unsupported("both operands are broadcast");
    const int small = 1 - big;
    const Shape& s = shape_of(r.graph, n.inputs[small]);
    const Layout layout = r.inputs[big];
    const bool dense = layout.get_size() == static_cast<std::size_t>(y.numel()) * 4;
    const dnnl::primitive_attr attr = attributes_for(r.node);
    auto kernel = std::make_unique<PrimitiveKernel>(r);
    using S = PrimitiveKernel::Source;
    KernelChoice choice;
    choice.inputs.resize(2);
    if (s == y && dense) {
      for (const auto& [c0, c1] : flat_chunks(r, y.numel())) {
        const Layout md({c1 - c0}, dt::f32, tag::a);
        const dnnl::binary::desc desc(dnnl::algorithm::binary_add, md, md, md);
        const dnnl::binary::primitive_desc pd(desc, attr, r.engine);
        kernel->add_part(pd, {{DNNL_ARG_SRC_0, S::input, big, md, c0 * 4, {}},
                              {DNNL_ARG_SRC_1, S::input, small, md, c0 * 4, {}},
                              {DNNL_ARG_DST, S::output, 0, md, c0 * 4, {}}});
      }
      choice.inputs = {layout, layout};
    } else {
      std::vector<int64_t> sdims(y.rank() - s.rank(), 1);  // align ranks from the right
      sdims.insert(sdims.end(), s.dims().begin(), s.dims().end());
      const Layout src1 = s == y ? layout : plain_layout(Shape(sdims));
      const dnnl::binary::desc desc(dnnl::algorithm::binary_add, layout, src1, layout);
      const dnnl::binary::primitive_desc pd(desc, attr, r.engine);
      kernel->add_part(pd, {{DNNL_ARG_SRC_0, S::input, big, layout, 0, {}},
                            {DNNL_ARG_SRC_1, S::input, small, src1, 0, {}},
                            {DNNL_ARG_DST, S::output, 0, layout, 0, {}}});
      choice.inputs[big] = layout;
      // The small operand's descriptor has the aligned rank; ask for it with the value's own dims.
      choice.inputs[small] = s == y ? layout : plain_layout(s);
    }
    choice.output = layout;
    choice.inplace_input = big;
    choice.kernel = std::move(kernel);
    return choice;
  });
}

}  // namespace eb::rt::onednn
