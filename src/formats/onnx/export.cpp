// Graph -> ONNX (opset 13). Each IR op maps to one ONNX node; attributes that
// ONNX takes as inputs since opset 10/11 (Clip bounds, Pad pads, Reshape
// shape, Resize scales) become small initializers named after the node.
#include <fstream>
#include <limits>
#include <unordered_set>

#include "formats/onnx/check.h"
#include "formats/onnx/onnx.h"
#include "formats/onnx/tensor.h"

namespace eb::onnx_format {
namespace {

// The IR versions that go with opsets 13 and 10.
constexpr int64_t kIrVersion = 7;
constexpr int64_t kLegacyIrVersion = 5;

void set_int(onnx::NodeProto& p, const char* name, int64_t v) {
  auto* a = p.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto_AttributeType_INT);
  a->set_i(v);
}

void set_ints(onnx::NodeProto& p, const char* name, const std::vector<int64_t>& v) {
  auto* a = p.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto_AttributeType_INTS);
  for (int64_t x : v) a->add_ints(x);
}

void set_float(onnx::NodeProto& p, const char* name, float v) {
  auto* a = p.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto_AttributeType_FLOAT);
  a->set_f(v);
}

void set_string(onnx::NodeProto& p, const char* name, const std::string& v) {
  auto* a = p.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto_AttributeType_STRING);
  a->set_s(v);
}

void set_value_info(onnx::ValueInfoProto& vi, const std::string& name, const Shape& shape) {
  vi.set_name(name);
  auto* t = vi.mutable_type()->mutable_tensor_type();
  t->set_elem_type(onnx::TensorProto_DataType_FLOAT);
  auto* s = t->mutable_shape();
  for (int64_t d : shape.dims()) s->add_dim()->set_dim_value(d);
}

std::vector<int64_t> or_fill(const std::vector<int64_t>& v, std::size_t n, int64_t fill) {
  return v.empty() ? std::vector<int64_t>(n, fill) : v;
}

// Where ONNX 1.12's shape inference is known to differ from the IR (and from
// PyTorch and ONNX Runtime), so the full check cannot run it (ONNX's own
// shapes then contradict each other downstream, e.g. at a Concat):
// - a pool with ceil_mode whose last window would start in the end padding:
//   ONNX 1.12 keeps that window, the others drop it (later ONNX agrees);
// - Resize computes output dims in float32, inexact beyond 2^24.
bool onnx_shape_inference_differs(const Graph& g) {
  for (const Node& n : g.nodes) {
    const Shape& x = g.value(n.inputs[0]).desc.shape;
    const Shape& y = g.value(n.outputs[0]).desc.shape;
    if (n.op == OpKind::Upsample) {
      for (int64_t d : y.dims())
        if (d > (int64_t{1} << 24)) return true;
      continue;
    }
    if ((n.op != OpKind::MaxPool && n.op != OpKind::AvgPool) || !n.get<PoolAttrs>().ceil_mode) continue;
    const auto& a = n.get<PoolAttrs>();
    const std::size_t dims = a.kernel.size();
    for (std::size_t i = 0; i < dims; ++i) {
      const int64_t s = a.strides.empty() ? 1 : a.strides[i];
      const int64_t pads = a.pads.empty() ? 0 : a.pads[i] + a.pads[dims + i];
      const int64_t naive = (x[2 + i] + pads - a.kernel[i] + s - 1) / s + 1;
      if (naive != y[2 + i]) return true;
    }
  }
  return false;
}

class Exporter {
 public:
  Exporter(const Graph& g, int opset) : g_(g), opset_(opset) {}

  Result<onnx::ModelProto> run();

 private:
  Status export_node(const Node& n, onnx::NodeProto& p);
  void export_pool(const Node& n, onnx::NodeProto& p);
  // A fresh tensor name, based on `wanted`, that clashes with no value.
  std::string fresh_name(const std::string& wanted);
  std::string add_ints(const std::string& wanted, std::vector<int64_t> dims, const std::vector<int64_t>& data);
  std::string add_floats(const std::string& wanted, std::vector<int64_t> dims, const std::vector<float>& data);
  std::size_t rank_of(ValueId v) const { return g_.value(v).desc.shape.rank(); }
  bool legacy() const { return opset_ < 11; }
  // Opsets before 11 take no negative axes.
  int64_t axis_for(const Node& n, ValueId of) const {
    const int64_t axis = n.get<AxisAttrs>().axis;
    return legacy() && axis < 0 ? axis + static_cast<int64_t>(rank_of(of)) : axis;
  }

  const Graph& g_;
  int opset_;
  onnx::GraphProto* graph_ = nullptr;
  std::vector<std::string> names_;  // exported name of each value
  std::unordered_set<std::string> taken_;
};

std::string Exporter::fresh_name(const std::string& wanted) {
  std::string name = wanted.empty() ? "t" : wanted;
  for (int k = 1; !taken_.insert(name).second; ++k) name = wanted + "_" + std::to_string(k);
  return name;
}

