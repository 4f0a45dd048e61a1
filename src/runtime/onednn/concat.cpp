// Concatenation along any axis. Inputs all in 16-channel blocks (Winograd
// branches) concatenated along whole blocks stay blocked: the concat is a
// few contiguous copies. Otherwise channels-last, where a concat along
// channels splits into bands of rows (each band a concat of the inputs'
// bands), or plain when some input is plain (e.g. reshaped heads).
#include "runtime/onednn/common.h"

namespace eb::rt::onednn {

Result<KernelChoice> create_concat(const KernelRequest& r) {
  return guarded("concat", [&]() -> Result<KernelChoice> {
    const Node& n = r.node.node;
    const std::vector<int64_t>& y = shape_of(r.graph, n.outputs[0]).dims();
    int axis = static_cast<int>(n.get<AxisAttrs>().axis);
    if (axis < 0) axis += static_cast<int>(y.size());

    const bool spatial = y.size() >= 3 && y.size() <= 5;
    bool blocked = spatial && axis == 1 && y[0] == 1, last = spatial;
    for (std::size_t i = 0; i < n.inputs.size(); ++i) {
      const std::vector<int64_t>& x = shape_of(r.graph, n.inputs[i]).dims();
      const bool in_blocks = spatial && r.inputs[i] == blocked16(x);
      blocked = blocked && in_blocks && x[1] % 16 == 0;
      last = last && (in_blocks || r.inputs[i] == channels_last(x));
    }
    const auto layout_of = [&](const std::vector<int64_t>& d) {
      return blocked ? blocked16(d) : last ? channels_last(d) : plain_layout(Shape(d));
    };

    const bool banded = last && !blocked && axis == 1;
    const int parts = banded ? parts_for(r, y[0], y[2], static_cast<double>(Shape(y).numel()), 1 << 15) : 1;
    const dnnl::primitive_attr attr = attributes_for(r.node);
    auto kernel = std::make_unique<PrimitiveKernel>(r);
    using S = PrimitiveKernel::Source;
    for (const auto& [r0, r1] : split_even(banded ? y[2] : 1, parts)) {
      std::vector<Layout> srcs;
      std::vector<PrimitiveKernel::Arg> args;
      for (std::size_t i = 0; i < n.inputs.size(); ++i) {
        const std::vector<int64_t>& x = shape_of(r.graph, n.inputs[i]).dims();
        srcs.push_back(banded ? layout_of(with_rows(x, r1 - r0)) : layout_of(x));
        args.push_back({DNNL_ARG_MULTIPLE_SRC + static_cast<int>(i), S::input, static_cast<int>(i), srcs.back(),
                        banded ? r0 * row_pitch(x) * 4 : 0, {}});
      }
      const Layout dst = banded ? layout_of(with_rows(y, r1 - r0)) : layout_of(y);
      const dnnl::concat::primitive_desc pd(dst, axis, srcs, r.engine, attr);
      args.push_back({DNNL_ARG_DST, S::output, 0, dst, banded ? r0 * row_pitch(y) * 4 : 0, {}});
      kernel->add_part(pd, std::move(args));
    }
    KernelChoice choice;
    for (ValueId id : n.inputs) choice.inputs.push_back(layout_of(shape_of(r.graph, id).dims()));
    choice.output = layout_of(y);
    choice.kernel = std::move(kernel);
    return choice;
  });
}

}  // namespace eb::rt::onednn
