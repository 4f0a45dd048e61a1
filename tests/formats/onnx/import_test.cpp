// Import of hand-made models in the shapes PyTorch/torchvision exporters
// write, op by op, and of the errors a bad file must produce.
#include <gtest/gtest.h>

#include <cstring>

#include "formats/onnx/onnx.h"
#include "support.h"

namespace eb::onnx_format {
namespace {

using onnx_test::attr_f;
using onnx_test::attr_floats;
using onnx_test::attr_i;
using onnx_test::attr_ints;
using onnx_test::attr_s;
using onnx_test::attr_tensor_f;
using onnx_test::attr_tensor_i64;
using onnx_test::OnnxWriter;

std::vector<float> iota(std::size_t n, float start = 0.0f, float step = 1.0f) {
  std::vector<float> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = start + step * static_cast<float>(i);
  return v;
}

Graph imported(const OnnxWriter& w) {
  auto g = import_onnx_bytes(w.bytes(), "t");
  EXPECT_TRUE(g.is_ok()) << g.status().message();
  return g.is_ok() ? std::move(g).value() : Graph{};
}

Status import_error(const OnnxWriter& w, const ImportOptions& options = {}) {
  auto g = import_onnx_bytes(w.bytes(), "t", options);
  EXPECT_FALSE(g.is_ok());
  return g.status();
}

std::vector<OpKind> ops(const Graph& g) {
  std::vector<OpKind> v;
  for (const Node& n : g.nodes) v.push_back(n.op);
  return v;
}

const std::vector<float>& weights(const Graph& g, std::size_t node, std::size_t input) {
  return *g.value(g.nodes.at(node).inputs.at(input)).data;
}

Shape out_shape(const Graph& g, std::size_t k = 0) { return g.value(g.outputs.at(k)).desc.shape; }

// x.view(x.size(0), -1) in PyTorch < 1.? with a dynamic batch: Shape-Gather-
// Unsqueeze-Concat-Reshape, Identity on a weight, Dropout, float_data weights.
TEST(OnnxImport, FoldsPyTorchShapeChainsAndDropsIdentityAndDropout) {
  OnnxWriter w(9);
  w.input("x", {-1, 3, 8, 8}).output("y");
  w.init("conv.weight", {4, 3, 3, 3}, iota(108, -1.0f, 0.02f), /*raw=*/false);
  w.init("conv.bias", {4}, {0.1f, 0.2f, 0.3f, 0.4f});
  w.init("fc.weight", {10, 256}, iota(2560, 0.0f, 0.001f));
  w.init("fc.bias", {10}, iota(10));
  auto& conv = w.node("Conv", {"x", "conv.weight", "conv.bias"}, {"c"}, "conv");
  attr_ints(conv, "kernel_shape", {3, 3});
  attr_ints(conv, "pads", {1, 1, 1, 1});
  w.node("Relu", {"c"}, {"r"});
  w.node("Shape", {"r"}, {"s"});
  attr_tensor_i64(w.node("Constant", {}, {"zero"}), "value", {}, {0});
  attr_i(w.node("Gather", {"s", "zero"}, {"n"}), "axis", 0);
  attr_ints(w.node("Unsqueeze", {"n"}, {"n1"}), "axes", {0});
  attr_tensor_i64(w.node("Constant", {}, {"minus1"}), "value", {1}, {-1});
  attr_i(w.node("Concat", {"n1", "minus1"}, {"shape"}), "axis", 0);
  w.node("Reshape", {"r", "shape"}, {"flat"});
  w.node("Identity", {"fc.weight"}, {"fc.weight.id"});
  attr_f(w.node("Dropout", {"flat"}, {"dropped", "mask"}), "ratio", 0.5f);
  attr_i(w.node("Gemm", {"dropped", "fc.weight.id", "fc.bias"}, {"y"}, "fc"), "transB", 1);

  const Graph g = imported(w);
  ASSERT_EQ(ops(g), (std::vector<OpKind>{OpKind::Conv, OpKind::Relu, OpKind::Reshape, OpKind::Gemm}));
  EXPECT_EQ(g.value(g.inputs[0]).desc.shape, (Shape{1, 3, 8, 8}));  // dynamic batch -> 1
  EXPECT_EQ(g.nodes[2].get<ReshapeAttrs>().shape, (std::vector<int64_t>{1, -1}));
  EXPECT_EQ(out_shape(g), (Shape{1, 10}));
  EXPECT_EQ(g.value(g.outputs[0]).name, "y");
  EXPECT_EQ(weights(g, 0, 1), iota(108, -1.0f, 0.02f));
  EXPECT_EQ(g.nodes[0].get<ConvAttrs>().kernel, (std::vector<int64_t>{3, 3}));
  EXPECT_EQ(g.nodes[0].get<ConvAttrs>().strides, (std::vector<int64_t>{1, 1}));
  // Untouched weights are shared, not copied, and keep their names.
  EXPECT_EQ(g.value(g.nodes[3].inputs[1]).name, "fc.weight");
}

TEST(OnnxImport, OutputsBehindIdentityTakeTheOutputName) {
  OnnxWriter w(13);
  w.input("x", {1, 4}).output("y1").output("y2");
  w.node("Relu", {"x"}, {"r"});
  w.node("Identity", {"r"}, {"y1"});
  w.node("Identity", {"r"}, {"y2"});
  const Graph g = imported(w);
  ASSERT_EQ(g.outputs.size(), 2u);
  EXPECT_EQ(g.outputs[0], g.outputs[1]);
  EXPECT_EQ(g.value(g.outputs[0]).name, "y1");  // renamed once, not twice
}

TEST(OnnxImport, Opset13UnsqueezeAndSqueezeOnActivationsBecomeReshape) {
  OnnxWriter w(13);
  w.input("x", {1, 6}).output("y");
  w.init_i64("axes", {2}, {2, 3});
  w.node("Unsqueeze", {"x", "axes"}, {"u"});  // 1x6x1x1
  w.node("Relu", {"u"}, {"r"});
  w.node("Squeeze", {"r"}, {"y"});  // all unit dims go: [6]
  const Graph g = imported(w);
  ASSERT_EQ(ops(g), (std::vector<OpKind>{OpKind::Reshape, OpKind::Relu, OpKind::Reshape}));
  EXPECT_EQ(g.value(g.nodes[0].outputs[0]).desc.shape, (Shape{1, 6, 1, 1}));
  EXPECT_EQ(out_shape(g), (Shape{6}));
}

TEST(OnnxImport, GemmWithTransB0AlphaAndBetaFoldsIntoWeights) {
  OnnxWriter w(11);
  w.input("x", {1, 3}).output("y");
  w.init("B", {3, 2}, {1, 2, 3, 4, 5, 6});  // [in, out]
  w.init("C", {1, 2}, {10, 20});
  auto& gemm = w.node("Gemm", {"x", "B", "C"}, {"y"});
  attr_f(gemm, "alpha", 2.0f);
  attr_f(gemm, "beta", 0.5f);
  const Graph g = imported(w);
  ASSERT_EQ(ops(g), std::vector<OpKind>{OpKind::Gemm});
  EXPECT_EQ(g.value(g.nodes[0].inputs[1]).desc.shape, (Shape{2, 3}));
  EXPECT_EQ(weights(g, 0, 1), (std::vector<float>{2, 6, 10, 4, 8, 12}));
  EXPECT_EQ(weights(g, 0, 2), (std::vector<float>{5, 10}));
  EXPECT_EQ(out_shape(g), (Shape{1, 2}));
}

TEST(OnnxImport, GemmScalarBiasBroadcastsAndBetaZeroDropsIt) {
  OnnxWriter w(11);
  w.input("x", {1, 2}).output("y").output("z");
  w.init("W", {3, 2}, iota(6));
  w.init("c", {}, {7.0f});
  attr_i(w.node("Gemm", {"x", "W", "c"}, {"y"}), "transB", 1);
  auto& g2 = w.node("Gemm", {"x", "W", "c"}, {"z"});
  attr_i(g2, "transB", 1);
  attr_f(g2, "beta", 0.0f);
  const Graph g = imported(w);
  ASSERT_EQ(g.nodes.size(), 2u);
  EXPECT_EQ(weights(g, 0, 2), (std::vector<float>{7, 7, 7}));
  EXPECT_EQ(g.nodes[1].inputs.size(), 2u);
}

TEST(OnnxImport, GemmErrorsNameTheProblem) {
  OnnxWriter w(11);
  w.input("x", {2, 3}).input("w", {4, 3}).output("y");
  attr_i(w.node("Gemm", {"x", "w"}, {"y"}, "fc"), "transB", 1);
  const Status st = import_error(w);
  EXPECT_EQ(st.code(), ErrorCode::unsupported);
  EXPECT_NE(st.message().find("'fc' (Gemm)"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("constant"), std::string::npos) << st.message();

  OnnxWriter t(11);
  t.input("x", {3, 2}).output("y");
  t.init("W", {3, 4}, iota(12));
  attr_i(t.node("Gemm", {"x", "W"}, {"y"}), "transA", 1);
  EXPECT_EQ(import_error(t).code(), ErrorCode::unsupported);
}

TEST(OnnxImport, MatMulPlusAddIsALinearLayer) {
  OnnxWriter w(13);
  w.input("x", {1, 3}).output("y");
  w.init("W", {3, 2}, {1, 2, 3, 4, 5, 6});
  w.init("b", {2}, {0.5f, -0.5f});
  w.node("MatMul", {"x", "W"}, {"m"}, "linear");
  w.node("Add", {"m", "b"}, {"y"}, "linear_bias");
  const Graph g = imported(w);
  ASSERT_EQ(ops(g), std::vector<OpKind>{OpKind::Gemm});
  EXPECT_EQ(weights(g, 0, 1), (std::vector<float>{1, 3, 5, 2, 4, 6}));
  EXPECT_EQ(weights(g, 0, 2), (std::vector<float>{0.5f, -0.5f}));
  EXPECT_EQ(g.value(g.outputs[0]).name, "y");
}

TEST(OnnxImport, MatMulWhoseOutputIsAlsoUsedElsewhereKeepsItsAdd) {
  OnnxWriter w(13);
  w.input("x", {1, 3}).output("y").output("m");
  w.init("W", {3, 2}, iota(6));
  w.init("b", {2}, {1, 1});
  w.node("MatMul", {"x", "W"}, {"m"});
  w.node("Add", {"m", "b"}, {"y"});
  const Graph g = imported(w);
  EXPECT_EQ(ops(g), (std::vector<OpKind>{OpKind::Gemm, OpKind::Add}));
}

TEST(OnnxImport, ClipFromAttributesAndFromInputs) {
  OnnxWriter old(6);
  old.input("x", {1, 4}).output("y");
  auto& c6 = old.node("Clip", {"x"}, {"y"});
  attr_f(c6, "min", 0.0f);
  attr_f(c6, "max", 6.0f);
  Graph g = imported(old);
  ASSERT_EQ(ops(g), std::vector<OpKind>{OpKind::Clip});
  EXPECT_EQ(g.nodes[0].get<ClipAttrs>(), (ClipAttrs{0.0f, 6.0f}));

  OnnxWriter w(12);
  w.input("x", {1, 4}).output("y").output("z");
  attr_tensor_f(w.node("Constant", {}, {"lo"}), "value", {}, {0.0f});
  attr_tensor_f(w.node("Constant", {}, {"hi"}), "value", {}, {6.0f});
  w.node("Clip", {"x", "lo", "hi"}, {"y"}, "relu6");
  w.node("Clip", {"x", "", "hi"}, {"z"}, "max_only");
  g = imported(w);
  ASSERT_EQ(g.nodes.size(), 2u);
  EXPECT_EQ(g.nodes[0].get<ClipAttrs>(), (ClipAttrs{0.0f, 6.0f}));
  EXPECT_EQ(g.nodes[1].get<ClipAttrs>().min, std::numeric_limits<float>::lowest());
  EXPECT_EQ(g.nodes[1].get<ClipAttrs>().max, 6.0f);
}

TEST(OnnxImport, LegacySoftmaxFlattensFromItsAxis) {
  OnnxWriter w(11);
  w.input("a", {1, 2, 3, 4}).input("b", {1, 10}).input("c", {1, 5, 1, 1}).output("ya").output("yb").output("yc");
  w.node("Softmax", {"a"}, {"ya"}, "sa");  // default axis 1 over 2x3x4: needs the 2-D form
  w.node("Softmax", {"b"}, {"yb"}, "sb");
  attr_i(w.node("Softmax", {"c"}, {"yc"}, "sc"), "axis", 1);  // only dim 1 is wide: one axis
  const Graph g = imported(w);
  ASSERT_EQ(ops(g), (std::vector<OpKind>{OpKind::Reshape, OpKind::Softmax, OpKind::Reshape, OpKind::Softmax, OpKind::Softmax}));
  EXPECT_EQ(g.nodes[0].get<ReshapeAttrs>().shape, (std::vector<int64_t>{1, 24}));
  EXPECT_EQ(g.nodes[1].get<AxisAttrs>().axis, 1);
  EXPECT_EQ(out_shape(g, 0), (Shape{1, 2, 3, 4}));
  EXPECT_EQ(g.nodes[3].get<AxisAttrs>().axis, 1);
  EXPECT_EQ(g.nodes[4].get<AxisAttrs>().axis, 1);

  OnnxWriter n(13);
  n.input("a", {1, 2, 3, 4}).output("y");
  n.node("Softmax", {"a"}, {"y"});
  const Graph g13 = imported(n);
  ASSERT_EQ(ops(g13), std::vector<OpKind>{OpKind::Softmax});
  EXPECT_EQ(g13.nodes[0].get<AxisAttrs>().axis, -1);
}

TEST(OnnxImport, AutoPadBecomesExplicitPads) {
  OnnxWriter w(11);
  w.input("x", {1, 1, 7, 7}).output("up").output("lo").output("va").output("mp");
  w.init("W", {2, 1, 3, 3}, iota(18));
  auto& up = w.node("Conv", {"x", "W"}, {"up"});
  attr_s(up, "auto_pad", "SAME_UPPER");
  attr_ints(up, "strides", {2, 2});
  auto& lo = w.node("Conv", {"x", "W"}, {"lo"});
  attr_s(lo, "auto_pad", "SAME_LOWER");
  attr_ints(lo, "kernel_shape", {3, 3});
  attr_ints(lo, "dilations", {2, 2});
  attr_s(w.node("Conv", {"x", "W"}, {"va"}), "auto_pad", "VALID");
  auto& mp = w.node("MaxPool", {"x"}, {"mp"});
  attr_ints(mp, "kernel_shape", {2, 2});
  attr_ints(mp, "strides", {2, 2});
  attr_s(mp, "auto_pad", "SAME_UPPER");
  attr_i(mp, "ceil_mode", 1);
  const Graph g = imported(w);
  ASSERT_EQ(g.nodes.size(), 4u);
  // 7 -> 4 with stride 2 and a 3-wide kernel: 2 pixels of padding, 1 each side.
  EXPECT_EQ(g.nodes[0].get<ConvAttrs>().pads, (std::vector<int64_t>{1, 1, 1, 1}));
  EXPECT_EQ(out_shape(g, 0), (Shape{1, 2, 4, 4}));
  // Dilation 2: span 5, 4 pixels total; SAME_LOWER puts the odd one first (even here).
  EXPECT_EQ(g.nodes[1].get<ConvAttrs>().pads, (std::vector<int64_t>{2, 2, 2, 2}));
  EXPECT_EQ(out_shape(g, 1), (Shape{1, 2, 7, 7}));
  EXPECT_EQ(g.nodes[2].get<ConvAttrs>().pads, (std::vector<int64_t>{0, 0, 0, 0}));
  EXPECT_EQ(out_shape(g, 2), (Shape{1, 2, 5, 5}));
  EXPECT_EQ(g.nodes[3].get<PoolAttrs>().pads, (std::vector<int64_t>{0, 0, 1, 1}));
  EXPECT_FALSE(g.nodes[3].get<PoolAttrs>().ceil_mode);
  EXPECT_EQ(out_shape(g, 3), (Shape{1, 1, 4, 4}));
}

TEST(OnnxImport, SameLowerPutsTheOddPixelFirst) {
  OnnxWriter w(11);
  w.input("x", {1, 1, 6, 6}).output("y");
  auto& p = w.node("AveragePool", {"x"}, {"y"});
  attr_ints(p, "kernel_shape", {2, 2});
  attr_s(p, "auto_pad", "SAME_LOWER");
  const Graph g = imported(w);
  EXPECT_EQ(g.nodes[0].get<PoolAttrs>().pads, (std::vector<int64_t>{1, 1, 0, 0}));
  EXPECT_EQ(out_shape(g), (Shape{1, 1, 6, 6}));
}

TEST(OnnxImport, PoolsKeepCeilModeAndCountIncludePad) {
  OnnxWriter w(11);
  w.input("x", {1, 2, 18, 18}).output("m").output("a");
  auto& m = w.node("MaxPool", {"x"}, {"m"});
  attr_ints(m, "kernel_shape", {3, 3});
  attr_ints(m, "strides", {2, 2});
  attr_i(m, "ceil_mode", 1);
  auto& a = w.node("AveragePool", {"x"}, {"a"});
  attr_ints(a, "kernel_shape", {3, 3});
  attr_ints(a, "pads", {1, 1, 1, 1});
  attr_i(a, "count_include_pad", 1);
  const Graph g = imported(w);
  EXPECT_TRUE(g.nodes[0].get<PoolAttrs>().ceil_mode);
  EXPECT_EQ(out_shape(g, 0), (Shape{1, 2, 9, 9}));
  EXPECT_TRUE(g.nodes[1].get<PoolAttrs>().count_include_pad);
  EXPECT_EQ(out_shape(g, 1), (Shape{1, 2, 18, 18}));
}

TEST(OnnxImport, PadFromAttributesAndFromInputs) {
  OnnxWriter old(2);
  old.input("x", {1, 1, 2, 2}).output("y");
  auto& p2 = old.node("Pad", {"x"}, {"y"});
  attr_ints(p2, "pads", {0, 0, 1, 2, 0, 0, 3, 4});
  attr_f(p2, "value", 1.5f);
  Graph g = imported(old);
  EXPECT_EQ(g.nodes[0].get<PadAttrs>(), (PadAttrs{{0, 0, 1, 2, 0, 0, 3, 4}, 1.5f}));
  EXPECT_EQ(out_shape(g), (Shape{1, 1, 6, 8}));

  OnnxWriter w(13);
  w.input("x", {1, 1, 2, 2}).output("y");
  w.init_i64("pads", {8}, {0, 0, 1, 1, 0, 0, 1, 1});
  w.init("v", {}, {-2.0f});
  w.node("Pad", {"x", "pads", "v"}, {"y"});
  g = imported(w);
  EXPECT_EQ(g.nodes[0].get<PadAttrs>(), (PadAttrs{{0, 0, 1, 1, 0, 0, 1, 1}, -2.0f}));

  OnnxWriter r(13);
  r.input("x", {1, 1, 2, 2}).output("y");
  r.init_i64("pads", {8}, {0, 0, 1, 1, 0, 0, 1, 1});
  attr_s(r.node("Pad", {"x", "pads"}, {"y"}), "mode", "reflect");
  const Status st = import_error(r);
  EXPECT_EQ(st.code(), ErrorCode::unsupported);
  EXPECT_NE(st.message().find("reflect"), std::string::npos);
}

TEST(OnnxImport, ResizeAndUpsampleWithIntegerNearestScales) {
  OnnxWriter w(13);
  w.input("x", {1, 2, 3, 3}).output("a").output("b").output("c");
  w.init("scales", {4}, {1, 1, 2, 2});
  w.init_i64("sizes", {4}, {1, 2, 9, 9});
  auto& a = w.node("Resize", {"x", "", "scales"}, {"a"});  // PyTorch's nn.Upsample(nearest)
  attr_s(a, "mode", "nearest");
  attr_s(a, "coordinate_transformation_mode", "asymmetric");
  attr_s(a, "nearest_mode", "floor");
  attr_s(w.node("Resize", {"x", "", "", "sizes"}, {"b"}), "mode", "nearest");  // half_pixel default
  w.node("Resize", {"x", "", "scales"}, {"c"});
  const Graph g = imported(w);
  ASSERT_EQ(ops(g), (std::vector<OpKind>{OpKind::Upsample, OpKind::Upsample, OpKind::Upsample}));
  EXPECT_EQ(g.nodes[0].get<UpsampleAttrs>().scales, (std::vector<int64_t>{1, 1, 2, 2}));
  EXPECT_EQ(g.nodes[1].get<UpsampleAttrs>().scales, (std::vector<int64_t>{1, 1, 3, 3}));
  EXPECT_EQ(out_shape(g, 1), (Shape{1, 2, 9, 9}));

  OnnxWriter u9(9);
  u9.input("x", {1, 2, 3, 3}).output("y");
  u9.init("s", {4}, {1, 1, 2, 2});
  attr_s(u9.node("Upsample", {"x", "s"}, {"y"}), "mode", "nearest");
  EXPECT_EQ(imported(u9).nodes[0].get<UpsampleAttrs>().scales, (std::vector<int64_t>{1, 1, 2, 2}));

  OnnxWriter u7(7);
  u7.input("x", {1, 2, 3, 3}).output("y");
  attr_floats(u7.node("Upsample", {"x"}, {"y"}), "scales", {1, 1, 4, 4});
  EXPECT_EQ(out_shape(imported(u7)), (Shape{1, 2, 12, 12}));
}

TEST(OnnxImport, ResizeThatIsNotPixelRepetitionIsUnsupported) {
  const auto resize = [](const std::string& attr, const std::string& value, std::vector<float> scales) {
    OnnxWriter w(13);
    w.input("x", {1, 1, 4, 4}).output("y");
    w.init("scales", {4}, scales);
    auto& n = w.node("Resize", {"x", "", "scales"}, {"y"}, "resize");
    attr_s(n, attr, value);
    if (attr == "coordinate_transformation_mode") attr_s(n, "nearest_mode", "round_prefer_ceil");
    return import_onnx_bytes(w.bytes(), "t");
  };
  EXPECT_EQ(resize("mode", "linear", {1, 1, 2, 2}).status().code(), ErrorCode::unsupported);
  EXPECT_EQ(resize("coordinate_transformation_mode", "align_corners", {1, 1, 2, 2}).status().code(), ErrorCode::unsupported);
  EXPECT_EQ(resize("mode", "nearest", {1, 1, 0.5f, 0.5f}).status().code(), ErrorCode::unsupported);
  EXPECT_EQ(resize("mode", "nearest", {1, 1, 1.5f, 1.5f}).status().code(), ErrorCode::unsupported);
  // half_pixel lands within half a pixel of the source: ceil overshoots it.
  OnnxWriter w(13);
  w.input("x", {1, 1, 4, 4}).output("y");
  w.init("scales", {4}, {1, 1, 2, 2});
  attr_s(w.node("Resize", {"x", "", "scales"}, {"y"}), "nearest_mode", "ceil");
  EXPECT_EQ(import_error(w).code(), ErrorCode::unsupported);
}

TEST(OnnxImport, BatchNormLrnLeakyReluSigmoidConcatAddFlatten) {
  OnnxWriter w(9);
  w.input("x", {1, 2, 4, 4}).output("y");
  for (const char* p : {"s", "b", "m", "v"}) w.init(p, {2}, {1.0f, 0.5f});
  w.init("bias", {1, 2, 1, 1}, {0.25f, -0.25f});
  attr_f(w.node("BatchNormalization", {"x", "s", "b", "m", "v"}, {"bn"}), "epsilon", 1e-3f);
  attr_i(w.node("LRN", {"bn"}, {"lrn"}), "size", 3);
  w.node("LeakyRelu", {"lrn"}, {"lk"});
  w.node("Sigmoid", {"lk"}, {"sg"});
  attr_i(w.node("Concat", {"sg", "x"}, {"cat"}), "axis", 1);
  w.node("GlobalMaxPool", {"cat"}, {"gmp"});
  w.node("Add", {"gmp", "gmp"}, {"twice"});
  w.node("Flatten", {"twice"}, {"y"});
  const Graph g = imported(w);
  ASSERT_EQ(ops(g), (std::vector<OpKind>{OpKind::BatchNorm, OpKind::Lrn, OpKind::LeakyRelu, OpKind::Sigmoid, OpKind::Concat,
                                         OpKind::GlobalMaxPool, OpKind::Add, OpKind::Flatten}));
  EXPECT_EQ(g.nodes[0].get<BatchNormAttrs>().epsilon, 1e-3f);
  EXPECT_EQ(g.nodes[1].get<LrnAttrs>(), (LrnAttrs{3, 1e-4f, 0.75f, 1.0f}));
  EXPECT_EQ(g.nodes[2].get<LeakyReluAttrs>().alpha, 0.01f);  // ONNX's default
  EXPECT_EQ(out_shape(g), (Shape{1, 4}));
}

TEST(OnnxImport, BroadcastBiasAddKeepsTheConstantAsAnInitializer) {
  OnnxWriter w(13);
  w.input("x", {1, 2, 3, 3}).output("y");
  w.init("bias", {1, 2, 1, 1}, {1, 2});
  w.node("Add", {"bias", "x"}, {"y"});
  const Graph g = imported(w);
  ASSERT_EQ(ops(g), std::vector<OpKind>{OpKind::Add});
  EXPECT_TRUE(g.value(g.nodes[0].inputs[0]).is_initializer());
  EXPECT_EQ(out_shape(g), (Shape{1, 2, 3, 3}));
}

TEST(OnnxImport, ConstantInputsOptionFreezesGraphInputs) {
  OnnxWriter w(11);
  w.input("x", {1, 1, 3, 3}).input("W", {1, 1, 2, 2}).output("y");
  w.node("Conv", {"x", "W"}, {"y"});
  onnx::TensorProto t;
  t.set_data_type(onnx::TensorProto_DataType_FLOAT);
  for (int d : {1, 1, 2, 2}) t.add_dims(d);
  for (float f : {1.0f, 2.0f, 3.0f, 4.0f}) t.add_float_data(f);
  ImportOptions opt;
  opt.constant_inputs["W"] = t.SerializeAsString();
  auto g = import_onnx_bytes(w.bytes(), "t", opt);
  ASSERT_TRUE(g.is_ok()) << g.status().message();
  EXPECT_EQ(g->inputs.size(), 1u);
  EXPECT_EQ(weights(g.value(), 0, 1), (std::vector<float>{1, 2, 3, 4}));

  opt.constant_inputs["nope"] = "";
  EXPECT_EQ(import_onnx_bytes(w.bytes(), "t", opt).status().code(), ErrorCode::invalid_argument);
}

TEST(OnnxImport, DynamicSpatialDimsNeedAnExplicitShape) {
  OnnxWriter w(13);
  w.input("x", {-1, 3, -1, -1}).output("y");
  w.node("Relu", {"x"}, {"y"});
  const Status st = import_error(w);
  EXPECT_EQ(st.code(), ErrorCode::unsupported);
  EXPECT_NE(st.message().find("'x'"), std::string::npos) << st.message();
  ImportOptions opt;
  opt.input_shapes["x"] = Shape{1, 3, 32, 32};
  auto g = import_onnx_bytes(w.bytes(), "t", opt);
  ASSERT_TRUE(g.is_ok()) << g.status().message();
  EXPECT_EQ(out_shape(g.value()), (Shape{1, 3, 32, 32}));
}

TEST(OnnxImport, UnsupportedOpNamesTheOpAndTheNode) {
  OnnxWriter w(13);
  w.input("x", {1, 4}).output("y");
  w.node("Tanh", {"x"}, {"y"}, "act7");
  const Status st = import_error(w);
  EXPECT_EQ(st.code(), ErrorCode::unsupported);
  EXPECT_NE(st.message().find("Tanh"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("act7"), std::string::npos) << st.message();
}

TEST(OnnxImport, NonFloatWeightsAreUnsupportedNamingTheTensor) {
  OnnxWriter w(13);
  w.input("x", {1, 1, 3, 3}).output("y");
  auto* t = w.model().mutable_graph()->add_initializer();
  t->set_name("half_weight");
  t->set_data_type(onnx::TensorProto_DataType_FLOAT16);
  for (int d : {1, 1, 1, 1}) t->add_dims(d);
  t->add_int32_data(0x3c00);
  w.node("Conv", {"x", "half_weight"}, {"y"});
  const Status st = import_error(w);
  EXPECT_EQ(st.code(), ErrorCode::unsupported);
  EXPECT_NE(st.message().find("half_weight"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("FLOAT16"), std::string::npos) << st.message();
}

TEST(OnnxImport, ExternalDataIsUnsupported) {
  OnnxWriter w(13);
  w.input("x", {1, 2}).output("y");
  auto* t = w.model().mutable_graph()->add_initializer();
  t->set_name("big");
  t->set_data_type(onnx::TensorProto_DataType_FLOAT);
  t->add_dims(2);
  t->set_data_location(onnx::TensorProto_DataLocation_EXTERNAL);
  auto* e = t->add_external_data();
  e->set_key("location");
  e->set_value("weights.bin");
  w.node("Add", {"x", "big"}, {"y"});
  const Status st = import_error(w);
  EXPECT_EQ(st.code(), ErrorCode::unsupported);
  EXPECT_NE(st.message().find("external"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("big"), std::string::npos) << st.message();
}

TEST(OnnxImport, InitializerSizeMustMatchItsDims) {
  OnnxWriter w(13);
  w.input("x", {1, 3}).output("y");
  w.init("b", {3}, {1, 2});  // 2 values for 3
  w.node("Add", {"x", "b"}, {"y"});
  const Status st = import_error(w);
  EXPECT_EQ(st.code(), ErrorCode::invalid_argument);
  EXPECT_NE(st.message().find("'b'"), std::string::npos) << st.message();
}

TEST(OnnxImport, StructuralErrorsAreInvalidArguments) {
  OnnxWriter cycle(13);  // b uses c, which is produced later
  cycle.input("x", {1, 2}).output("c");
  cycle.node("Add", {"x", "c"}, {"b"});
  cycle.node("Relu", {"b"}, {"c"});
  Status st = import_error(cycle);
  EXPECT_EQ(st.code(), ErrorCode::invalid_argument);
  EXPECT_NE(st.message().find("'c'"), std::string::npos) << st.message();

  OnnxWriter twice(13);
  twice.input("x", {1, 2}).output("y");
  twice.node("Relu", {"x"}, {"y"});
  twice.node("Sigmoid", {"x"}, {"y"});
  EXPECT_EQ(import_error(twice).code(), ErrorCode::invalid_argument);

  OnnxWriter missing(13);
  missing.input("x", {1, 2}).output("y");
  missing.node("Relu", {"x"}, {"z"});
  EXPECT_EQ(import_error(missing).code(), ErrorCode::invalid_argument);

  OnnxWriter arity(13);
  arity.input("x", {1, 1, 3, 3}).output("y");
  arity.node("Conv", {"x"}, {"y"});
  EXPECT_EQ(import_error(arity).code(), ErrorCode::invalid_argument);

  OnnxWriter bad_attr(13);
  bad_attr.input("x", {1, 4}).output("y");
  attr_s(bad_attr.node("Flatten", {"x"}, {"y"}), "axis", "one");
  st = import_error(bad_attr);
  EXPECT_EQ(st.code(), ErrorCode::invalid_argument);
  EXPECT_NE(st.message().find("axis"), std::string::npos) << st.message();

  OnnxWriter no_opset(13);
  no_opset.model().clear_opset_import();
  no_opset.input("x", {1, 4}).output("y");
  no_opset.node("Relu", {"x"}, {"y"});
  EXPECT_EQ(import_error(no_opset).code(), ErrorCode::invalid_argument);

  OnnxWriter shapes(13);  // Conv weight with the wrong channel count
  shapes.input("x", {1, 3, 4, 4}).output("y");
  shapes.init("W", {2, 2, 1, 1}, iota(4));
  shapes.node("Conv", {"x", "W"}, {"y"}, "conv");
  st = import_error(shapes);
  EXPECT_EQ(st.code(), ErrorCode::invalid_argument);
  EXPECT_NE(st.message().find("conv"), std::string::npos) << st.message();
}

TEST(OnnxImport, SecondaryOutputsCannotBeUsed) {
  OnnxWriter w(12);
  w.input("x", {1, 4}).output("y");
  w.node("Dropout", {"x"}, {"d", "mask"}, "drop");
  w.node("Add", {"d", "mask"}, {"y"});
  const Status st = import_error(w);
  EXPECT_EQ(st.code(), ErrorCode::unsupported);
  EXPECT_NE(st.message().find("mask"), std::string::npos) << st.message();
}

TEST(OnnxImport, HugeDimsAreRejectedBeforeAnyArithmeticOverflows) {
  OnnxWriter w(13);
  w.input("x", {1, int64_t{1} << 40, int64_t{1} << 40}).output("y");
  w.node("Relu", {"x"}, {"y"});
  EXPECT_EQ(import_error(w).code(), ErrorCode::invalid_argument);

  OnnxWriter up(13);
  up.input("x", {1, 1, 1 << 20, 1 << 19}).output("y");
  up.init("s", {4}, {1, 1, 65536, 65536});
  up.node("Resize", {"x", "", "s"}, {"y"});
  EXPECT_FALSE(import_onnx_bytes(up.bytes(), "t").is_ok());
}

TEST(OnnxImport, MissingFileIsNotFoundNamingThePath) {
  auto g = load_onnx("/no/such/model.onnx");
  ASSERT_FALSE(g.is_ok());
  EXPECT_EQ(g.status().code(), ErrorCode::not_found);
  EXPECT_NE(g.status().message().find("/no/such/model.onnx"), std::string::npos);
}

}  // namespace
}  // namespace eb::onnx_format
