#include <gtest/gtest.h>

#include "graph/builder.h"

namespace eb {
namespace {

TEST(Builder, ShapesOfCommonLayers) {
  GraphBuilder b("shapes", 7);
  auto x = b.input("x", Shape{1, 3, 224, 224});
  auto c = b.conv2d(x, 64, 7, 2);  // same padding
  EXPECT_EQ(b.shape(c), (Shape{1, 64, 112, 112}));
  auto p = b.max_pool(c, PoolSpec{{3, 3}, {2, 2}, {1, 1, 1, 1}});
  EXPECT_EQ(b.shape(p), (Shape{1, 64, 56, 56}));
  auto dw = b.conv2d(p, 64, 3, 2, kSamePadding, 64);
  EXPECT_EQ(b.shape(dw), (Shape{1, 64, 28, 28}));
  ConvSpec k17{.out_channels = 32, .kernel = {1, 7}};
  auto ns = b.conv(dw, k17);
  EXPECT_EQ(b.shape(ns), (Shape{1, 32, 28, 28}));
  auto up = b.upsample(ns, 2);
  EXPECT_EQ(b.shape(up), (Shape{1, 32, 56, 56}));
  auto cat = b.concat({up, p});
  EXPECT_EQ(b.shape(cat), (Shape{1, 96, 56, 56}));
  auto g = b.global_avg_pool(cat);
  auto f = b.flatten(g);
  auto fc = b.dense(f, 10);
  EXPECT_EQ(b.shape(fc), (Shape{1, 10}));
  b.output(b.softmax(fc));
  auto graph = std::move(b).finish();
  ASSERT_TRUE(graph.is_ok()) << graph.status().message();
}

TEST(Builder, Conv3dAndCeilPool) {
  GraphBuilder b("c3d", 7);
  auto x = b.input("x", Shape{1, 3, 16, 112, 112});
  auto c = b.conv(x, ConvSpec{.out_channels = 8, .kernel = {3, 3, 3}});
  EXPECT_EQ(b.shape(c), (Shape{1, 8, 16, 112, 112}));
  auto p = b.max_pool(c, PoolSpec{.kernel = {1, 2, 2}});
  EXPECT_EQ(b.shape(p), (Shape{1, 8, 16, 56, 56}));
  auto q = b.max_pool(b.input("y", Shape{1, 1, 7, 7}), PoolSpec{.kernel = {2, 2}, .ceil_mode = true});
  EXPECT_EQ(b.shape(q), (Shape{1, 1, 4, 4}));
}

TEST(Builder, FirstErrorNamesLayerAndIsKept) {
  GraphBuilder b("bad", 7);
  auto x = b.input("x", Shape{1, 3, 8, 8});
  auto y = b.input("y", Shape{1, 4, 8, 8});
  auto s = b.add(x, y, "sum");
  b.relu(s);
  b.output(s);
  auto r = std::move(b).finish();
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.status().message().find("layer 'sum' (Add)"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("do not broadcast"), std::string::npos);
}

TEST(Builder, SeededWeightsAreDeterministic) {
  auto make = [](uint64_t seed) {
    GraphBuilder b("w", seed);
    b.output(b.conv2d(b.input("x", Shape{1, 3, 8, 8}), 16, 3));
    return std::move(b).finish().value();
  };
  Graph a = make(1), b = make(1), c = make(2);
  const auto& wa = *a.values[a.nodes[0].inputs[1]].data;
  EXPECT_EQ(wa, *b.values[b.nodes[0].inputs[1]].data);
  EXPECT_NE(wa, *c.values[c.nodes[0].inputs[1]].data);
  // He-normal: stddev sqrt(2/27) ~ 0.27.
  double sq = 0;
  for (float w : wa) sq += w * w;
  EXPECT_NEAR(std::sqrt(sq / wa.size()), 0.272, 0.05);
}

}  // namespace
}  // namespace eb
