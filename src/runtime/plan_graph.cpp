#include "runtime/plan_graph.h"

#include <algorithm>

namespace eb::rt {

PlanGraph PlanGraph::from(const Graph& graph) {
  PlanGraph p;
  p.name = graph.name;
  p.values = graph.values;
  p.inputs = graph.inputs;
  p.outputs = graph.outputs;
  p.nodes.reserve(graph.nodes.size());
  for (const Node& n : graph.nodes) p.nodes.push_back(PlanNode{n, {}, kNoValue, {}});
  return p;
}

ValueId PlanGraph::add_value(std::string value_name, TensorDesc desc, WeightData data) {
  values.push_back(Value{std::move(value_name), std::move(desc), std::move(data)});
  return static_cast<ValueId>(values.size() - 1);
}

bool PlanGraph::is_graph_output(ValueId id) const { return std::find(outputs.begin(), outputs.end(), id) != outputs.end(); }
bool PlanGraph::is_graph_input(ValueId id) const { return std::find(inputs.begin(), inputs.end(), id) != inputs.end(); }

std::vector<ValueId> PlanGraph::activation_inputs(const PlanNode& node) const {
  std::vector<ValueId> ids;
  for (ValueId id : node.node.inputs)
    if (id != kNoValue && !value(id).is_initializer()) ids.push_back(id);
  if (node.has_sum()) ids.push_back(node.residual);
  return ids;
}

std::vector<std::vector<int>> PlanGraph::consumers() const {
  std::vector<std::vector<int>> c(values.size());
  for (std::size_t n = 0; n < nodes.size(); ++n) {
    for (ValueId id : nodes[n].node.inputs)
      if (id != kNoValue) c[id].push_back(static_cast<int>(n));
    if (nodes[n].has_sum()) c[nodes[n].residual].push_back(static_cast<int>(n));
  }
  return c;
}

std::vector<int> PlanGraph::producers() const {
  std::vector<int> p(values.size(), -1);
  for (std::size_t n = 0; n < nodes.size(); ++n)
    for (ValueId id : nodes[n].node.outputs) p[id] = static_cast<int>(n);
  return p;
}

void PlanGraph::erase_nodes(const std::vector<char>& dead) {
  std::vector<PlanNode> kept;
  kept.reserve(nodes.size());
  for (std::size_t i = 0; i < nodes.size(); ++i)
    if (!dead[i]) kept.push_back(std::move(nodes[i]));
  nodes = std::move(kept);
}

}  // namespace eb::rt