std::string Exporter::add_ints(const std::string& wanted, std::vector<int64_t> dims, const std::vector<int64_t>& data) {
  const std::string name = fresh_name(wanted);
  encode_ints(*graph_->add_initializer(), name, dims, data);
  return name;
}

std::string Exporter::add_floats(const std::string& wanted, std::vector<int64_t> dims, const std::vector<float>& data) {
  const std::string name = fresh_name(wanted);
  encode_floats(*graph_->add_initializer(), name, dims, data);
  return name;
}

void Exporter::export_pool(const Node& n, onnx::NodeProto& p) {
  const auto& a = n.get<PoolAttrs>();
  const std::size_t dims = a.kernel.size();
  set_ints(p, "kernel_shape", a.kernel);
  set_ints(p, "strides", or_fill(a.strides, dims, 1));
  set_ints(p, "pads", or_fill(a.pads, 2 * dims, 0));
  set_int(p, "ceil_mode", a.ceil_mode ? 1 : 0);
  if (n.op == OpKind::AvgPool) set_int(p, "count_include_pad", a.count_include_pad ? 1 : 0);
}

Status Exporter::export_node(const Node& n, onnx::NodeProto& p) {
  p.set_name(n.name);
  p.set_op_type(std::string(op_name(n.op)));
  for (ValueId in : n.inputs)
    if (in != kNoValue) p.add_input(names_[in]);  // absent optional inputs are trailing
  p.add_output(names_[n.outputs[0]]);

  switch (n.op) {
    case OpKind::Conv: {
      const auto& a = n.get<ConvAttrs>();
      const Shape& w = g_.value(n.inputs[1]).desc.shape;
      const std::size_t dims = w.rank() - 2;
      set_ints(p, "kernel_shape", a.kernel.empty() ? std::vector<int64_t>(w.dims().begin() + 2, w.dims().end()) : a.kernel);
      set_ints(p, "strides", or_fill(a.strides, dims, 1));
      set_ints(p, "dilations", or_fill(a.dilations, dims, 1));
      set_ints(p, "pads", or_fill(a.pads, 2 * dims, 0));
      set_int(p, "group", a.group);
      break;
    }
    case OpKind::BatchNorm: set_float(p, "epsilon", n.get<BatchNormAttrs>().epsilon); break;
    case OpKind::Clip: {
      const auto& a = n.get<ClipAttrs>();
      if (legacy()) {
        set_float(p, "min", a.min);
        set_float(p, "max", a.max);
        break;
      }
      p.add_input(add_floats(n.name + "_min", {}, {a.min}));
      p.add_input(add_floats(n.name + "_max", {}, {a.max}));
      break;
    }
    case OpKind::LeakyRelu: set_float(p, "alpha", n.get<LeakyReluAttrs>().alpha); break;
    case OpKind::MaxPool:
    case OpKind::AvgPool: export_pool(n, p); break;
    case OpKind::Gemm:
      set_int(p, "transB", 1);  // our W is [out, in]
      if (legacy() && p.input_size() == 2) {
        const int64_t out = g_.value(n.inputs[1]).desc.shape[0];
        p.add_input(add_floats(n.name + "_zero_bias", {out}, std::vector<float>(static_cast<std::size_t>(out), 0.0f)));
      }
      break;
    case OpKind::Concat:
    case OpKind::Flatten: set_int(p, "axis", axis_for(n, n.inputs[0])); break;
    case OpKind::Softmax: {
      const int64_t axis = axis_for(n, n.inputs[0]);
      if (legacy()) {
        // Softmax-1 normalizes over every dim from `axis` on.
        const Shape& x = g_.value(n.inputs[0]).desc.shape;
        const int64_t at = axis < 0 ? axis + static_cast<int64_t>(x.rank()) : axis;
        for (std::size_t d = static_cast<std::size_t>(at) + 1; d < x.rank(); ++d)
          if (x[d] != 1)
            return unsupported("Softmax over axis " + std::to_string(at) + " of [" + x.to_string() + "] needs opset 13");
      }
      set_int(p, "axis", axis);
      break;
    }
    case OpKind::Reshape: {
      const auto& shape = n.get<ReshapeAttrs>().shape;
      p.add_input(add_ints(n.name + "_shape", {static_cast<int64_t>(shape.size())}, shape));
      break;
    }
    case OpKind::Lrn: {
      const auto& a = n.get<LrnAttrs>();
      set_int(p, "size", a.size);
      set_float(p, "alpha", a.alpha);
      set_float(p, "beta", a.beta);
      set_float(p, "bias", a.bias);
      break;
    }
    case OpKind::Upsample: {
      // Resize-13, nearest: with integer scales, asymmetric coordinates and
      // floor rounding copy each input pixel scale times, which is Upsample.
      const auto& scales = n.get<UpsampleAttrs>().scales;
      // Resize-10 always maps o to o / scale, rounded down when upsampling.
      p.set_op_type("Resize");
      if (!legacy()) p.add_input("");  // roi: only used by tf_crop_and_resize
      p.add_input(add_floats(n.name + "_scales", {static_cast<int64_t>(scales.size())},
                             std::vector<float>(scales.begin(), scales.end())));
      set_string(p, "mode", "nearest");
      if (legacy()) break;
      set_string(p, "coordinate_transformation_mode", "asymmetric");
      set_string(p, "nearest_mode", "floor");
      break;
    }
    case OpKind::Pad: {
      const auto& a = n.get<PadAttrs>();
      set_string(p, "mode", "constant");
      if (legacy()) {
        set_ints(p, "pads", a.pads);
        set_float(p, "value", a.value);
        break;
      }
      p.add_input(add_ints(n.name + "_pads", {static_cast<int64_t>(a.pads.size())}, a.pads));
      p.add_input(add_floats(n.name + "_value", {}, {a.value}));
      break;
    }
    case OpKind::Relu:
    case OpKind::Sigmoid:
    case OpKind::GlobalAvgPool:
    case OpKind::GlobalMaxPool:
    case OpKind::Add: break;
  }
  return Status::ok();
}

