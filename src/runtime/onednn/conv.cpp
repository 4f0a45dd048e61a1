// Convolution 1-D/2-D/3-D, grouped and depthwise, with bias and post-ops
// (activations, residual sum), channels-last, split one of two ways:
//
// - bands of output rows (large maps, small weights: the early layers):
//   each band reads its input rows and all the weights;
// - chunks of output channels (small maps, large weights: the late
//   layers, where every band would stream all the weights again): each
//   chunk reads all the input and its share of the weights, computes into
//   a dense temporary (oneDNN's fast kernels want dense outputs) and a
//   reorder puts it in its channels of the output. A residual to sum is
//   first gathered into the temporary the same way.
//
// 3x3 stride-1 convolutions with channels in multiples of 16 use Winograd
// (oneDNN's F(2x2,3x3) / F(4x4,3x3): 2.25x to 4x fewer multiplications;
// within 1e-6 of direct per layer) where it pays (winograd_candidate).
// oneDNN's Winograd applies ReLU and sum itself; other activations after
// them run as eltwise primitives on each chunk. Winograd wants 16-channel
// blocks (nChw16c), in which a run of whole blocks is contiguous: it
// splits into chunks of output channels writing straight into the output.
#include <algorithm>

#include "runtime/onednn/common.h"

namespace eb::rt::onednn {
namespace {

using S = PrimitiveKernel::Source;

// What both ways of splitting need.
struct Conv {
  const KernelRequest& r;
  const Node& n;
  std::vector<int64_t> x, y;  // input and output dims
  Shape w;                    // ONNX weights [M, C/G, k...]
  int64_t group;
  dnnl::memory::dims strides, dilates, pad_l, pad_r;
  ValueId bias;
  dnnl::primitive_attr attr;
  double macs;

