// The last provider asked: the reference kernels (eb::ref::run_node) on
// plain layouts, for whatever oneDNN turns down. Post-ops run as reference
// nodes too (an activation, or an Add of the residual), in place on the
// output. Slow but always right; unlike the other kernels it allocates
// while running (inside the reference kernels' checks).

#include "runtime/kernel.h"
#include "runtime/reference/reference.h"

namespace eb::rt {
namespace {

class ReferenceKernel final : public Kernel {
 public:
  ReferenceKernel(const PlanGraph& graph, const PlanNode& node) : node_(node.node) {
    // Each post-op as a one-op node reading the output (and the residual).
    for (const PostOp& p : node.post_ops) {
      Node n;
      n.name = node.node.name + "." + std::string(p.kind == PostOp::Kind::sum ? "sum" : op_name(p.op));
      n.op = p.kind == PostOp::Kind::sum ? OpKind::Add : p.op;
      n.attrs = p.attrs;
      n.inputs = p.kind == PostOp::Kind::sum ? std::vector<ValueId>{0, 1} : std::vector<ValueId>{0};
      n.outputs = {static_cast<ValueId>(n.inputs.size())};
      post_ops_.push_back(std::move(n));
    }
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
    const TensorView out{output_, out_shape_};
    EB_RETURN_IF_ERROR(ref::run_node(node_, views_, out));
    // Elementwise reference kernels read element i before writing it: in place is safe.
    for (const Node& p : post_ops_) {
      const ConstTensorView operands[2] = {out, ConstTensorView(residual_, out_shape_)};
      EB_RETURN_IF_ERROR(ref::run_node(p, std::span(operands, p.inputs.size()), out));
    }
    return Status::ok();
  }

 private:
  Node node_;
  std::vector<Node> post_ops_;
  std::vector<WeightData> weights_;
  std::vector<ConstTensorView> views_;
  std::vector<int> activation_slots_;
  const float* residual_ = nullptr;
  float* output_ = nullptr;
  Shape out_shape_;
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
