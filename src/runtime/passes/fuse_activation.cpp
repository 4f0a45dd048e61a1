// Activation after a node whose kernel can apply it on the way out (oneDNN
// eltwise post-op): one pass over memory instead of two.
#include "runtime/passes/passes.h"

namespace eb::rt {

bool is_fusable_activation(OpKind op) {
  return op == OpKind::Relu || op == OpKind::Clip || op == OpKind::LeakyRelu || op == OpKind::Sigmoid;
}

int fuse_activations(PlanGraph& graph, const PostOpFilter& accepts) {
  int fused = 0;
  std::vector<char> dead(graph.nodes.size(), 0);
  auto consumers = graph.consumers();
  for (std::size_t i = 0; i < graph.nodes.size(); ++i) {
    if (dead[i]) continue;
    PlanNode& main = graph.nodes[i];
    // Absorb a chain (e.g. Relu then Clip) one link at a time.
    for (;;) {
      const ValueId y = main.node.outputs[0];
      if (consumers[y].size() != 1 || graph.is_graph_output(y)) break;
      const int a = consumers[y][0];
      PlanNode& act = graph.nodes[a];
      if (!is_fusable_activation(act.node.op) || !act.post_ops.empty() || act.node.inputs[0] != y) break;
      const PostOp op{PostOp::Kind::eltwise, act.node.op, act.node.attrs};
      if (!accepts(graph, main, op)) break;
      main.post_ops.push_back(op);
      main.node.outputs[0] = act.node.outputs[0];
      main.absorbed.push_back(act.node.name);
      consumers[main.node.outputs[0]] = consumers[act.node.outputs[0]];
      dead[a] = 1;
      ++fused;
    }
  }
  graph.erase_nodes(dead);
  return fused;
}

}  // namespace eb::rt
