// An average pool whose only reader is a 1x1 convolution that reduces
// channels (Inception's pool projections: a 3x3 average of 384 to 1536
// channels, then a 1x1 down to 96 to 256) computes the same as the 1x1
// first and the pool after it, on a quarter to a sixth of the channels.
// Both are linear: the pool mixes pixels with weights that depend on the
// pixel only, the 1x1 mixes channels with weights that depend on the
// channel only. With a bias the swap is exact only when every window's
// weights sum to one, that is when the pool ignores the padding; pools that
// count it are left alone.
#include "runtime/passes/passes.h"

namespace eb::rt {
namespace {

bool all_equal(const std::vector<int64_t>& v, int64_t e) {
  for (int64_t x : v)
    if (x != e) return false;
  return true;
}

bool reducing_pointwise(const PlanGraph& g, const PlanNode& conv, ValueId x) {
  if (conv.node.op != OpKind::Conv || conv.node.inputs[0] != x || !conv.post_ops.empty() || conv.has_sum()) return false;
  const auto& a = conv.node.get<ConvAttrs>();
  const Shape& w = g.value(conv.node.inputs[1]).desc.shape;
  return w.rank() == 4 && w[2] == 1 && w[3] == 1 && a.group == 1 && all_equal(a.strides, 1) && all_equal(a.pads, 0) &&
         all_equal(a.dilations, 1) && w[0] < w[1];
}

}  // namespace

int commute_pool_conv(PlanGraph& graph) {
  int swapped = 0;
  const auto consumers = graph.consumers();
  for (std::size_t i = 0; i < graph.nodes.size(); ++i) {
    const PlanNode& pool = graph.nodes[i];
    if (pool.node.op != OpKind::AvgPool || !pool.post_ops.empty()) continue;
    const auto& p = pool.node.get<PoolAttrs>();
    const ValueId pooled = pool.node.outputs[0];
    const Shape& in = graph.value(pool.node.inputs[0]).desc.shape;
    if (in.rank() != 4 || (p.count_include_pad && !all_equal(p.pads, 0))) continue;
    if (consumers[pooled].size() != 1 || graph.is_graph_output(pooled)) continue;
    const std::size_t j = static_cast<std::size_t>(consumers[pooled][0]);
    if (!reducing_pointwise(graph, graph.nodes[j], pooled)) continue;

    // The value between them now holds the 1x1's result at the pool's
    // input size; the pool writes what the 1x1 used to.
    PlanNode& conv = graph.nodes[j];
    const ValueId result = conv.node.outputs[0];
    Value& between = graph.values[static_cast<std::size_t>(pooled)];
    between.desc.shape = Shape{in[0], graph.value(conv.node.inputs[1]).desc.shape[0], in[2], in[3]};
    between.name = conv.node.name + ".before_pool";
    conv.node.inputs[0] = pool.node.inputs[0];
    conv.node.outputs[0] = pooled;
    PlanNode& moved_pool = graph.nodes[i];
    moved_pool.node.inputs[0] = pooled;
    moved_pool.node.outputs[0] = result;
    // Topological order: the 1x1 takes the pool's place (its input was
    // ready there), the pool the 1x1's (its readers all come later).
    std::swap(graph.nodes[i], graph.nodes[j]);
    ++swapped;
  }
  return swapped;
}

}  // namespace eb::rt
