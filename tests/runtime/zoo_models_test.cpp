// Every zoo model on the native engine against the reference kernels, with
// no node left to the reference kernels by the native engine.
#include <gtest/gtest.h>

#include "runtime_test_util.h"
#include "zoo/zoo.h"

namespace eb::rt::testing {
namespace {

struct ZooCase {
  const char* id;
  int64_t input_size;  // 0: the model's default
};

// Reduced sizes: about the smallest each model accepts, so that the
// reference run stays short. Full size: mobilenet_v2, vgg_s_32, cifarnet.
const ZooCase kCases[] = {
    {"resnet18", 32},     {"resnet50", 32},     {"resnet101", 32},         {"xception", 32},
    {"mobilenet_v2", 0},  {"inception_v4", 75}, {"alexnet", 32},           {"vgg16", 32},
    {"vgg19", 32},        {"vgg_s_32", 0},      {"vgg_s_224", 64},         {"cifarnet", 0},
    {"ssd_mobilenet_v1", 64}, {"yolov3", 32},   {"tiny_yolo", 32},         {"c3d", 16},
};

class ZooModels : public ::testing::TestWithParam<ZooCase> {};

TEST_P(ZooModels, MatchReferenceOnOneDnn) {
  const ZooCase& c = GetParam();
  zoo::BuildOptions options;
  options.input_size = c.input_size;
  auto g = zoo::build(c.id, options);
  ASSERT_TRUE(g.is_ok()) << g.status().message();
  auto cmp = compare_with_reference(*g, options_with(std::make_shared<KernelRegistry>(default_registry())));
  ASSERT_TRUE(cmp.is_ok()) << c.id << ": " << cmp.status().message();
  EXPECT_LE(cmp->worst, kTolerance) << c.id;
  const EngineStats& st = cmp->engine->stats();
  EXPECT_EQ(st.reference_steps, 0) << c.id << " left nodes to the reference kernels";
  EXPECT_LE(st.arena_bytes, st.naive_bytes);
  EXPECT_TRUE(validate_memory_plan(cmp->engine->program(), cmp->engine->memory_plan()).is_ok());
}

TEST(ZooModelsList, EveryModelIsCovered) {
  for (const auto& m : zoo::models()) {
    bool found = false;
    for (const ZooCase& c : kCases) found = found || m.id == c.id;
    EXPECT_TRUE(found) << m.id << " has no case in zoo_models_test.cpp";
  }
}

INSTANTIATE_TEST_SUITE_P(All, ZooModels, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<ZooCase>& info) { return std::string(info.param.id); });

}  // namespace
}  // namespace eb::rt::testing
