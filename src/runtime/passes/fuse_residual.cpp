// Residual Add folded into the convolution that computes one of its
// operands: the conv's output buffer starts as the other operand and the
// conv accumulates into it (oneDNN sum post-op).
#include "runtime/passes/passes.h"

namespace eb::rt {

int fuse_residual_add(PlanGraph& graph, const PostOpFilter& accepts) {
  int fused = 0;
  std::vector<char> dead(graph.nodes.size(), 0);
  auto producers = graph.producers();
  const auto consumers = graph.consumers();
  for (std::size_t i = 0; i < graph.nodes.size(); ++i) {
    const PlanNode& add = graph.nodes[i];
    if (add.node.op != OpKind::Add || add.has_sum()) continue;
    const ValueId a = add.node.inputs[0];
    const ValueId b = add.node.inputs[1];
    if (a == b || graph.value(a).desc != graph.value(b).desc) continue;  // no broadcasting
    if (graph.value(a).is_initializer() || graph.value(b).is_initializer()) continue;

    // The operand computed last hosts the sum, so the other is ready by then.
    int host = -1;
    ValueId residual = kNoValue;
    for (const auto& [mine, other] : {std::pair{a, b}, std::pair{b, a}}) {
      const int p = producers[mine];
      if (p < 0 || dead[p] || consumers[mine].size() != 1 || graph.is_graph_output(mine)) continue;
      const PlanNode& cand = graph.nodes[p];
      if (cand.has_sum() || producers[other] >= p) continue;
      if (!accepts(graph, cand, PostOp{PostOp::Kind::sum, OpKind::Add, NoAttrs{}})) continue;
      if (p > host) {
        host = p;
        residual = other;
      }
    }
    if (host < 0) continue;
    PlanNode& main = graph.nodes[host];
    // The sum, then whatever the Add had absorbed already (add -> relu).
    main.post_ops.push_back(PostOp{PostOp::Kind::sum, OpKind::Add, NoAttrs{}});
    main.post_ops.insert(main.post_ops.end(), add.post_ops.begin(), add.post_ops.end());
    main.residual = residual;
    main.node.outputs[0] = add.node.outputs[0];
    main.absorbed.push_back(add.node.name);
    main.absorbed.insert(main.absorbed.end(), add.absorbed.begin(), add.absorbed.end());
    producers[add.node.outputs[0]] = host;
    dead[i] = 1;
    ++fused;
  }
  graph.erase_nodes(dead);
  return fused;
}

}  // namespace eb::rt
