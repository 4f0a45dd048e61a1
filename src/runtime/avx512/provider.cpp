// The hand-written AVX-512 kernel provider, asked before oneDNN: it takes
// only what it does better, and declines everything else (and everything
// on a CPU without AVX-512F). Today: batch-1 fully connected layers whose
// weights stream from memory (gemv.h), and convolutions on maps of a few
// pixels with megabytes of weights (small_map_conv.h).
#include <algorithm>

#include "runtime/avx512/gemv.h"
#include "runtime/avx512/small_map_conv.h"
#include "runtime/onednn/common.h"

namespace eb::rt::avx512 {
namespace {

// The epilogue of a node's post-ops, or nothing when one is not ReLU,
// LeakyReLU or a sum.
std::optional<std::vector<Epilogue>> epilogue_of(const PlanNode& node) {
  std::vector<Epilogue> epilogue;
  for (const PostOp& p : node.post_ops) {
    if (p.kind == PostOp::Kind::sum) epilogue.push_back({Epilogue::Kind::sum});
    else if (p.op == OpKind::Relu) epilogue.push_back({Epilogue::Kind::relu});
    else if (p.op == OpKind::LeakyRelu) epilogue.push_back({Epilogue::Kind::leaky_relu, std::get<LeakyReluAttrs>(p.attrs).alpha});
    else return std::nullopt;
  }
  return epilogue;
}

bool all_equal(const std::vector<int64_t>& v, int64_t e) { return std::all_of(v.begin(), v.end(), [e](int64_t d) { return d == e; }); }

// Constant FP32 weights and (if any) bias of a Conv or Gemm.
bool constant_f32(const PlanGraph& graph, const Node& n) {
  const ValueId bias = n.input(2);
  return graph.value(n.inputs[0]).desc.dtype == DType::f32 && graph.value(n.outputs[0]).desc.dtype == DType::f32 &&
         graph.value(n.inputs[1]).is_initializer() && (bias == kNoValue || graph.value(bias).is_initializer());
}

// A node with a sum post-op reads its residual as a second input, in the
// output's layout, and would like to write the output over it (each output
// is read as residual before it is written).
void take_residual(const KernelRequest& r, KernelChoice& choice) {
  if (!r.node.has_sum()) return;
  choice.inputs.push_back(choice.output);
  choice.inplace_input = 1;
}

std::span<const float> bias_of(const PlanGraph& graph, const Node& n, int64_t out) {
  const ValueId bias = n.input(2);
  if (bias == kNoValue) return {};
  return std::span<const float>(graph.value(bias).data->data(), static_cast<std::size_t>(out));
}

class Avx512Provider final : public KernelProvider {
 public:
  explicit Avx512Provider(const Avx512Options& o)
      : min_gemv_bytes_(o.min_gemv_bytes.value_or(l2_cache_bytes())),
        max_pointwise_pixels_(o.max_pointwise_pixels.value_or(kDefaultMaxPointwisePixels)),
        min_pointwise_bytes_(o.min_pointwise_bytes.value_or(kDefaultMinPointwiseBytes)),
        max_im2col_pixels_(o.max_im2col_pixels.value_or(kDefaultMaxIm2colPixels)),
        min_im2col_bytes_(o.min_im2col_bytes.value_or(kDefaultMinIm2colBytes)) {}
  std::string_view name() const override { return "avx512"; }

  bool supports(const PlanGraph& graph, const PlanNode& node) const override {
    if (!available()) return false;
    if (node.node.op == OpKind::Gemm) return gemv_fits(graph, node.node);
    if (node.node.op == OpKind::Conv) return conv_fits(graph, node.node);
    return false;
  }

  // Gemm: ReLU and a sum (what the gemv applies). Conv: every post-op, as
  // oneDNN would, so that taking a node here changes no fusion; create()
  // hands one with another activation (Clip, Sigmoid) back to oneDNN.
  bool accepts_post_op(const PlanGraph&, const PlanNode& node, const PostOp& op) const override {
    if (node.node.op == OpKind::Conv) return true;
    return node.node.op == OpKind::Gemm && (op.kind == PostOp::Kind::sum || op.op == OpKind::Relu);
  }

  Result<KernelChoice> create(const KernelRequest& r) const override {
    std::optional<std::vector<Epilogue>> epilogue = epilogue_of(r.node);
    if (!epilogue) return unsupported("the AVX-512 kernels apply ReLU, LeakyReLU and a residual sum only");
    return r.node.node.op == OpKind::Conv ? create_conv(r, std::move(*epilogue)) : create_gemv(r, std::move(*epilogue));
  }

 private:
  // 1x1s on maps up to 8x8 (Inception-v4's 5x5 at 224x224 input, ResNet's
  // and Xception's 7x7), from 1 MiB of weights: there they ran 13-30%
  // faster than oneDNN's in the networks. At 14x14 the kernel lost to
  // oneDNN's in bench/conv_kernels, hot and cold (docs/runtime.md).
  static constexpr int64_t kDefaultMaxPointwisePixels = 64;
  static constexpr std::size_t kDefaultMinPointwiseBytes = std::size_t{1} << 20;
  // Other windows (Tiny YOLO's and YOLOv3's 3x3s at 7x7): up to 8x8, from
  // 8 MiB of weights (docs/runtime.md).
  static constexpr int64_t kDefaultMaxIm2colPixels = 64;
  static constexpr std::size_t kDefaultMinIm2colBytes = std::size_t{8} << 20;

