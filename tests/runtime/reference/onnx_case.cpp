#include "onnx_case.h"

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <optional>
#include <sstream>

#include "graph/builder.h"
#include "runtime/reference/reference.h"

namespace eb::ref::testing {
namespace fs = std::filesystem;
namespace {

// An ONNX tensor converted to plain vectors (float for FLOAT; int64 for INT64/INT32).
struct OnnxTensor {
  std::string name;
  int32_t type = 0;
  std::vector<int64_t> dims;
  std::vector<float> f;
  std::vector<int64_t> i;

  bool is_float() const { return type == onnx::TensorProto::FLOAT; }
  bool is_int() const { return type == onnx::TensorProto::INT64 || type == onnx::TensorProto::INT32; }
  int64_t numel() const {
    int64_t n = 1;
    for (int64_t d : dims) n *= d;
    return n;
  }
};

Status read_bytes(const fs::path& path, std::string& bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return not_found("cannot open " + path.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  bytes = ss.str();
  return Status::ok();
}

template <typename T>
Status from_raw(const std::string& raw, int64_t n, std::vector<T>& out) {
  if (static_cast<int64_t>(raw.size()) != n * static_cast<int64_t>(sizeof(T))) return invalid_argument("raw_data has the wrong size");
  out.resize(static_cast<std::size_t>(n));
  if (n > 0) std::memcpy(out.data(), raw.data(), raw.size());  // ONNX raw_data is little-endian, as is x86/ARM
  return Status::ok();
}

Result<OnnxTensor> convert(const onnx::TensorProto& t) {
  OnnxTensor r;
  r.name = t.name();
  r.type = t.data_type();
  r.dims.assign(t.dims().begin(), t.dims().end());
  const int64_t n = r.numel();
  const bool raw = t.has_raw_data();
  switch (t.data_type()) {
    case onnx::TensorProto::FLOAT:
      if (raw) {
        EB_RETURN_IF_ERROR(from_raw(t.raw_data(), n, r.f));
      } else {
        r.f.assign(t.float_data().begin(), t.float_data().end());
      }
      if (static_cast<int64_t>(r.f.size()) != n) return invalid_argument("tensor '" + r.name + "' has the wrong number of floats");
      break;
    case onnx::TensorProto::INT64:
      if (raw) {
        EB_RETURN_IF_ERROR(from_raw(t.raw_data(), n, r.i));
      } else {
        r.i.assign(t.int64_data().begin(), t.int64_data().end());
      }
      break;
    case onnx::TensorProto::INT32:
      if (raw) {
        std::vector<int32_t> v;
        EB_RETURN_IF_ERROR(from_raw(t.raw_data(), n, v));
        r.i.assign(v.begin(), v.end());
      } else {
        r.i.assign(t.int32_data().begin(), t.int32_data().end());
      }
      break;
    default:
      break;  // other element types stay empty; whoever needs the values reports them unsupported
  }
  return r;
}

Result<OnnxTensor> load_tensor(const fs::path& path) {
  std::string bytes;
  EB_RETURN_IF_ERROR(read_bytes(path, bytes));
  onnx::TensorProto t;
  if (!t.ParseFromString(bytes)) return invalid_argument("cannot parse TensorProto " + path.string());
  return convert(t);
}

// ---- attributes -------------------------------------------------------------

const onnx::AttributeProto* find_attr(const onnx::NodeProto& node, const std::string& name) {
  for (const auto& a : node.attribute())
    if (a.name() == name) return &a;
  return nullptr;
}
int64_t attr_i(const onnx::NodeProto& n, const std::string& name, int64_t def) {
  const auto* a = find_attr(n, name);
  return a ? a->i() : def;
}
float attr_f(const onnx::NodeProto& n, const std::string& name, float def) {
  const auto* a = find_attr(n, name);
  return a ? a->f() : def;
}
std::string attr_s(const onnx::NodeProto& n, const std::string& name, const std::string& def) {
  const auto* a = find_attr(n, name);
  return a ? a->s() : def;
}
std::vector<int64_t> attr_ints(const onnx::NodeProto& n, const std::string& name, std::vector<int64_t> def) {
  const auto* a = find_attr(n, name);
  return a ? std::vector<int64_t>(a->ints().begin(), a->ints().end()) : def;
}

// ---- one node onto the IR ---------------------------------------------------

struct Built {
  Graph graph;
  std::vector<std::string> feeds;  // ONNX names of the graph inputs, in order
};

class Mapper {
 public:
  Mapper(const onnx::NodeProto& node, int opset, const std::map<std::string, OnnxTensor>& tensors)
      : node_(node), opset_(opset), tensors_(tensors), b_("onnx_case", 0) {}

  Result<Built> build();

 private:
  const OnnxTensor* get(int slot) const {
    if (slot >= node_.input_size() || node_.input(slot).empty()) return nullptr;
    auto it = tensors_.find(node_.input(slot));
    return it == tensors_.end() ? nullptr : &it->second;
  }
  Result<const OnnxTensor*> need(int slot) const {
    const OnnxTensor* t = get(slot);
    if (!t) return invalid_argument("input " + std::to_string(slot) + " has no data");
    return t;
  }
  Result<ValueId> activation(int slot) {
    EB_ASSIGN_OR_RETURN(const OnnxTensor* t, need(slot));
    if (!t->is_float()) return unsupported("input '" + t->name + "' is not float32 (type " + std::to_string(t->type) + ")");
    if (auto it = ids_.find(node_.input(slot)); it != ids_.end()) return it->second;
    const ValueId id = b_.input(node_.input(slot), Shape(t->dims));
    ids_[node_.input(slot)] = id;
    feeds_.push_back(node_.input(slot));
    return id;
  }
  Result<ValueId> constant(int slot) {
    EB_ASSIGN_OR_RETURN(const OnnxTensor* t, need(slot));
    if (!t->is_float()) return unsupported("weight '" + t->name + "' is not float32");
    return b_.constant(node_.input(slot), Shape(t->dims), t->f);
  }
  // Explicit pads for auto_pad; empty when auto_pad is NOTSET.
  Result<std::vector<int64_t>> auto_pads(const Shape& x, const std::vector<int64_t>& kernel, const std::vector<int64_t>& strides,
                                         const std::vector<int64_t>& dilations) const {
    const std::string mode = attr_s(node_, "auto_pad", "NOTSET");
    const std::size_t n = kernel.size();
    if (mode == "NOTSET") return std::vector<int64_t>{};
    std::vector<int64_t> pads(2 * n, 0);
    if (mode == "VALID") return pads;
    if (mode != "SAME_UPPER" && mode != "SAME_LOWER") return unsupported("auto_pad " + mode);
    for (std::size_t i = 0; i < n; ++i) {
      same_pads(x[2 + i], kernel[i], strides[i], dilations[i], pads[i], pads[n + i]);
      if (mode == "SAME_LOWER") std::swap(pads[i], pads[n + i]);
    }
    return pads;
  }

  Result<ValueId> conv();
  Result<ValueId> pool(OpKind op);
  Result<ValueId> gemm();
  Result<ValueId> resize_or_upsample();

  const onnx::NodeProto& node_;
  int opset_;
  const std::map<std::string, OnnxTensor>& tensors_;
  GraphBuilder b_;
  std::map<std::string, ValueId> ids_;
  std::vector<std::string> feeds_;
};

Result<ValueId> Mapper::conv() {
  EB_ASSIGN_OR_RETURN(const ValueId x, activation(0));
  EB_ASSIGN_OR_RETURN(const OnnxTensor* w, need(1));
  const Shape xs = b_.shape(x);
  const std::size_t n = xs.rank() - 2;
  ConvAttrs a;
  a.kernel = attr_ints(node_, "kernel_shape", std::vector<int64_t>(w->dims.begin() + 2, w->dims.end()));
  a.strides = attr_ints(node_, "strides", std::vector<int64_t>(n, 1));
  a.dilations = attr_ints(node_, "dilations", std::vector<int64_t>(n, 1));
  a.pads = attr_ints(node_, "pads", std::vector<int64_t>(2 * n, 0));
  a.group = attr_i(node_, "group", 1);
  EB_ASSIGN_OR_RETURN(auto pads, auto_pads(xs, a.kernel, a.strides, a.dilations));
  if (!pads.empty()) a.pads = pads;
  std::vector<ValueId> inputs = {x};
  EB_ASSIGN_OR_RETURN(const ValueId wid, constant(1));
  inputs.push_back(wid);
  if (get(2)) {
    EB_ASSIGN_OR_RETURN(const ValueId bid, constant(2));
    inputs.push_back(bid);
  }
  return b_.node(OpKind::Conv, inputs, a);
}

Result<ValueId> Mapper::pool(OpKind op) {
  if (node_.output_size() > 1) return unsupported("second output (argmax indices)");
  EB_ASSIGN_OR_RETURN(const ValueId x, activation(0));
  const Shape xs = b_.shape(x);
  const std::size_t n = xs.rank() - 2;
  const auto dilations = attr_ints(node_, "dilations", std::vector<int64_t>(n, 1));
  if (std::any_of(dilations.begin(), dilations.end(), [](int64_t d) { return d != 1; })) return unsupported("pooling dilations");
  PoolAttrs a;
  a.kernel = attr_ints(node_, "kernel_shape", {});
  a.strides = attr_ints(node_, "strides", std::vector<int64_t>(n, 1));
  a.pads = attr_ints(node_, "pads", std::vector<int64_t>(2 * n, 0));
  a.ceil_mode = attr_i(node_, "ceil_mode", 0) != 0;
  a.count_include_pad = attr_i(node_, "count_include_pad", 0) != 0;
  EB_ASSIGN_OR_RETURN(auto pads, auto_pads(xs, a.kernel, a.strides, dilations));
  if (!pads.empty()) a.pads = pads;
  return b_.node(op, {x}, a);
}

Result<ValueId> Mapper::gemm() {
  if (attr_i(node_, "transA", 0) != 0) return unsupported("Gemm transA (X must be [batch, in])");
  EB_ASSIGN_OR_RETURN(const ValueId x, activation(0));
  EB_ASSIGN_OR_RETURN(const OnnxTensor* bt, need(1));
  if (!bt->is_float() || bt->dims.size() != 2) return unsupported("Gemm B must be a 2-D float tensor");
  const bool trans_b = attr_i(node_, "transB", 0) != 0;
  const float alpha = attr_f(node_, "alpha", 1.0f);
  const float beta = attr_f(node_, "beta", 1.0f);
  const int64_t out = trans_b ? bt->dims[0] : bt->dims[1];
  const int64_t in = trans_b ? bt->dims[1] : bt->dims[0];
  // W is [out, in]: B itself when transB, else B transposed; alpha folds into W.
  std::vector<float> w(static_cast<std::size_t>(out * in));
  for (int64_t o = 0; o < out; ++o)
    for (int64_t k = 0; k < in; ++k) w[o * in + k] = alpha * (trans_b ? bt->f[o * in + k] : bt->f[k * out + o]);
  std::vector<ValueId> inputs = {x, b_.constant(node_.input(1), Shape{out, in}, std::move(w))};
  if (const OnnxTensor* c = get(2)) {
    if (!c->is_float()) return unsupported("Gemm C must be float");
    std::vector<float> bias(static_cast<std::size_t>(out));
    if (c->numel() == 1) {
      std::fill(bias.begin(), bias.end(), beta * c->f[0]);
    } else if (c->numel() == out && (c->dims.size() == 1 || (c->dims.size() == 2 && c->dims[0] == 1))) {
      for (int64_t o = 0; o < out; ++o) bias[o] = beta * c->f[o];
    } else {
      return unsupported("Gemm C of shape other than [out] (a per-row bias)");
    }
    inputs.push_back(b_.constant(node_.input(2), Shape{out}, std::move(bias)));
  }
  return b_.node(OpKind::Gemm, inputs, NoAttrs{});
}

Result<ValueId> Mapper::resize_or_upsample() {
  EB_ASSIGN_OR_RETURN(const ValueId x, activation(0));
  const Shape xs = b_.shape(x);
  const std::string mode = attr_s(node_, "mode", "nearest");
  if (mode != "nearest") return unsupported(node_.op_type() + " mode " + mode);
  std::vector<float> scales;
  if (node_.op_type() == "Upsample") {
    if (opset_ >= 9) {
      EB_ASSIGN_OR_RETURN(const OnnxTensor* s, need(1));
      scales = s->f;
    } else {
      const auto* a = find_attr(node_, "scales");
      if (a) scales.assign(a->floats().begin(), a->floats().end());
    }
  } else {  // Resize, opset >= 11: X, roi, scales, sizes
    if (opset_ < 11) return unsupported("Resize before opset 11");
    const std::string ctm = attr_s(node_, "coordinate_transformation_mode", "half_pixel");
    const std::string nearest = attr_s(node_, "nearest_mode", "round_prefer_floor");
    // With an integer scale s these select source index floor(i / s), which is our Upsample.
    const bool half_pixel = (ctm == "half_pixel" || ctm == "pytorch_half_pixel") &&
                            (nearest == "round_prefer_floor" || nearest == "round_prefer_ceil");
    const bool asymmetric_floor = ctm == "asymmetric" && nearest == "floor";
    if (!half_pixel && !asymmetric_floor) return unsupported("Resize nearest with " + ctm + "/" + nearest);
    if (const OnnxTensor* s = get(2); s && s->numel() > 0) {
      scales = s->f;
    } else if (const OnnxTensor* sz = get(3); sz && sz->numel() == static_cast<int64_t>(xs.rank())) {
      for (std::size_t d = 0; d < xs.rank(); ++d) scales.push_back(static_cast<float>(sz->i[d]) / static_cast<float>(xs[d]));
    }
  }
  if (scales.size() != xs.rank()) return unsupported(node_.op_type() + " without one scale per dim");
  UpsampleAttrs a;
  for (float s : scales) {
    if (s < 1.0f || s != std::floor(s)) return unsupported(node_.op_type() + " with a non-integer scale " + std::to_string(s));
    a.scales.push_back(static_cast<int64_t>(s));
  }
  return b_.node(OpKind::Upsample, {x}, a);
}

Result<Built> Mapper::build() {
  const std::string& op = node_.op_type();
  Result<ValueId> y = unsupported("op " + op + " has no counterpart in the IR");
  if (op == "Conv") {
    y = conv();
  } else if (op == "MaxPool") {
    y = pool(OpKind::MaxPool);
  } else if (op == "AveragePool") {
    y = pool(OpKind::AvgPool);
  } else if (op == "GlobalAveragePool" || op == "GlobalMaxPool" || op == "Relu" || op == "Sigmoid") {
    const OpKind kind = op == "GlobalAveragePool" ? OpKind::GlobalAvgPool
                        : op == "GlobalMaxPool"   ? OpKind::GlobalMaxPool
                        : op == "Relu"            ? OpKind::Relu
                                                  : OpKind::Sigmoid;
    EB_ASSIGN_OR_RETURN(const ValueId x, activation(0));
    y = b_.node(kind, {x}, NoAttrs{});
  } else if (op == "LeakyRelu") {
    EB_ASSIGN_OR_RETURN(const ValueId x, activation(0));
    y = b_.node(OpKind::LeakyRelu, {x}, LeakyReluAttrs{attr_f(node_, "alpha", 0.01f)});
  } else if (op == "Clip") {
    EB_ASSIGN_OR_RETURN(const ValueId x, activation(0));
    const float inf = std::numeric_limits<float>::infinity();
    ClipAttrs a{-inf, inf};
    if (opset_ >= 11) {
      if (const OnnxTensor* lo = get(1)) a.min = lo->f.at(0);
      if (const OnnxTensor* hi = get(2)) a.max = hi->f.at(0);
    } else {
      a.min = attr_f(node_, "min", -inf);
      a.max = attr_f(node_, "max", inf);
    }
    y = b_.node(OpKind::Clip, {x}, a);
  } else if (op == "Softmax") {
    EB_ASSIGN_OR_RETURN(const ValueId x, activation(0));
    const int64_t rank = static_cast<int64_t>(b_.shape(x).rank());
    int64_t axis = attr_i(node_, "axis", opset_ >= 13 ? -1 : 1);
    if (opset_ < 13 && (axis < 0 ? axis + rank : axis) != rank - 1) return unsupported("Softmax before opset 13 (flattens to 2-D)");
    y = b_.node(OpKind::Softmax, {x}, AxisAttrs{axis});
  } else if (op == "LRN") {
    EB_ASSIGN_OR_RETURN(const ValueId x, activation(0));
    y = b_.node(OpKind::Lrn, {x},
                LrnAttrs{attr_i(node_, "size", 1), attr_f(node_, "alpha", 1e-4f), attr_f(node_, "beta", 0.75f), attr_f(node_, "bias", 1.0f)});
  } else if (op == "BatchNormalization") {
    if (attr_i(node_, "training_mode", 0) != 0 || node_.output_size() > 1) return unsupported("BatchNormalization in training mode");
    std::vector<ValueId> inputs;
    EB_ASSIGN_OR_RETURN(const ValueId x, activation(0));
    inputs.push_back(x);
    for (int slot = 1; slot < 5; ++slot) {
      EB_ASSIGN_OR_RETURN(const ValueId c, constant(slot));
      inputs.push_back(c);
    }
    y = b_.node(OpKind::BatchNorm, inputs, BatchNormAttrs{attr_f(node_, "epsilon", 1e-5f)});
  } else if (op == "Gemm") {
    y = gemm();
  } else if (op == "Add") {
    EB_ASSIGN_OR_RETURN(const ValueId a, activation(0));
    EB_ASSIGN_OR_RETURN(const ValueId c, activation(1));
    y = b_.node(OpKind::Add, {a, c}, NoAttrs{});
  } else if (op == "Concat") {
    std::vector<ValueId> inputs;
    for (int slot = 0; slot < node_.input_size(); ++slot) {
      EB_ASSIGN_OR_RETURN(const ValueId v, activation(slot));
      inputs.push_back(v);
    }
    y = b_.node(OpKind::Concat, inputs, AxisAttrs{attr_i(node_, "axis", 0)});
  } else if (op == "Flatten") {
    EB_ASSIGN_OR_RETURN(const ValueId x, activation(0));
    y = b_.node(OpKind::Flatten, {x}, AxisAttrs{attr_i(node_, "axis", 1)});
  } else if (op == "Reshape") {
    EB_ASSIGN_OR_RETURN(const ValueId x, activation(0));
    std::vector<int64_t> shape;
    if (opset_ >= 5) {
      EB_ASSIGN_OR_RETURN(const OnnxTensor* s, need(1));
      shape = s->i;
    } else {
      shape = attr_ints(node_, "shape", {});
    }
    if (attr_i(node_, "allowzero", 0) != 0 && std::count(shape.begin(), shape.end(), 0) > 0)
      return unsupported("Reshape allowzero with a 0 in the shape");
    y = b_.node(OpKind::Reshape, {x}, ReshapeAttrs{shape});
  } else if (op == "Pad") {
    const std::string mode = attr_s(node_, "mode", "constant");
    if (mode != "constant") return unsupported("Pad mode " + mode);
    EB_ASSIGN_OR_RETURN(const ValueId x, activation(0));
    PadAttrs a;
    if (opset_ >= 11) {
      EB_ASSIGN_OR_RETURN(const OnnxTensor* p, need(1));
      a.pads = p->i;
      if (const OnnxTensor* v = get(2)) a.value = v->f.at(0);
    } else {
      a.pads = attr_ints(node_, "pads", {});
      a.value = attr_f(node_, "value", 0.0f);
    }
    y = b_.node(OpKind::Pad, {x}, a);
  } else if (op == "Upsample" || op == "Resize") {
    y = resize_or_upsample();
  }
  if (!y.is_ok()) return y.status();
  b_.output(*y);
  EB_ASSIGN_OR_RETURN(Graph g, std::move(b_).finish());
  return Built{std::move(g), feeds_};
}

std::vector<fs::path> sorted_entries(const fs::path& dir, const std::string& prefix) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.path().filename().string().rfind(prefix, 0) == 0) out.push_back(e.path());
  // input_10 must sort after input_9: order by length, then by name.
  std::sort(out.begin(), out.end(), [](const fs::path& a, const fs::path& b) {
    const std::string sa = a.filename().string(), sb = b.filename().string();
    return sa.size() != sb.size() ? sa.size() < sb.size() : sa < sb;
  });
  return out;
}

CaseResult result(CaseOutcome o, std::string detail) { return CaseResult{o, std::move(detail)}; }

// A failure when the output's shape or values differ from `expected`; tracks the worst relative error.
std::optional<CaseResult> compare(const fs::path& set, const Shape& got, const std::vector<float>& y, const OnnxTensor& expected,
                                  double rtol, double atol, double& worst) {
  if (got != Shape(expected.dims) || y.size() != expected.f.size())
    return result(CaseOutcome::fail, "output shape [" + got.to_string() + "], expected [" + Shape(expected.dims).to_string() + "]");
  for (std::size_t i = 0; i < y.size(); ++i) {
    const double a = y[i], e = expected.f[i];
    const double err = std::abs(a - e);
    const bool both_nan = std::isnan(a) && std::isnan(e);
    if (!both_nan && !(a == e) && !(err <= atol + rtol * std::abs(e)))
      return result(CaseOutcome::fail, set.filename().string() + ": element " + std::to_string(i) + " is " + std::to_string(a) +
                                           ", expected " + std::to_string(e));
    if (std::abs(e) > 0) worst = std::max(worst, err / std::abs(e));
  }
  return std::nullopt;
}

// The case's model, its single node and default-domain opset.
struct CaseModel {
  onnx::ModelProto model;
  int opset = 0;
};

std::optional<CaseResult> read_case_model(const fs::path& dir, CaseModel& m) {
  std::string bytes;
  if (Status st = read_bytes(dir / "model.onnx", bytes); !st.is_ok()) return result(CaseOutcome::error, st.message());
  if (!m.model.ParseFromString(bytes)) return result(CaseOutcome::error, "cannot parse model.onnx");
  for (const auto& o : m.model.opset_import())
    if (o.domain().empty() || o.domain() == "ai.onnx") m.opset = static_cast<int>(o.version());
  const auto& g = m.model.graph();
  if (g.node_size() != 1) return result(CaseOutcome::unsupported, "a graph of " + std::to_string(g.node_size()) + " nodes");
  const onnx::NodeProto& node = g.node(0);
  if (!node.domain().empty() && node.domain() != "ai.onnx") return result(CaseOutcome::unsupported, "domain " + node.domain());
  return std::nullopt;
}

}  // namespace

