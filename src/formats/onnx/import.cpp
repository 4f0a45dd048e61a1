// ONNX -> Graph: parse, bind inputs and initializers, walk the nodes in file
// order (which ONNX requires to be topological), bind outputs, validate.
#include <deque>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <unordered_set>

#include "formats/onnx/handlers.h"
#include "formats/onnx/onnx.h"

namespace eb::onnx_format {
namespace {

// The newest default-domain opset whose semantics the handlers know.
constexpr int64_t kMaxOpset = 21;

class Importer {
 public:
  Importer(const onnx::ModelProto& model, std::string name, const ImportOptions& options)
      : model_(model), g_(model.graph()), options_(options) {
    s_.graph.name = std::move(name);
  }

  Result<Graph> run();

 private:
  Status read_opset();
  Status bind_initializers();
  Status bind_inputs();
  Result<Shape> input_shape(const onnx::ValueInfoProto& in);
  Status import_node(const onnx::NodeProto& node, int index);
  Status bind_outputs();

  const onnx::ModelProto& model_;
  const onnx::GraphProto& g_;
  const ImportOptions& options_;
  ImportState s_;
  std::deque<onnx::TensorProto> frozen_;  // parsed ImportOptions::constant_inputs; bindings point in
};

Status Importer::read_opset() {
  for (const auto& op : model_.opset_import())
    if (op.domain().empty() || op.domain() == "ai.onnx") s_.opset = op.version();
  // IR version 1/2 files may predate opset_import; they mean opset 1.
  if (model_.opset_import_size() == 0 && model_.ir_version() < 3) s_.opset = 1;
  if (s_.opset < 1) {
    // Valid ONNX of other domains only (the training ops of ai.onnx.preview.training): ops we lack.
    for (const auto& op : model_.opset_import())
      if (!op.domain().empty()) return unsupported("the model imports opsets of domain '" + op.domain() + "' only, not ai.onnx");
    return invalid_argument("the model imports no default-domain (ai.onnx) opset");
  }
  if (s_.opset > kMaxOpset)
    return unsupported("opset " + std::to_string(s_.opset) + " is newer than the newest supported (" + std::to_string(kMaxOpset) + ")");
  return Status::ok();
}

Status Importer::bind_initializers() {
  if (g_.sparse_initializer_size() > 0) return unsupported("sparse initializers are not supported");
  for (const auto& t : g_.initializer()) {
    if (t.name().empty()) return invalid_argument("an initializer has no name");
    if (!s_.bindings.emplace(t.name(), Binding{kNoValue, nullptr, &t, {}, t.name()}).second)
      return invalid_argument("initializer '" + t.name() + "' is defined twice");
  }
  return Status::ok();
}

Result<Shape> Importer::input_shape(const onnx::ValueInfoProto& in) {
  const std::string what = "input '" + in.name() + "'";
  if (!in.type().has_tensor_type()) return unsupported(what + " is not a tensor");
  const auto& t = in.type().tensor_type();
  if (t.elem_type() != onnx::TensorProto_DataType_FLOAT)
    return unsupported(what + " has element type " + data_type_name(t.elem_type()) + "; only FLOAT inputs are supported");
  std::vector<int64_t> dims;
  if (auto it = options_.input_shapes.find(in.name()); it != options_.input_shapes.end()) {
    dims = it->second.dims();
  } else {
    if (!t.has_shape()) return unsupported(what + " has no shape; pass its shape in ImportOptions::input_shapes");
    for (int d = 0; d < t.shape().dim_size(); ++d) {
      const auto& dim = t.shape().dim(d);
      if (dim.has_dim_value() && dim.dim_value() > 0) {
        dims.push_back(dim.dim_value());
      } else if (dim.has_dim_value() && dim.dim_value() == 0) {
        return unsupported(what + " has an empty dim " + std::to_string(d) + "; empty tensors are not supported");
      } else if (d == 0) {
        dims.push_back(1);  // a dynamic batch: edgebench runs batch 1
      } else {
        const std::string label = dim.has_dim_param() ? "'" + dim.dim_param() + "'" : std::to_string(dim.dim_value());
        return unsupported(what + " has dynamic dim " + std::to_string(d) + " (" + label +
                           "); pass its shape in ImportOptions::input_shapes");
      }
    }
  }
  for (int64_t d : dims)
    if (d < 1) return invalid_argument(what + " has an empty or negative dim");
  EB_RETURN_IF_ERROR(checked_numel(dims, kMaxElements, what).status());
  return Shape(std::move(dims));
}

Status Importer::bind_inputs() {
  for (const auto& [name, shape] : options_.input_shapes) {
    bool found = false;
    for (const auto& in : g_.input()) found = found || in.name() == name;
    if (!found) return invalid_argument("ImportOptions names input '" + name + "', which the model does not have");
  }
  for (const auto& in : g_.input()) {
    if (in.name().empty()) return invalid_argument("a graph input has no name");
    if (auto it = s_.bindings.find(in.name()); it != s_.bindings.end()) {
      if (it->second.proto) continue;  // IR < 4 lists initializers as inputs too
      return invalid_argument("graph input '" + in.name() + "' is listed twice");
    }
    if (auto it = options_.constant_inputs.find(in.name()); it != options_.constant_inputs.end()) {
      onnx::TensorProto& t = frozen_.emplace_back();
      if (it->second.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()) ||
          !t.ParseFromArray(it->second.data(), static_cast<int>(it->second.size())))
        return invalid_argument("the constant given for input '" + in.name() + "' is not a TensorProto");
      s_.bindings[in.name()] = Binding{kNoValue, nullptr, &t, {}, in.name()};
      continue;
    }
    EB_ASSIGN_OR_RETURN(Shape shape, input_shape(in));
    const ValueId id = s_.graph.add_value(s_.unique_value_name(in.name()), TensorDesc{DType::f32, std::move(shape)});
    s_.graph.inputs.push_back(id);
    s_.bindings[in.name()] = Binding{id, nullptr, nullptr, {}, {}};
  }
  for (const auto& [name, bytes] : options_.constant_inputs) {
    bool found = false;
    for (const auto& in : g_.input()) found = found || in.name() == name;
    if (!found) return invalid_argument("ImportOptions freezes input '" + name + "', which the model does not have");
  }
  return Status::ok();
}

Status Importer::import_node(const onnx::NodeProto& node, int index) {
  NodeContext c(s_, node, index);
  if (!node.domain().empty() && node.domain() != "ai.onnx")
    return c.unsupported_("ops of domain '" + node.domain() + "' are not supported");
  const Handler handler = find_handler(node.op_type());
  if (!handler) return c.unsupported_("op type '" + node.op_type() + "' is not supported");
  if (node.output_size() == 0) return c.invalid("has no outputs");
  for (const auto& out : node.output())
    if (!out.empty() && s_.bindings.count(out)) return c.invalid("output '" + out + "' is already defined (ONNX names are single-assignment)");
  EB_RETURN_IF_ERROR(handler(c));
  // Secondary outputs (Dropout's mask, MaxPool's indices, BatchNorm's
  // training statistics) are never computed: any later use is an error.
  for (const auto& out : node.output())
    if (!out.empty() && !s_.bindings.count(out))
      s_.bindings[out].unavailable = "is a secondary output of " + c.where() + ", which edgebench does not compute";
  return Status::ok();
}

Status Importer::bind_outputs() {
  // Inputs keep their names, and a tensor behind two outputs is renamed once.
  std::unordered_set<ValueId> keep(s_.graph.inputs.begin(), s_.graph.inputs.end());
  for (const auto& out : g_.output()) {
    auto it = s_.bindings.find(out.name());
    if (it == s_.bindings.end()) return invalid_argument("graph output '" + out.name() + "' is never produced");
    const Binding& b = it->second;
    if (!b.unavailable.empty()) return unsupported("graph output '" + out.name() + "' " + b.unavailable);
    if (b.value == kNoValue) return unsupported("graph output '" + out.name() + "' is a constant; constant outputs are not supported");
    // Through Identity/Dropout an output may carry an inner tensor's name;
    // give it the name the file's users know.
    Value& v = s_.graph.value(b.value);
    if (v.name != out.name() && !keep.count(b.value) && !s_.value_names.count(out.name())) {
      s_.value_names.insert(out.name());
      v.name = out.name();
    }
    keep.insert(b.value);
    s_.graph.outputs.push_back(b.value);
  }
  return Status::ok();
}

Result<Graph> Importer::run() {
  if (!model_.has_graph()) return invalid_argument("the model has no graph");
  if (!model_.functions().empty()) return unsupported("model-local functions are not supported");
  if (s_.graph.name.empty()) s_.graph.name = g_.name().empty() ? "onnx_model" : g_.name();
  const std::string where = "ONNX model '" + s_.graph.name + "'";
  EB_RETURN_IF_ERROR(read_opset().with_context(where));
  EB_RETURN_IF_ERROR(bind_initializers().with_context(where));
  EB_RETURN_IF_ERROR(bind_inputs().with_context(where));
  for (const auto& node : g_.node())
    for (const auto& in : node.input()) ++s_.uses[in];
  for (const auto& out : g_.output()) ++s_.uses[out.name()];
  for (int i = 0; i < g_.node_size(); ++i) EB_RETURN_IF_ERROR(import_node(g_.node(i), i).with_context(where));
  EB_RETURN_IF_ERROR(bind_outputs().with_context(where));
  EB_RETURN_IF_ERROR(s_.graph.validate_and_infer());
  return std::move(s_.graph);
}

}  // namespace

Result<Graph> import_onnx_bytes(std::string_view bytes, std::string name, const ImportOptions& options) {
  const std::string what = "ONNX model '" + name + "'";
  if (bytes.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()))
    return unsupported(what + " is over 2 GiB, the protobuf limit");
  onnx::ModelProto model;
  if (!model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    return invalid_argument(what + ": not an ONNX model (protobuf parsing failed; truncated or corrupt file?)");
  return Importer(model, std::move(name), options).run();
}

Result<Graph> load_onnx(const std::string& path, const ImportOptions& options) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return not_found("ONNX file '" + path + "' does not exist");
  std::ifstream in(path, std::ios::binary);
  if (!in) return io_error("cannot open ONNX file '" + path + "'");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return io_error("reading ONNX file '" + path + "' failed");
  auto graph = import_onnx_bytes(buffer.str(), std::filesystem::path(path).stem().string(), options);
  if (!graph.is_ok()) return graph.status().with_context(path);
  return graph;
}

}  // namespace eb::onnx_format
