#include <gtest/gtest.h>

#include "graph/builder.h"
#include "graph/graph.h"

namespace eb {
namespace {

TEST(Shape, NumelAndString) {
  Shape s{1, 3, 224, 224};
  EXPECT_EQ(s.numel(), 150528);
  EXPECT_EQ(s.to_string(), "1x3x224x224");
  EXPECT_EQ(Shape{}.numel(), 1);
}

TEST(OpTable, NamesRoundTrip) {
  for (int k = 0; k < kOpCount; ++k) {
    const auto kind = static_cast<OpKind>(k);
    EXPECT_EQ(schema(kind).kind, kind) << op_name(kind);
    EXPECT_EQ(op_from_name(op_name(kind)), kind);
  }
  EXPECT_FALSE(op_from_name("NoSuchOp").has_value());
}

TEST(SamePads, MatchesTensorFlowRule) {
  int64_t b = 0, e = 0;
  same_pads(224, 7, 2, 1, b, e);  // out 112: total = 111*2+7-224 = 5
  EXPECT_EQ(b, 2);
  EXPECT_EQ(e, 3);
  same_pads(5, 3, 1, 1, b, e);
  EXPECT_EQ(b, 1);
  EXPECT_EQ(e, 1);
}

Graph tiny_graph() {
  GraphBuilder b("tiny", 1);
  auto x = b.input("x", Shape{1, 3, 8, 8});
  x = b.conv2d(x, 4, 3, 1, 1, 1, true, "c");
  x = b.relu(x, "r");
  b.output(x);
  return std::move(b).finish().value();
}

TEST(Graph, ValidateNamesNodeAtFault) {
  Graph g = tiny_graph();
  ASSERT_TRUE(g.validate_and_infer().is_ok());
  // Break the conv's weight shape: the error must name graph, node and tensors.
  g.values[g.nodes[0].inputs[1]].desc.shape = Shape{4, 2, 3, 3};
  g.values[g.nodes[0].inputs[1]].data = std::make_shared<const std::vector<float>>(72, 0.0f);
  Status st = g.validate_and_infer();
  ASSERT_FALSE(st.is_ok());
  EXPECT_NE(st.message().find("graph 'tiny'"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("node 'c' (Conv)"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("input channels"), std::string::npos) << st.message();
}

TEST(Graph, RejectsUseBeforeDefinition) {
  Graph g = tiny_graph();
  std::swap(g.nodes[0], g.nodes[1]);
  Status st = g.validate_and_infer();
  ASSERT_FALSE(st.is_ok());
  EXPECT_NE(st.message().find("used before it is produced"), std::string::npos) << st.message();
}

TEST(Graph, RejectsWrongArityAndBadInitializerSize) {
  Graph g = tiny_graph();
  g.nodes[1].inputs.push_back(g.nodes[1].inputs[0]);
  EXPECT_EQ(g.validate_and_infer().code(), ErrorCode::invalid_argument);
  Graph h = tiny_graph();
  h.values[h.nodes[0].inputs[1]].data = std::make_shared<const std::vector<float>>(3, 0.0f);
  Status st = h.validate_and_infer();
  ASSERT_FALSE(st.is_ok());
  EXPECT_NE(st.message().find("c.weight"), std::string::npos) << st.message();
}

TEST(Graph, ProducersAndConsumers) {
  Graph g = tiny_graph();
  auto p = g.producers();
  auto c = g.consumers();
  EXPECT_EQ(p[g.nodes[1].outputs[0]], 1);
  EXPECT_EQ(p[g.inputs[0]], -1);
  ASSERT_EQ(c[g.nodes[0].outputs[0]].size(), 1u);
  EXPECT_EQ(c[g.nodes[0].outputs[0]][0], 1);
}

}  // namespace
}  // namespace eb
