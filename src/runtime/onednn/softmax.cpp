// Softmax along one axis, on the plain layout, whole (softmax heads are small).
#include "runtime/onednn/common.h"

namespace eb::rt::onednn {

Result<KernelChoice> create_softmax(const KernelRequest& r) {
  return guarded("softmax", [&]() -> Result<KernelChoice> {
    const Shape& x = shape_of(r.graph, r.node.node.inputs[0]);
    int axis = static_cast<int>(r.node.node.get<AxisAttrs>().axis);
    if (axis < 0) axis += static_cast<int>(x.rank());
    const Layout plain = plain_layout(x);
    const dnnl::softmax_forward::desc desc(dnnl::prop_kind::forward_inference, plain, axis);
    const dnnl::softmax_forward::primitive_desc pd(desc, attributes_for(r.node), r.engine);
    using S = PrimitiveKernel::Source;
    auto kernel = std::make_unique<PrimitiveKernel>(r);
    kernel->add_part(pd, {{DNNL_ARG_SRC, S::input, 0, plain, 0, {}}, {DNNL_ARG_DST, S::output, 0, plain, 0, {}}});
    KernelChoice choice;
    choice.kernel = std::move(kernel);
    choice.inputs = {plain};
    choice.output = plain;
    choice.inplace_input = 0;
    return choice;
  });
}

}  // namespace eb::rt::onednn
