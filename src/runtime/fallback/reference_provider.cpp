// The last provider asked: the reference kernels (eb::ref::run_node) on
// plain layouts, for whatever oneDNN turns down. Post-ops are applied by
// plain loops after the main op. Slow but always right.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "runtime/kernel.h"
#include "runtime/reference/reference.h"

namespace eb::rt {
namespace {

float apply_eltwise(const PostOp& p, float v) {
  switch (p.op) {
    case OpKind::Relu: return v > 0.0f ? v : 0.0f;
    case OpKind::LeakyRelu: return v >= 0.0f ? v : v * std::get<LeakyReluAttrs>(p.attrs).alpha;
    case OpKind::Clip: {
      const auto& c = std::get<ClipAttrs>(p.attrs);
      return std::min(std::max(v, c.min), c.max);
    }
    case OpKind::Sigmoid: return 1.0f / (1.0f + std::exp(-v));
    default: return v;
  }
}

class ReferenceKernel final : public Kernel {
 public:
  ReferenceKernel(const PlanGraph& graph, const PlanNode& node) : node_(node.node), post_ops_(node.post_ops) {
    // Views of every input slot: initializers now, activations at bind.
    for (std::size_t slot = 0; slot < node_.inputs.size(); ++slot) {
      const ValueId id = node_.inputs[slot];
      if (id == kNoValue) {
        views_.emplace_back();
        continue;
      }
      const Value& v = graph.value(id);
      if (v.is_initializer()) {
        weights_.push_back(v.data);  // keeps the buffer alive
        views_.emplace_back(v.data->data(), v.desc.shape);
      } else {
        activation_slots_.push_back(static_cast<int>(slot));
        views_.emplace_back(nullptr, v.desc.shape);
      }
    }
    out_shape_ = graph.value(node_.outputs[0]).desc.shape;
    count_ = static_cast<std::size_t>(out_shape_.numel());
  }

  Status bind(std::span<void* const> inputs, void* output, void*) override {
    for (std::size_t i = 0; i < activation_slots_.size(); ++i) views_[activation_slots_[i]].data = static_cast<const float*>(inputs[i]);
    residual_ = inputs.size() > activation_slots_.size() ? static_cast<const float*>(inputs.back()) : nullptr;
    output_ = static_cast<float*>(output);
    return Status::ok();
  }

  std::string implementation() const override { return "eb::ref"; }
  Status run(int) override {
    // Never in place (inplace_input stays -1): the residual survives the main op.
    EB_RETURN_IF_ERROR(ref::run_node(node_, views_, TensorView{output_, out_shape_}));
    for (const PostOp& p : post_ops_) {
      if (p.kind == PostOp::Kind::sum) {
        for (std::size_t i = 0; i < count_; ++i) output_[i] += residual_[i];
      } else {
        for (std::size_t i = 0; i < count_; ++i) output_[i] = apply_eltwise(p, output_[i]);
      }
    }
    return Status::ok();
  }

 private:
  Node node_;
  std::vector<PostOp> post_ops_;
  std::vector<WeightData> weights_;
  std::vector<ConstTensorView> views_;
  std::vector<int> activation_slots_;
  const float* residual_ = nullptr;
  float* output_ = nullptr;
  Shape out_shape_;
  std::size_t count_ = 0;
};

class ReferenceProvider final : public KernelProvider {
 public:
  std::string_view name() const override { return "reference"; }
  bool supports(const PlanGraph&, const PlanNode&) const override { return true; }
  bool accepts_post_op(const PlanGraph&, const PlanNode&, const PostOp&) const override { return true; }

  Result<KernelChoice> create(const KernelRequest& r) const override {
    KernelChoice choice;
    choice.kernel = std::make_unique<ReferenceKernel>(r.graph, r.node);
    for (ValueId id : r.graph.activation_inputs(r.node)) choice.inputs.push_back(plain_layout(r.graph.value(id).desc.shape));
    choice.output = plain_layout(r.graph.value(r.node.node.outputs[0]).desc.shape);
    return choice;
  }
};

}  // namespace

std::unique_ptr<KernelProvider> make_reference_provider() { return std::make_unique<ReferenceProvider>(); }

}  // namespace eb::rt
