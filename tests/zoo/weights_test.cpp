// Seeded weights: the same seed gives bit-identical weights, another seed
// different ones, and the values follow ZOO.md (He-normal convs, BN near
// identity). Small models and reduced sizes keep this fast.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>

#include "graph/analyzer.h"
#include "zoo/zoo.h"

namespace eb::zoo {
namespace {

bool same_weights(const Graph& a, const Graph& b) {
  if (a.values.size() != b.values.size()) return false;
  for (std::size_t i = 0; i < a.values.size(); ++i) {
    const Value& x = a.values[i];
    const Value& y = b.values[i];
    if (x.name != y.name || x.desc != y.desc || x.is_initializer() != y.is_initializer()) return false;
    if (x.is_initializer() && std::memcmp(x.data->data(), y.data->data(), x.data->size() * sizeof(float)) != 0) return false;
  }
  return true;
}

const Value& initializer(const Graph& g, const std::string& name) {
  const std::optional<ValueId> id = g.find_value(name);
  EXPECT_TRUE(id.has_value()) << name;
  return g.value(*id);
}

struct Case {
  const char* id;
  int64_t input_size;
};
void PrintTo(const Case& c, std::ostream* os) { *os << c.id; }

class SeedTest : public ::testing::TestWithParam<Case> {};

TEST_P(SeedTest, SameSeedGivesBitIdenticalWeights) {
  const Case& c = GetParam();
  Result<Graph> a = build(c.id, {.seed = 7, .input_size = c.input_size});
  Result<Graph> b = build(c.id, {.seed = 7, .input_size = c.input_size});
  ASSERT_TRUE(a.is_ok() && b.is_ok());
  EXPECT_TRUE(same_weights(*a, *b));
}

TEST_P(SeedTest, DifferentSeedGivesDifferentWeights) {
  const Case& c = GetParam();
  Result<Graph> a = build(c.id, {.seed = 7, .input_size = c.input_size});
  Result<Graph> b = build(c.id, {.seed = 8, .input_size = c.input_size});
  ASSERT_TRUE(a.is_ok() && b.is_ok());
  EXPECT_FALSE(same_weights(*a, *b));
  // Not just one tensor: every conv/FC weight differs.
  for (std::size_t i = 0; i < a->values.size(); ++i) {
    if (a->values[i].is_initializer() && a->values[i].data->size() > 16) {
      EXPECT_NE(*a->values[i].data, *b->values[i].data) << a->values[i].name;
    }
  }
}

// Models that are cheap to build with real weights (the big ones differ only
// in how many numbers they draw from the same generator).
INSTANTIATE_TEST_SUITE_P(Zoo, SeedTest,
                         ::testing::Values(Case{"cifarnet", 0}, Case{"mobilenet_v2", 64}, Case{"ssd_mobilenet_v1", 128}),
                         [](const ::testing::TestParamInfo<Case>& info) { return std::string(info.param.id); });

TEST(Weights, DefaultSeedIsTheDocumentedConstant) {
  Result<Graph> a = build("cifarnet");
  Result<Graph> b = build("cifarnet", {.seed = kDefaultSeed});
  ASSERT_TRUE(a.is_ok() && b.is_ok());
  EXPECT_TRUE(same_weights(*a, *b));
}

TEST(Weights, ConvWeightsAreHeNormal) {
  Result<Graph> g = build("resnet18", {.input_size = 32});
  ASSERT_TRUE(g.is_ok());
  const Value& w = initializer(*g, "layer4.0.conv2.weight");  // 512 x 512 x 3 x 3
  double sum = 0, sq = 0;
  for (float v : *w.data) {
    sum += v;
    sq += double(v) * v;
  }
  const double n = static_cast<double>(w.data->size());
  const double mean = sum / n, stddev = std::sqrt(sq / n - mean * mean);
  EXPECT_NEAR(mean, 0.0, 1e-3);
  EXPECT_NEAR(stddev, std::sqrt(2.0 / (512 * 9)), 0.01 * std::sqrt(2.0 / (512 * 9)));
}

TEST(Weights, BatchNormIsNearIdentityButNotExactly) {
  Result<Graph> g = build("cifarnet");
  ASSERT_TRUE(g.is_ok());
  const Value& var = initializer(*g, "bn1.var");
  bool jittered = false;
  for (float v : *var.data) {
    EXPECT_GT(v, 0.8f);
    EXPECT_LT(v, 1.2f);
    jittered |= v != 1.0f;
  }
  EXPECT_TRUE(jittered) << "folding BN must change something";
}

TEST(Weights, ZeroWeightsKeepTheStructure) {
  Result<Graph> seeded = build("mobilenet_v2", {.input_size = 64});
  Result<Graph> zeros = build("mobilenet_v2", {.input_size = 64, .weights = WeightInit::zeros});
  ASSERT_TRUE(seeded.is_ok() && zeros.is_ok());
  ASSERT_EQ(seeded->values.size(), zeros->values.size());
  for (std::size_t i = 0; i < seeded->values.size(); ++i) {
    EXPECT_EQ(seeded->values[i].name, zeros->values[i].name);
    EXPECT_EQ(seeded->values[i].desc, zeros->values[i].desc);
    if (zeros->values[i].is_initializer()) {
      for (float v : *zeros->values[i].data) ASSERT_EQ(v, 0.0f) << zeros->values[i].name;
    }
  }
  const ModelInfo a = analyze(*seeded), b = analyze(*zeros);
  EXPECT_EQ(a.params, b.params);
  EXPECT_EQ(a.macs, b.macs);
}

}  // namespace
}  // namespace eb::zoo
