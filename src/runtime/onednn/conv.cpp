// Convolution 1-D/2-D/3-D, grouped and depthwise, with bias and post-ops
// (activations, residual sum), and the choice among the kinds of kernel.
// Channels-last kernels here, split one of two ways:
//
// - bands of output rows (large maps, small weights: the early layers):
//   each band reads its input rows and all the weights;
// - chunks of output channels (small maps, weights beyond a core's L2: the
//   late layers, where every band would stream all the weights again): each
//   chunk reads all the input and its share of the weights, computes into
//   a dense temporary (oneDNN's fast kernels want dense outputs) and a
//   reorder puts it in its channels of the output. A residual to sum is
//   first gathered into the temporary the same way.
//
// The kernels in 16-channel blocks (Winograd, blocked chunks, depthwise by
// blocks) are in conv_blocked.cpp.
#include <algorithm>

#include "runtime/onednn/conv.h"

namespace eb::rt::onednn {
namespace convolution {

// Channel chunks when the weights outweigh the input and do not fit in a
// core's L2: every band streams all the weights, from L2 while they fit
// (there bands win: ResNet-50's 14x14 256->1024 1x1 ran 290 us in bands
// against 390 us in chunks, which pay a gather and a scatter) and from
// further away when they do not (its 7x7 2048-channel layers: chunks 370
// us, bands 550 us). On a map of at most 12x12 (kSmallMap) chunks
// whatever the weights' size: a few rows split unevenly (7 rows: 4 and 3),
// and each band still reads all the weights. Up to 8x8, MobileNet-v2 (its
// 7x7 160->960, 960->160 and 960->320 1x1s) ran 2-5% faster in four
// in-process A/Bs, two with each rule as the engine prepared first;
// Inception-v4 (5x5 1x3 and 3x1), Xception, SSD-MobileNet, Tiny YOLO,
// YOLOv3 within the noise (0.98-1.03). Up to 12x12 (Inception-v4's 12x12
// stage: its 1024->384 1x1s and its 1x7 and 7x1 convolutions, 1-1.6 MB of
// weights each, under a 2 MiB L2) was neutral on the Ice Lake VM (1.25 MiB L2) and made
// Inception-v4 about 2% faster on the AMX VM of stop 16 (four A/Bs, two
// in each order, its time with the rule over without: 0.976, 0.962, 0.981,
// 0.999), SSD-MobileNet's 10x10 maps about 1% (0.975, 1.006), Xception
// and ResNet-101 unchanged.
bool split_channels(const Conv& c) {
  constexpr int64_t kSmallMap = 144;
  const double w_bytes = static_cast<double>(c.w.numel()) * 4;
  const double x_bytes = static_cast<double>(Shape(c.x).numel()) * 4;
  const bool small_map = c.y.size() == 4 && c.y[2] * c.y[3] <= kSmallMap;
  return c.r.split.threads > 1 && c.x[0] == 1 && c.group == 1 && c.w[0] >= 32 && w_bytes > 2 * x_bytes &&
         (small_map || w_bytes > static_cast<double>(l2_cache_bytes()));
}

// One chunk per thread at most: each chunk reads the whole input again (and
// pays a scatter); two per thread measured 1-2% slower on ResNet-50 at two
// threads.
int chunk_parts(const Conv& c) { return std::min(parts_for(c.r, 1, (c.w[0] + 15) / 16, c.macs, 4e5), c.r.split.threads); }

// Depthwise 2-D convolution with batch 1 (one group per channel).
bool depthwise(const Shape& x, const Shape& w, int64_t group) {
  return x.rank() == 4 && x[0] == 1 && group > 1 && group == x[1] && w[0] == group;
}

namespace {

using S = PrimitiveKernel::Source;

}  // namespace

void Conv::add_chunk_exec(PrimitiveKernel& kernel, PrimitiveKernel::Part& part, const dnnl::convolution_forward::primitive_desc& pd,
                          PrimitiveKernel::Arg src, PrimitiveKernel::Arg dst, int64_t c0, const dnnl::memory::dims& chunk_weights) const {
  const int64_t per_filter = w.numel() / w[0];
  const int64_t m = chunk_weights[0], real = std::min(m, w[0] - c0);
  const Layout plain = plain_layout(Shape(std::vector<int64_t>(chunk_weights.begin(), chunk_weights.end())));
  // The chunk's rows of `data` (`per` floats each), read in place; only a
  // chunk rounded up to whole blocks gets a copy, with zeros for the
  // filters past the node's last (their weights and bias).
  const auto rows = [&](const float* data, int64_t per, std::vector<float>& copy) -> const float* {
    if (real == m) return data + c0 * per;
    copy.assign(static_cast<std::size_t>(m * per), 0.0f);
    std::copy(data + c0 * per, data + (c0 + real) * per, copy.begin());
    return copy.data();
  };
  std::vector<float> weight_copy, bias_copy;
  std::vector<PrimitiveKernel::Arg> args = {
      std::move(src),
      {DNNL_ARG_WEIGHTS, S::constant, 0, pd.weights_desc(), 0,
       prepare_weights(rows(weights(), per_filter, weight_copy), plain, pd.weights_desc(), r)},
      std::move(dst),
  };
  if (bias != kNoValue) {
    const Layout b = bias_md(m);
    args.push_back({DNNL_ARG_BIAS, S::constant, 0, b, 0, prepare_weights(rows(bias_data(), 1, bias_copy), b, b, r)});
  }
  kernel.add_exec(part, pd, std::move(args));
}

namespace {

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
    const auto pd = c.pd(src, Layout(wdims, dt::f32, tag::any), c.bias_md(c.w[0]), dst, pl, pr);
    if (pd.src_desc() != src || pd.dst_desc() != dst) return unsupported("convolution wants another activation layout");
    const std::ptrdiff_t in_off = band.in_begin * row_pitch(c.x) * 4, out_off = o0 * row_pitch(c.y) * 4;
    std::vector<PrimitiveKernel::Arg> args = {
        {DNNL_ARG_SRC, S::input, 0, src, in_off, {}},
        {DNNL_ARG_WEIGHTS, S::constant, 0, pd.weights_desc(), 0, weights.get(pd.weights_desc())},
        {DNNL_ARG_DST, S::output, 0, dst, out_off, {}},
    };
    if (c.bias != kNoValue) args.push_back({DNNL_ARG_BIAS, S::constant, 0, b_layout, 0, bias});
    seed_residual(c.r, kernel.add_part(pd, std::move(args)), out_off, dst.get_size());
  }
  return Status::ok();
}

Status add_channel_chunks(const Conv& c, PrimitiveKernel& kernel) {
  const Layout src = channels_last(c.x);
  const Layout y_full = channels_last(c.y);
  for (const auto& [c0, c1] : runs_of_16(c.w[0], chunk_parts(c))) {  // whole AVX-512 vectors of channels
    const int64_t m = c1 - c0;
    dnnl::memory::dims wdims = to_dims(c.w);
    wdims[0] = m;
    const Layout tmp = channels_last(with_channels(c.y, m));
    auto& part = kernel.new_part();
    const std::ptrdiff_t tmp_off = kernel.reserve(part, tmp.get_size());
    std::ptrdiff_t slice_off = 0;
    const Layout slice = channel_slice(y_full, c0, m, slice_off);
    if (c.r.node.has_sum()) {
      const dnnl::reorder::primitive_desc gather(c.r.engine, slice, c.r.engine, tmp, attr_reorder());
      kernel.add_exec(part, gather, {{DNNL_ARG_FROM, S::input, 1, slice, slice_off, {}}, {DNNL_ARG_TO, S::scratch, 0, tmp, tmp_off, {}}});
    }
    const auto pd = c.pd(src, Layout(wdims, dt::f32, tag::any), c.bias_md(m), tmp, c.pad_l, c.pad_r);
    if (pd.src_desc() != src || pd.dst_desc() != tmp) return unsupported("convolution wants another activation layout");
    c.add_chunk_exec(kernel, part, pd, {DNNL_ARG_SRC, S::input, 0, src, 0, {}}, {DNNL_ARG_DST, S::scratch, 0, tmp, tmp_off, {}}, c0, wdims);
    const dnnl::reorder::primitive_desc scatter(c.r.engine, tmp, c.r.engine, slice, attr_reorder());
    kernel.add_exec(part, scatter, {{DNNL_ARG_FROM, S::scratch, 0, tmp, tmp_off, {}}, {DNNL_ARG_TO, S::output, 0, slice, slice_off, {}}});
  }
  return Status::ok();
}

}  // namespace
}  // namespace convolution

