// The runtime's own IR: the graph after the native engine's passes.
//
// A PlanGraph is a Graph whose nodes may carry work folded or fused into
// them: post-ops (an activation, or the sum of a residual operand) applied to
// the main op's result, in order. The graph's nodes are copied, never edited
// in place: passes rewrite a PlanGraph, and folded weights are new buffers,
// so the caller's Graph (and every other backend sharing its weights) is
// left untouched.
#pragma once

#include <string>
#include <vector>

#include "graph/graph.h"

namespace eb::rt {

// One step applied to a main op's result.
struct PostOp {
  enum class Kind { eltwise, sum };
  Kind kind = Kind::eltwise;
  OpKind op = OpKind::Relu;  // eltwise only: Relu | Clip | LeakyRelu | Sigmoid
  Attrs attrs;               // eltwise only: ClipAttrs, LeakyReluAttrs or NoAttrs
};

struct PlanNode {
  Node node;                          // the main op; node.outputs[0] holds the result after post-ops
  std::vector<PostOp> post_ops;       // applied in order
  ValueId residual = kNoValue;        // the operand of the (single) sum post-op
  std::vector<std::string> absorbed;  // names of graph nodes folded or fused into this one, in order

  bool has_sum() const { return residual != kNoValue; }
};

struct PlanGraph {
  std::string name;
  std::vector<Value> values;
  std::vector<PlanNode> nodes;  // topological order
  std::vector<ValueId> inputs;
  std::vector<ValueId> outputs;

  static PlanGraph from(const Graph& graph);

  const Value& value(ValueId id) const { return values.at(static_cast<std::size_t>(id)); }
  ValueId add_value(std::string value_name, TensorDesc desc, WeightData data = nullptr);
  bool is_graph_output(ValueId id) const;
  bool is_graph_input(ValueId id) const;

  // The activation operands of a node in the order kernels see them: its
  // non-initializer inputs, then the residual of a sum post-op.
  std::vector<ValueId> activation_inputs(const PlanNode& node) const;
  // For each value, the nodes reading it (residuals included), in order.
  std::vector<std::vector<int>> consumers() const;
  // For each value, the node producing it, or -1.
  std::vector<int> producers() const;
  // Drops the nodes whose flag is set (dead.size() == nodes.size()).
  void erase_nodes(const std::vector<char>& dead);
};

}  // namespace eb::rt
