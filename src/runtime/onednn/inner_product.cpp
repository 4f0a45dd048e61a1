// Gemm (fully connected, W [out, in]) as an inner product with bias and
// post-ops. With batch 1 it is a matrix-vector product, bound by reading
// the weights: it splits into chunks of output features, each with its
// rows of W (reordered once to the layout oneDNN prefers).
#include <algorithm>

#include "runtime/onednn/common.h"

namespace eb::rt::onednn {

Result<KernelChoice> create_inner_product(const KernelRequest& r) {
  return guarded("inner product", [&]() -> Result<KernelChoice> {
    const Node& n = r.node.node;
    const Shape& x = shape_of(r.graph, n.inputs[0]);
    const Shape& w = shape_of(r.graph, n.inputs[1]);
    const int64_t batch = x[0], in = w[1], out = w[0];
    const ValueId b_id = n.input(2);
    const float* w_data = r.graph.value(n.inputs[1]).data->data();
    const float* b_data = b_id != kNoValue ? r.graph.value(b_id).data->data() : nullptr;
    const Layout src = plain_layout(x);
    const dnnl::primitive_attr attr = attributes_for(r.node);

    // Chunks of 16 output features at least (one AVX-512 vector).
    const int parts = parts_for(r, batch, (out + 15) / 16, static_cast<double>(w.numel()), 1 << 16);
    auto kernel = std::make_unique<PrimitiveKernel>(r);
    using S = PrimitiveKernel::Source;
    for (const auto& [c0, c1] : runs_of_16(out, parts)) {
      const int64_t m = c1 - c0;
      const Layout w_plain({m, in}, dt::f32, tag::ab);
      const Layout b_layout({m}, dt::f32, tag::a);
      const Layout dst = plain_layout(Shape{batch, m});
      const dnnl::inner_product_forward::desc desc(dnnl::prop_kind::forward_inference, src, Layout({m, in}, dt::f32, tag::any),
                                                   b_data ? b_layout : Layout(), dst);
      const dnnl::inner_product_forward::primitive_desc pd(desc, attr, r.engine);
      if (pd.dst_desc() != dst || pd.src_desc() != src) return unsupported("inner product wants another activation layout");
      const std::ptrdiff_t out_off = c0 * 4;
      std::vector<PrimitiveKernel::Arg> args = {
          {DNNL_ARG_SRC, S::input, 0, src, 0, {}},
          {DNNL_ARG_WEIGHTS, S::constant, 0, pd.weights_desc(), 0, prepare_weights(w_data + c0 * in, w_plain, pd.weights_desc(), r)},
          {DNNL_ARG_DST, S::output, 0, dst, out_off, {}},
      };
      if (b_data) args.push_back({DNNL_ARG_BIAS, S::constant, 0, b_layout, 0, prepare_weights(b_data + c0, b_layout, b_layout, r)});
      seed_residual(r, kernel->add_part(pd, std::move(args)), out_off, dst.get_size());
    }
    KernelChoice choice;
    choice.inputs = {src};
    if (r.node.has_sum()) {
      choice.inputs.push_back(plain_layout(shape_of(r.graph, n.outputs[0])));
      choice.inplace_input = 1;
    }
    choice.output = plain_layout(shape_of(r.graph, n.outputs[0]));
    choice.kernel = std::move(kernel);
    return choice;
  });
}

}  // namespace eb::rt::onednn
