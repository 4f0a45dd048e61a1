#include "support.h"

#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "graph/builder.h"
#include "graph/rng.h"

namespace eb::onnx_test {
namespace fs = std::filesystem;

namespace {

Graph must(Result<Graph> g) {
  EXPECT_TRUE(g.is_ok()) << g.status().message();
  return g.is_ok() ? std::move(g).value() : Graph{};
}

// 2-D CNN: every 2-D op, a branch and a merge, a broadcast bias Add.
Graph cnn2d() {
  GraphBuilder b("cnn2d", 7);
  ValueId x = b.input("input", {1, 3, 16, 16});
  x = b.conv2d(x, 8, 3, 1, kSamePadding, 1, true, "conv1");
  x = b.batch_norm(x, 1e-3f, "bn1");
  x = b.relu(x, "relu1");
  x = b.pad(x, {0, 0, 1, 1, 0, 0, 1, 1}, 0.5f, "pad1");                          // 18x18
  const ValueId pooled = b.max_pool(x, PoolSpec{{3, 3}, {2, 2}, {0, 0, 0, 0}, true}, "pool1");  // ceil: 9x9
  x = b.conv2d(pooled, 8, 1, 1, 0, 2, false, "conv2_grouped");
  x = b.relu6(x, "relu6");
  x = b.lrn(x, 5, 1e-3f, 0.75f, 2.0f, "lrn1");
  x = b.avg_pool(x, PoolSpec{{3, 3}, {1, 1}, {1, 1, 1, 1}, false, true}, "avgpool_cip");
  x = b.leaky_relu(x, 0.2f, "leaky");
  ValueId side = b.conv2d(pooled, 4, 3, 3, 0, 1, true, "conv3_s3");  // 3x3
  side = b.upsample(side, 3, "up3");                                  // 9x9
  side = b.sigmoid(side, "sigmoid");
  x = b.concat({x, side}, 1, "concat");  // 12 channels
  const ValueId y = b.conv2d(x, 12, 3, 1, kSamePadding, 1, true, "conv4");
  x = b.add(x, y, "residual");
  std::vector<float> bias(12);
  for (int i = 0; i < 12; ++i) bias[i] = 0.25f * static_cast<float>(i) - 1.0f;
  x = b.add(x, b.constant("channel_bias", {1, 12, 1, 1}, bias), "bias_add");
  x = b.global_avg_pool(x, "gap");
  x = b.flatten(x, 1, "flatten");
  x = b.dense(x, 10, true, "fc");
  x = b.softmax(x, -1, "softmax");
  b.output(x);
  return must(std::move(b).finish());
}

// Dilated, strided, asymmetric conv; global max pool; Reshape; Clip bounds.
Graph misc2d() {
  GraphBuilder b("misc2d", 11);
  const ValueId in = b.input("image", {1, 4, 10, 12});
  ConvSpec spec;
  spec.out_channels = 6;
  spec.kernel = {3, 3};
  spec.stride = {2, 1};
  spec.pads = {1, 0, 2, 1};
  spec.dilation = {2, 1};
  const ValueId c = b.conv(in, spec, "conv_dilated");
  ValueId clipped = b.node(OpKind::Clip, {c}, ClipAttrs{-1.5f, 2.5f}, "clip");
  ValueId g = b.global_max_pool(clipped, "gmp");
  g = b.reshape(g, {1, -1}, "reshape_flat");
  g = b.dense(g, 3, false, "fc_nobias");
  b.output(g);
  ValueId r = b.reshape(clipped, {0, 6, -1}, "reshape_3d");
  r = b.softmax(r, 1, "softmax_axis1");
  b.output(r);
  return must(std::move(b).finish());
}

Graph conv1d() {
  GraphBuilder b("conv1d", 3);
  ValueId x = b.input("signal", {1, 2, 20});
  ConvSpec spec;
  spec.out_channels = 4;
  spec.kernel = {3};
  x = b.conv(x, spec, "conv");
  x = b.max_pool(x, PoolSpec{{2}, {2}, {0, 0}}, "maxpool");
  x = b.avg_pool(x, PoolSpec{{3}, {1}, {1, 1}}, "avgpool");
  x = b.relu(x, "relu");
  x = b.flatten(x, 1, "flatten");
  x = b.dense(x, 5, true, "fc");
  b.output(x);
  return must(std::move(b).finish());
}

Graph conv3d() {
  GraphBuilder b("conv3d", 5);
  ValueId x = b.input("clip", {1, 2, 6, 8, 8});
  ConvSpec spec;
  spec.out_channels = 4;
  spec.kernel = {3, 3, 3};
  x = b.conv(x, spec, "conv3d_1");
  x = b.relu(x, "relu");
  x = b.max_pool(x, PoolSpec{{1, 2, 2}, {1, 2, 2}, {0, 0, 0, 0, 0, 0}}, "pool3d");
  spec.group = 2;
  x = b.conv(x, spec, "conv3d_2_grouped");
  x = b.global_avg_pool(x, "gap");
  x = b.flatten(x, 1, "flatten");
  x = b.dense(x, 3, true, "fc");
  b.output(x);
  return must(std::move(b).finish());
}

template <typename F>
Graph one_op(const std::string& name, Shape in, F&& add) {
  GraphBuilder b(name, 17);
  const ValueId x = b.input("x", std::move(in));
  b.output(add(b, x));
  return must(std::move(b).finish());
}

}  // namespace

std::vector<NamedGraph> single_op_graphs() {
  const Shape s{1, 4, 7, 7};
  std::vector<NamedGraph> v;
  const auto add = [&](const std::string& name, auto&& f) { v.push_back({name, one_op(name, s, f)}); };
  add("op_conv", [](GraphBuilder& b, ValueId x) { return b.conv2d(x, 6, 3, 2, 1, 2, true); });
  add("op_batchnorm", [](GraphBuilder& b, ValueId x) { return b.batch_norm(x, 1e-3f); });
  add("op_relu", [](GraphBuilder& b, ValueId x) { return b.relu(x); });
  add("op_clip", [](GraphBuilder& b, ValueId x) { return b.node(OpKind::Clip, {x}, ClipAttrs{-0.25f, 0.5f}); });
  add("op_leaky_relu", [](GraphBuilder& b, ValueId x) { return b.leaky_relu(x, 0.2f); });
  add("op_sigmoid", [](GraphBuilder& b, ValueId x) { return b.sigmoid(x); });
  add("op_maxpool_ceil", [](GraphBuilder& b, ValueId x) { return b.max_pool(x, PoolSpec{{2, 2}, {2, 2}, {0, 0, 0, 0}, true}); });
  // The last window would start in the end padding: dropped (ONNX 1.12's
  // shape inference keeps it; ONNX Runtime and OpenCV must not).
  add("op_maxpool_ceil_pad", [](GraphBuilder& b, ValueId x) {
    return b.max_pool(b.pad(x, {0, 0, 0, 0, 0, 0, 1, 1}), PoolSpec{{2, 2}, {2, 2}, {0, 0, 1, 1}, true});
  });
  add("op_maxpool_pads", [](GraphBuilder& b, ValueId x) { return b.max_pool(x, PoolSpec{{3, 3}, {2, 2}, {1, 1, 1, 1}}); });
  add("op_avgpool", [](GraphBuilder& b, ValueId x) { return b.avg_pool(x, PoolSpec{{3, 3}, {2, 2}, {1, 1, 1, 1}}); });
  add("op_avgpool_include_pad", [](GraphBuilder& b, ValueId x) {
    return b.avg_pool(x, PoolSpec{{3, 3}, {2, 2}, {1, 1, 1, 1}, false, true});
  });
  add("op_global_avgpool", [](GraphBuilder& b, ValueId x) { return b.global_avg_pool(x); });
  add("op_global_maxpool", [](GraphBuilder& b, ValueId x) { return b.global_max_pool(x); });
  add("op_lrn", [](GraphBuilder& b, ValueId x) { return b.lrn(x, 3, 1e-2f, 0.75f, 2.0f); });
  add("op_upsample2", [](GraphBuilder& b, ValueId x) { return b.upsample(x, 2); });
  add("op_upsample3", [](GraphBuilder& b, ValueId x) { return b.upsample(x, 3); });
  add("op_pad", [](GraphBuilder& b, ValueId x) { return b.pad(x, {0, 0, 1, 2, 0, 0, 2, 1}, 0.5f); });
  add("op_concat_add", [](GraphBuilder& b, ValueId x) { return b.add(b.concat({x, x}, 1), b.concat({x, x}, -3)); });
  add("op_flatten_gemm_softmax", [](GraphBuilder& b, ValueId x) { return b.softmax(b.dense(b.flatten(x, 1), 5), -1); });
  add("op_reshape", [](GraphBuilder& b, ValueId x) { return b.reshape(x, {0, 28, -1}); });
  return v;
}

std::vector<NamedGraph> every_op_graphs() {
  std::vector<NamedGraph> out;
  out.push_back({"cnn2d", cnn2d()});
  out.push_back({"misc2d", misc2d()});
  out.push_back({"conv1d", conv1d()});
  out.push_back({"conv3d", conv3d()});
  return out;
}

::testing::AssertionResult same_graph(const Graph& a, const Graph& b) {
  const auto fail = [](const std::string& m) { return ::testing::AssertionFailure() << m; };
  if (a.name != b.name) return fail("graph names differ: " + a.name + " vs " + b.name);
  if (a.nodes.size() != b.nodes.size())
    return fail("node counts differ: " + std::to_string(a.nodes.size()) + " vs " + std::to_string(b.nodes.size()));
  const auto same_value = [&](ValueId x, ValueId y, const std::string& where) -> std::string {
    if ((x == kNoValue) != (y == kNoValue)) return where + ": presence differs";
    if (x == kNoValue) return {};
    const Value& u = a.value(x);
    const Value& v = b.value(y);
    if (u.name != v.name) return where + ": names differ: " + u.name + " vs " + v.name;
    if (!(u.desc == v.desc)) return where + ": shapes differ: " + u.desc.shape.to_string() + " vs " + v.desc.shape.to_string();
    if (u.is_initializer() != v.is_initializer()) return where + ": initializer-ness differs";
    if (u.is_initializer() &&
        (u.data->size() != v.data->size() || std::memcmp(u.data->data(), v.data->data(), u.data->size() * sizeof(float)) != 0))
      return where + ": weights differ";
    return {};
  };
  for (std::size_t i = 0; i < a.nodes.size(); ++i) {
    const Node& m = a.nodes[i];
    const Node& n = b.nodes[i];
    const std::string at = "node " + std::to_string(i) + " '" + m.name + "'";
    if (m.name != n.name) return fail(at + ": name differs: " + n.name);
    if (m.op != n.op) return fail(at + ": op differs: " + std::string(op_name(n.op)));
    if (!(m.attrs == n.attrs)) return fail(at + ": attrs differ");
    if (m.inputs.size() != n.inputs.size()) return fail(at + ": input counts differ");
    for (std::size_t k = 0; k < m.inputs.size(); ++k)
      if (auto e = same_value(m.inputs[k], n.inputs[k], at + " input " + std::to_string(k)); !e.empty()) return fail(e);
    if (auto e = same_value(m.outputs[0], n.outputs[0], at + " output"); !e.empty()) return fail(e);
  }
  if (a.inputs.size() != b.inputs.size() || a.outputs.size() != b.outputs.size()) return fail("graph input/output counts differ");
  for (std::size_t k = 0; k < a.inputs.size(); ++k)
    if (auto e = same_value(a.inputs[k], b.inputs[k], "graph input"); !e.empty()) return fail(e);
  for (std::size_t k = 0; k < a.outputs.size(); ++k)
    if (auto e = same_value(a.outputs[k], b.outputs[k], "graph output"); !e.empty()) return fail(e);
  return ::testing::AssertionSuccess();
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::vector<float> random_input(const Shape& shape, uint64_t seed) {
  Rng rng(seed);
  std::vector<float> v(static_cast<std::size_t>(shape.numel()));
  for (float& x : v) x = rng.uniform(-1.0f, 1.0f);
  return v;
}

std::vector<float> read_floats(const std::string& path) {
  const std::string bytes = read_file(path);
  std::vector<float> v(bytes.size() / sizeof(float));
  std::memcpy(v.data(), bytes.data(), v.size() * sizeof(float));
  return v;
}

std::string scratch_dir(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("eb_onnx_tests_" + std::to_string(::getpid())) / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir.string();
}

// ---- ModelProto writer ------------------------------------------------------

OnnxWriter::OnnxWriter(int64_t opset, int64_t ir_version) {
  model_.set_ir_version(ir_version);
  model_.set_producer_name("onnx_tests");
  auto* op = model_.add_opset_import();
  op->set_domain("");
  op->set_version(opset);
  model_.mutable_graph()->set_name("handmade");
}

OnnxWriter& OnnxWriter::input(const std::string& name, const std::vector<int64_t>& dims) {
  auto* vi = model_.mutable_graph()->add_input();
  vi->set_name(name);
  auto* t = vi->mutable_type()->mutable_tensor_type();
  t->set_elem_type(onnx::TensorProto_DataType_FLOAT);
  auto* shape = t->mutable_shape();
  for (int64_t d : dims) {
    if (d < 0) shape->add_dim()->set_dim_param("N");
    else shape->add_dim()->set_dim_value(d);
  }
  return *this;
}

OnnxWriter& OnnxWriter::output(const std::string& name) {
  auto* vi = model_.mutable_graph()->add_output();
  vi->set_name(name);
  vi->mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto_DataType_FLOAT);
  return *this;
}

OnnxWriter& OnnxWriter::init(const std::string& name, const std::vector<int64_t>& dims, const std::vector<float>& data, bool raw) {
  auto* t = model_.mutable_graph()->add_initializer();
  t->set_name(name);
  t->set_data_type(onnx::TensorProto_DataType_FLOAT);
  for (int64_t d : dims) t->add_dims(d);
  if (raw) t->set_raw_data(std::string(reinterpret_cast<const char*>(data.data()), data.size() * sizeof(float)));
  else
    for (float f : data) t->add_float_data(f);
  return *this;
}

OnnxWriter& OnnxWriter::init_i64(const std::string& name, const std::vector<int64_t>& dims, const std::vector<int64_t>& data) {
  auto* t = model_.mutable_graph()->add_initializer();
  t->set_name(name);
  t->set_data_type(onnx::TensorProto_DataType_INT64);
  for (int64_t d : dims) t->add_dims(d);
  for (int64_t v : data) t->add_int64_data(v);
  return *this;
}

onnx::NodeProto& OnnxWriter::node(const std::string& op, const std::vector<std::string>& inputs,
                                  const std::vector<std::string>& outputs, const std::string& name) {
  auto* n = model_.mutable_graph()->add_node();
  n->set_op_type(op);
  n->set_name(name);
  for (const auto& i : inputs) n->add_input(i);
  for (const auto& o : outputs) n->add_output(o);
  return *n;
}

std::string OnnxWriter::bytes() const { return model_.SerializeAsString(); }

void attr_i(onnx::NodeProto& n, const std::string& name, int64_t v) {
  auto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto_AttributeType_INT);
  a->set_i(v);
}

