#include "conformance/run_case.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <sstream>

#include "formats/onnx/onnx.h"
#include "formats/onnx/tensor.h"

namespace eb::conformance {
namespace fs = std::filesystem;

const char* to_string(Outcome outcome) {
  switch (outcome) {
    case Outcome::pass: return "pass";
    case Outcome::fail: return "fail";
    case Outcome::unsupported: return "unsupported";
    case Outcome::error: return "error";
  }
  return "?";
}

namespace {

Result<std::string> read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return not_found("cannot open " + path.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return io_error("cannot read " + path.string());
  return ss.str();
}

Result<onnx_format::Constant> read_tensor(const fs::path& path) {
  EB_ASSIGN_OR_RETURN(const std::string bytes, read_bytes(path));
  onnx::TensorProto t;
  if (bytes.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()) ||
      !t.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    return invalid_argument(path.filename().string() + " is not a TensorProto");
  return onnx_format::decode_tensor(t, path.filename().string());
}

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

std::string index_string(const std::vector<int64_t>& index) {
  std::string s = "[";
  for (std::size_t d = 0; d < index.size(); ++d) {
    if (d) s += ',';
    s += std::to_string(index[d]);
  }
  return s + "]";
}

std::vector<int64_t> unravel(int64_t flat, const std::vector<int64_t>& dims) {
  std::vector<int64_t> index(dims.size(), 0);
  for (std::size_t d = dims.size(); d-- > 0;) {
    if (dims[d] <= 0) continue;
    index[d] = flat % dims[d];
    flat /= dims[d];
  }
  return index;
}

// Ops whose every input is data (an activation); for any other op only
// input 0 is, and the rest (weights, bias, shapes, pads, scales, bounds) are
// frozen as constants, the form the importer expects of a trained model.
bool all_inputs_are_data(const std::string& op) {
  static const std::set<std::string> ops = {"Add", "Sub",  "Mul",     "Div",  "Pow",     "Sum",   "Mean",           "Max",
                                            "Min", "And",  "Or",      "Xor",  "Equal",   "Less",  "LessOrEqual",    "Greater",
                                            "GreaterOrEqual", "Concat", "BitShift", "Mod"};
  return ops.count(op) > 0;
}

// The graph inputs the model computes on (fed at run time, their shapes
// taken from the data set) as opposed to those it only parameterizes with.
std::set<std::string> data_inputs(const onnx::GraphProto& g) {
  std::set<std::string> data;
  for (const auto& node : g.node())
    for (int slot = 0; slot < node.input_size(); ++slot)
      if (slot == 0 || all_inputs_are_data(node.op_type())) data.insert(node.input(slot));
  // A graph input that is also a graph output is data too (an identity model).
  for (const auto& out : g.output()) data.insert(out.name());
  return data;
}

// Whether every dim of a tensor input is a number (no symbolic or unknown dim).
bool static_shape(const onnx::ValueInfoProto& input) {
  const auto& t = input.type().tensor_type();
  if (!t.has_shape()) return false;
  for (const auto& d : t.shape().dim())
    if (!d.has_dim_value()) return false;
  return true;
}

std::string type_kind(const onnx::TypeProto& type) {
  if (type.has_sequence_type()) return "a sequence";
  if (type.has_map_type()) return "a map";
  if (type.has_optional_type()) return "an optional";
  if (type.has_sparse_tensor_type()) return "a sparse tensor";
  return "no type";
}

std::string family_of(const onnx::GraphProto& g) {
  std::vector<std::string> ops;
  for (const auto& node : g.node())
    if (std::find(ops.begin(), ops.end(), node.op_type()) == ops.end()) ops.push_back(node.op_type());
  constexpr std::size_t kMaxShown = 3;
  std::string family;
  for (std::size_t i = 0; i < ops.size() && i < kMaxShown; ++i) family += (i ? "+" : "") + ops[i];
  if (ops.size() > kMaxShown) family += "+...";
  return family;
}

class CaseRunner {
 public:
  CaseRunner(const TestCase& test, const Execute& execute, const Tolerance& tolerance)
      : test_(test), execute_(execute), tolerance_(tolerance) {
    result_.name = test.name;
  }

