// Convolution kernels in 16-channel blocks (nChw16c), where a run of whole
// channel blocks of a batch-1 tensor is a dense tensor of its own, so a
// kernel split into chunks of output channels writes straight into the
// output, and a residual is seeded into each chunk's run:
//
// - Winograd: 3x3 stride-1 convolutions with channels in multiples of 16
//   (64 or more in), where it pays (winograd_candidate): oneDNN's
//   F(2x2,3x3) / F(4x4,3x3), 2.25x to 4x fewer multiplications, within 1e-6
//   of direct per layer. oneDNN's Winograd applies ReLU and sum itself;
//   other activations after them run as eltwise primitives on each chunk.
// - blocked channel chunks: 1x1 convolutions whose input comes in blocks,
//   or with weights beyond a core's L2 and readers that all take blocks
//   (blocked_chunks_pay): no scatter, as the channels-last chunks need.
// - depthwise by blocks: a depthwise convolution whose input comes in
//   blocks, split into runs of whole blocks (channels are independent).
#include <algorithm>
#include <string>

#include "runtime/onednn/conv.h"

namespace eb::rt::onednn::convolution {
namespace {

using S = PrimitiveKernel::Source;

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

// One chunk of output channels per thread, in whole 16-channel blocks: each
// chunk transforms the whole input again.
int64_t winograd_chunks(const Conv& c) { return std::min<int64_t>(c.w[0] / 16, c.r.split.threads); }

bool only_reference(const dnnl::primitive_desc_base& pd) { return std::string(pd.impl_info_str()).rfind("ref", 0) == 0; }

// oneDNN offers two Winograd kernels for avx512_core and picks F(2x2,3x3)
// first. F(4x4,3x3) does 4x fewer multiplications than direct (against
// 2.25x) but transforms each 3x3 filter into 36 floats (against 16), and
// its tiles of 4x4 outputs waste more of a small map. It pays where a
// chunk's weights so transformed stay well inside a core's L2 (at most
// 400 KB: 64->64 in two chunks at 56x56 and larger): ResNet-18 ran 6-10%
// faster and VGG16 5-9% with it there (in-network A/B at 2 threads). Where
// they are larger it lost: with chunks up to 640 KB (64->128) 0-2% slower,
// up to 1.3 MB 4% slower, and everywhere 7-18% slower (ResNet-50, YOLOv3),
// the weights streaming from beyond L2.
bool winograd_4x3_pays(const Conv& c, int64_t chunk_out) {
  return 36.0 * 4.0 * static_cast<double>(c.x[1]) * static_cast<double>(chunk_out) <= 400.0 * 1024;
}

// Output channels of the largest chunk, as the kernel makes them.
int64_t winograd_chunk_out(const Conv& c) {
  const int64_t chunks = winograd_chunks(c);
  return (c.w[0] / 16 + chunks - 1) / chunks * 16;
}

// Bytes of one chunk's weights in F(2x2,3x3) (16 floats per 3x3 filter and
// input channel).
double chunk_2x3_weight_bytes(const Conv& c) { return 64.0 * static_cast<double>(c.x[1]) * static_cast<double>(winograd_chunk_out(c)); }

// Where each chunk's F(2x2,3x3) weights go far beyond a core's L2 (over
// 2.5 MB) on a map of several tile blocks (over 8x8) in a layer under 250M
// MACs, F(2x2,3x3) loses to direct: 256->512 at 14x14 ran 1.07-1.09x
// direct's time alone and 1.2-1.3x inside YOLOv3 (it streams the weights
// once per block of its many 2x2 tiles). F(4x4,3x3), with 4x fewer tiles,
// wins there: 0.89x direct's time with hot caches and 0.76x with cold ones
// (bench/conv_kernels), and YOLOv3 ran 6-10% faster and AlexNet 0-3%
// (its 384->384 at 13x13) than with direct (in-network A/B, 2 threads).
// Larger layers (VGG's 512->512 at 14x14 and 28x28) keep F(2x2,3x3):
// F(4x4,3x3) made VGG16 and VGG19 1-3% slower.
bool winograd_needs_4x3(const Conv& c) {
  return chunk_2x3_weight_bytes(c) > 2.5e6 && c.y[2] * c.y[3] > 64 && c.macs < 2.5e8;
}

}  // namespace

// Winograd pays for the reorders into and out of 16-channel blocks when
// the layer is big, its map small (the direct kernel is weaker there), its
// input already in blocks (the layer before was Winograd), or it starts a
// chain of them (every reader of its output is a Winograd candidate too: a
// VGG stack, a ResNet basic block). On a larger map it pays when each
// chunk's transformed weights stay in a core's L2 and the channels are not
// too few (measured with real weights at 2 threads, 64->128 at 56x56 ran
// 1.6-2x faster, 128->256 at 28x28 and 96->96 at 35x35 1.45x, 64->64 at
// 56x56 no faster) or F(4x4,3x3) pays (64->64 at 56x56 took 0.64-0.67x
// direct's time hot and 0.77x cold in bench/conv_kernels; ResNet-50's and
// ResNet-101's first stage made them about 1% faster, 5 of 6 in-network
// A/Bs at or above parity), and only convolutions read the output:
// Inception-v4's 3x3s feeding a concat, in Winograd, made the model 3-4%
// slower (the concat's other branches are channels-last). Where each chunk's
// transformed weights go far beyond L2 on a map of several tile blocks,
// only F(4x4,3x3) pays (winograd_needs_4x3): without it, direct.
bool winograd_candidate(const Conv& c, bool allow_4x3) {
  if (!winograd_shape(c.n, c.r.graph)) return false;
  if (winograd_needs_4x3(c)) return allow_4x3;
  const int64_t plane = c.y[2] * c.y[3];
  const int64_t in_ch = c.x[1], out_ch = c.w[0];
  const double chunk_weight_bytes = chunk_2x3_weight_bytes(c);
  if (c.macs >= 2.5e8 || plane <= 400 || c.r.inputs[0] == blocked16(c.x)) return true;
  const ValueId out = c.n.outputs[0];
  bool chain = !c.r.graph.is_graph_output(out), to_convs = chain, read = false;
  for (const PlanNode& other : c.r.graph.nodes)
    for (ValueId id : c.r.graph.activation_inputs(other))
      if (id == out) {
        read = true;
        chain = chain && winograd_shape(other.node, c.r.graph);
        to_convs = to_convs && other.node.op == OpKind::Conv;
      }
  if (!read) return false;
  const bool enough_channels = in_ch * out_ch >= 64 * 96 || (allow_4x3 && winograd_4x3_pays(c, winograd_chunk_out(c)));
  return chain || (to_convs && chunk_weight_bytes <= 1.25e6 && enough_channels);
}

void add_winograd_chunks(const Conv& c, PrimitiveKernel& kernel, bool allow_4x3) {
  const std::vector<PostOp>& ops = c.r.node.post_ops;
  const std::size_t fused = winograd_post_ops(c.r.node);
  // A sum after an activation it cannot apply (Darknet's shortcut after a
  // LeakyReLU): the chunk goes to a temporary, the activations before the
  // sum run on it, and a binary add puts it onto the residual, seeded into
  // the output as for any sum.
  std::size_t late_sum = ops.size();
  for (std::size_t i = fused; i < ops.size(); ++i)
    if (ops[i].kind == PostOp::Kind::sum) late_sum = i;
  const bool via_temp = late_sum < ops.size();
  const bool needs_4x3 = winograd_needs_4x3(c);
  const dnnl::primitive_attr attr = attributes_for(c.r.node, fused);
  const Layout src = blocked16(c.x);
  const int parts = static_cast<int>(winograd_chunks(c));
  const int64_t plane = c.y[2] * c.y[3];
  for (const auto& [c0, c1] : runs_of_16(c.w[0], parts)) {
    const int64_t m = c1 - c0;
    dnnl::memory::dims wdims = to_dims(c.w);
    wdims[0] = m;
    const Layout dst = blocked16(with_channels(c.y, m));
    const dnnl::convolution_forward::desc d(dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_winograd, src,
                                            Layout(wdims, dt::f32, tag::any), c.bias_md(m), dst, c.strides, c.dilates, c.pad_l, c.pad_r);
    dnnl::convolution_forward::primitive_desc pd(d, attr, c.r.engine);
    if (allow_4x3 && (needs_4x3 || winograd_4x3_pays(c, m)) && !prefer_implementation(pd, "wino_4x3") && needs_4x3)
      throw dnnl::error(dnnl_unimplemented, "no F(4x4,3x3) kernel here");  // direct then: F(2x2,3x3) loses there
    const std::ptrdiff_t out_off = c0 * plane * 4;
    auto& part = kernel.new_part();
    const PrimitiveKernel::Arg out{DNNL_ARG_DST, S::output, 0, dst, out_off, {}};
    const PrimitiveKernel::Arg tmp = via_temp ? PrimitiveKernel::Arg{DNNL_ARG_DST, S::scratch, 0, dst, kernel.reserve(part, dst.get_size()), {}} : out;
    c.add_chunk_exec(kernel, part, pd, {DNNL_ARG_SRC, S::input, 0, src, 0, {}}, tmp, c0, wdims);
    seed_residual(c.r, part, out_off, dst.get_size());
    // The activations oneDNN's Winograd does not apply, each in place on
    // the chunk (on the temporary up to a late sum).
    const auto eltwise = [&](const PostOp& p, const PrimitiveKernel::Arg& where) {
      const Eltwise e = eltwise_of(p.op, p.attrs);
      const dnnl::eltwise_forward::desc ed(dnnl::prop_kind::forward_inference, e.algorithm, dst, e.alpha, e.beta);
      const dnnl::eltwise_forward::primitive_desc epd(ed, attr_reorder(), c.r.engine);
      PrimitiveKernel::Arg from = where, to = where;
      from.id = DNNL_ARG_SRC;
      kernel.add_exec(part, epd, {from, to});
    };
    for (std::size_t i = fused; i < ops.size(); ++i) {
      if (i < late_sum) {
        eltwise(ops[i], tmp);
      } else if (i == late_sum) {
        const dnnl::binary::desc bd(dnnl::algorithm::binary_add, dst, dst, dst);
        const dnnl::binary::primitive_desc bpd(bd, attr_reorder(), c.r.engine);
        PrimitiveKernel::Arg residual = out, chunk = tmp;
        residual.id = DNNL_ARG_SRC_0;
        chunk.id = DNNL_ARG_SRC_1;
        kernel.add_exec(part, bpd, {residual, chunk, out});
      } else {
        eltwise(ops[i], out);
      }
    }
  }
}

// Whether a 1x1 convolution whose input comes in 16-channel blocks should
// stay in blocks: on maps up to 20x20. On larger maps oneDNN's blocked 1x1
// (jit_1x1) reducing channels ran 1.5-1.7x slower than the channels-last
// brgconv (512->128 and 256->128 at 28x28, in ResNet-50 and YOLOv3 after
// their Winograd 3x3s), more than a reorder of its input costs.
bool stays_blocked(const Conv& c) { return c.y[2] * c.y[3] <= 400; }

// Whether a chunked 1x1 convolution should write 16-channel blocks: where
// every reader takes blocks as they are (activations, Add, depthwise
// convolutions, which then split by channel blocks, and other 1x1s), each
// chunk writes straight into its run of whole blocks, with no scatter
// (Xception's 728-channel layers: the scatter was about 4% of the model).
bool blocked_chunks_pay(const Conv& c) {
  const PlanGraph& g = c.r.graph;
  const ValueId out = c.n.outputs[0];
  if (g.is_graph_output(out) || c.x[0] != 1 || !pointwise(c.n.get<ConvAttrs>(), c.w)) return false;
  bool read = false;
  for (const PlanNode& other : g.nodes)
    for (ValueId id : g.activation_inputs(other)) {
      if (id != out) continue;
      read = true;
      const Node& n = other.node;
      if (n.op == OpKind::Relu || n.op == OpKind::Add) continue;
      if (n.op != OpKind::Conv) return false;
      const auto& a = n.get<ConvAttrs>();
      const Shape& w = g.value(n.inputs[1]).desc.shape;
      if (!pointwise(a, w) && !depthwise(g.value(n.inputs[0]).desc.shape, w, a.group)) return false;
    }
  return read;
}

namespace {

// Whether the node's post-ops map zero to zero, so that a zero filter with
// zero bias writes zero into the blocks' padding, as oneDNN expects there
// (a residual's padding is zero too).
bool post_ops_keep_zero(const PlanNode& node) {
  for (const PostOp& p : node.post_ops) {
    if (p.kind == PostOp::Kind::sum || p.op == OpKind::Relu || p.op == OpKind::LeakyRelu) continue;
    if (p.op == OpKind::Clip && std::get<ClipAttrs>(p.attrs).min <= 0.0f && std::get<ClipAttrs>(p.attrs).max >= 0.0f) continue;
    return false;
  }
  return true;
}

}  // namespace

// Channel chunks reading and writing 16-channel blocks: each chunk's output
// is a dense run of whole blocks, written in place, a residual seeded into
// it. Throws dnnl::error when oneDNN has no fast kernel for it.
//
// A chunk ending in a part-filled block (Xception's 728 channels: 368 and
// 360) ran 6-8% slower in oneDNN's jit_1x1 than one of whole blocks with as
// many blocks (its masked tail), and the slower chunk's thread sets the
// layer's time. Where the post-ops keep zero at zero, it computes the whole
// last block instead, with zero filters for the padding.
void add_blocked_chunks(const Conv& c, PrimitiveKernel& kernel) {
  const Layout src = blocked16(c.x);
  const int64_t plane = Shape(c.y).numel() / c.w[0];
  const bool whole_blocks = post_ops_keep_zero(c.r.node);
  for (const auto& [c0, c1] : runs_of_16(c.w[0], chunk_parts(c))) {
    const int64_t m = whole_blocks ? (c1 - c0 + 15) / 16 * 16 : c1 - c0;
    dnnl::memory::dims wdims = to_dims(c.w);
    wdims[0] = m;
    const Layout dst = blocked16(with_channels(c.y, m));
    const auto pd = c.pd(src, Layout(wdims, dt::f32, tag::any), c.bias_md(m), dst, c.pad_l, c.pad_r);
    if (only_reference(pd)) throw dnnl::error(dnnl_unimplemented, "only a reference kernel");
    const std::ptrdiff_t out_off = c0 * plane * 4;
    auto& part = kernel.new_part();
    c.add_chunk_exec(kernel, part, pd, {DNNL_ARG_SRC, S::input, 0, src, 0, {}}, {DNNL_ARG_DST, S::output, 0, dst, out_off, {}}, c0, wdims);
    seed_residual(c.r, part, out_off, dst.get_size());
  }
}

// A depthwise convolution of 16-channel blocks, split into runs of whole
// blocks (each a dense tensor of its own). Throws dnnl::error when oneDNN
// has no fast kernel for it.
void add_depthwise_blocks(const Conv& c, PrimitiveKernel& kernel) {
  const int64_t ch = c.x[1];
  const int64_t in_plane = c.x[2] * c.x[3], out_plane = c.y[2] * c.y[3];
  for (const auto& [c0, c1] : runs_of_16(ch, parts_for(c.r, 1, (ch + 15) / 16, c.macs, 2e5))) {
    const int64_t m = c1 - c0;
    const Layout src = blocked16(with_channels(c.x, m)), dst = blocked16(with_channels(c.y, m));
    dnnl::memory::dims wdims = to_dims(c.w);  // [m, 1, kh, kw] -> grouped [m, 1, 1, kh, kw]
    wdims[0] = m;
    wdims.insert(wdims.begin(), m);
    wdims[1] = 1;
    const auto pd = c.pd(src, Layout(wdims, dt::f32, tag::any), c.bias_md(m), dst, c.pad_l, c.pad_r);
    if (only_reference(pd)) throw dnnl::error(dnnl_unimplemented, "only a reference kernel");
    const std::ptrdiff_t in_off = c0 * in_plane * 4, out_off = c0 * out_plane * 4;
    auto& part = kernel.new_part();
    c.add_chunk_exec(kernel, part, pd, {DNNL_ARG_SRC, S::input, 0, src, in_off, {}}, {DNNL_ARG_DST, S::output, 0, dst, out_off, {}}, c0,
                     wdims);
    seed_residual(c.r, part, out_off, dst.get_size());
  }
}

}  // namespace eb::rt::onednn::convolution