void attr_f(onnx::NodeProto& n, const std::string& name, float v) {
  auto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto_AttributeType_FLOAT);
  a->set_f(v);
}

void attr_s(onnx::NodeProto& n, const std::string& name, const std::string& v) {
  auto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto_AttributeType_STRING);
  a->set_s(v);
}

void attr_ints(onnx::NodeProto& n, const std::string& name, const std::vector<int64_t>& v) {
  auto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto_AttributeType_INTS);
  for (int64_t x : v) a->add_ints(x);
}

void attr_floats(onnx::NodeProto& n, const std::string& name, const std::vector<float>& v) {
  auto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto_AttributeType_FLOATS);
  for (float x : v) a->add_floats(x);
}

void attr_tensor_i64(onnx::NodeProto& n, const std::string& name, const std::vector<int64_t>& dims, const std::vector<int64_t>& v) {
  auto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto_AttributeType_TENSOR);
  auto* t = a->mutable_t();
  t->set_data_type(onnx::TensorProto_DataType_INT64);
  for (int64_t d : dims) t->add_dims(d);
  for (int64_t x : v) t->add_int64_data(x);
}

void attr_tensor_f(onnx::NodeProto& n, const std::string& name, const std::vector<int64_t>& dims, const std::vector<float>& v) {
  auto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto_AttributeType_TENSOR);
  auto* t = a->mutable_t();
  t->set_data_type(onnx::TensorProto_DataType_FLOAT);
  for (int64_t d : dims) t->add_dims(d);
  for (float x : v) t->add_float_data(x);
}

