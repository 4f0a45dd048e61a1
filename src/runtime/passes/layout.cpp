#include <string>

#include "runtime/onednn/common.h"
#include "runtime/program.h"

namespace eb::rt {
namespace {

// A tensor name suffix for a reordered copy of a value.
std::string layout_suffix(const Layout& layout) {
  if (is_plain(layout)) return "@plain";
  return layout.data.format_desc.blocking.inner_nblks > 0 ? "@blocked" : "@permuted";  // e.g. channel blocks, channels-last
}

std::string op_label(const PlanNode& node) {
  std::string s(op_name(node.node.op));
  for (const PostOp& p : node.post_ops) s += "+" + std::string(p.kind == PostOp::Kind::sum ? "Add" : op_name(p.op));
  return s;
}

class Lowering {
 public:
  Lowering(const PlanGraph& g, const dnnl::engine& e, const dnnl::stream& s, const TaskSplit& split, bool huge_page_weights)
      : graph_(g), engine_(e), stream_(s), split_(split), versions_(g.values.size()) {
    prog_.weights = std::make_unique<WeightStore>(huge_page_weights);
  }

  // Reorders are no node's: a request carrying only the engine and the split.
  KernelRequest request_for_reorders() const { return KernelRequest{graph_, no_node_, {}, engine_, stream_, split_, *prog_.weights}; }

  int add_tensor(const std::string& name, const Layout& layout) {
    prog_.tensors.push_back(Tensor{name, layout, layout.get_size()});
    return static_cast<int>(prog_.tensors.size() - 1);
  }

  // The tensor holding `value` in `layout`, reordering once if needed.
  Result<int> in_layout(ValueId value, const Layout& layout) {
    auto& versions = versions_[value];
    if (versions.empty()) return internal_error("value '" + graph_.value(value).name + "' is read before it is produced");
    const int produced = versions.front();
    if (layout.is_zero() || prog_.tensors[produced].layout == layout) return produced;
    for (int t : versions)
      if (prog_.tensors[t].layout == layout) return t;
    EB_ASSIGN_OR_RETURN(auto kernel, onednn::create_reorder(prog_.tensors[produced].layout, layout, request_for_reorders()));
    const std::string& name = graph_.value(value).name;
    const int t = add_tensor(name + layout_suffix(layout), layout);
    Step step;
    step.kernel = std::move(kernel);
    step.inputs = {produced};
    step.output = t;
    step.name = "reorder(" + name + ")";
    step.op = "Reorder";
    step.category = OpCategory::data_movement;
    step.provider = "onednn";
    prog_.steps.push_back(std::move(step));
    versions.push_back(t);
    return t;
  }

  Result<Program> run(const KernelRegistry& registry) {
    for (ValueId id : graph_.inputs) {
      const int t = add_tensor(graph_.value(id).name, plain_layout(graph_.value(id).desc.shape));
      prog_.tensors[t].graph_input = true;
      prog_.inputs.push_back(t);
      versions_[id] = {t};
    }
    for (const PlanNode& node : graph_.nodes) {
      const std::vector<ValueId> act = graph_.activation_inputs(node);
      std::vector<Layout> produced;
      for (ValueId id : act) {
        if (versions_[id].empty()) return internal_error("node '" + node.node.name + "' reads a value never produced");
        produced.push_back(prog_.tensors[versions_[id].front()].layout);
      }
      const KernelRequest request{graph_, node, produced, engine_, stream_, split_, *prog_.weights};
      EB_ASSIGN_OR_RETURN(auto chosen, registry.create(request));
      KernelChoice& choice = chosen.first;
      if (choice.inputs.size() != act.size())
        return internal_error("node '" + node.node.name + "': kernel gives " + std::to_string(choice.inputs.size()) +
                              " input layouts for " + std::to_string(act.size()) + " inputs");
      Step step;
      for (std::size_t i = 0; i < act.size(); ++i) {
        EB_ASSIGN_OR_RETURN(const int t, in_layout(act[i], choice.inputs[i]));
        step.inputs.push_back(t);
      }
      const ValueId out = node.node.outputs[0];
      step.output = add_tensor(graph_.value(out).name, choice.output);
      versions_[out] = {step.output};
      step.kernel = std::move(choice.kernel);
      step.inplace_input = choice.inplace_input;
      step.view = choice.view;
      step.name = node.node.name;
      step.op = op_label(node);
      step.category = schema(node.node.op).category;
      step.provider = std::string(chosen.second);
      prog_.steps.push_back(std::move(step));
    }
    for (ValueId id : graph_.outputs) {
      EB_ASSIGN_OR_RETURN(const int t, in_layout(id, plain_layout(graph_.value(id).desc.shape)));
      prog_.tensors[t].graph_output = true;
      prog_.outputs.push_back(t);
    }
    return std::move(prog_);
  }

 private:
  const PlanGraph& graph_;
  const dnnl::engine& engine_;
  const dnnl::stream& stream_;
  TaskSplit split_;
  const PlanNode no_node_{};
  Program prog_;
  std::vector<std::vector<int>> versions_;  // per value: produced tensor first, then reordered copies
};

}  // namespace

Result<Program> lower(const PlanGraph& graph, const KernelRegistry& registry, const dnnl::engine& engine,
                      const dnnl::stream& stream, const TaskSplit& split, bool huge_page_weights) {
  return Lowering(graph, engine, stream, split, huge_page_weights).run(registry);
}

}  // namespace eb::rt
