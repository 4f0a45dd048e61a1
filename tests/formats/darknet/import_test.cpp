// cfg -> graph on small hand-written cfgs: each layer's Darknet semantics.
#include <gtest/gtest.h>

#include <string>

#include "formats/darknet/darknet.h"

namespace eb::darknet_format {
namespace {

std::string net(int c, int h, int w) {
  return "[net]\nbatch=64\nchannels=" + std::to_string(c) + "\nheight=" + std::to_string(h) + "\nwidth=" + std::to_string(w) + "\n";
}

Graph import_ok(const std::string& text, const DarknetOptions& options = {}) {
  auto g = import_darknet_cfg_text(text, options);
  EXPECT_TRUE(g.is_ok()) << g.status().message();
  return g.is_ok() ? std::move(g).value() : Graph{};
}

Status import_error(const std::string& text) {
  auto g = import_darknet_cfg_text(text);
  EXPECT_FALSE(g.is_ok());
  return g.is_ok() ? Status::ok() : g.status();
}

Shape output(const Graph& g, std::size_t i = 0) { return i < g.outputs.size() ? g.value(g.outputs[i]).desc.shape : Shape{}; }

std::vector<OpKind> ops(const Graph& g) {
  std::vector<OpKind> v;
  for (const Node& n : g.nodes) v.push_back(n.op);
  return v;
}

bool contains(const Status& s, const std::string& text) { return s.message().find(text) != std::string::npos; }

TEST(DarknetImport, ConvolutionPaddingStrideAndActivations) {
  const Graph g = import_ok(net(3, 10, 12) +
                            "[convolutional]\nfilters=8\nsize=3\nstride=1\npad=1\nactivation=leaky\n"
                            "[convolutional]\nfilters=4\nsize=3\nstride=2\npadding=0\nactivation=linear\n"
                            "[convolutional]\nfilters=4\nsize=1\nstride=1\npad=1\n");  // default activation: logistic
  EXPECT_EQ(output(g), (Shape{1, 4, 4, 5}));  // (10-3)/2+1, (12-3)/2+1
  EXPECT_EQ(ops(g), (std::vector<OpKind>{OpKind::Conv, OpKind::LeakyRelu, OpKind::Conv, OpKind::Conv, OpKind::Sigmoid}));
  EXPECT_FLOAT_EQ(g.nodes[1].get<LeakyReluAttrs>().alpha, 0.1f);
  EXPECT_EQ(g.nodes[0].get<ConvAttrs>().pads, (std::vector<int64_t>{1, 1, 1, 1}));
  EXPECT_EQ(g.nodes[3].get<ConvAttrs>().pads, (std::vector<int64_t>{0, 0, 0, 0}));  // pad=1 is size/2 = 0
  EXPECT_EQ(g.nodes[0].inputs.size(), 3u);                                         // a bias without BN
}

TEST(DarknetImport, BatchNormReplacesTheBias) {
  const Graph g = import_ok(net(3, 8, 8) + "[convolutional]\nbatch_normalize=1\nfilters=6\nsize=3\nstride=1\npad=1\nactivation=relu\n");
  ASSERT_EQ(ops(g), (std::vector<OpKind>{OpKind::Conv, OpKind::BatchNorm, OpKind::Relu}));
  EXPECT_EQ(g.nodes[0].inputs.size(), 2u);
  EXPECT_EQ(g.nodes[1].get<BatchNormAttrs>().epsilon, kBatchNormEpsilon);
}

TEST(DarknetImport, GroupsAndTheirErrors) {
  const Graph g = import_ok(net(8, 4, 4) + "[convolutional]\nfilters=8\ngroups=8\nsize=3\npad=1\nactivation=linear\n");
  EXPECT_EQ(g.nodes[0].get<ConvAttrs>().group, 8);
  EXPECT_EQ(g.value(g.nodes[0].inputs[1]).desc.shape, (Shape{8, 1, 3, 3}));
  const Status st = import_error(net(8, 4, 4) + "[convolutional]\nfilters=6\ngroups=4\nsize=1\n");
  EXPECT_EQ(st.code(), ErrorCode::invalid_argument);
  EXPECT_TRUE(contains(st, "groups=4")) << st.message();
}

TEST(DarknetImport, ActivationsThatCannotBeExpressedAreNamed) {
  Status st = import_error(net(3, 4, 4) + "[convolutional]\nfilters=2\nsize=1\nactivation=tanh\n");
  EXPECT_EQ(st.code(), ErrorCode::unsupported);
  EXPECT_TRUE(contains(st, "activation=tanh")) << st.message();
  st = import_error(net(3, 4, 4) + "[convolutional]\nfilters=2\nsize=1\nactivation=leakyy\n");
  EXPECT_EQ(st.code(), ErrorCode::invalid_argument);
  EXPECT_TRUE(contains(st, "activation=leakyy (line 9) is not a Darknet activation")) << st.message();
}

TEST(DarknetImport, RampIsReluPlusATenth) {
  const Graph g = import_ok(net(2, 4, 4) + "[convolutional]\nfilters=2\nsize=1\nactivation=ramp\n");
  EXPECT_EQ(ops(g), (std::vector<OpKind>{OpKind::Conv, OpKind::Conv, OpKind::Relu, OpKind::Add}));
  const Node& scale = g.nodes[1];
  EXPECT_EQ(scale.get<ConvAttrs>().group, 2);
  EXPECT_EQ(*g.value(scale.inputs[1]).data, (std::vector<float>{0.1f, 0.1f}));
}

TEST(DarknetImport, MaxPoolFollowsDarknetsSizeRule) {
  // size=2 stride=1 keeps the size (padding defaults to size-1 = 1, at the end).
  Graph g = import_ok(net(3, 13, 13) + "[maxpool]\nsize=2\nstride=1\n");
  EXPECT_EQ(output(g), (Shape{1, 3, 13, 13}));
  EXPECT_EQ(g.nodes[0].get<PoolAttrs>().pads, (std::vector<int64_t>{0, 0, 1, 1}));
  // size=2 stride=2 on odd sizes rounds up: (13 + 1 - 2)/2 + 1 = 7.
  g = import_ok(net(3, 13, 12) + "[maxpool]\nsize=2\nstride=2\n");
  EXPECT_EQ(output(g), (Shape{1, 3, 7, 6}));
  // size=3 stride=2: padding 2, one before and one after.
  g = import_ok(net(3, 8, 8) + "[maxpool]\nsize=3\nstride=2\n");
  EXPECT_EQ(output(g), (Shape{1, 3, 4, 4}));
  EXPECT_EQ(g.nodes[0].get<PoolAttrs>().pads, (std::vector<int64_t>{1, 1, 1, 1}));
  // size defaults to stride; explicit padding=0.
  g = import_ok(net(3, 9, 9) + "[maxpool]\nstride=3\npadding=0\n");
  EXPECT_EQ(output(g), (Shape{1, 3, 3, 3}));
  const Status st = import_error(net(3, 8, 8) + "[maxpool]\nsize=2\nstride=2\npadding=5\n");
  EXPECT_EQ(st.code(), ErrorCode::unsupported);
}

TEST(DarknetImport, ClassifierTail) {
  const Graph g = import_ok(net(3, 8, 8) +
                            "[convolutional]\nfilters=10\nsize=1\nactivation=linear\n"
                            "[avgpool]\n[softmax]\ngroups=1\n[cost]\ntype=sse\n");
  EXPECT_EQ(ops(g), (std::vector<OpKind>{OpKind::Conv, OpKind::GlobalAvgPool, OpKind::Flatten, OpKind::Softmax}));
  EXPECT_EQ(output(g), (Shape{1, 10}));
  EXPECT_EQ(g.outputs.size(), 1u);  // the [cost] layer is not the output
}

TEST(DarknetImport, ConnectedFlattensAndDropoutDisappears) {
  const Graph g = import_ok(net(2, 3, 3) +
                            "[connected]\noutput=5\nactivation=relu\n[dropout]\nprobability=.5\n"
                            "[connected]\noutput=4\nbatch_normalize=1\nactivation=linear\n");
  EXPECT_EQ(ops(g), (std::vector<OpKind>{OpKind::Flatten, OpKind::Gemm, OpKind::Relu, OpKind::Gemm, OpKind::BatchNorm}));
  EXPECT_EQ(g.value(g.nodes[1].inputs[1]).desc.shape, (Shape{5, 18}));
  EXPECT_EQ(g.nodes[3].inputs.size(), 2u);
  EXPECT_EQ(output(g), (Shape{1, 4}));
}

TEST(DarknetImport, ConvolutionAfterConnectedSeesOneByOne) {
  const Graph g = import_ok(net(1, 2, 2) + "[connected]\noutput=6\n[convolutional]\nfilters=2\nsize=1\nactivation=linear\n");
  EXPECT_EQ(output(g), (Shape{1, 2, 1, 1}));
}

TEST(DarknetImport, RouteWithNegativeAndAbsoluteIndices) {
  const Graph g = import_ok(net(3, 8, 8) +
                            "[convolutional]\nfilters=4\nsize=1\nactivation=linear\n"      // 0
                            "[convolutional]\nfilters=5\nsize=1\nactivation=linear\n"      // 1
                            "[route]\nlayers=-2\n"                                         // 2: = layer 0
                            "[convolutional]\nfilters=6\nsize=1\nactivation=linear\n"      // 3
                            "[route]\nlayers=1,-1,0\n");                                   // 4: 5+6+4
  EXPECT_EQ(output(g), (Shape{1, 15, 8, 8}));
  EXPECT_EQ(g.nodes.back().op, OpKind::Concat);
  EXPECT_EQ(g.nodes[2].inputs[0], g.nodes[0].outputs[0]);  // the single-layer route is no node
}

TEST(DarknetImport, RouteErrors) {
  Status st = import_error(net(3, 8, 8) + "[convolutional]\nfilters=4\nsize=1\n[route]\nlayers=3\n");
  EXPECT_EQ(st.code(), ErrorCode::invalid_argument);
  EXPECT_TRUE(contains(st, "layers=3 (line 10) refers to layer 3")) << st.message();
  st = import_error(net(3, 8, 8) + "[convolutional]\nfilters=4\nsize=1\n[route]\nlayers=-5\n");
  EXPECT_EQ(st.code(), ErrorCode::invalid_argument);
  st = import_error(net(3, 8, 8) + "[convolutional]\nfilters=4\nsize=1\n[route]\nlayers=-1\ngroups=2\ngroup_id=1\n");
  EXPECT_EQ(st.code(), ErrorCode::unsupported);
  st = import_error(net(3, 8, 8) + "[convolutional]\nfilters=4\nsize=1\n[route]\n");
  EXPECT_TRUE(contains(st, "layers is required")) << st.message();
}

TEST(DarknetImport, ShortcutAddsAndActivates) {
  const Graph g = import_ok(net(4, 6, 6) +
                            "[convolutional]\nfilters=4\nsize=3\npad=1\nactivation=leaky\n"
                            "[convolutional]\nfilters=4\nsize=1\nactivation=leaky\n"
                            "[shortcut]\nfrom=-2\nactivation=relu\n");
  EXPECT_EQ(ops(g).back(), OpKind::Relu);
  EXPECT_EQ(g.nodes[g.nodes.size() - 2].op, OpKind::Add);
  EXPECT_EQ(output(g), (Shape{1, 4, 6, 6}));
}

TEST(DarknetImport, ShortcutSubsamplesAndPadsLikeDarknet) {
  // ResNet's option A: from= is 2x larger and has fewer channels.
  Graph g = import_ok(net(4, 8, 8) +
                      "[convolutional]\nfilters=4\nsize=1\nactivation=linear\n"
                      "[convolutional]\nfilters=8\nsize=3\nstride=2\npad=1\nactivation=linear\n"
                      "[shortcut]\nfrom=-2\n");
  EXPECT_EQ(ops(g), (std::vector<OpKind>{OpKind::Conv, OpKind::Conv, OpKind::MaxPool, OpKind::Pad, OpKind::Add}));
  EXPECT_EQ(g.nodes[2].get<PoolAttrs>().strides, (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(g.nodes[3].get<PadAttrs>().pads, (std::vector<int64_t>{0, 0, 0, 0, 0, 4, 0, 0}));
  EXPECT_EQ(output(g), (Shape{1, 8, 4, 4}));
  // More channels than needed: only the first ones are added.
  g = import_ok(net(4, 6, 6) + "[convolutional]\nfilters=8\nsize=1\n[convolutional]\nfilters=4\nsize=1\n[shortcut]\nfrom=-2\n");
  EXPECT_EQ(g.nodes[g.nodes.size() - 2].op, OpKind::Conv);
  EXPECT_EQ(output(g), (Shape{1, 4, 6, 6}));
  // A smaller from= is added at every other pixel: no expression.
  const Status st = import_error(net(4, 8, 8) + "[maxpool]\nsize=2\nstride=2\n[upsample]\nstride=2\n[shortcut]\nfrom=-2\n");
  EXPECT_EQ(st.code(), ErrorCode::unsupported);
  EXPECT_TRUE(contains(st, "whole-stride subsample")) << st.message();
}

TEST(DarknetImport, UpsampleAndYoloHeadsAreOutputs) {
  const Graph g = import_ok(net(3, 16, 16) +
                            "[convolutional]\nfilters=8\nsize=3\nstride=2\npad=1\nactivation=leaky\n"   // 0: 8x8x8
                            "[convolutional]\nfilters=18\nsize=1\nactivation=linear\n"                  // 1
                            "[yolo]\nmask=0,1,2\nanchors=1,2,3,4,5,6,7,8,9,10,11,12\nclasses=1\nnum=6\n"  // 2
                            "[route]\nlayers=-3\n"                                                      // 3
                            "[upsample]\nstride=2\n"                                                    // 4
                            "[convolutional]\nfilters=18\nsize=1\nactivation=linear\n"                  // 5
                            "[yolo]\nmask=3,4,5\nclasses=1\nnum=6\n");
  ASSERT_EQ(g.outputs.size(), 2u);
  EXPECT_EQ(output(g, 0), (Shape{1, 18, 8, 8}));
  EXPECT_EQ(output(g, 1), (Shape{1, 18, 16, 16}));
}

TEST(DarknetImport, HeadsCheckTheirInputsLikeDarknet) {
  Status st = import_error(net(3, 4, 4) + "[convolutional]\nfilters=17\nsize=1\n[yolo]\nmask=0,1,2\nclasses=1\nnum=3\n");
  EXPECT_EQ(st.code(), ErrorCode::invalid_argument);
  EXPECT_TRUE(contains(st, "filters=")) << st.message();
  st = import_error(net(3, 4, 4) + "[convolutional]\nfilters=18\nsize=1\n[yolo]\nmask=0,1,7\nclasses=1\nnum=3\n");
  EXPECT_TRUE(contains(st, "mask=0,1,7")) << st.message();
  // A head's own output (decoded detections) cannot be read further.
  st = import_error(net(3, 4, 4) + "[convolutional]\nfilters=18\nsize=1\n[yolo]\nmask=0,1,2\nclasses=1\nnum=3\n[convolutional]\nfilters=1\nsize=1\n");
  EXPECT_EQ(st.code(), ErrorCode::unsupported);
  EXPECT_TRUE(contains(st, "the output of the [yolo] layer 1")) << st.message();
  const Graph g = import_ok(net(3, 4, 4) + "[convolutional]\nfilters=125\nsize=1\n[region]\nclasses=20\ncoords=4\nnum=5\n");
  EXPECT_EQ(output(g), (Shape{1, 125, 4, 4}));
}

TEST(DarknetImport, DetectionHeadAfterConnected) {
  const Graph g = import_ok(net(3, 4, 4) + "[connected]\noutput=1470\nactivation=linear\n[detection]\nclasses=20\ncoords=4\nside=7\nnum=2\n");
  EXPECT_EQ(output(g), (Shape{1, 1470}));
}

TEST(DarknetImport, ReorgIsAPermutationConvolution) {
  const Graph g = import_ok(net(8, 4, 6) + "[reorg]\nstride=2\n");
  EXPECT_EQ(output(g), (Shape{1, 32, 2, 3}));
  EXPECT_EQ(ops(g), (std::vector<OpKind>{OpKind::Reshape, OpKind::Conv, OpKind::Reshape}));
  // One-hot weights: every output channel copies exactly one input.
  const auto& w = *g.value(g.nodes[1].inputs[1]).data;
  float total = 0;
  for (float x : w) total += x;
  EXPECT_EQ(total, 8.0f);
  // The Go network's "extra" mode appends zeros to the flat input.
  const Graph go = import_ok(net(1, 3, 3) + "[reorg]\nextra=1\nstride=1\n[softmax]\n");
  EXPECT_EQ(output(go), (Shape{1, 10}));
  EXPECT_EQ(import_error(net(8, 4, 6) + "[reorg]\nstride=2\nreverse=1\n").code(), ErrorCode::unsupported);
  EXPECT_EQ(import_error(net(8, 5, 6) + "[reorg]\nstride=2\n").code(), ErrorCode::unsupported);
}

TEST(DarknetImport, CropIsACenteredDilatedTap) {
  const Graph g = import_ok(net(3, 256, 255) + "[crop]\ncrop_height=224\ncrop_width=224\nflip=1\n");
  EXPECT_EQ(output(g), (Shape{1, 3, 224, 224}));
  const auto& a = g.nodes[0].get<ConvAttrs>();
  EXPECT_EQ(a.kernel, (std::vector<int64_t>{3, 32}));     // height: border 32, 3 taps 16 apart;
  EXPECT_EQ(a.dilations, (std::vector<int64_t>{16, 1}));  // width: border 31 (odd), 32 taps 1 apart
  EXPECT_EQ(a.group, 3);
  EXPECT_EQ(g.nodes[0].inputs.size(), 3u);  // x * 2 - 1
  const Status st = import_error(net(3, 100, 100) + "[crop]\ncrop_height=224\ncrop_width=224\n");
  EXPECT_EQ(st.code(), ErrorCode::invalid_argument);
  EXPECT_TRUE(contains(st, "crop_height=224")) << st.message();
}

TEST(DarknetImport, SoftmaxTemperatureGroupsAndTree) {
  Graph g = import_ok(net(10, 1, 1) + "[softmax]\ntemperature=3\n");
  EXPECT_EQ(ops(g), (std::vector<OpKind>{OpKind::Conv, OpKind::Flatten, OpKind::Softmax}));
  EXPECT_FLOAT_EQ((*g.value(g.nodes[0].inputs[1]).data)[0], 1.0f / 3.0f);
  g = import_ok(net(10, 1, 1) + "[connected]\noutput=4\n[softmax]\ntemperature=2\n");  // a flat input
  EXPECT_EQ(output(g), (Shape{1, 4}));
  g = import_ok(net(10, 1, 1) + "[softmax]\ngroups=2\n");
  EXPECT_EQ(output(g), (Shape{1, 10}));
  const Status st = import_error(net(10, 1, 1) + "[softmax]\ntree=data/9k.tree\n");
  EXPECT_EQ(st.code(), ErrorCode::unsupported);
  EXPECT_TRUE(contains(st, "tree=")) << st.message();
}

TEST(DarknetImport, StandaloneBatchnormAndActivationLayers) {
  const Graph g = import_ok(net(4, 2, 2) + "[batchnorm]\n[activation]\nactivation=logistic\n");
  EXPECT_EQ(ops(g), (std::vector<OpKind>{OpKind::BatchNorm, OpKind::Sigmoid}));
  EXPECT_EQ(*g.value(g.nodes[0].inputs[2]).data, std::vector<float>(4, 0.0f));  // Darknet's [batchnorm] has no shift
}

TEST(DarknetImport, SectionsWeCannotExpressOrDoNotKnow) {
  Status st = import_error(net(3, 8, 8) + "[local]\nfilters=4\nsize=3\n");
  EXPECT_EQ(st.code(), ErrorCode::unsupported);
  EXPECT_TRUE(contains(st, "[local] at line 6")) << st.message();
  st = import_error(net(3, 8, 8) + "[crnn]\n");
  EXPECT_EQ(st.code(), ErrorCode::unsupported);
  st = import_error(net(3, 8, 8) + "\n[convolution]\nfilters=1\n");
  EXPECT_EQ(st.code(), ErrorCode::invalid_argument);
  EXPECT_TRUE(contains(st, "[convolution] at line 7: unknown section type")) << st.message();
  st = import_error("[convolutional]\nfilters=1\n");
  EXPECT_TRUE(contains(st, "starts with [net]")) << st.message();
  st = import_error(net(3, 8, 8));
  EXPECT_TRUE(contains(st, "no layers")) << st.message();
  st = import_error("[net]\nwidth=8\nheight=8\n[maxpool]\n");
  EXPECT_TRUE(contains(st, "channels")) << st.message();
}

TEST(DarknetImport, BadNumbersNameKeyAndLine) {
  Status st = import_error(net(3, 8, 8) + "[convolutional]\nfilters=abc\n");
  EXPECT_EQ(st.code(), ErrorCode::invalid_argument);
  EXPECT_TRUE(contains(st, "filters=abc (line 7) is not an integer")) << st.message();
  st = import_error(net(3, 8, 8) + "[convolutional]\nfilters=2\nsize=-3\n");
  EXPECT_TRUE(contains(st, "size=-3 (line 8) must be at least 1")) << st.message();
  st = import_error(net(3, 8, 8) + "[convolutional]\nfilters=2\nsize=9\n");  // larger than the input
  EXPECT_EQ(st.code(), ErrorCode::invalid_argument);
  EXPECT_TRUE(contains(st, "[convolutional] at line 6")) << st.message();
}

TEST(DarknetImport, HugeLayersAreRefusedBeforeAllocating) {
  DarknetOptions small;
  small.max_tensor_elements = 1 << 20;
  auto g = import_darknet_cfg_text(net(3, 8, 8) + "[convolutional]\nfilters=100000\nsize=100\n", small);
  ASSERT_FALSE(g.is_ok());
  EXPECT_EQ(g.status().code(), ErrorCode::invalid_argument);
  g = import_darknet_cfg_text(net(1, 1000, 1000) + "[upsample]\nstride=1073741824\n", small);  // c*h*w overflows int64
  ASSERT_FALSE(g.is_ok());
  EXPECT_NE(g.status().message().find("would exceed 1048576 elements"), std::string::npos) << g.status().message();
  g = import_darknet_cfg_text("[net]\nchannels=2147483647\nwidth=2147483647\nheight=2147483647\n[avgpool]\n", small);
  EXPECT_FALSE(g.is_ok());
}

TEST(DarknetImport, SizeOverrideAndSeeds) {
  const std::string cfg = net(3, 416, 416) + "[convolutional]\nfilters=2\nsize=3\npad=1\nstride=2\n";
  DarknetOptions resized;
  resized.width = 224;
  resized.height = 160;
  const Graph g = import_ok(cfg, resized);
  EXPECT_EQ(g.value(g.inputs[0]).desc.shape, (Shape{1, 3, 160, 224}));
  EXPECT_EQ(output(g), (Shape{1, 2, 80, 112}));
  const auto weights = [&](uint64_t seed) {
    DarknetOptions o;
    o.seed = seed;
    const Graph s = import_ok(cfg, o);
    return *s.value(s.nodes[0].inputs[1]).data;
  };
  EXPECT_EQ(weights(1), weights(1));
  EXPECT_NE(weights(1), weights(2));
}

TEST(DarknetImport, MissingFilesAreNotFound) {
  auto g = load_darknet("/nonexistent/model.cfg");
  ASSERT_FALSE(g.is_ok());
  EXPECT_EQ(g.status().code(), ErrorCode::not_found);
  EXPECT_TRUE(contains(g.status(), "/nonexistent/model.cfg"));
}

}  // namespace
}  // namespace eb::darknet_format
