// The hand-written AVX-512 kernel provider, asked before oneDNN: it takes
// only what it does better, and declines everything else (and everything
// on a CPU without AVX-512F). Today: batch-1 fully connected layers whose
// weights stream from memory (gemv.h).
#include "runtime/avx512/gemv.h"

namespace eb::rt::avx512 {
namespace {

class Avx512Provider final : public KernelProvider {
 public:
  explicit Avx512Provider(std::size_t min_gemv_bytes) : min_gemv_bytes_(min_gemv_bytes) {}
  std::string_view name() const override { return "avx512"; }

  // A Gemm with one row of input, constant weights (and bias) of at least
  // min_gemv_bytes, in FP32.
  bool supports(const PlanGraph& graph, const PlanNode& node) const override {
    const Node& n = node.node;
    if (n.op != OpKind::Gemm || !available()) return false;
    const Value& x = graph.value(n.inputs[0]);
    const Value& w = graph.value(n.inputs[1]);
    const ValueId bias = n.input(2);
    if (x.desc.dtype != DType::f32 || graph.value(n.outputs[0]).desc.dtype != DType::f32) return false;
    if (x.desc.shape.rank() != 2 || x.desc.shape[0] != 1 || !w.is_initializer() || w.desc.shape.rank() != 2) return false;
    if (bias != kNoValue && !graph.value(bias).is_initializer()) return false;
    return static_cast<std::size_t>(w.desc.shape.numel()) * sizeof(float) > min_gemv_bytes_;
  }

  bool accepts_post_op(const PlanGraph&, const PlanNode& node, const PostOp& op) const override {
    return node.node.op == OpKind::Gemm && (op.kind == PostOp::Kind::sum || op.op == OpKind::Relu);
  }

  Result<KernelChoice> create(const KernelRequest& r) const override {
    const Node& n = r.node.node;
    const Shape& w = r.graph.value(n.inputs[1]).desc.shape;
    const ValueId bias_id = n.input(2);
    std::span<const float> bias;
    if (bias_id != kNoValue) bias = std::span<const float>(r.graph.value(bias_id).data->data(), static_cast<std::size_t>(w[0]));
    std::vector<Epilogue> epilogue;
    for (const PostOp& p : r.node.post_ops) {
      if (p.kind == PostOp::Kind::sum) {
        epilogue.push_back(Epilogue::sum);
      } else if (p.op == OpKind::Relu) {
        epilogue.push_back(Epilogue::relu);
      } else {
        return unsupported("the AVX-512 gemv applies ReLU and a residual sum only");
      }
    }
    auto weights = std::make_shared<const PackedWeights>(r.graph.value(n.inputs[1]).data->data(), w[0], w[1], bias, r.weights);
    // Contiguous runs of 16-output blocks, each with 64K weights at least.
    const int parts = parts_for(r, 1, weights->blocks(), static_cast<double>(w.numel()), 65536);

    KernelChoice choice;
    choice.inputs = {plain_layout(r.graph.value(n.inputs[0]).desc.shape)};
    choice.output = plain_layout(r.graph.value(n.outputs[0]).desc.shape);
    if (r.node.has_sum()) {
      choice.inputs.push_back(choice.output);
      choice.inplace_input = 1;  // each output is read (residual) before it is written
    }
    choice.kernel = make_gemv_kernel(std::move(weights), std::move(epilogue), parts);
    return choice;
  }

 private:
  std::size_t min_gemv_bytes_;
};

}  // namespace
}  // namespace eb::rt::avx512

namespace eb::rt {
std::unique_ptr<KernelProvider> make_avx512_provider(std::optional<std::size_t> min_gemv_bytes) {
  return std::make_unique<avx512::Avx512Provider>(min_gemv_bytes.value_or(l2_cache_bytes()));
}
}  // namespace eb::rt
