// Import internals: what each ONNX tensor name is bound to, and the view of
// one NodeProto that op handlers work through. Every accessor validates what
// it reads (presence, attribute type, constness, sizes), so handlers stay
// short and hostile files end in an error naming the node, never a crash.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "common/status.h"
#include "formats/onnx/tensor.h"
#include "graph/graph.h"
#include "onnx/onnx_pb.h"

namespace eb::onnx_format {

// What an ONNX tensor name stands for during import.
struct Binding {
  ValueId value = kNoValue;                  // an activation (or materialized initializer)
  std::shared_ptr<const Constant> constant;  // known at import time
  const onnx::TensorProto* proto = nullptr;  // an initializer, decoded on first use
  std::string unavailable;                   // non-empty: why it cannot be used
  std::string origin;                        // constants: the tensor that defined them, which
                                             // names the initializer (Identity keeps it)
};

// A Gemm made from MatMul, still without bias: a following Add of a constant
// vector becomes its bias (the MatMul+Add form of a linear layer).
struct PendingLinear {
  std::size_t node = 0;  // index in Graph::nodes
  std::string matmul_output;
};

struct ImportState {
  Graph graph;
  int64_t opset = 0;
  std::unordered_map<std::string, Binding> bindings;
  std::unordered_map<std::string, int> uses;          // consumers (and graph outputs) per tensor name
  std::unordered_map<std::string, ValueId> materialized;
  std::unordered_map<ValueId, PendingLinear> linear;  // keyed by the Gemm's output
  std::unordered_set<std::string> value_names;
  std::unordered_set<std::string> node_names;

  std::string unique_value_name(const std::string& wanted);
  std::string unique_node_name(const std::string& wanted);
  ValueId add_initializer(const std::string& wanted, Shape shape, WeightData data);
};

class NodeContext {
 public:
  NodeContext(ImportState& state, const onnx::NodeProto& node, int index);

  const onnx::NodeProto& proto() const { return node_; }
  const std::string& op_type() const { return node_.op_type(); }
  int64_t opset() const { return state_.opset; }
  ImportState& state() { return state_; }
  // Errors prefixed with "node 'name' (Op)".
  Status invalid(const std::string& m) const { return invalid_argument(where_ + ": " + m); }
  Status unsupported_(const std::string& m) const { return unsupported(where_ + ": " + m); }
  const std::string& where() const { return where_; }

  // Inputs; an input is present when listed with a non-empty name.
  int input_count() const { return node_.input_size(); }
  bool has_input(int i) const { return i < node_.input_size() && !node_.input(i).empty(); }
  const std::string& input_name(int i) const { return node_.input(i); }
  Status require_inputs(int min, int max) const;
  Result<Binding*> binding(int i);
  bool is_constant(int i);
  Result<std::shared_ptr<const Constant>> constant(int i);
  // A float constant (a weight); INT64 data is an error naming the tensor.
  Result<std::shared_ptr<const Constant>> float_constant(int i);
  // Integer values of a constant input (e.g. pads, axes, a shape).
  Result<std::vector<int64_t>> int_values(int i);
  // A graph value; constants become initializers (float only).
  Result<ValueId> value(int i);
  Result<std::vector<int64_t>> dims(int i);

  // Attributes; a wrong type is an error naming the attribute.
  const onnx::AttributeProto* attr(std::string_view name) const;
  Result<int64_t> attr_int(std::string_view name, int64_t fallback) const;
  Result<float> attr_float(std::string_view name, float fallback) const;
  Result<std::string> attr_string(std::string_view name, std::string fallback) const;
  Result<std::vector<int64_t>> attr_ints(std::string_view name, std::vector<int64_t> fallback = {}) const;
  Result<std::vector<float>> attr_floats(std::string_view name) const;

  // Outputs. emit() appends a node (shape inferred and bounded) bound to
  // output 0; with a non-empty `internal_suffix` the node is a helper (one
  // ONNX node may become several) and its output is left unbound. alias()
  // binds output i to an existing binding; fold() output 0 to a constant.
  // Outputs left unbound become unusable.
  Result<ValueId> emit(OpKind op, std::vector<ValueId> inputs, Attrs attrs, const std::string& internal_suffix = {});
  Status alias(int i, const Binding& b);
  Status fold(Constant c);

 private:
  Status bind(int i, Binding b);
  Result<Binding*> lookup(const std::string& name);

  ImportState& state_;
  const onnx::NodeProto& node_;
  int index_;
  std::string where_;
};

// Range and size checks for attribute values, as errors naming the node.
Status check_range(NodeContext& c, const std::vector<int64_t>& v, int64_t lo, int64_t hi, const char* what);
Status check_size(NodeContext& c, const std::vector<int64_t>& v, std::size_t n, const char* what);
// The value of a one-element constant input (Clip bounds, a Pad value).
Result<float> scalar_float(NodeContext& c, int i);

}  // namespace eb::onnx_format