// ---- ONNX Runtime -------------------------------------------------------------

std::optional<std::string> ort_unavailable_reason() {
  if (std::system("node --version >/dev/null 2>&1") != 0) return "node is not installed";
  if (!fs::exists(fs::path(EB_ORT_NODE_MODULE) / "package.json")) return "onnxruntime-node is not installed at " EB_ORT_NODE_MODULE;
  return std::nullopt;
}

std::vector<OrtResult> run_ort(const std::vector<OrtJob>& jobs, const std::string& work_dir) {
  const std::string list = work_dir + "/ort_jobs.txt";
  {
    std::ofstream out(list);
    for (const OrtJob& j : jobs)
      out << j.model << '\t' << j.input_shape.to_string() << '\t' << (j.input_file.empty() ? "-" : j.input_file) << '\t'
          << (j.output_prefix.empty() ? "-" : j.output_prefix) << '\n';
  }
  // ONNX Runtime logs warnings on stderr; only stdout carries results.
  const std::string log = work_dir + "/ort_stderr.txt";
  const std::string cmd = "EB_ORT_MODULE='" EB_ORT_NODE_MODULE "' node '" EB_ONNX_CONSUMERS_SCRIPT "' '" + list + "' 2>'" + log + "'";
  std::vector<OrtResult> results(jobs.size());
  FILE* pipe = ::popen(cmd.c_str(), "r");
  if (!pipe) return results;
  std::string text;
  char buf[4096];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, pipe)) text.append(buf, n);
  ::pclose(pipe);
  std::istringstream lines(text);
  std::string line;
  std::size_t k = 0;
  while (std::getline(lines, line) && k < jobs.size()) {
    const auto j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded() || !j.is_object()) {
      ADD_FAILURE() << "unexpected output from the ONNX Runtime script: " << line;
      continue;
    }
    OrtResult& r = results[k++];
    r.ok = j.value("ok", false);
    r.error = j.value("error", std::string());
    if (j.contains("outputs"))
      for (const auto& o : j["outputs"]) r.dims.push_back(o["dims"].get<std::vector<int64_t>>());
  }
  if (k < jobs.size()) ADD_FAILURE() << "the ONNX Runtime script stopped after " << k << " of " << jobs.size() << " jobs: " << read_file(log);
  return results;
}

}  // namespace eb::onnx_test
