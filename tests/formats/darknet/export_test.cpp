// graph -> .cfg/.weights on GraphBuilder graphs: what folds into which
// layer, what Darknet cannot express, and that libdarknet reads the result
// with our shapes.
#include <gtest/gtest.h>

#include <cmath>
#include <memory>

#include "formats/darknet/darknet.h"
#include "graph/builder.h"
#include "libdarknet_probe.h"
#include "compare.h"
#include "test_util.h"

#ifdef EB_HAVE_ZOO
#include "zoo/zoo.h"
#endif

namespace eb::darknet_format {
namespace {

using darknet_test::libdarknet_available;
using darknet_test::ProbeRequest;
using darknet_test::probe_libdarknet;
using darknet_test::TempFile;

Graph finish(GraphBuilder&& b) {
  auto g = std::move(b).finish();
  EXPECT_TRUE(g.is_ok()) << g.status().message();
  return g.is_ok() ? std::move(g).value() : Graph{};
}

DarknetModel reimport(const DarknetExport& e) {
  auto cfg = parse_cfg(e.cfg);
  EXPECT_TRUE(cfg.is_ok()) << cfg.status().message();
  auto reader = WeightsReader::open(e.weights, "exported");
  EXPECT_TRUE(reader.is_ok());
  auto m = import_darknet(*cfg, &*reader);
  EXPECT_TRUE(m.is_ok()) << m.status().message() << "\n" << e.cfg;
  return m.is_ok() ? std::move(m).value() : DarknetModel{};
}

std::vector<std::string> layer_types(const std::string& cfg_text) {
  std::vector<std::string> types;
  const Result<CfgFile> cfg = parse_cfg(cfg_text);
  if (cfg.is_ok())
    for (const CfgSection& s : cfg->sections) types.push_back(s.type);
  return types;
}

// libdarknet parses the export, and the layers holding our outputs have our shapes.
void expect_darknet_agrees(const Graph& g, const DarknetExport& e) {
  if (!libdarknet_available()) return;
  const TempFile cfg(g.name + ".cfg", e.cfg);
  const TempFile weights(g.name + ".weights", e.weights);
  auto layers = probe_libdarknet(cfg.path(), weights.path());
  ASSERT_TRUE(layers.is_ok()) << layers.status().message() << "\n" << e.cfg;
  ASSERT_EQ(layers->size(), parse_cfg(e.cfg)->sections.size() - 1);
  for (std::size_t k = 0; k < g.outputs.size(); ++k) {
    const Shape& s = g.value(g.outputs[k]).desc.shape;
    const auto& l = (*layers)[static_cast<std::size_t>(e.output_layers[k])];
    EXPECT_EQ(l.outputs, s.numel()) << "output " << k;
    if (s.rank() == 4) {
      EXPECT_EQ(Shape({1, l.c, l.h, l.w}), s) << "output " << k;
    }
  }
}

// Conv + BN + leaky, maxpool, a residual add, a concat, upsample, a classifier.
Graph small_net() {
  GraphBuilder b("small", 7);
  ValueId x = b.input("image", Shape{1, 3, 16, 16});
  ValueId c1 = b.leaky_relu(b.batch_norm(b.conv2d(x, 8, 3, 1, 1, 1, false), 1e-5f));
  ValueId p = b.max_pool2d(c1, 3, 2, 1);                                  // 8x8
  ValueId c2 = b.relu(b.conv2d(p, 8, 3, 1, 1));                           // conv with bias
  ValueId r = b.relu(b.add(c2, p));                                       // shortcut, from the pool
  ValueId cat = b.concat({r, c2});                                        // 16 channels
  ValueId up = b.upsample(b.conv2d(cat, 4, 1, 1, 0, 1, true), 2);         // 16x16
  ValueId both = b.concat({up, c1});                                      // 12 channels
  ValueId head = b.sigmoid(b.conv2d(both, 6, 1, 2, 0));                   // 8x8
  ValueId fc = b.dense(b.flatten(b.global_avg_pool(head)), 5);
  b.output(b.softmax(b.relu(fc), 1));
  return finish(std::move(b));
}

TEST(DarknetExport, FoldsChainsIntoDarknetLayers) {
  const Graph g = small_net();
  auto e = export_darknet_model(g);
  ASSERT_TRUE(e.is_ok()) << e.status().message();
  EXPECT_EQ(layer_types(e->cfg),
            (std::vector<std::string>{"net", "convolutional", "maxpool", "convolutional", "shortcut", "route", "convolutional",
                                      "upsample", "route", "maxpool", "convolutional", "avgpool", "connected", "softmax"}))
      << e->cfg;  // the 1x1 stride-2 conv subsamples with a [maxpool] first: Darknet's CPU code ignores a 1x1 stride
  EXPECT_NE(e->cfg.find("batch_normalize=1\nfilters=8\nsize=3\nstride=1\npad=1\nactivation=leaky"), std::string::npos) << e->cfg;
  EXPECT_NE(e->cfg.find("[shortcut]\nfrom=1\nactivation=relu"), std::string::npos) << e->cfg;
  EXPECT_EQ(e->output_layers, (std::vector<int>{12}));
  expect_darknet_agrees(g, *e);

  // Re-import: same shapes, the same weights where nothing was folded, and
  // the export of the re-import is the same file (idempotent).
  const DarknetModel m = reimport(*e);
  EXPECT_EQ(m.graph.value(m.graph.outputs[0]).desc.shape, (Shape{1, 5}));
  auto e2 = export_darknet_model(m.graph);
  ASSERT_TRUE(e2.is_ok()) << e2.status().message();
  EXPECT_EQ(e2->cfg.substr(e2->cfg.find("[net]")), e->cfg.substr(e->cfg.find("[net]")));
  EXPECT_TRUE(e2->weights == e->weights);
}

TEST(DarknetExport, BatchNormVarianceCarriesOurEpsilon) {
  GraphBuilder b("bn", 3);
  ValueId x = b.input("x", Shape{1, 2, 4, 4});
  b.output(b.batch_norm(b.conv2d(x, 3, 1, 1, 0, 1, /*bias=*/true), 1e-3f, "bn"));
  const Graph g = finish(std::move(b));
  auto e = export_darknet_model(g);
  ASSERT_TRUE(e.is_ok()) << e.status().message();
  const DarknetModel m = reimport(*e);
  ASSERT_EQ(m.graph.nodes[1].op, OpKind::BatchNorm);
  const auto& src = g.nodes[1];
  const auto& mean = *m.graph.value(m.graph.nodes[1].inputs[3]).data;
  const auto& var = *m.graph.value(m.graph.nodes[1].inputs[4]).data;
  const auto& bias = *g.value(g.nodes[0].inputs[2]).data;
  for (std::size_t k = 0; k < 3; ++k) {
    // Darknet's sqrt(var') + 1e-6 equals our sqrt(var + 1e-3) ...
    const float v = (*g.value(src.inputs[4]).data)[k];
    EXPECT_NEAR(std::sqrt(var[k]) + 1e-6f, std::sqrt(v + 1e-3f), 1e-6f);
    // ... and the conv bias moved into the mean.
    EXPECT_FLOAT_EQ(mean[k], (*g.value(src.inputs[3]).data)[k] - bias[k]);
  }
}

TEST(DarknetExport, StandaloneBatchNormAndSharedInput) {
  GraphBuilder b("standalone", 5);
  ValueId x = b.input("x", Shape{1, 4, 6, 6});
  ValueId a = b.conv2d(x, 4, 3, 1, 1);
  ValueId bn = b.batch_norm(b.concat({a, x}));  // alone: an identity depthwise conv carries it
  b.output(b.add(b.conv2d(bn, 4, 1, 1, 0), x));
  const Graph g = finish(std::move(b));
  auto e = export_darknet_model(g);
  ASSERT_TRUE(e.is_ok()) << e.status().message();
  // The input is read three times: an identity layer gives routes a name for it.
  EXPECT_EQ(layer_types(e->cfg), (std::vector<std::string>{"net", "activation", "convolutional", "route", "convolutional",
                                                           "convolutional", "shortcut"}))
      << e->cfg;
  EXPECT_NE(e->cfg.find("groups=8"), std::string::npos);
  expect_darknet_agrees(g, *e);
  const DarknetModel m = reimport(*e);
  EXPECT_EQ(m.graph.value(m.graph.outputs[0]).desc.shape, (Shape{1, 4, 6, 6}));
}

TEST(DarknetExport, ExtraOutputsBecomeYoloHeads) {
  GraphBuilder b("two_heads", 9);
  ValueId x = b.input("x", Shape{1, 3, 16, 16});
  ValueId f = b.leaky_relu(b.conv2d(x, 8, 3, 2, 1));
  ValueId h1 = b.conv2d(f, 255, 1, 1, 0);  // a YOLOv3 head: 3 x (80 + 5)
  ValueId h2 = b.conv2d(b.upsample(f, 2), 18, 1, 1, 0);
  b.output(h1);
  b.output(h2);
  const Graph g = finish(std::move(b));
  auto e = export_darknet_model(g);
  ASSERT_TRUE(e.is_ok()) << e.status().message();
  EXPECT_NE(e->cfg.find("[yolo]\nmask=0,1,2\nnum=3\nclasses=80"), std::string::npos) << e->cfg;
  EXPECT_EQ(e->output_layers, (std::vector<int>{1, 5}));
  expect_darknet_agrees(g, *e);
  const DarknetModel m = reimport(*e);
  ASSERT_EQ(m.graph.outputs.size(), 2u);
  EXPECT_EQ(darknet_test::difference(g, m.graph), "");  // nothing to fold: the very same graph
}

TEST(DarknetExport, ImportedGraphsComeBackBitIdentical) {
  const std::string cfg =
      "[net]\nwidth=13\nheight=13\nchannels=3\n"
      "[convolutional]\nbatch_normalize=1\nfilters=16\nsize=3\nstride=1\npad=1\nactivation=leaky\n"
      "[maxpool]\nsize=2\nstride=2\n"
      "[maxpool]\nsize=2\nstride=1\n"
      "[convolutional]\nfilters=8\nsize=1\nstride=1\npad=1\nactivation=linear\n"
      "[route]\nlayers=-1,-3\n"
      "[connected]\noutput=10\nbatch_normalize=1\nactivation=relu\n"
      "[softmax]\n";
  auto g = import_darknet_cfg_text(cfg);
  ASSERT_TRUE(g.is_ok()) << g.status().message();
  auto e = export_darknet_model(*g);
  ASSERT_TRUE(e.is_ok()) << e.status().message();
  EXPECT_EQ(darknet_test::difference(*g, reimport(*e).graph), "") << e->cfg;
  expect_darknet_agrees(*g, *e);
}

TEST(DarknetExport, WhatDarknetCannotExpressIsNamed) {
  struct Case {
    const char* what;
    void (*build)(GraphBuilder&, ValueId);
  };
  const Case cases[] = {
      {"LRN", [](GraphBuilder& b, ValueId x) { b.output(b.lrn(x, 5, 1e-4f, 0.75f, 1.0f, "norm1")); }},
      {"Clip", [](GraphBuilder& b, ValueId x) { b.output(b.relu6(x, "relu6")); }},
      {"non-square kernel", [](GraphBuilder& b, ValueId x) {
         b.output(b.conv(x, ConvSpec{4, {1, 3}, {1, 1}, {0, 1, 0, 1}, {}, 1, true}, "wide"));
       }},
      {"dilated", [](GraphBuilder& b, ValueId x) {
         b.output(b.conv(x, ConvSpec{4, {3, 3}, {1, 1}, {2, 2, 2, 2}, {2, 2}, 1, true}, "atrous"));
       }},
      {"asymmetric", [](GraphBuilder& b, ValueId x) { b.output(b.conv2d(x, 4, 3, 2, kSamePadding, 1, true, "same_upper")); }},
      {"AveragePool that is not global", [](GraphBuilder& b, ValueId x) { b.output(b.avg_pool2d(x, 3, 1, 1, "pool")); }},
      {"alpha", [](GraphBuilder& b, ValueId x) { b.output(b.leaky_relu(x, 0.2f, "leaky2")); }},
      {"Softmax over one axis", [](GraphBuilder& b, ValueId x) { b.output(b.softmax(x, 1, "chan_softmax")); }},
      {"Reshape", [](GraphBuilder& b, ValueId x) { b.output(b.reshape(x, {1, 3, 64}, "to3d")); }},
  };
  for (const Case& c : cases) {
    GraphBuilder b("bad", 1);
    c.build(b, b.input("x", Shape{1, 3, 8, 8}));
    const Graph g = finish(std::move(b));
    auto e = export_darknet_model(g);
    ASSERT_FALSE(e.is_ok()) << c.what;
    EXPECT_EQ(e.status().code(), ErrorCode::unsupported) << e.status().message();
    EXPECT_NE(e.status().message().find(c.what), std::string::npos) << e.status().message();
    EXPECT_NE(e.status().message().find("at node '" + g.nodes.back().name + "'"), std::string::npos) << e.status().message();
  }
  GraphBuilder b3("c3d", 1);
  ValueId v = b3.input("clip", Shape{1, 3, 4, 8, 8});
  b3.output(b3.conv(v, ConvSpec{4, {3, 3, 3}, {}, {}, {}, 1, true}, "conv3d"));
  auto e = export_darknet_model(finish(std::move(b3)));
  ASSERT_FALSE(e.is_ok());
  EXPECT_NE(e.status().message().find("cannot express input 'clip'"), std::string::npos) << e.status().message();
}

TEST(DarknetExport, WritesFiles) {
  const Graph g = small_net();
  const TempFile cfg("files.cfg", ""), weights("files.weights", "");
  ASSERT_TRUE(export_darknet(g, cfg.path(), weights.path()).is_ok());
  auto m = load_darknet_model(cfg.path(), weights.path());
  ASSERT_TRUE(m.is_ok()) << m.status().message();
  EXPECT_EQ(m->graph.name, "eb_darknet_" + std::to_string(::getpid()) + "_files");
  EXPECT_EQ(export_darknet(g, "/nonexistent/dir/x.cfg", weights.path()).code(), ErrorCode::io_error);
}

#ifdef EB_HAVE_ZOO
// Each zoo model either exports (and then libdarknet computes its shapes and
// the export is stable) or is unsupported with a reason naming the node.
// Models over 16 M parameters only with EB_DARKNET_FULL_SWEEP=1: each costs seconds.
TEST(DarknetExport, ZooModels) {
  std::vector<ProbeRequest> requests;
  std::vector<std::pair<Graph, DarknetExport>> exported;
  std::vector<std::unique_ptr<TempFile>> files;
  for (const auto& entry : zoo::models()) {
    if (entry.study.params_m > 16 && !darknet_test::full_sweep()) continue;
    zoo::BuildOptions options;
    options.weights = WeightInit::zeros;
    auto g = zoo::build(entry.id, options);
    ASSERT_TRUE(g.is_ok()) << entry.id << ": " << g.status().message();
    darknet_test::scramble_weights(*g);
    auto e = export_darknet_model(*g);
    if (!e.is_ok()) {
      EXPECT_EQ(e.status().code(), ErrorCode::unsupported) << e.status().message();
      EXPECT_NE(e.status().message().find("cannot express"), std::string::npos) << e.status().message();
      std::printf("  %-18s unsupported: %s\n", std::string(entry.id).c_str(), e.status().message().c_str());
      continue;
    }
    std::printf("  %-18s exports: %zu layers\n", std::string(entry.id).c_str(), parse_cfg(e->cfg)->sections.size() - 1);
    const DarknetModel m = reimport(*e);
    auto e2 = export_darknet_model(m.graph);
    ASSERT_TRUE(e2.is_ok()) << e2.status().message();
    EXPECT_TRUE(e2->weights == e->weights) << entry.id;
    files.push_back(std::make_unique<TempFile>(std::string("zoo_") + std::string(entry.id) + ".cfg", e->cfg));
    requests.push_back({files.back()->path(), "", {}, {}});
    exported.emplace_back(std::move(g).value(), std::move(e).value());
  }
  if (!libdarknet_available()) return;
  const auto theirs = darknet_test::probe_libdarknet_all(requests);
  for (std::size_t i = 0; i < exported.size(); ++i) {
    const auto& [g, e] = exported[i];
    ASSERT_TRUE(theirs[i].is_ok()) << g.name << ": " << theirs[i].status().message();
    for (std::size_t k = 0; k < g.outputs.size(); ++k) {
      const Shape& s = g.value(g.outputs[k]).desc.shape;
      const auto& l = (*theirs[i])[static_cast<std::size_t>(e.output_layers[k])];
      EXPECT_EQ(l.outputs, s.numel()) << g.name << " output " << k;
      if (s.rank() == 4) {
        EXPECT_EQ(Shape({1, l.c, l.h, l.w}), s) << g.name << " output " << k;
      }
    }
  }
}
#endif

}  // namespace
}  // namespace eb::darknet_format