Result<onnx::ModelProto> Exporter::run() {
  const std::string where = "exporting graph '" + g_.name + "' to ONNX";
  for (const Value& v : g_.values)
    if (v.desc.dtype != DType::f32)
      return unsupported(where + ": tensor '" + v.name + "' is " + to_string(v.desc.dtype) + "; only f32 graphs are exported");

  if (opset_ != kExportOpset && opset_ != kLegacyExportOpset)
    return unsupported(where + ": opset " + std::to_string(opset_) + " is not offered (" + std::to_string(kExportOpset) + " or " +
                       std::to_string(kLegacyExportOpset) + ")");
  onnx::ModelProto model;
  model.set_ir_version(legacy() ? kLegacyIrVersion : kIrVersion);
  model.set_producer_name("edgebench");
  model.set_producer_version(EB_VERSION);
  auto* opset = model.add_opset_import();
  opset->set_domain("");
  opset->set_version(opset_);
  graph_ = model.mutable_graph();
  graph_->set_name(g_.name.empty() ? "edgebench" : g_.name);

  names_.resize(g_.values.size());
  for (std::size_t i = 0; i < g_.values.size(); ++i)
    names_[i] = fresh_name(g_.values[i].name.empty() ? "v" + std::to_string(i) : g_.values[i].name);

  for (std::size_t i = 0; i < g_.values.size(); ++i) {
    const Value& v = g_.values[i];
    if (v.is_initializer()) encode_floats(*graph_->add_initializer(), names_[i], v.desc.shape.dims(), *v.data);
  }
  std::vector<char> is_io(g_.values.size(), 0);
  for (ValueId id : g_.inputs) {
    set_value_info(*graph_->add_input(), names_[id], g_.value(id).desc.shape);
    is_io[id] = 1;
  }
  for (ValueId id : g_.outputs) {
    set_value_info(*graph_->add_output(), names_[id], g_.value(id).desc.shape);
    is_io[id] = 1;
  }
  for (const Node& n : g_.nodes) {
    EB_RETURN_IF_ERROR(export_node(n, *graph_->add_node()).with_context(where + ", node '" + n.name + "'"));
    // Shapes of intermediate tensors: lets the checker's strict inference
    // compare its shapes with ours, and consumers skip their own inference.
    for (ValueId out : n.outputs)
      if (!is_io[out]) set_value_info(*graph_->add_value_info(), names_[out], g_.value(out).desc.shape);
  }
  if (Status st = full_check(model, !onnx_shape_inference_differs(g_)); !st.is_ok()) return internal_error(where + ": " + st.message());
  return model;
}

}  // namespace

Result<std::string> export_onnx(const Graph& graph, const ExportOptions& options) {
  // The exporter trusts ids, arity and shapes: check them on a copy (cheap,
  // weights are shared) so that a broken graph is an error, not a crash.
  Graph checked = graph;
  EB_RETURN_IF_ERROR(checked.validate_and_infer());
  EB_ASSIGN_OR_RETURN(onnx::ModelProto model, Exporter(checked, options.opset).run());
  if (model.ByteSizeLong() > static_cast<std::size_t>(std::numeric_limits<int>::max()))
    return unsupported("graph '" + graph.name + "' is over 2 GiB, the protobuf limit; ONNX external data is not supported");
  std::string bytes;
  if (!model.SerializeToString(&bytes)) return internal_error("graph '" + graph.name + "': serializing the ONNX model failed");
  return bytes;
}

Status save_onnx(const Graph& graph, const std::string& path, const ExportOptions& options) {
  EB_ASSIGN_OR_RETURN(const std::string bytes, export_onnx(graph, options));
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return io_error("cannot open '" + path + "' for writing");
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) return io_error("writing '" + path + "' failed");
  return Status::ok();
}

}  // namespace eb::onnx_format
