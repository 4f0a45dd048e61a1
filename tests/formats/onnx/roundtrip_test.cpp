// Round trips: export -> import gives the same graph (ops, order, attrs,
// names, shapes) with bit-identical weights.
#include <gtest/gtest.h>

#include <cstdlib>
#include <iostream>

#include "formats/onnx/onnx.h"
#include "support.h"
#ifdef EB_HAVE_ZOO
#include "zoo/zoo.h"
#endif

namespace eb::onnx_format {
namespace {

void expect_round_trip(const Graph& g) {
  auto bytes = export_onnx(g);
  ASSERT_TRUE(bytes.is_ok()) << bytes.status().message();
  auto back = import_onnx_bytes(bytes.value(), g.name);
  ASSERT_TRUE(back.is_ok()) << back.status().message();
  EXPECT_TRUE(onnx_test::same_graph(g, back.value()));
  // And the re-export is byte-identical: nothing drifts on a second trip.
  auto again = export_onnx(back.value());
  ASSERT_TRUE(again.is_ok()) << again.status().message();
  EXPECT_TRUE(again.value() == bytes.value()) << "second export differs";
}

TEST(OnnxRoundTrip, EveryOpGraph) {
  for (const auto& [label, graph] : onnx_test::every_op_graphs()) {
    SCOPED_TRACE(label);
    expect_round_trip(graph);
  }
}

TEST(OnnxRoundTrip, CoversEveryOpOfTheIr) {
  std::vector<bool> seen(kOpCount, false);
  for (const auto& [label, graph] : onnx_test::every_op_graphs())
    for (const Node& n : graph.nodes) seen[static_cast<int>(n.op)] = true;
  for (int k = 0; k < kOpCount; ++k) EXPECT_TRUE(seen[k]) << "no test graph uses " << op_name(static_cast<OpKind>(k));
}

#ifdef EB_HAVE_ZOO
// Zoo models at a small input size keep the test fast; the structure (and so
// every op mapping) is the same as at full size. Large ones are built with
// zero weights, which exercises the same code at a fraction of the cost.
TEST(OnnxRoundTrip, ZooModels) {
  int tried = 0;
  for (const zoo::ModelEntry& m : zoo::models()) {
    SCOPED_TRACE(std::string(m.id));
    zoo::BuildOptions opt;
    const bool three_d = m.input.rank() == 5;
    opt.input_size = three_d ? 0 : (m.input[2] >= 224 ? 64 : 0);
    opt.weights = WeightInit::zeros;
    auto probe = zoo::build(m.id, opt);
    if (!probe.is_ok()) {  // too small for this model: use its default size
      opt.input_size = 0;
      probe = zoo::build(m.id, opt);
    }
    ASSERT_TRUE(probe.is_ok()) << probe.status().message();
    int64_t params = 0;
    for (const Value& v : probe->values)
      if (v.is_initializer()) params += v.desc.shape.numel();
    if (params > 12'000'000) continue;  // seconds of copying, nothing new to learn
    if (params < 5'000'000) {
      opt.weights = WeightInit::random;
      probe = zoo::build(m.id, opt);
      ASSERT_TRUE(probe.is_ok());
    }
    ++tried;
    std::cout << "[ zoo      ] " << m.id << ": " << params << " parameters\n";
    expect_round_trip(probe.value());
  }
  EXPECT_GE(tried, 4);
}

// Opt-in (EB_ONNX_SLOW=1): every zoo model at its full size, zero weights.
// Minutes and a few GB of memory: the big VGGs are over 500 MB each.
TEST(OnnxRoundTrip, AllZooModelsAtFullSize) {
  if (!std::getenv("EB_ONNX_SLOW")) GTEST_SKIP() << "set EB_ONNX_SLOW=1 to round-trip every zoo model at full size";
  for (const zoo::ModelEntry& m : zoo::models()) {
    SCOPED_TRACE(std::string(m.id));
    zoo::BuildOptions opt;
    opt.weights = WeightInit::zeros;
    auto g = zoo::build(m.id, opt);
    ASSERT_TRUE(g.is_ok()) << g.status().message();
    std::cout << "[ zoo      ] " << m.id << "\n" << std::flush;
    expect_round_trip(g.value());
  }
}
#endif

}  // namespace
}  // namespace eb::onnx_format