  // A Gemm with one row of input and at least min_gemv_bytes of weights.
  bool gemv_fits(const PlanGraph& graph, const Node& n) const {
    const Shape& x = graph.value(n.inputs[0]).desc.shape;
    const Shape& w = graph.value(n.inputs[1]).desc.shape;
    if (!constant_f32(graph, n) || x.rank() != 2 || x[0] != 1 || w.rank() != 2) return false;
    return static_cast<std::size_t>(w.numel()) * sizeof(float) > min_gemv_bytes_;
  }

  // A 2-D Conv with one group, no dilation, batch 1. A 1x1 with unit
  // strides and no padding: on at most max_pointwise_pixels output pixels,
  // with at least min_pointwise_bytes of weights; any other window: at most
  // max_im2col_pixels and min_im2col_bytes.
  bool conv_fits(const PlanGraph& graph, const Node& n) const {
    const Shape& x = graph.value(n.inputs[0]).desc.shape;
    const Shape& w = graph.value(n.inputs[1]).desc.shape;
    const Shape& y = graph.value(n.outputs[0]).desc.shape;
    if (!constant_f32(graph, n) || x.rank() != 4 || x[0] != 1 || w.rank() != 4) return false;
    const auto& a = n.get<ConvAttrs>();
    if (a.group != 1 || !all_equal(a.dilations, 1)) return false;
    const auto bytes = static_cast<std::size_t>(w.numel()) * sizeof(float);
    if (onednn::pointwise(a, w)) return y[2] * y[3] <= max_pointwise_pixels_ && bytes >= min_pointwise_bytes_;
    return y[2] * y[3] <= max_im2col_pixels_ && bytes >= min_im2col_bytes_;
  }

  Result<KernelChoice> create_gemv(const KernelRequest& r, std::vector<Epilogue> epilogue) const {
    const Node& n = r.node.node;
    const Shape& w = r.graph.value(n.inputs[1]).desc.shape;
    auto weights = std::make_shared<const PackedWeights>(r.graph.value(n.inputs[1]).data->data(), w[0], w[1], bias_of(r.graph, n, w[0]), r.weights);
    // Contiguous runs of 16-output blocks, each with 64K weights at least.
    const int parts = parts_for(r, 1, weights->blocks(), static_cast<double>(w.numel()), 65536);
    KernelChoice choice;
    choice.inputs = {plain_layout(r.graph.value(n.inputs[0]).desc.shape)};
    choice.output = plain_layout(r.graph.value(n.outputs[0]).desc.shape);
    take_residual(r, choice);
    choice.kernel = make_gemv_kernel(std::move(weights), std::move(epilogue), parts);
    return choice;
  }

  Result<KernelChoice> create_conv(const KernelRequest& r, std::vector<Epilogue> epilogue) const {
    const Node& n = r.node.node;
    const auto& a = n.get<ConvAttrs>();
    const Shape& x = r.graph.value(n.inputs[0]).desc.shape;
    const Shape& w = r.graph.value(n.inputs[1]).desc.shape;
    const Shape& y = r.graph.value(n.outputs[0]).desc.shape;
    ConvWindow window{x[1], x[2], x[3], y[2], y[3], w[2], w[3], 1, 1, 0, 0};
    if (!a.strides.empty()) {
      window.stride_h = a.strides[0];
      window.stride_w = a.strides[1];
    }
    if (!a.pads.empty()) {
      window.pad_top = a.pads[0];
      window.pad_left = a.pads[1];
    }
    // The input as it comes: in 16-channel blocks (a 1x1's read in place), else channels-last.
    const bool blocked = r.inputs[0] == onednn::blocked16(x);
    const bool direct = blocked && onednn::pointwise(a, w);
    const float* wdata = r.graph.value(n.inputs[1]).data->data();
    std::shared_ptr<const PackedWeights> weights;
    if (direct) {
      weights = std::make_shared<const PackedWeights>(wdata, w[0], w[1], bias_of(r.graph, n, w[0]), r.weights,
                                                      chunk_rows_for(window.pixels(), w[1]));
    } else {
      const std::vector<float> rows = gathered_weights(wdata, w[0], window);
      weights = std::make_shared<const PackedWeights>(rows.data(), w[0], window.rows(), bias_of(r.graph, n, w[0]), r.weights,
                                                      chunk_rows_for(window.pixels(), window.rows()));
    }
    // Contiguous runs of 16-channel output blocks, each with 64K multiply-adds at least.
    const int parts = parts_for(r, 1, weights->blocks(), static_cast<double>(w.numel() * window.pixels()), 65536);
    KernelChoice choice;
    choice.inputs = {blocked ? onednn::blocked16(x) : onednn::channels_last(x)};
    choice.output = onednn::channels_last(y);
    take_residual(r, choice);
    choice.kernel = make_conv_kernel(std::move(weights), window, direct, blocked, std::move(epilogue), parts);
    return choice;
  }

  std::size_t min_gemv_bytes_;
  int64_t max_pointwise_pixels_;
  std::size_t min_pointwise_bytes_;
  int64_t max_im2col_pixels_;
  std::size_t min_im2col_bytes_;
};

}  // namespace
}  // namespace eb::rt::avx512

namespace eb::rt {
std::unique_ptr<KernelProvider> make_avx512_provider(Avx512Options options) { return std::make_unique<avx512::Avx512Provider>(options); }
}  // namespace eb::rt
