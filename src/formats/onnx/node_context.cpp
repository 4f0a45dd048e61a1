#include "formats/onnx/node_context.h"

namespace eb::onnx_format {

std::string ImportState::unique_value_name(const std::string& wanted) {
  std::string name = wanted;
  for (int k = 1; name.empty() || !value_names.insert(name).second; ++k) name = wanted + "_" + std::to_string(k);
  return name;
}

std::string ImportState::unique_node_name(const std::string& wanted) {
  std::string name = wanted;
  for (int k = 1; name.empty() || !node_names.insert(name).second; ++k) name = wanted + "_" + std::to_string(k);
  return name;
}

ValueId ImportState::add_initializer(const std::string& wanted, Shape shape, WeightData data) {
  return graph.add_value(unique_value_name(wanted), TensorDesc{DType::f32, std::move(shape)}, std::move(data));
}

NodeContext::NodeContext(ImportState& state, const onnx::NodeProto& node, int index)
    : state_(state), node_(node), index_(index) {
  where_ = "node '" + (node.name().empty() ? "#" + std::to_string(index) : node.name()) + "' (" + node.op_type() + ")";
}

Status NodeContext::require_inputs(int min, int max) const {
  int n = node_.input_size();
  while (n > 0 && node_.input(n - 1).empty()) --n;  // trailing "" are absent optional inputs
  if (n < min || n > max)
    return invalid("takes " + std::to_string(min) + (min == max ? "" : ".." + std::to_string(max)) + " inputs, got " + std::to_string(n));
  for (int i = 0; i < min; ++i)
    if (node_.input(i).empty()) return invalid("required input " + std::to_string(i) + " is empty");
  return Status::ok();
}

Result<Binding*> NodeContext::lookup(const std::string& name) {
  auto it = state_.bindings.find(name);
  if (it == state_.bindings.end())
    return invalid("input '" + name + "' is not produced by any earlier node, graph input or initializer "
                   "(the graph is not topologically sorted, is cyclic, or is incomplete)");
  Binding& b = it->second;
  if (!b.unavailable.empty()) return unsupported_("input '" + name + "' " + b.unavailable);
  if (b.proto && !b.constant) {
    auto decoded = decode_tensor(*b.proto, name);
    if (!decoded.is_ok()) return decoded.status().with_context(where_);
    b.constant = std::make_shared<const Constant>(std::move(decoded).value());
  }
  return &b;
}

Result<Binding*> NodeContext::binding(int i) {
  if (!has_input(i)) return invalid("required input " + std::to_string(i) + " is missing");
  return lookup(node_.input(i));
}

bool NodeContext::is_constant(int i) {
  if (!has_input(i)) return false;
  auto b = lookup(node_.input(i));
  return b.is_ok() && (*b)->constant != nullptr;
}

Result<std::shared_ptr<const Constant>> NodeContext::constant(int i) {
  EB_ASSIGN_OR_RETURN(Binding * b, binding(i));
  if (!b->constant)
    return unsupported_("input '" + node_.input(i) + "' must be a constant (an initializer or computable at import time)");
  return b->constant;
}

Result<std::shared_ptr<const Constant>> NodeContext::float_constant(int i) {
  EB_ASSIGN_OR_RETURN(auto c, constant(i));
  if (c->type != Constant::Type::f32)
    return unsupported_("tensor '" + node_.input(i) + "' holds integers; only FLOAT tensors are supported here");
  return c;
}

Result<std::vector<int64_t>> NodeContext::int_values(int i) {
  EB_ASSIGN_OR_RETURN(auto c, constant(i));
  if (c->type != Constant::Type::i64) return invalid("input '" + node_.input(i) + "' must hold integers, not FLOAT");
  return c->i;
}

Result<ValueId> NodeContext::value(int i) {
  EB_ASSIGN_OR_RETURN(Binding * b, binding(i));
  if (b->value != kNoValue) return b->value;
  const std::string& name = b->origin.empty() ? node_.input(i) : b->origin;
  if (auto it = state_.materialized.find(name); it != state_.materialized.end()) return it->second;
  if (b->constant->type != Constant::Type::f32)
    return unsupported_("tensor '" + name + "' holds integers; only FLOAT tensors can be weights or activations");
  // Zero-sized dims would let later shape products overflow unchecked.
  for (int64_t d : b->constant->dims)
    if (d < 1) return unsupported_("tensor '" + name + "' has an empty dim; empty tensors are not supported");
  const ValueId id = state_.add_initializer(name, Shape(b->constant->dims), b->constant->f);
  state_.materialized[name] = id;
  return id;
}

Result<std::vector<int64_t>> NodeContext::dims(int i) {
  EB_ASSIGN_OR_RETURN(Binding * b, binding(i));
  if (b->value != kNoValue) return state_.graph.value(b->value).desc.shape.dims();
  return b->constant->dims;
}

// ---- attributes -----------------------------------------------------------

namespace {

using AttrType = onnx::AttributeProto_AttributeType;

// Very old exporters leave `type` unset; the field in use tells it then.
AttrType kind_of(const onnx::AttributeProto& a) {
  if (a.type() != onnx::AttributeProto_AttributeType_UNDEFINED) return a.type();
  if (a.has_i()) return onnx::AttributeProto_AttributeType_INT;
  if (a.has_f()) return onnx::AttributeProto_AttributeType_FLOAT;
  if (a.has_s()) return onnx::AttributeProto_AttributeType_STRING;
  if (a.has_t()) return onnx::AttributeProto_AttributeType_TENSOR;
  if (a.ints_size()) return onnx::AttributeProto_AttributeType_INTS;
  if (a.floats_size()) return onnx::AttributeProto_AttributeType_FLOATS;
  return onnx::AttributeProto_AttributeType_UNDEFINED;
}

}  // namespace

const onnx::AttributeProto* NodeContext::attr(std::string_view name) const {
  for (const auto& a : node_.attribute())
    if (a.name() == name) return &a;
  return nullptr;
}

#define EB_ATTR_TYPE(a, expected, label)                                                       \
  if (kind_of(*a) != onnx::AttributeProto_AttributeType_##expected)                           \
  return invalid("attribute '" + a->name() + "' must be of type " label)

Result<int64_t> NodeContext::attr_int(std::string_view name, int64_t fallback) const {
  const auto* a = attr(name);
  if (!a) return fallback;
  EB_ATTR_TYPE(a, INT, "INT");
  return a->i();
}

Result<float> NodeContext::attr_float(std::string_view name, float fallback) const {
  const auto* a = attr(name);
  if (!a) return fallback;
  EB_ATTR_TYPE(a, FLOAT, "FLOAT");
  return a->f();
}

Result<std::string> NodeContext::attr_string(std::string_view name, std::string fallback) const {
  const auto* a = attr(name);
  if (!a) return fallback;
  EB_ATTR_TYPE(a, STRING, "STRING");
  return a->s();
}

Result<std::vector<int64_t>> NodeContext::attr_ints(std::string_view name, std::vector<int64_t> fallback) const {
  const auto* a = attr(name);
  if (!a) return fallback;
  EB_ATTR_TYPE(a, INTS, "INTS");
  return std::vector<int64_t>(a->ints().begin(), a->ints().end());
}

Result<std::vector<float>> NodeContext::attr_floats(std::string_view name) const {
  const auto* a = attr(name);
  if (!a) return std::vector<float>{};
  EB_ATTR_TYPE(a, FLOATS, "FLOATS");
  return std::vector<float>(a->floats().begin(), a->floats().end());
}

#undef EB_ATTR_TYPE

// ---- outputs --------------------------------------------------------------

Status NodeContext::bind(int i, Binding b) {
  if (i >= node_.output_size() || node_.output(i).empty()) return invalid("output " + std::to_string(i) + " is missing");
  // The driver has checked that no output name was bound before (SSA).
  state_.bindings[node_.output(i)] = std::move(b);
  return Status::ok();
}

Result<ValueId> NodeContext::emit(OpKind op, std::vector<ValueId> inputs, Attrs attrs, const std::string& internal_suffix) {
  const OpSchema& s = schema(op);
  const int n_in = static_cast<int>(inputs.size());
  if (n_in < s.min_inputs || n_in > s.max_inputs)
    return invalid("maps to " + std::string(s.name) + " with " + std::to_string(n_in) + " inputs, which takes " +
                   std::to_string(s.min_inputs) + ".." + std::to_string(s.max_inputs));
  if (node_.output_size() < 1 || node_.output(0).empty()) return invalid("has no output");
  Node n;
  n.op = op;
  n.inputs = std::move(inputs);
  n.attrs = std::move(attrs);
  std::vector<TensorDesc> in_descs;
  for (ValueId id : n.inputs) in_descs.push_back(state_.graph.value(id).desc);
  std::vector<TensorDesc> out;
  if (Status st = s.infer(n, in_descs, out); !st.is_ok()) return st.with_context(where_);
  const Shape& shape = out[0].shape;
  for (int64_t d : shape.dims())
    if (d < 1) return unsupported_("output shape [" + shape.to_string() + "] has an empty dim");
  if (auto numel = checked_numel(shape.dims(), kMaxElements, "output"); !numel.is_ok()) return numel.status().with_context(where_);

  const std::string base = node_.name().empty() ? node_.op_type() + "_" + std::to_string(index_) : node_.name();
  n.name = state_.unique_node_name(base + internal_suffix);
  const ValueId id = state_.graph.add_value(state_.unique_value_name(node_.output(0) + internal_suffix), out[0]);
  n.outputs = {id};
  state_.graph.nodes.push_back(std::move(n));
  if (internal_suffix.empty()) EB_RETURN_IF_ERROR(bind(0, Binding{id, nullptr, nullptr, {}, {}}));
  return id;
}

Status NodeContext::alias(int i, const Binding& b) { return bind(i, b); }

Status NodeContext::fold(Constant c) {
  if (c.size() != static_cast<std::size_t>(Shape(c.dims).numel())) return internal_error(where_ + ": folded tensor size mismatch");
  return bind(0, Binding{kNoValue, std::make_shared<const Constant>(std::move(c)), nullptr, {}, node_.output(0)});
}

// ---- shared checks --------------------------------------------------------

Status check_range(NodeContext& c, const std::vector<int64_t>& v, int64_t lo, int64_t hi, const char* what) {
  for (int64_t x : v)
    if (x < lo || x > hi)
      return c.unsupported_(std::string(what) + " value " + std::to_string(x) + " is outside [" + std::to_string(lo) + ", " +
                            std::to_string(hi) + "]");
  return Status::ok();
}

Status check_size(NodeContext& c, const std::vector<int64_t>& v, std::size_t n, const char* what) {
  if (v.size() != n)
    return c.invalid(std::string(what) + " has " + std::to_string(v.size()) + " entries, expected " + std::to_string(n));
  return Status::ok();
}

Result<float> scalar_float(NodeContext& c, int i) {
  EB_ASSIGN_OR_RETURN(auto k, c.constant(i));
  if (k->size() != 1) return c.invalid("input '" + c.input_name(i) + "' must be a scalar");
  return static_cast<float>(k->at(0));
}

}  // namespace eb::onnx_format