const char* to_string(CaseOutcome o) {
  switch (o) {
    case CaseOutcome::pass: return "pass";
    case CaseOutcome::fail: return "fail";
    case CaseOutcome::unsupported: return "unsupported";
    case CaseOutcome::error: return "error";
  }
  return "?";
}

std::string case_family(const std::string& case_name) {
  std::string n = case_name.rfind("test_", 0) == 0 ? case_name.substr(5) : case_name;
  static const std::vector<std::pair<std::string, std::string>> prefixes = {
      {"basic_conv", "conv"}, {"conv", "conv"}, {"maxpool", "maxpool"}, {"averagepool", "averagepool"},
      {"globalaveragepool", "globalaveragepool"}, {"globalmaxpool", "globalmaxpool"}, {"relu", "relu"},
      {"leakyrelu", "leakyrelu"}, {"sigmoid", "sigmoid"}, {"clip", "clip"}, {"softmax", "softmax"}, {"lrn", "lrn"},
      {"batchnorm", "batchnorm"}, {"gemm", "gemm"}, {"add", "add"}, {"concat", "concat"}, {"flatten", "flatten"},
      {"reshape", "reshape"}, {"constant_pad", "pad"}, {"edge_pad", "pad"}, {"reflect_pad", "pad"}, {"pad", "pad"},
      {"upsample", "upsample"}, {"resize_upsample", "upsample"}};
  for (const auto& [prefix, family] : prefixes)
    if (n.rfind(prefix, 0) == 0) return family;
  return "";
}