  CaseResult run() {
    if (read_model()) {
      const auto sets = data_sets(test_.dir);
      if (sets.empty()) {
        finish(Outcome::error, "no test_data_set_N directory");
      } else {
        for (const fs::path& set : sets)
          if (!run_data_set(set)) break;
      }
    }
    if (!done_) finish(Outcome::pass, "max |a-e| " + num(result_.max_abs_error));
    return std::move(result_);
  }

 private:
  // Each returns false once the outcome is decided.
  bool finish(Outcome outcome, std::string detail) {
    result_.outcome = outcome;
    result_.detail = std::move(detail);
    done_ = true;
    return false;
  }
  // An error status from reading or decoding: unsupported stays unsupported
  // (a data type we lack), anything else makes the case unreadable.
  bool finish_with(const Status& st, Outcome otherwise, const std::string& context) {
    return finish(st.code() == ErrorCode::unsupported ? Outcome::unsupported : otherwise, context + st.message());
  }

  bool read_model();
  bool run_data_set(const fs::path& set);
  bool import(const fs::path& set, std::map<std::string, onnx_format::Constant>& fed, Graph& graph);
  bool check_output(const fs::path& set, const Graph& graph, std::size_t k, const std::vector<float>& actual,
                    const fs::path& expected_file);

  const TestCase& test_;
  const Execute& execute_;
  const Tolerance tolerance_;
  CaseResult result_;
  bool done_ = false;
  std::string model_bytes_;
  onnx::ModelProto model_;
  std::set<std::string> data_inputs_;
};

bool CaseRunner::read_model() {
  auto bytes = read_bytes(test_.dir / "model.onnx");
  if (!bytes.is_ok()) return finish(Outcome::error, bytes.status().message());
  model_bytes_ = std::move(bytes).value();
  if (model_bytes_.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()) ||
      !model_.ParseFromArray(model_bytes_.data(), static_cast<int>(model_bytes_.size())))
    return finish(Outcome::error, "model.onnx is not an ONNX model (protobuf parsing failed; truncated or corrupt?)");
  result_.family = family_of(model_.graph());
  data_inputs_ = data_inputs(model_.graph());
  return true;
}

// input_K.pb belongs to the model's K-th graph input (as in ONNX's own test
// runner): activations are decoded to be fed, the rest frozen as constants.
bool CaseRunner::import(const fs::path& set, std::map<std::string, onnx_format::Constant>& fed, Graph& graph) {
  const onnx::GraphProto& g = model_.graph();
  const auto files = numbered_files(set, "input_");
  if (files.size() > static_cast<std::size_t>(g.input_size()))
    return finish(Outcome::error, set.filename().string() + " has " + std::to_string(files.size()) + " inputs, the model " +
                                      std::to_string(g.input_size()));
  onnx_format::ImportOptions options;
  for (std::size_t k = 0; k < files.size(); ++k) {
    const onnx::ValueInfoProto& input = g.input(static_cast<int>(k));
    const std::string& name = input.name();
    // input_K.pb holds what the input's type says: a sequence, map or optional is no TensorProto.
    if (!input.type().has_tensor_type())
      return finish(Outcome::unsupported, "input '" + name + "' is not a tensor (" + type_kind(input.type()) + ")");
    if (data_inputs_.count(name)) {
      auto t = read_tensor(files[k]);
      if (!t.is_ok()) return finish_with(t.status(), Outcome::error, set.filename().string() + "/");
      // The data set's shape stands for the symbolic dims a model may declare.
      if (t->type == onnx_format::Constant::Type::f32 && !static_shape(input)) {
        if (std::count(t->dims.begin(), t->dims.end(), 0) > 0)
          return finish(Outcome::unsupported,
                        "input '" + name + "' is empty (" + Shape(t->dims).to_string() + "); empty tensors are not supported");
        options.input_shapes[name] = Shape(t->dims);
      }
      fed.emplace(name, std::move(t).value());
    } else {
      auto bytes = read_bytes(files[k]);
      if (!bytes.is_ok()) return finish(Outcome::error, bytes.status().message());
      options.constant_inputs[name] = std::move(bytes).value();
    }
  }
  auto imported = onnx_format::import_onnx_bytes(model_bytes_, test_.dir.filename().string(), options);
  if (!imported.is_ok()) {
    // The importer prefixes "ONNX model '<name>': "; the case's line names it already.
    std::string why = imported.status().message();
    const std::string prefix = "ONNX model '" + test_.dir.filename().string() + "': ";
    if (why.rfind(prefix, 0) == 0) why.erase(0, prefix.size());
    return finish(imported.status().code() == ErrorCode::unsupported ? Outcome::unsupported : Outcome::error, "import: " + why);
  }
  graph = std::move(imported).value();
  return true;
}

bool CaseRunner::run_data_set(const fs::path& set) {
  std::map<std::string, onnx_format::Constant> fed;
  Graph graph;
  if (!import(set, fed, graph)) return false;

  std::vector<std::vector<float>> inputs;
  for (ValueId id : graph.inputs) {
    const std::string& name = graph.value(id).name;
    auto it = fed.find(name);
    if (it == fed.end()) return finish(Outcome::error, set.filename().string() + " has no input for '" + name + "'");
    if (it->second.type != onnx_format::Constant::Type::f32)
      return finish(Outcome::unsupported, "input '" + name + "' is not float32");
    inputs.push_back(*it->second.f);
  }
  auto outputs = execute_(graph, inputs);
  if (!outputs.is_ok())
    return finish(outputs.status().code() == ErrorCode::unsupported ? Outcome::unsupported : Outcome::fail,
                  "backend: " + outputs.status().message());

  const auto expected_files = numbered_files(set, "output_");
  if (expected_files.empty()) return finish(Outcome::error, set.filename().string() + " has no output_0.pb");
  if (expected_files.size() != graph.outputs.size() || outputs->size() != graph.outputs.size())
    return finish(Outcome::error, set.filename().string() + " has " + std::to_string(expected_files.size()) +
                                      " expected outputs, the imported model " + std::to_string(graph.outputs.size()));
  for (std::size_t k = 0; k < expected_files.size(); ++k)
    if (!check_output(set, graph, k, (*outputs)[k], expected_files[k])) return false;
  return true;
}

bool CaseRunner::check_output(const fs::path& set, const Graph& graph, std::size_t k, const std::vector<float>& actual,
                              const fs::path& expected_file) {
  if (k < static_cast<std::size_t>(model_.graph().output_size()) && !model_.graph().output(static_cast<int>(k)).type().has_tensor_type())
    return finish(Outcome::unsupported, "output " + std::to_string(k) + " is not a tensor (" +
                                            type_kind(model_.graph().output(static_cast<int>(k)).type()) + ")");
  auto expected = read_tensor(expected_file);
  if (!expected.is_ok()) return finish_with(expected.status(), Outcome::error, set.filename().string() + "/");
  const Value& out = graph.value(graph.outputs[k]);
  const std::string what = "output " + std::to_string(k) + " '" + out.name + "'";
  if (out.desc.shape != Shape(expected->dims))
    return finish(Outcome::fail, what + " has shape [" + out.desc.shape.to_string() + "], expected [" +
                                     Shape(expected->dims).to_string() + "]");
  if (actual.size() != expected->size())
    return finish(Outcome::fail, what + ": the backend returned " + std::to_string(actual.size()) + " elements, expected " +
                                     std::to_string(expected->size()));
  const onnx_format::Constant& e = *expected;
  const Comparison c = compare(actual, [&e](std::size_t i) { return e.at(i); }, tolerance_);
  result_.max_abs_error = std::max(result_.max_abs_error, c.max_abs_error);
  if (c.within()) return true;

  WorstElement w{k, out.name, set.filename().string(), c.worst_index, unravel(c.worst_index, e.dims),
                 c.worst_actual, c.worst_expected, c.beyond, c.elements};
  std::string detail = what + " element " + index_string(w.index) + " is " + num(w.actual) + ", expected " + num(w.expected) + " (" +
                       std::to_string(w.beyond) + " of " + std::to_string(w.elements) + " elements beyond tolerance";
  if (set.filename() != "test_data_set_0") detail += ", in " + w.data_set;
  result_.worst = std::move(w);
  return finish(Outcome::fail, detail + ")");
}

}  // namespace

CaseResult run_case(const TestCase& test, const Execute& execute, const Tolerance& tolerance) {
  return CaseRunner(test, execute, tolerance).run();
}

}  // namespace eb::conformance
