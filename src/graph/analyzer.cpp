#include "graph/analyzer.h"

#include <algorithm>

namespace eb {

ModelInfo analyze(const Graph& g) {
  ModelInfo info;
  info.name = g.name;
  for (ValueId id : g.inputs) info.inputs.push_back(g.value(id).desc.shape);
  for (ValueId id : g.outputs) info.outputs.push_back(g.value(id).desc.shape);

  // An initializer shared by two nodes counts once.
  std::vector<char> counted(g.values.size(), 0);
  for (const Node& node : g.nodes) {
    const OpSchema& s = schema(node.op);
    LayerInfo layer;
    layer.name = node.name;
    layer.op = node.op;
    std::vector<TensorDesc> in_descs;
    for (std::size_t i = 0; i < node.inputs.size(); ++i) {
      const ValueId id = node.inputs[i];
      if (id == kNoValue) continue;
      const Value& v = g.value(id);
      in_descs.push_back(v.desc);
      if (!v.is_initializer() || counted[id]) continue;
      counted[id] = 1;
      const InputRole role = s.roles[std::min(i, s.roles.size() - 1)];
      const int64_t n = v.desc.shape.numel();
      if (is_parameter(role)) layer.params += n;
      if (is_buffer(role)) layer.buffers += n;
      layer.weight_bytes += static_cast<int64_t>(v.desc.bytes());
    }
    std::vector<TensorDesc> out_descs;
    for (ValueId id : node.outputs) out_descs.push_back(g.value(id).desc);
    layer.output = out_descs[0].shape;
    layer.output_bytes = static_cast<int64_t>(out_descs[0].bytes());
    layer.macs = s.macs(node, in_descs, out_descs);
    info.params += layer.params;
    info.buffers += layer.buffers;
    info.macs += layer.macs;
    info.weight_bytes += layer.weight_bytes;
    info.activation_bytes_total += layer.output_bytes;
    info.layers.push_back(std::move(layer));
  }
  for (ValueId id : g.inputs) info.activation_bytes_total += static_cast<int64_t>(g.value(id).desc.bytes());

  // In-order liveness: a value lives from its producer until its last
  // consumer; graph inputs from the start, graph outputs to the end.
  const int end = static_cast<int>(g.nodes.size());
  std::vector<int> first(g.values.size(), end + 1), last(g.values.size(), -1);
  for (ValueId id : g.inputs) first[id] = 0;
  for (int n = 0; n < end; ++n) {
    for (ValueId o : g.nodes[n].outputs) first[o] = std::min(first[o], n);
    for (ValueId i : g.nodes[n].inputs)
      if (i != kNoValue && !g.value(i).is_initializer()) last[i] = std::max(last[i], n);
  }
  for (ValueId id : g.outputs) last[id] = end;
  std::vector<int64_t> delta(end + 2, 0);
  for (std::size_t v = 0; v < g.values.size(); ++v) {
    if (g.values[v].is_initializer() || first[v] > end) continue;
    const int64_t bytes = static_cast<int64_t>(g.values[v].desc.bytes());
    delta[first[v]] += bytes;
    delta[std::max(last[v], first[v]) + 1] -= bytes;
  }
  int64_t live = 0;
  for (int n = 0; n <= end; ++n) {
    live += delta[n];
    info.activation_bytes_peak = std::max(info.activation_bytes_peak, live);
  }
  return info;
}

}  // namespace eb
