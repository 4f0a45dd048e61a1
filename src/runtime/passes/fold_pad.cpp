// A constant-zero Pad over spatial dims only, read by a single Conv, is the
// conv's own zero padding: add its pads to the conv's and drop the copy.
#include "runtime/passes/passes.h"

namespace eb::rt {

int fold_pad(PlanGraph& graph) {
  int folded = 0;
  std::vector<char> dead(graph.nodes.size(), 0);
  const auto consumers = graph.consumers();
  for (std::size_t i = 0; i < graph.nodes.size(); ++i) {
    const PlanNode& pad = graph.nodes[i];
    if (pad.node.op != OpKind::Pad) continue;
    const auto& a = pad.node.get<PadAttrs>();
    const ValueId y = pad.node.outputs[0];
    const std::size_t rank = graph.value(y).desc.shape.rank();
    if (a.value != 0.0f || consumers[y].size() != 1 || graph.is_graph_output(y) || rank < 3) continue;
    if (a.pads[0] != 0 || a.pads[1] != 0 || a.pads[rank] != 0 || a.pads[rank + 1] != 0) continue;
    PlanNode& conv = graph.nodes[consumers[y][0]];
    if (conv.node.op != OpKind::Conv || conv.node.inputs[0] != y) continue;

    auto& c = std::get<ConvAttrs>(conv.node.attrs);
    const std::size_t n = rank - 2;
    if (c.pads.empty()) c.pads.assign(2 * n, 0);
    for (std::size_t d = 0; d < n; ++d) {
      c.pads[d] += a.pads[2 + d];
      c.pads[n + d] += a.pads[rank + 2 + d];
    }
    conv.node.inputs[0] = pad.node.inputs[0];
    conv.absorbed.insert(conv.absorbed.begin(), pad.node.name);
    dead[i] = 1;
    ++folded;
  }
  graph.erase_nodes(dead);
  return folded;
}

}  // namespace eb::rt
