// The .weights layout: header variants, per-layer order, truncation.
#include <gtest/gtest.h>

#include <numeric>

#include "formats/darknet/darknet.h"

namespace eb::darknet_format {
namespace {

std::vector<float> iota(std::size_t n, float start) {
  std::vector<float> v(n);
  std::iota(v.begin(), v.end(), start);
  return v;
}

Result<DarknetModel> import_with(const std::string& text, std::string bytes) {
  EB_ASSIGN_OR_RETURN(const CfgFile cfg, parse_cfg(text));
  EB_ASSIGN_OR_RETURN(WeightsReader reader, WeightsReader::open(std::move(bytes), "test.weights"));
  return import_darknet(cfg, &reader);
}

const std::vector<float>& data(const Graph& g, const Node& n, std::size_t input) { return *g.value(n.inputs[input]).data; }

constexpr const char* kConvBn =
    "[net]\nwidth=2\nheight=2\nchannels=2\n"
    "[convolutional]\nbatch_normalize=1\nfilters=3\nsize=1\nactivation=leaky\n";

TEST(DarknetWeights, HeaderSeenIs64BitFromVersion02) {
  for (const WeightsHeader h : {WeightsHeader{0, 2, 0, 1234567890123ull}, WeightsHeader{0, 1, 0, 77}, WeightsHeader{1, 0, 0, 5}}) {
    WeightsWriter w(h);
    EXPECT_EQ(w.bytes().size(), h.seen_is_64bit() ? 20u : 16u);
    auto r = WeightsReader::open(w.bytes(), "x");
    ASSERT_TRUE(r.is_ok());
    EXPECT_EQ(r->header().seen, h.seen);
    EXPECT_EQ(r->floats_left(), 0);
  }
  EXPECT_TRUE((WeightsHeader{0, 2, 0, 0}).seen_is_64bit());
  EXPECT_FALSE((WeightsHeader{0, 1, 0, 0}).seen_is_64bit());
  EXPECT_FALSE((WeightsHeader{0, 1001, 0, 0}).seen_is_64bit());  // the transposed-FC marker
  EXPECT_FALSE(WeightsReader::open(std::string(10, '\0'), "x").is_ok());
}

TEST(DarknetWeights, ConvolutionReadsBiasesBnStatisticsThenWeights) {
  WeightsWriter w;
  w.append(iota(3, 100));  // biases = BN shift
  w.append(iota(3, 200));  // scales
  w.append(iota(3, 300));  // rolling mean
  w.append(iota(3, 400));  // rolling variance
  w.append(iota(6, 1));    // weights [3][2][1][1]
  auto m = import_with(kConvBn, w.bytes());
  ASSERT_TRUE(m.is_ok()) << m.status().message();
  const Graph& g = m->graph;
  ASSERT_EQ(g.nodes[1].op, OpKind::BatchNorm);
  EXPECT_EQ(data(g, g.nodes[0], 1), iota(6, 1));
  EXPECT_EQ(data(g, g.nodes[1], 1), iota(3, 200));  // scale
  EXPECT_EQ(data(g, g.nodes[1], 2), iota(3, 100));  // shift
  EXPECT_EQ(data(g, g.nodes[1], 3), iota(3, 300));  // mean
  EXPECT_EQ(data(g, g.nodes[1], 4), iota(3, 400));  // variance
}

TEST(DarknetWeights, ConnectedReadsBiasesWeightsThenBn) {
  const char* cfg = "[net]\ninputs=2\n[connected]\noutput=3\nbatch_normalize=1\n[connected]\noutput=2\nactivation=linear\n";
  WeightsWriter w;
  for (auto [n, start] : {std::pair{3, 10.0f}, {6, 20.0f}, {3, 30.0f}, {3, 40.0f}, {3, 50.0f}, {2, 60.0f}, {6, 70.0f}})
    w.append(iota(static_cast<std::size_t>(n), start));
  auto m = import_with(cfg, w.bytes());
  ASSERT_TRUE(m.is_ok()) << m.status().message();
  const Graph& g = m->graph;
  ASSERT_EQ(g.nodes[0].op, OpKind::Gemm);
  EXPECT_EQ(data(g, g.nodes[0], 1), iota(6, 20));  // [out][in]
  EXPECT_EQ(data(g, g.nodes[1], 1), iota(3, 30));  // scale
  EXPECT_EQ(data(g, g.nodes[1], 2), iota(3, 10));  // shift = the biases
  EXPECT_EQ(data(g, g.nodes[1], 4), iota(3, 50));  // variance
  const Node& fc2 = g.nodes[3];
  EXPECT_EQ(data(g, fc2, 2), iota(2, 60));
  EXPECT_EQ(data(g, fc2, 1), iota(6, 70));
}

TEST(DarknetWeights, TransposedConnectedFiles) {
  const char* cfg = "[net]\ninputs=2\n[connected]\noutput=3\nactivation=linear\n";
  WeightsWriter w(WeightsHeader{0, 1001, 0, 0});
  w.append({0, 0, 0});
  w.append({1, 2, 3, 4, 5, 6});  // [in=2][out=3]
  auto m = import_with(cfg, w.bytes());
  ASSERT_TRUE(m.is_ok()) << m.status().message();
  EXPECT_EQ(data(m->graph, m->graph.nodes[0], 1), (std::vector<float>{1, 4, 2, 5, 3, 6}));
}

TEST(DarknetWeights, TruncatedFilesSayWhereTheyEnd) {
  WeightsWriter w;
  w.append(iota(3 * 4 + 5, 0));  // one weight short
  auto m = import_with(kConvBn, w.bytes());
  ASSERT_FALSE(m.is_ok());
  EXPECT_EQ(m.status().code(), ErrorCode::invalid_argument);
  EXPECT_NE(m.status().message().find("layer 0 weights needs 6 floats"), std::string::npos) << m.status().message();
  EXPECT_NE(m.status().message().find("only 5 left"), std::string::npos) << m.status().message();
}

TEST(DarknetWeights, TrailingBytesAreAnErrorUnlessAllowed) {
  WeightsWriter w;
  w.append(iota(3 * 4 + 6 + 1, 0));
  auto m = import_with(kConvBn, w.bytes());
  ASSERT_FALSE(m.is_ok());
  EXPECT_NE(m.status().message().find("4 bytes left after the last layer"), std::string::npos) << m.status().message();
  auto cfg = parse_cfg(kConvBn);
  auto reader = WeightsReader::open(w.bytes(), "x");
  DarknetOptions lenient;
  lenient.allow_trailing_weights = true;
  EXPECT_TRUE(import_darknet(*cfg, &*reader, lenient).is_ok());
}

TEST(DarknetWeights, ZeroWeightsModeNeedsNoFile) {
  DarknetOptions zeros;
  zeros.zero_weights = true;
  auto g = import_darknet_cfg_text(kConvBn, zeros);
  ASSERT_TRUE(g.is_ok()) << g.status().message();
  EXPECT_EQ(data(*g, g->nodes[0], 1), std::vector<float>(6, 0.0f));
}

}  // namespace
}  // namespace eb::darknet_format
