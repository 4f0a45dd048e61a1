#include <gtest/gtest.h>

#include "graph/builder.h"
#include "test_util.h"

namespace eb::ref::testing {
namespace {

// A small network touching most ops: conv, BN, ReLU, pool, a residual Add, a
// concat, global pool, dense, softmax.
Graph small_net() {
  GraphBuilder b("small", 42);
  const ValueId x = b.input("x", Shape{1, 3, 8, 8});
  ValueId y = b.relu(b.batch_norm(b.conv2d(x, 8, 3, 1)));
  const ValueId skip = y;
  y = b.leaky_relu(b.conv2d(y, 8, 3, 1));
  y = b.add(y, skip);
  y = b.concat({y, b.relu6(skip)}, 1);
  y = b.max_pool2d(y, 2, 2);
  y = b.global_avg_pool(y);
  y = b.flatten(y);
  y = b.softmax(b.dense(y, 5));
  b.output(y);
  auto g = std::move(b).finish();
  EXPECT_TRUE(g.is_ok()) << g.status().message();
  return std::move(g).value();
}

std::vector<float> random_input(const Shape& s, uint64_t seed) {
  Rng rng(seed);
  return random(s, rng).data;
}

TEST(RunGraphTest, MatchesNodeByNodeExecution) {
  const Graph g = small_net();
  const std::vector<float> in = random_input(g.value(g.inputs[0]).desc.shape, 1);
  auto out = run_graph(g, {in});
  ASSERT_TRUE(out.is_ok()) << out.status().message();
  ASSERT_EQ(out->size(), 1u);

  // Re-run by hand, keeping every value.
  std::vector<std::vector<float>> buf(g.values.size());
  buf[g.inputs[0]] = in;
  for (std::size_t i = 0; i < g.values.size(); ++i)
    if (g.values[i].is_initializer()) buf[i] = *g.values[i].data;
  for (const Node& node : g.nodes) {
    std::vector<ConstTensorView> views;
    for (ValueId id : node.inputs) views.emplace_back(buf[id].data(), g.value(id).desc.shape);
    const Shape& s = g.value(node.outputs[0]).desc.shape;
    buf[node.outputs[0]].resize(static_cast<std::size_t>(s.numel()));
    ASSERT_TRUE(run_node(node, views, TensorView{buf[node.outputs[0]].data(), s}).is_ok());
  }
  EXPECT_EQ((*out)[0], buf[g.outputs[0]]);
  double sum = 0;
  for (float v : (*out)[0]) sum += v;
  EXPECT_NEAR(sum, 1.0, 1e-5);
}

TEST(RunGraphTest, IsDeterministic) {
  const Graph g = small_net();
  const std::vector<float> in = random_input(Shape{1, 3, 8, 8}, 2);
  auto a = run_graph(g, {in});
  auto b = run_graph(g, {in});
  ASSERT_TRUE(a.is_ok() && b.is_ok());
  EXPECT_EQ(*a, *b);
}

TEST(RunGraphTest, SeveralOutputsIncludingAnInput) {
  GraphBuilder b("multi", 1);
  const ValueId x = b.input("x", Shape{2, 2});
  const ValueId r = b.relu(x);
  b.output(r);
  b.output(x);
  b.output(b.add(r, r));
  auto g = std::move(b).finish();
  ASSERT_TRUE(g.is_ok());
  auto out = run_graph(*g, {{-1, 2, -3, 4}});
  ASSERT_TRUE(out.is_ok()) << out.status().message();
  ASSERT_EQ(out->size(), 3u);
  EXPECT_EQ((*out)[0], (std::vector<float>{0, 2, 0, 4}));
  EXPECT_EQ((*out)[1], (std::vector<float>{-1, 2, -3, 4}));
  EXPECT_EQ((*out)[2], (std::vector<float>{0, 4, 0, 8}));
}

TEST(RunGraphTest, RejectsWrongInputCountAndSize) {
  const Graph g = small_net();
  auto none = run_graph(g, {});
  EXPECT_EQ(none.status().code(), ErrorCode::invalid_argument);
  EXPECT_NE(none.status().message().find("expects 1 inputs"), std::string::npos) << none.status().message();
  auto small = run_graph(g, {std::vector<float>(10)});
  EXPECT_EQ(small.status().code(), ErrorCode::invalid_argument);
  EXPECT_NE(small.status().message().find("'x'"), std::string::npos) << small.status().message();
  EXPECT_NE(small.status().message().find("192"), std::string::npos) << small.status().message();
}

TEST(RunGraphTest, RejectsNonFloatInput) {
  Graph g = small_net();
  g.values[g.inputs[0]].desc.dtype = DType::i8;
  auto out = run_graph(g, {std::vector<float>(192)});
  EXPECT_EQ(out.status().code(), ErrorCode::unsupported);
}

TEST(RunGraphTest, ErrorsNameTheNode) {
  Graph g = small_net();
  g.nodes[0].attrs = LrnAttrs{};  // wrong attrs for a Conv
  auto out = run_graph(g, {std::vector<float>(192)});
  ASSERT_FALSE(out.is_ok());
  EXPECT_NE(out.status().message().find("graph 'small'"), std::string::npos) << out.status().message();
  EXPECT_NE(out.status().message().find("(Conv)"), std::string::npos) << out.status().message();
}

TEST(RunGraphTest, RejectsAnInvalidGraph) {
  Graph g = small_net();
  std::swap(g.nodes[0], g.nodes[1]);  // no longer topological
  auto out = run_graph(g, {std::vector<float>(192)});
  EXPECT_EQ(out.status().code(), ErrorCode::invalid_argument);
}

TEST(RunGraphTest, ThreeDimensionalNetwork) {
  // A C3D-like slice: conv3d, pool3d, and the same numbers as node-by-node.
  GraphBuilder b("c3d_slice", 3);
  const ValueId x = b.input("clip", Shape{1, 3, 4, 8, 8});
  ConvSpec cs;
  cs.out_channels = 4;
  cs.kernel = {3, 3, 3};
  ValueId y = b.relu(b.conv(x, cs));
  y = b.max_pool(y, PoolSpec{{1, 2, 2}, {1, 2, 2}, {}, false, false});
  y = b.max_pool(y, PoolSpec{{2, 2, 2}, {2, 2, 2}, {}, false, false});
  b.output(y);
  auto g = std::move(b).finish();
  ASSERT_TRUE(g.is_ok()) << g.status().message();
  auto out = run_graph(*g, {random_input(Shape{1, 3, 4, 8, 8}, 4)});
  ASSERT_TRUE(out.is_ok()) << out.status().message();
  EXPECT_EQ((*out)[0].size(), 4u * 2 * 2 * 2);
}

}  // namespace
}  // namespace eb::ref::testing