  dnnl::convolution_forward::primitive_desc pd(const Layout& src, const Layout& wts, const Layout& bias_md, const Layout& dst,
                                               const dnnl::memory::dims& pl, const dnnl::memory::dims& pr) const {
    const dnnl::convolution_forward::desc d(dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct, src, wts, bias_md,
                                            dst, strides, dilates, pl, pr);
    return dnnl::convolution_forward::primitive_desc(d, attr, r.engine);
  }
  const float* weights() const { return r.graph.value(n.inputs[1]).data->data(); }
  const float* bias_data() const { return r.graph.value(bias).data->data(); }
};

// Channel chunks when the weights outweigh the input and do not fit in a
// core's L2: every band streams all the weights, from L2 while they fit
// (there bands win: ResNet-50's 14x14 256->1024 1x1 ran 290 us in bands
// against 390 us in chunks, which pay a gather and a scatter) and from
// further away when they do not (its 7x7 2048-channel layers: chunks 370
// us, bands 550 us).
bool split_channels(const Conv& c) {
  const double w_bytes = static_cast<double>(c.w.numel()) * 4;
  const double x_bytes = static_cast<double>(Shape(c.x).numel()) * 4;
  return c.r.max_tasks > 1 && c.x[0] == 1 && c.group == 1 && c.w[0] >= 32 && w_bytes > 2 * x_bytes &&
         w_bytes > static_cast<double>(l2_cache_bytes());
}

Status add_row_bands(const Conv& c, PrimitiveKernel& kernel) {
  // Grouped weights are [G, M/G, C/G, k...]: the same bytes as ONNX's [M, C/G, k...].
  dnnl::memory::dims wdims = to_dims(c.w);
  if (c.group > 1) {
    wdims[0] = c.w[0] / c.group;
    wdims.insert(wdims.begin(), c.group);
  }
  WeightCache weights(c.r, c.weights(), plain_layout(Shape(std::vector<int64_t>(wdims.begin(), wdims.end()))));
  const Layout b_layout({c.w[0]}, dt::f32, tag::a);
  dnnl::memory bias;
  if (c.bias != kNoValue) bias = prepare_weights(c.bias_data(), b_layout, b_layout, c.r);

  const Window win{c.x[2], (c.w[2] - 1) * (c.dilates[0] + 1) + 1, c.strides[0], c.pad_l[0]};
  const int parts = parts_for(c.r, c.x[0], c.y[2], c.macs, 2e5);
  for (const auto& [o0, o1] : split_even(c.y[2], parts)) {
    const BandRows band = parts == 1 ? BandRows{0, c.x[2], c.pad_l[0], c.pad_r[0]} : band_rows(win, o0, o1);
    if (band.in_end <= band.in_begin) return unsupported("a band of output rows reads only padding");
    dnnl::memory::dims pl = c.pad_l, pr = c.pad_r;
    pl[0] = band.pad_l;
    pr[0] = band.pad_r;
    const Layout src = channels_last(with_rows(c.x, band.in_end - band.in_begin));
    const Layout dst = channels_last(with_rows(c.y, o1 - o0));
    const auto pd = c.pd(src, Layout(wdims, dt::f32, tag::any), c.bias != kNoValue ? b_layout : Layout(), dst, pl, pr);
    if (pd.src_desc() != src || pd.dst_desc() != dst) return unsupported("convolution wants another activation layout");
    const std::ptrdiff_t in_off = band.in_begin * row_pitch(c.x) * 4, out_off = o0 * row_pitch(c.y) * 4;
    std::vector<PrimitiveKernel::Arg> args = {
        {DNNL_ARG_SRC, S::input, 0, src, in_off, {}},
        {DNNL_ARG_WEIGHTS, S::constant, 0, pd.weights_desc(), 0, weights.get(pd.weights_desc())},
        {DNNL_ARG_DST, S::output, 0, dst, out_off, {}},
    };
    if (c.bias != kNoValue) args.push_back({DNNL_ARG_BIAS, S::constant, 0, b_layout, 0, bias});
    auto& part = kernel.add_part(pd, std::move(args));
    if (c.r.node.has_sum()) {
      part.seed_input = 1;
      part.seed_offset = out_off;
      part.seed_bytes = dst.get_size();
    }
  }
  return Status::ok();
}

Status add_channel_chunks(const Conv& c, PrimitiveKernel& kernel) {
  const int64_t blocks = (c.w[0] + 15) / 16;  // chunks of whole AVX-512 vectors of channels
  // One chunk per thread (max_tasks is two per thread): each chunk reads the
  // whole input again and pays a scatter call; half as many measured 1-2%
  // faster on ResNet-50 at two threads.
  const int parts = std::max(1, parts_for(c.r, 1, blocks, c.macs, 2e5) / 2);
  const Layout src = channels_last(c.x);
  const Layout y_full = channels_last(c.y);
  const int64_t per_filter = c.w.numel() / c.w[0];
  for (auto [c0, c1] : split_even(blocks, parts)) {
    c0 *= 16;
    c1 = std::min(c1 * 16, c.w[0]);
    const int64_t m = c1 - c0;
    std::vector<int64_t> ydims = c.y, wdims = c.w.dims();
    ydims[1] = m;
    wdims[0] = m;
    const Layout tmp = channels_last(ydims);
    const Layout b_chunk({m}, dt::f32, tag::a);
    auto& part = kernel.new_part();
    const std::ptrdiff_t tmp_off = kernel.reserve(part, tmp.get_size());
    std::ptrdiff_t slice_off = 0;
    const Layout slice = channel_slice(y_full, c0, m, slice_off);
    if (c.r.node.has_sum()) {
      const dnnl::reorder::primitive_desc gather(c.r.engine, slice, c.r.engine, tmp, attr_reorder());
      kernel.add_exec(part, gather, {{DNNL_ARG_FROM, S::input, 1, slice, slice_off, {}}, {DNNL_ARG_TO, S::scratch, 0, tmp, tmp_off, {}}});
    }
    const auto pd = c.pd(src, Layout(to_dims(wdims), dt::f32, tag::any), c.bias != kNoValue ? b_chunk : Layout(), tmp, c.pad_l, c.pad_r);
    if (pd.src_desc() != src || pd.dst_desc() != tmp) return unsupported("convolution wants another activation layout");
    std::vector<PrimitiveKernel::Arg> args = {
        {DNNL_ARG_SRC, S::input, 0, src, 0, {}},
        {DNNL_ARG_WEIGHTS, S::constant, 0, pd.weights_desc(), 0,
         prepare_weights(c.weights() + c0 * per_filter, plain_layout(Shape(wdims)), pd.weights_desc(), c.r)},
        {DNNL_ARG_DST, S::scratch, 0, tmp, tmp_off, {}},
    };
    if (c.bias != kNoValue)
      args.push_back({DNNL_ARG_BIAS, S::constant, 0, b_chunk, 0, prepare_weights(c.bias_data() + c0, b_chunk, b_chunk, c.r)});
    kernel.add_exec(part, pd, std::move(args));
    const dnnl::reorder::primitive_desc scatter(c.r.engine, tmp, c.r.engine, slice, attr_reorder());
    kernel.add_exec(part, scatter, {{DNNL_ARG_FROM, S::scratch, 0, tmp, tmp_off, {}}, {DNNL_ARG_TO, S::output, 0, slice, slice_off, {}}});
  }
  return Status::ok();
}

bool winograd_shape(const Node& n, const PlanGraph& g) {
  if (n.op != OpKind::Conv) return false;
  const auto& a = n.get<ConvAttrs>();
  const Shape& x = g.value(n.inputs[0]).desc.shape;
  const Shape& w = g.value(n.inputs[1]).desc.shape;
  const Shape& y = g.value(n.outputs[0]).desc.shape;
  const auto ones = [](const std::vector<int64_t>& v) { return std::all_of(v.begin(), v.end(), [](int64_t e) { return e == 1; }); };
  // At least 64 input channels: with fewer, the transforms outweigh the
  // saved multiplications (Inception-v4's 32-channel stem at 109x109 ran
  // 15-20% slower in Winograd than direct, before its reorders).
  return x.rank() == 4 && w[2] == 3 && w[3] == 3 && ones(a.strides) && ones(a.dilations) && a.group == 1 && x[0] == 1 &&
         x[1] % 16 == 0 && x[1] >= 64 && w[0] % 16 == 0 && y[2] * y[3] >= 36;
}

// Winograd pays for the reorders into and out of 16-channel blocks when
// the layer is big, its map small (the direct kernel is weaker there), its
// input already in blocks (the layer before was Winograd), or it starts a
// chain of them (every reader of its output is a Winograd candidate too: a
// VGG stack, a ResNet basic block). Not for a 3x3 alone between layers that
// want channels-last (a ResNet bottleneck, an Inception branch): measured,
// no gain there or a loss.
bool winograd_candidate(const Conv& c) {
  if (!winograd_shape(c.n, c.r.graph)) return false;
  const int64_t plane = c.y[2] * c.y[3];
  if (c.macs >= 2.5e8 || plane <= 400 || c.r.inputs[0] == blocked16(c.x)) return true;
  const ValueId out = c.n.outputs[0];
  bool chain = !c.r.graph.is_graph_output(out), read = false;
  for (const PlanNode& other : c.r.graph.nodes)
    for (ValueId id : c.r.graph.activation_inputs(other))
      if (id == out) {
        read = true;
        chain = chain && winograd_shape(other.node, c.r.graph);
      }
  return chain && read;
}

// How many of the node's post-ops oneDNN's Winograd kernel applies itself:
// ReLU and sum. The activations after them (LeakyReLU, Clip, ...) run as
// eltwise primitives on the chunk; a sum after one of those cannot.
std::size_t winograd_post_ops(const PlanNode& node) {
  std::size_t k = 0;
  while (k < node.post_ops.size()) {
    const PostOp& p = node.post_ops[k];
    if (p.kind != PostOp::Kind::sum && p.op != OpKind::Relu) break;
    ++k;
  }
  return k;
}

// Throws dnnl::error when oneDNN has no Winograd kernel for the case.
void add_winograd_chunks(const Conv& c, PrimitiveKernel& kernel) {
  const std::size_t fused = winograd_post_ops(c.r.node);
  for (std::size_t i = fused; i < c.r.node.post_ops.size(); ++i)
    if (c.r.node.post_ops[i].kind == PostOp::Kind::sum) throw dnnl::error(dnnl_unimplemented, "sum after an activation");
  const dnnl::primitive_attr attr = attributes_for(c.r.node, fused);
  const Layout src = blocked16(c.x);
  const int64_t blocks = c.w[0] / 16;
  // One chunk per thread: each chunk transforms the whole input again.
  const int parts = static_cast<int>(std::min<int64_t>(blocks, std::max(1, c.r.max_tasks / 2)));
  const int64_t per_filter = c.w.numel() / c.w[0];
  const int64_t plane = c.y[2] * c.y[3];
  for (auto [c0, c1] : split_even(blocks, parts)) {
    c0 *= 16;
    c1 *= 16;
    const int64_t m = c1 - c0;
    std::vector<int64_t> ydims = c.y, wdims = c.w.dims();
    ydims[1] = m;
    wdims[0] = m;
    const Layout dst = blocked16(ydims);
    const Layout b_chunk({m}, dt::f32, tag::a);
    const dnnl::convolution_forward::desc d(dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_winograd, src,
                                            Layout(to_dims(wdims), dt::f32, tag::any), c.bias != kNoValue ? b_chunk : Layout(), dst,
                                            c.strides, c.dilates, c.pad_l, c.pad_r);
    const dnnl::convolution_forward::primitive_desc pd(d, attr, c.r.engine);
    const std::ptrdiff_t out_off = c0 * plane * 4;
    std::vector<PrimitiveKernel::Arg> args = {
        {DNNL_ARG_SRC, S::input, 0, src, 0, {}},
        {DNNL_ARG_WEIGHTS, S::constant, 0, pd.weights_desc(), 0,
         prepare_weights(c.weights() + c0 * per_filter, plain_layout(Shape(wdims)), pd.weights_desc(), c.r)},
        {DNNL_ARG_DST, S::output, 0, dst, out_off, {}},
    };
    if (c.bias != kNoValue)
      args.push_back({DNNL_ARG_BIAS, S::constant, 0, b_chunk, 0, prepare_weights(c.bias_data() + c0, b_chunk, b_chunk, c.r)});
    auto& part = kernel.add_part(pd, std::move(args));
    if (c.r.node.has_sum()) {
      part.seed_input = 1;
      part.seed_offset = out_off;
      part.seed_bytes = dst.get_size();
    }
    for (std::size_t i = fused; i < c.r.node.post_ops.size(); ++i) {
      const PostOp& p = c.r.node.post_ops[i];
      const Eltwise e = eltwise_of(p.op, p.attrs);
      const dnnl::eltwise_forward::desc ed(dnnl::prop_kind::forward_inference, e.algorithm, dst, e.alpha, e.beta);
      const dnnl::eltwise_forward::primitive_desc epd(ed, attr_reorder(), c.r.engine);
      kernel.add_exec(part, epd, {{DNNL_ARG_SRC, S::output, 0, dst, out_off, {}}, {DNNL_ARG_DST, S::output, 0, dst, out_off, {}}});
    }
  }
}

}  // namespace

Result<KernelChoice> create_conv(const KernelRequest& r) {
  return guarded("convolution", [&]() -> Result<KernelChoice> {
    const Node& n = r.node.node;
    const auto& a = n.get<ConvAttrs>();
    Conv c{r, n, shape_of(r.graph, n.inputs[0]).dims(), shape_of(r.graph, n.outputs[0]).dims(), shape_of(r.graph, n.inputs[1]),
           a.group, {}, {}, {}, {}, n.input(2), attributes_for(r.node), 0.0};
    const std::size_t sp = c.x.size() - 2;
    c.strides.assign(sp, 1);
    c.dilates.assign(sp, 0);
    c.pad_l.assign(sp, 0);
    c.pad_r.assign(sp, 0);
    for (std::size_t i = 0; i < sp; ++i) {
      if (!a.strides.empty()) c.strides[i] = a.strides[i];
      if (!a.dilations.empty()) c.dilates[i] = a.dilations[i] - 1;  // oneDNN counts the holes
      if (!a.pads.empty()) {
        c.pad_l[i] = a.pads[i];
        c.pad_r[i] = a.pads[sp + i];
      }
    }
    c.macs = static_cast<double>(Shape(c.y).numel()) * static_cast<double>(c.w.numel() / c.w[0]);

    auto kernel = std::make_unique<PrimitiveKernel>(r);
    Layout (*layout)(const std::vector<int64_t>&) = channels_last;
    bool winograd = false;
    if (winograd_candidate(c)) {
      try {
        add_winograd_chunks(c, *kernel);
        winograd = true;
        layout = blocked16;
      } catch (const dnnl::error&) {
        kernel = std::make_unique<PrimitiveKernel>(r);  // no Winograd kernel for these post-ops: direct
      }
    }
    if (!winograd) EB_RETURN_IF_ERROR(split_channels(c) ? add_channel_chunks(c, *kernel) : add_row_bands(c, *kernel));
    KernelChoice choice;
    choice.inputs = {layout(c.x)};
    if (r.node.has_sum()) {
      choice.inputs.push_back(layout(c.y));  // the residual, in the layout it is accumulated into
      choice.inplace_input = 1;
    }
    choice.output = layout(c.y);
    choice.kernel = std::move(kernel);
    return choice;
  });
}

}  // namespace eb::rt::onednn