CaseResult run_onnx_case(const std::string& case_dir, double rtol, double atol) {
  const fs::path dir(case_dir);
  CaseModel m;
  if (auto bad = read_case_model(dir, m)) return *bad;
  const auto& g = m.model.graph();
  const onnx::NodeProto& node = g.node(0);
  const int opset = m.opset;

  const auto data_sets = sorted_entries(dir, "test_data_set_");
  if (data_sets.empty()) return result(CaseOutcome::error, "no test_data_set_*");
  double worst = 0.0;
  for (const fs::path& set : data_sets) {
    // input_k.pb belongs to graph input k.
    std::map<std::string, OnnxTensor> tensors;
    const auto input_files = sorted_entries(set, "input_");
    for (std::size_t k = 0; k < input_files.size(); ++k) {
      auto t = load_tensor(input_files[k]);
      if (!t.is_ok()) return result(CaseOutcome::error, t.status().message());
      const std::string name = k < static_cast<std::size_t>(g.input_size()) ? g.input(static_cast<int>(k)).name() : t->name;
      tensors[name] = std::move(t).value();
    }
    auto expected = load_tensor(set / "output_0.pb");
    if (!expected.is_ok()) return result(CaseOutcome::error, expected.status().message());
    if (!expected->is_float()) return result(CaseOutcome::unsupported, "output is not float32");

    auto built = Mapper(node, opset, tensors).build();
    if (!built.is_ok()) {
      const bool unsup = built.status().code() == ErrorCode::unsupported;
      return result(unsup ? CaseOutcome::unsupported : CaseOutcome::error, built.status().message());
    }
    std::vector<std::vector<float>> feeds;
    for (const std::string& name : built->feeds) feeds.push_back(tensors.at(name).f);
    auto out = run_graph(built->graph, feeds);
    if (!out.is_ok()) return result(CaseOutcome::fail, "run_graph: " + out.status().message());

    const Shape got = built->graph.value(built->graph.outputs[0]).desc.shape;
    if (auto bad = compare(set, got, (*out)[0], *expected, rtol, atol, worst)) return *bad;
  }
  return result(CaseOutcome::pass, "max rel err " + std::to_string(worst));
}

}  // namespace eb::ref::testing
