#include "graph/graph.h"

#include <string>
#include <unordered_set>

namespace eb {

ValueId Graph::add_value(std::string value_name, TensorDesc desc, WeightData data) {
  values.push_back(Value{std::move(value_name), std::move(desc), std::move(data)});
  return static_cast<ValueId>(values.size() - 1);
}

std::optional<ValueId> Graph::find_value(const std::string& value_name) const {
  for (std::size_t i = 0; i < values.size(); ++i)
    if (values[i].name == value_name) return static_cast<ValueId>(i);
  return std::nullopt;
}

Status Graph::validate_and_infer() {
  const std::string where = "graph '" + name + "'";
  const auto in_range = [&](ValueId id) { return id >= 0 && static_cast<std::size_t>(id) < values.size(); };

  std::unordered_set<std::string> names;
  for (const Value& v : values) {
    if (!names.insert(v.name).second) return invalid_argument(where + ": duplicate tensor name '" + v.name + "'");
    if (v.data && static_cast<int64_t>(v.data->size()) != v.desc.shape.numel())
      return invalid_argument(where + ": initializer '" + v.name + "' holds " + std::to_string(v.data->size()) +
                              " values, its shape [" + v.desc.shape.to_string() + "] needs " + std::to_string(v.desc.shape.numel()));
  }
  if (inputs.empty()) return invalid_argument(where + ": has no inputs");
  if (outputs.empty()) return invalid_argument(where + ": has no outputs");

  // defined[v]: v is available (an input, an initializer, or produced earlier).
  std::vector<char> defined(values.size(), 0);
  for (ValueId id : inputs) {
    if (!in_range(id)) return invalid_argument(where + ": input id out of range");
    defined[id] = 1;
  }
  for (std::size_t i = 0; i < values.size(); ++i)
    if (values[i].is_initializer()) defined[i] = 1;

  std::unordered_set<std::string> node_names;
  for (Node& node : nodes) {
    const std::string at = where + ", node '" + node.name + "' (" + std::string(op_name(node.op)) + ")";
    if (!node_names.insert(node.name).second) return invalid_argument(at + ": duplicate node name");
    const OpSchema& s = schema(node.op);
    const int n_in = static_cast<int>(node.inputs.size());
    if (n_in < s.min_inputs || n_in > s.max_inputs)
      return invalid_argument(at + ": takes " + std::to_string(s.min_inputs) + (s.min_inputs == s.max_inputs ? "" : ".." + std::to_string(s.max_inputs)) +
                              " inputs, got " + std::to_string(n_in));
    if (node.outputs.size() != 1) return invalid_argument(at + ": must have exactly one output");
    if (!attrs_fit(node.op, node.attrs)) return invalid_argument(at + ": carries attributes of another op");

    std::vector<TensorDesc> in_descs;
    for (int i = 0; i < n_in; ++i) {
      const ValueId id = node.inputs[i];
      if (id == kNoValue) {
        if (i < s.min_inputs) return invalid_argument(at + ": required input " + std::to_string(i) + " is missing");
        continue;  // absent optional input: trailing by construction of our ops
      }
      if (!in_range(id)) return invalid_argument(at + ": input " + std::to_string(i) + " refers to no tensor");
      const Value& v = values[id];
      if (!defined[id]) return invalid_argument(at + ": input '" + v.name + "' is used before it is produced");
      const InputRole role = s.roles[std::min<std::size_t>(i, s.roles.size() - 1)];
      if (role != InputRole::activation && !v.is_initializer())
        return unsupported(at + ": input '" + v.name + "' must be a constant initializer");
      in_descs.push_back(v.desc);
    }
    // Optional inputs are only trailing in our op set, so in_descs lines up with slots.
    std::vector<TensorDesc> out_descs;
    if (Status st = s.infer(node, in_descs, out_descs); !st.is_ok()) return st.with_context(at);
    const ValueId out = node.outputs[0];
    if (!in_range(out)) return invalid_argument(at + ": output refers to no tensor");
    if (defined[out]) return invalid_argument(at + ": output '" + values[out].name + "' is already defined");
    values[out].desc = out_descs[0];
    defined[out] = 1;
  }
  for (ValueId id : outputs)
    if (!in_range(id) || !defined[id]) return invalid_argument(where + ": an output is never produced");
  return Status::ok();
}

std::vector<int> Graph::producers() const {
  std::vector<int> p(values.size(), -1);
  for (std::size_t n = 0; n < nodes.size(); ++n)
    for (ValueId o : nodes[n].outputs) p[o] = static_cast<int>(n);
  return p;
}

std::vector<std::vector<int>> Graph::consumers() const {
  std::vector<std::vector<int>> c(values.size());
  for (std::size_t n = 0; n < nodes.size(); ++n)
    for (ValueId i : nodes[n].inputs)
      if (i != kNoValue) c[i].push_back(static_cast<int>(n));
  return c;
}

}  // namespace eb
