// The graph IR: values (activations and initializers) and nodes in
// topological order. A Graph is a value type; weights are shared immutable
// buffers, so copying a graph (e.g. before a pass rewrites it) is cheap and
// every backend sees the very same weights.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "graph/attrs.h"
#include "graph/op.h"
#include "graph/types.h"

namespace eb {

using ValueId = int32_t;
inline constexpr ValueId kNoValue = -1;

using WeightData = std::shared_ptr<const std::vector<float>>;

struct Value {
  std::string name;
  TensorDesc desc;
  WeightData data;  // non-null for initializers (weights); f32 only

  bool is_initializer() const { return data != nullptr; }
};

class Node {
 public:
  std::string name;
  OpKind op = OpKind::Relu;
  std::vector<ValueId> inputs;  // kNoValue marks an absent optional input
  std::vector<ValueId> outputs;
  Attrs attrs;

  template <typename A>
  const A& get() const { return std::get<A>(attrs); }
  ValueId input(std::size_t i) const { return i < inputs.size() ? inputs[i] : kNoValue; }
};

class Graph {
 public:
  std::string name;
  std::vector<Value> values;
  std::vector<Node> nodes;  // topological order
  std::vector<ValueId> inputs;
  std::vector<ValueId> outputs;

  ValueId add_value(std::string value_name, TensorDesc desc, WeightData data = nullptr);
  const Value& value(ValueId id) const { return values.at(static_cast<std::size_t>(id)); }
  Value& value(ValueId id) { return values.at(static_cast<std::size_t>(id)); }
  std::optional<ValueId> find_value(const std::string& value_name) const;

  // Checks structure (ids in range, topological order, arity, initializer
  // roles, unique names) and recomputes every activation's shape from the
  // inputs. Errors name the graph, node and tensor at fault.
  Status validate_and_infer();

  // For each value, the index of the node producing it (-1 for inputs and
  // initializers) and the nodes consuming it.
  std::vector<int> producers() const;
  std::vector<std::vector<int>> consumers() const;
};

}  // namespace eb
