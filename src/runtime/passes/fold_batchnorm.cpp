// Folds inference BatchNorm into the Conv or Gemm that feeds it:
//   y = s * (W x + b - mean) + beta,  s = gamma / sqrt(var + eps)
//     = (s W) x + (s (b - mean) + beta)
// The new weights are fresh buffers: the source graph's are shared with
// other backends and must not change.
#include <cmath>
#include <memory>

#include "runtime/passes/passes.h"

namespace eb::rt {
namespace {

bool foldable_producer(const PlanNode& p) {
  return (p.node.op == OpKind::Conv || p.node.op == OpKind::Gemm) && p.post_ops.empty() && !p.has_sum();
}

}  // namespace

int fold_batchnorm(PlanGraph& graph) {
  int folded = 0;
  std::vector<char> dead(graph.nodes.size(), 0);
  const auto producers = graph.producers();
  const auto consumers = graph.consumers();
  for (std::size_t i = 0; i < graph.nodes.size(); ++i) {
    PlanNode& bn = graph.nodes[i];
    if (bn.node.op != OpKind::BatchNorm) continue;
    const ValueId x = bn.node.inputs[0];
    const int p = producers[x];
    if (p < 0 || dead[p] || consumers[x].size() != 1 || graph.is_graph_output(x)) continue;
    PlanNode& main = graph.nodes[p];
    if (!foldable_producer(main)) continue;

    const Value& w_value = graph.value(main.node.inputs[1]);
    const int64_t channels = w_value.desc.shape[0];
    const Shape& out_shape = graph.value(x).desc.shape;
    if (out_shape.rank() < 2 || out_shape[1] != channels) continue;

    const auto& gamma = *graph.value(bn.node.inputs[1]).data;
    const auto& beta = *graph.value(bn.node.inputs[2]).data;
    const auto& mean = *graph.value(bn.node.inputs[3]).data;
    const auto& var = *graph.value(bn.node.inputs[4]).data;
    const float eps = bn.node.get<BatchNormAttrs>().epsilon;
    const ValueId b_id = main.node.input(2);
    const std::vector<float>* old_bias = b_id != kNoValue ? graph.value(b_id).data.get() : nullptr;

    auto weights = std::make_shared<std::vector<float>>(*w_value.data);
    auto bias = std::make_shared<std::vector<float>>(static_cast<std::size_t>(channels));
    const std::size_t per_channel = weights->size() / static_cast<std::size_t>(channels);
    for (int64_t m = 0; m < channels; ++m) {
      // Double precision keeps the folded values as close as we can to the unfused math.
      const double s = static_cast<double>(gamma[m]) / std::sqrt(static_cast<double>(var[m]) + static_cast<double>(eps));
      float* row = weights->data() + static_cast<std::size_t>(m) * per_channel;
      for (std::size_t k = 0; k < per_channel; ++k) row[k] = static_cast<float>(row[k] * s);
      const double b = old_bias ? (*old_bias)[m] : 0.0;
      (*bias)[m] = static_cast<float>(s * (b - mean[m]) + beta[m]);
    }
    const TensorDesc w_desc = w_value.desc;
    const std::string w_name = w_value.name + "+" + bn.node.name;
    main.node.inputs[1] = graph.add_value(w_name, w_desc, std::move(weights));
    const ValueId new_b = graph.add_value(main.node.name + ".bias+" + bn.node.name, TensorDesc{DType::f32, Shape{channels}}, std::move(bias));
    if (main.node.inputs.size() < 3) main.node.inputs.resize(3, kNoValue);
    main.node.inputs[2] = new_b;
    main.node.outputs[0] = bn.node.outputs[0];
    main.absorbed.push_back(bn.node.name);
    dead[i] = 1;
    ++folded;
  }
  graph.erase_nodes(dead);
  return folded;
}

}  // namespace eb::rt