Result<KernelChoice> create_conv(const KernelRequest& r, const OnednnOptions& options) {
  using namespace convolution;
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

    // The blocked kernels first where they apply (each throws dnnl::error
    // when oneDNN has nothing fast for the case), else the channels-last ones.
    auto kernel = std::make_unique<PrimitiveKernel>(r);
    const auto built = [&](auto&& build) {
      try {
        build(*kernel);
        return true;
      } catch (const dnnl::error&) {
        kernel = std::make_unique<PrimitiveKernel>(r);
        return false;
      }
    };
    const bool blocked_in = r.inputs[0] == blocked16(c.x);
    Layout in = channels_last(c.x), out = channels_last(c.y);
    if (options.winograd && winograd_candidate(c, options.winograd_4x3) && built([&](PrimitiveKernel& k) { add_winograd_chunks(c, k, options.winograd_4x3); })) {
      in = blocked16(c.x);
      out = blocked16(c.y);
    } else if (blocked_in && depthwise(Shape(c.x), c.w, c.group) && built([&](PrimitiveKernel& k) { add_depthwise_blocks(c, k); })) {
      in = blocked16(c.x);
      out = blocked16(c.y);
    } else if (pointwise(a, c.w) && c.x[0] == 1 && ((blocked_in && stays_blocked(c)) || (split_channels(c) && blocked_chunks_pay(c))) &&
               built([&](PrimitiveKernel& k) { add_blocked_chunks(c, k); })) {
      // A 1x1 whose input comes in blocks stays in blocks on small maps,
      // whatever its weights (no reorder back, no scatter: ResNet-101's
      // 14x14 stage, after its Winograd 3x3s, 3-4% faster end to end); one
      // that would take channel chunks starts blocks where its readers take them,
      // its input (the small side) reordered into blocks.
      in = blocked16(c.x);
      out = blocked16(c.y);
    } else {
      EB_RETURN_IF_ERROR(split_channels(c) ? add_channel_chunks(c, *kernel) : add_row_bands(c, *kernel));
    }
    KernelChoice choice;
    choice.inputs = {in};
    if (r.node.has_sum()) {
      choice.inputs.push_back(out);  // the residual, in the layout it is accumulated into
      choice.inplace_input = 1;
    }
    choice.output = out;
    choice.kernel = std::move(kernel);
    return choice;
  });
}

}  // namespace eb::rt::onednn
