// The oneDNN kernel provider: which nodes it takes and which kernel builds
// each. Anything oneDNN turns down at creation goes to the next provider.
#include "runtime/onednn/common.h"

namespace eb::rt::onednn {
namespace {

class OnednnProvider final : public KernelProvider {
 public:
  explicit OnednnProvider(OnednnOptions options) : options_(options) {}
  std::string_view name() const override { return "onednn"; }

  bool supports(const PlanGraph& graph, const PlanNode& node) const override {
    const Node& n = node.node;
    for (ValueId id : n.outputs)
      if (graph.value(id).desc.dtype != DType::f32) return false;
    const std::size_t rank = graph.value(n.inputs[0]).desc.shape.rank();
    // Constant operands of Add and Concat (rare) are left to the reference kernels.
    if (n.op == OpKind::Add || n.op == OpKind::Concat)
      for (ValueId id : n.inputs)
        if (graph.value(id).is_initializer()) return false;
    switch (n.op) {
      case OpKind::Conv:
      case OpKind::MaxPool:
      case OpKind::AvgPool:
      case OpKind::GlobalAvgPool:
      case OpKind::GlobalMaxPool:
        return rank >= 3 && rank <= 5;
      case OpKind::Lrn: return rank >= 3 && rank <= 5;
      case OpKind::Upsample: return rank >= 3 && rank <= 5;
      case OpKind::BatchNorm:
      case OpKind::Relu:
      case OpKind::Clip:
      case OpKind::LeakyRelu:
      case OpKind::Sigmoid:
      case OpKind::Gemm:
      case OpKind::Add:
      case OpKind::Concat:
      case OpKind::Flatten:
      case OpKind::Reshape:
      case OpKind::Softmax:
        return rank >= 1 && rank <= 6;
      case OpKind::Pad: return false;
    }
    return false;
  }

  bool accepts_post_op(const PlanGraph&, const PlanNode& node, const PostOp& op) const override {
    switch (node.node.op) {
      case OpKind::Conv:
      case OpKind::Gemm:
        return true;
      case OpKind::Add:
      case OpKind::MaxPool:
      case OpKind::AvgPool:
        return op.kind == PostOp::Kind::eltwise;
      default: return false;
    }
  }

  Result<KernelChoice> create(const KernelRequest& r) const override {
    switch (r.node.node.op) {
      case OpKind::Conv: return create_conv(r, options_);
      case OpKind::MaxPool:
      case OpKind::AvgPool:
      case OpKind::GlobalAvgPool:
      case OpKind::GlobalMaxPool:
        return create_pool(r);
      case OpKind::Gemm: return create_inner_product(r);
      case OpKind::Relu:
      case OpKind::Clip:
      case OpKind::LeakyRelu:
      case OpKind::Sigmoid:
        return create_eltwise(r);
      case OpKind::BatchNorm: return create_batch_norm(r);
      case OpKind::Lrn: return create_lrn(r);
      case OpKind::Softmax: return create_softmax(r);
      case OpKind::Concat: return create_concat(r);
      case OpKind::Add: return create_binary_add(r);
      case OpKind::Upsample: return create_resampling(r);
      case OpKind::Flatten:
      case OpKind::Reshape:
        return create_view(r);
      case OpKind::Pad: break;
    }
    return unsupported("oneDNN has no kernel for " + std::string(op_name(r.node.node.op)));
  }

 private:
  OnednnOptions options_;
};

}  // namespace
}  // namespace eb::rt::onednn

namespace eb::rt {
std::unique_ptr<KernelProvider> make_onednn_provider(OnednnOptions options) { return std::make_unique<onednn::OnednnProvider>(options); }
}  // namespace eb::rt
