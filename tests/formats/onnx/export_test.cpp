// Export: valid (full ONNX check), opset 13, op mapping, bit-exact weights.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>

#include "formats/onnx/onnx.h"
#include "graph/builder.h"
#include "support.h"

namespace eb::onnx_format {
namespace {

using onnx_test::every_op_graphs;

onnx::ModelProto exported(const Graph& g) {
  auto bytes = export_onnx(g);
  EXPECT_TRUE(bytes.is_ok()) << bytes.status().message();
  onnx::ModelProto m;
  EXPECT_TRUE(bytes.is_ok() && m.ParseFromString(bytes.value()));
  return m;
}

const onnx::NodeProto* find_node(const onnx::ModelProto& m, const std::string& name) {
  for (const auto& n : m.graph().node())
    if (n.name() == name) return &n;
  return nullptr;
}

const onnx::TensorProto* find_init(const onnx::ModelProto& m, const std::string& name) {
  for (const auto& t : m.graph().initializer())
    if (t.name() == name) return &t;
  return nullptr;
}

const onnx::AttributeProto* find_attr(const onnx::NodeProto& n, const std::string& name) {
  for (const auto& a : n.attribute())
    if (a.name() == name) return &a;
  return nullptr;
}

TEST(OnnxExport, EveryOpGraphPassesTheFullOnnxCheck) {
  for (const auto& [label, graph] : every_op_graphs()) {
    SCOPED_TRACE(label);
    auto bytes = export_onnx(graph);
    ASSERT_TRUE(bytes.is_ok()) << bytes.status().message();
    // export_onnx checks already; check again from the bytes as a user would.
    EXPECT_TRUE(check_onnx_bytes(bytes.value()).is_ok()) << check_onnx_bytes(bytes.value()).message();
  }
}

TEST(OnnxExport, WritesOpset13WithNamedShapedInputsAndOutputs) {
  const auto graphs = every_op_graphs();
  const Graph& g = graphs[1].graph;  // misc2d: one input, two outputs
  const onnx::ModelProto m = exported(g);
  ASSERT_EQ(m.opset_import_size(), 1);
  EXPECT_EQ(m.opset_import(0).domain(), "");
  EXPECT_EQ(m.opset_import(0).version(), kExportOpset);
  EXPECT_EQ(m.graph().name(), "misc2d");
  ASSERT_EQ(m.graph().input_size(), 1);
  EXPECT_EQ(m.graph().input(0).name(), "image");
  const auto& dims = m.graph().input(0).type().tensor_type().shape().dim();
  ASSERT_EQ(dims.size(), 4);
  EXPECT_EQ(dims[2].dim_value(), 10);
  EXPECT_EQ(dims[3].dim_value(), 12);
  ASSERT_EQ(m.graph().output_size(), 2);
  EXPECT_EQ(m.graph().output(0).name(), g.value(g.outputs[0]).name);
  EXPECT_EQ(m.graph().output(0).type().tensor_type().shape().dim_size(), 2);
}

TEST(OnnxExport, WeightsAreBitExactRawDataInitializers) {
  const auto graphs = every_op_graphs();
  const Graph& g = graphs[0].graph;
  const onnx::ModelProto m = exported(g);
  int weights = 0;
  for (const Value& v : g.values) {
    if (!v.is_initializer()) continue;
    ++weights;
    const onnx::TensorProto* t = find_init(m, v.name);
    ASSERT_NE(t, nullptr) << v.name;
    EXPECT_EQ(t->data_type(), onnx::TensorProto_DataType_FLOAT);
    EXPECT_EQ(std::vector<int64_t>(t->dims().begin(), t->dims().end()), v.desc.shape.dims());
    ASSERT_EQ(t->raw_data().size(), v.data->size() * sizeof(float)) << v.name;
    EXPECT_EQ(std::memcmp(t->raw_data().data(), v.data->data(), t->raw_data().size()), 0) << v.name;
  }
  EXPECT_GT(weights, 10);
}

TEST(OnnxExport, MapsOpsTheWayConsumersExpect) {
  const auto graphs = every_op_graphs();
  const onnx::ModelProto m = exported(graphs[0].graph);

  const auto* fc = find_node(m, "fc");
  ASSERT_NE(fc, nullptr);
  EXPECT_EQ(fc->op_type(), "Gemm");
  ASSERT_NE(find_attr(*fc, "transB"), nullptr);
  EXPECT_EQ(find_attr(*fc, "transB")->i(), 1);

  const auto* clip = find_node(m, "relu6");
  ASSERT_NE(clip, nullptr);
  EXPECT_EQ(clip->op_type(), "Clip");
  ASSERT_EQ(clip->input_size(), 3);
  const auto* lo = find_init(m, clip->input(1));
  const auto* hi = find_init(m, clip->input(2));
  ASSERT_TRUE(lo && hi);
  EXPECT_EQ(lo->dims_size(), 0);  // scalars
  float min = -1, max = -1;
  std::memcpy(&min, lo->raw_data().data(), 4);
  std::memcpy(&max, hi->raw_data().data(), 4);
  EXPECT_EQ(min, 0.0f);
  EXPECT_EQ(max, 6.0f);

  const auto* up = find_node(m, "up3");
  ASSERT_NE(up, nullptr);
  EXPECT_EQ(up->op_type(), "Resize");
  EXPECT_EQ(find_attr(*up, "mode")->s(), "nearest");
  EXPECT_EQ(find_attr(*up, "coordinate_transformation_mode")->s(), "asymmetric");
  EXPECT_EQ(find_attr(*up, "nearest_mode")->s(), "floor");
  const auto* scales = find_init(m, up->input(2));
  ASSERT_NE(scales, nullptr);
  std::vector<float> s(4);
  std::memcpy(s.data(), scales->raw_data().data(), 16);
  EXPECT_EQ(s, (std::vector<float>{1, 1, 3, 3}));

  const auto* pad = find_node(m, "pad1");
  ASSERT_NE(pad, nullptr);
  EXPECT_EQ(pad->op_type(), "Pad");
  const auto* pads = find_init(m, pad->input(1));
  ASSERT_NE(pads, nullptr);
  EXPECT_EQ(pads->data_type(), onnx::TensorProto_DataType_INT64);
  EXPECT_EQ(find_attr(*pad, "mode")->s(), "constant");

  EXPECT_EQ(find_node(m, "bn1")->op_type(), "BatchNormalization");
  EXPECT_EQ(find_node(m, "lrn1")->op_type(), "LRN");
  EXPECT_EQ(find_node(m, "avgpool_cip")->op_type(), "AveragePool");
  EXPECT_EQ(find_attr(*find_node(m, "avgpool_cip"), "count_include_pad")->i(), 1);
  EXPECT_EQ(find_attr(*find_node(m, "pool1"), "ceil_mode")->i(), 1);
  EXPECT_EQ(find_node(m, "gap")->op_type(), "GlobalAveragePool");
}

TEST(OnnxExport, ReshapeTargetIsAnInt64Initializer) {
  const auto graphs = every_op_graphs();
  const onnx::ModelProto m = exported(graphs[1].graph);
  const auto* r = find_node(m, "reshape_3d");
  ASSERT_NE(r, nullptr);
  const auto* shape = find_init(m, r->input(1));
  ASSERT_NE(shape, nullptr);
  ASSERT_EQ(shape->raw_data().size(), 3 * sizeof(int64_t));
  std::vector<int64_t> v(3);
  std::memcpy(v.data(), shape->raw_data().data(), 24);
  EXPECT_EQ(v, (std::vector<int64_t>{0, 6, -1}));
}

TEST(OnnxExport, ExtraInitializerNamesNeverClashWithTensors) {
  // A tensor already called "<node>_min" must not be overwritten by Clip's bound.
  GraphBuilder b("clash", 1);
  ValueId x = b.input("x", {1, 2, 4, 4});
  const ValueId k = b.constant("c_min", {1, 2, 1, 1}, {1.0f, 2.0f});
  x = b.add(x, k, "a");
  x = b.node(OpKind::Clip, {x}, ClipAttrs{0.0f, 1.0f}, "c");
  b.output(x);
  auto g = std::move(b).finish();
  ASSERT_TRUE(g.is_ok()) << g.status().message();
  auto bytes = export_onnx(g.value());
  ASSERT_TRUE(bytes.is_ok()) << bytes.status().message();
  auto back = import_onnx_bytes(bytes.value(), "clash");
  ASSERT_TRUE(back.is_ok()) << back.status().message();
  EXPECT_TRUE(onnx_test::same_graph(g.value(), back.value()));
}

TEST(OnnxExport, SaveWritesAFileLoadReadsIt) {
  const auto graphs = every_op_graphs();
  const std::string dir = onnx_test::scratch_dir("save");
  const std::string path = dir + "/conv1d.onnx";
  ASSERT_TRUE(save_onnx(graphs[2].graph, path).is_ok());
  EXPECT_GT(std::filesystem::file_size(path), 100u);
  auto g = load_onnx(path);
  ASSERT_TRUE(g.is_ok()) << g.status().message();
  EXPECT_EQ(g->name, "conv1d");
  EXPECT_TRUE(onnx_test::same_graph(graphs[2].graph, g.value()));
}

TEST(OnnxExport, SaveToAnUnwritablePathIsAnIoError) {
  const auto graphs = every_op_graphs();
  const Status st = save_onnx(graphs[2].graph, "/nonexistent-dir/x.onnx");
  EXPECT_EQ(st.code(), ErrorCode::io_error);
  EXPECT_NE(st.message().find("/nonexistent-dir/x.onnx"), std::string::npos);
}

TEST(OnnxExport, BrokenGraphsAreInvalidNotCrashes) {
  auto graphs = every_op_graphs();
  Graph g = graphs[2].graph;
  g.nodes[0].inputs[0] = 12345;
  EXPECT_EQ(export_onnx(g).status().code(), ErrorCode::invalid_argument);
}

TEST(OnnxExport, NonFloatGraphsAreUnsupported) {
  auto graphs = every_op_graphs();
  Graph g = graphs[2].graph;
  g.values[g.inputs[0]].desc.dtype = DType::f16;
  auto bytes = export_onnx(g);
  ASSERT_FALSE(bytes.is_ok());
  EXPECT_EQ(bytes.status().code(), ErrorCode::unsupported);
  EXPECT_NE(bytes.status().message().find("signal"), std::string::npos);
}

TEST(OnnxExport, LegacyOpset10ProfileImportsBackToTheSameOps) {
  for (const auto& [label, graph] : every_op_graphs()) {
    SCOPED_TRACE(label);
    auto bytes = export_onnx(graph, {kLegacyExportOpset});
    if (label == "misc2d") {  // Softmax over a middle axis needs opset 13
      ASSERT_FALSE(bytes.is_ok());
      EXPECT_EQ(bytes.status().code(), ErrorCode::unsupported);
      EXPECT_NE(bytes.status().message().find("Softmax"), std::string::npos);
      continue;
    }
    ASSERT_TRUE(bytes.is_ok()) << bytes.status().message();
    EXPECT_TRUE(check_onnx_bytes(bytes.value()).is_ok());
    onnx::ModelProto m;
    ASSERT_TRUE(m.ParseFromString(bytes.value()));
    EXPECT_EQ(m.opset_import(0).version(), kLegacyExportOpset);
    for (const auto& n : m.graph().node()) {
      if (n.op_type() == "Clip" || n.op_type() == "Pad") {
        EXPECT_EQ(n.input_size(), 1) << n.name();  // bounds as attributes
      }
    }
    auto back = import_onnx_bytes(bytes.value(), graph.name);
    ASSERT_TRUE(back.is_ok()) << back.status().message();
    ASSERT_EQ(back->nodes.size(), graph.nodes.size());
    for (std::size_t i = 0; i < graph.nodes.size(); ++i) {
      const Node& a = graph.nodes[i];
      const Node& b = back->nodes[i];
      EXPECT_EQ(a.op, b.op) << a.name;
      EXPECT_EQ(back->value(b.outputs[0]).desc, graph.value(a.outputs[0]).desc) << a.name;
      // Negative axes are written normalized; Gemm-9 needs a (zero) bias.
      if (a.op != OpKind::Flatten && a.op != OpKind::Concat && a.op != OpKind::Softmax) {
        EXPECT_TRUE(a.attrs == b.attrs) << a.name;
      }
    }
  }
}

// With ceil_mode, a last window that would start in the end padding is
// dropped (PyTorch, ONNX Runtime, the IR); ONNX 1.12's shape inference keeps
// it. Such a pool must still export and import back.
TEST(OnnxExport, CeilModePoolWhoseLastWindowStartsInThePadding) {
  GraphBuilder b("ceil_pad", 1);
  ValueId x = b.input("x", {1, 2, 6, 6});
  x = b.max_pool(x, PoolSpec{{2, 2}, {2, 2}, {0, 0, 1, 1}, true}, "pool");
  x = b.relu(x, "relu");
  b.output(x);
  auto g = std::move(b).finish();
  ASSERT_TRUE(g.is_ok()) << g.status().message();
  EXPECT_EQ(g->value(g->outputs[0]).desc.shape, (Shape{1, 2, 3, 3}));
  auto bytes = export_onnx(g.value());
  ASSERT_TRUE(bytes.is_ok()) << bytes.status().message();
  auto back = import_onnx_bytes(bytes.value(), "ceil_pad");
  ASSERT_TRUE(back.is_ok()) << back.status().message();
  EXPECT_TRUE(onnx_test::same_graph(g.value(), back.value()));
}

// ONNX 1.12 computes Resize output dims in float32: beyond 2^24 they are
// inexact, so such a graph is checked without ONNX's shape inference.
TEST(OnnxExport, UpsampleBeyondFloatPrecisionStillExports) {
  GraphBuilder b("wide", 1);
  ValueId x = b.input("x", {1, 1, 1, (int64_t{1} << 23) + 1});
  x = b.upsample(x, 4, "up");
  b.output(b.relu(x, "relu"));
  auto g = std::move(b).finish();
  ASSERT_TRUE(g.is_ok()) << g.status().message();
  auto bytes = export_onnx(g.value());
  ASSERT_TRUE(bytes.is_ok()) << bytes.status().message();
  auto back = import_onnx_bytes(bytes.value(), "wide");
  ASSERT_TRUE(back.is_ok()) << back.status().message();
  EXPECT_TRUE(onnx_test::same_graph(g.value(), back.value()));
}

TEST(OnnxExport, OnlyOpsets13And10AreOffered) {
  const auto graphs = every_op_graphs();
  EXPECT_EQ(export_onnx(graphs[2].graph, {12}).status().code(), ErrorCode::unsupported);
}

TEST(OnnxExport, CheckRejectsGarbageAndInvalidModels) {
  EXPECT_EQ(check_onnx_bytes("\xff\xff\xff").code(), ErrorCode::invalid_argument);
  onnx_test::OnnxWriter w(13);
  w.input("x", {1, 4}).output("y");
  w.node("Relu", {"x", "x"}, {"y"});  // Relu takes one input
  EXPECT_EQ(check_onnx_bytes(w.bytes()).code(), ErrorCode::invalid_argument);
}

}  // namespace
}  // namespace eb::onnx_format
