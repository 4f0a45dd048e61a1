// The darknet backend: capabilities, small graphs and zoo models (reduced
// sizes) verified against the reference kernels, what Darknet cannot express
// refused before libdarknet sees it, threads, per-layer profile.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <ostream>
#include <set>

#include "../backend_test_util.h"
#include "backends/darknet/darknet_backend.h"

namespace eb {
namespace {

using backend_test::check;
using backend_test::describe;
using verify::Outcome;

TEST(DarknetBackend, Capabilities) {
  auto backend = make_darknet_backend();
  EXPECT_EQ(backend->id(), "darknet");
  const Capabilities c = backend->capabilities();
  EXPECT_TRUE(c.built);
  EXPECT_EQ(c.version.rfind("pjreddie darknet ", 0), 0u) << c.version;
  EXPECT_EQ(c.devices, std::vector<std::string>{"cpu"});
  EXPECT_EQ(c.precisions, std::vector<std::string>{"fp32"});
  ASSERT_TRUE(c.config.count("threads"));
  ASSERT_TRUE(c.config.count("openmp"));
  if (c.config.at("openmp").rfind("no", 0) == 0) {
    EXPECT_EQ(c.config.at("threads"), "1");
    ASSERT_TRUE(c.config.count("max_threads")) << "callers cap their thread count by it (bench/backends_side_by_side)";
    EXPECT_EQ(c.config.at("max_threads"), "1");
  }
}

TEST(DarknetBackend, SmallGraphsMatchTheReference) {
  auto backend = make_darknet_backend();
  for (const Graph& g : {backend_test::small_cnn(), backend_test::branches()}) {
    const auto c = check(*backend, g);
    EXPECT_EQ(c.outcome, Outcome::pass) << g.name << ": " << describe(c);
    EXPECT_EQ(c.outputs.size(), g.outputs.size());
  }
}

// libdarknet computes a 1x1 convolution with stride > 1 as if its stride
// were 1 (it skips im2col for 1x1 kernels); the backend subsamples first.
TEST(DarknetBackend, StridedPointwiseConvolution) {
  GraphBuilder b("strided_1x1", 6);
  auto x = b.input("x", {1, 4, 9, 9});
  auto y = b.conv2d(x, 6, 1, 2, 0);
  b.output(b.add(y, b.conv2d(x, 6, 3, 2, 1)));
  const Graph g = backend_test::finish(std::move(b));
  auto backend = make_darknet_backend();
  const auto c = check(*backend, g);
  EXPECT_EQ(c.outcome, Outcome::pass) << describe(c);
}

struct ZooCase {
  const char* id;
  int64_t size;
  bool expressible;  // false: unsupported("cannot express ...")
  const char* why = "";
};

// Names the case in gtest's output ("resnet18@64").
void PrintTo(const ZooCase& z, std::ostream* os) { *os << z.id << "@" << z.size; }

class DarknetZoo : public ::testing::TestWithParam<ZooCase> {};

TEST_P(DarknetZoo, VerifiesOrIsRefused) {
  const ZooCase& z = GetParam();
  const Graph g = backend_test::zoo_model(z.id, z.size);
  auto backend = make_darknet_backend();
  const auto c = check(*backend, g, verify::kDefaultTolerance);
  if (z.expressible) {
    EXPECT_EQ(c.outcome, Outcome::pass) << describe(c);
  } else {
    EXPECT_EQ(c.outcome, Outcome::unsupported) << describe(c);
    EXPECT_NE(c.message.find("cannot express"), std::string::npos) << c.message;
    EXPECT_NE(c.message.find(z.why), std::string::npos) << c.message;
    EXPECT_EQ(backend->supports(g, {}).code(), ErrorCode::unsupported);
  }
}

// alexnet: the study's variant pads conv1 asymmetrically (and has LRN, which
// Darknet's [normalization] does not compute the ONNX way); mobilenet_v2:
// ReLU6, which Darknet's activations lack.
INSTANTIATE_TEST_SUITE_P(Zoo, DarknetZoo,
                         ::testing::Values(ZooCase{"resnet18", 64, true}, ZooCase{"tiny_yolo", 64, true},
                                           ZooCase{"cifarnet", 0, true}, ZooCase{"alexnet", 64, false, "conv1"},
                                           ZooCase{"mobilenet_v2", 64, false, "Clip"}),
                         [](const auto& info) { return std::string(info.param.id); });

TEST(DarknetBackend, ThreadsBeyondWhatItHasAreUnsupported) {
  auto backend = make_darknet_backend();
  if (backend->capabilities().config.at("openmp").rfind("no", 0) != 0) GTEST_SKIP() << "libdarknet built with OpenMP";
  const Graph g = backend_test::small_cnn();
  BackendOptions two;
  two.threads = 2;
  EXPECT_EQ(backend->supports(g, two).code(), ErrorCode::unsupported);
  EXPECT_EQ(backend->prepare(g, two).status().code(), ErrorCode::unsupported);
  BackendOptions one;
  one.threads = 1;
  EXPECT_TRUE(backend->prepare(g, one).is_ok());
  EXPECT_TRUE(backend->prepare(g, {}).is_ok()) << "0 means all it has";
}

TEST(DarknetBackend, RefusesWhatItCannotRun) {
  auto backend = make_darknet_backend();
  const Graph g = backend_test::small_cnn();
  BackendOptions cuda;
  cuda.device = "cuda";
  EXPECT_EQ(backend->supports(g, cuda).code(), ErrorCode::unsupported);
  BackendOptions int8;
  int8.precision = "int8";
  EXPECT_EQ(backend->supports(g, int8).code(), ErrorCode::unsupported);
  // Two graph inputs: no Darknet network has that.
  GraphBuilder b("two_inputs", 1);
  auto x = b.input("x", {1, 2, 4, 4});
  auto y = b.input("y", {1, 2, 4, 4});
  b.output(b.add(b.conv2d(x, 2, 1, 1, 0), b.conv2d(y, 2, 1, 1, 0)));
  const Graph two = backend_test::finish(std::move(b));
  auto prepared = backend->prepare(two, {});
  EXPECT_EQ(prepared.status().code(), ErrorCode::unsupported);
  EXPECT_NE(prepared.status().message().find("cannot express"), std::string::npos) << prepared.status().message();
}

TEST(DarknetBackend, LeavesNoFilesBehind) {
  namespace fs = std::filesystem;
  // A private TMPDIR: other test processes may be preparing models meanwhile.
  const fs::path tmp = fs::temp_directory_path() / ("eb_darknet_tmp_" + std::to_string(::getpid()));
  fs::remove_all(tmp);
  fs::create_directories(tmp);
  const char* old = std::getenv("TMPDIR");
  const std::string saved = old ? old : "";
  ::setenv("TMPDIR", tmp.c_str(), 1);
  auto backend = make_darknet_backend();
  auto model = backend->prepare(backend_test::small_cnn(), {});
  if (old) ::setenv("TMPDIR", saved.c_str(), 1);
  else ::unsetenv("TMPDIR");
  ASSERT_TRUE(model.is_ok()) << model.status().message();
  EXPECT_TRUE(fs::is_empty(tmp)) << "the cfg and weights should be gone once loaded";
  fs::remove_all(tmp);
}

TEST(DarknetBackend, BadCallsAreErrors) {
  auto backend = make_darknet_backend();
  backend_test::expect_bad_calls_are_errors(*backend);
}

TEST(DarknetBackend, ProfileTimesEveryLayer) {
  const Graph g = backend_test::zoo_model("tiny_yolo", 64);
  auto backend = make_darknet_backend();
  auto model = backend->prepare(g, {});
  ASSERT_TRUE(model.is_ok()) << model.status().message();
  const auto inputs = verify::seeded_inputs(g, 1);
  ASSERT_TRUE((*model)->set_input(0, inputs[0]).is_ok());
  ASSERT_TRUE((*model)->invoke().is_ok());
  const std::vector<float> predicted = *(*model)->output(0);
  auto profile = (*model)->profile();
  ASSERT_TRUE(profile.is_ok()) << profile.status().message();
  // yolov2-tiny-voc: 9 convolutional + 6 maxpool layers.
  int convs = 0, pools = 0;
  double total = 0;
  for (const NodeTiming& t : *profile) {
    convs += t.op == "convolutional" && t.category == "convolution";
    pools += t.op == "maxpool" && t.category == "pooling";
    total += t.ms;
  }
  EXPECT_EQ(convs, 9);
  EXPECT_EQ(pools, 6);
  EXPECT_GT(total, 0.0);
  EXPECT_NE(profile->back().node.find(g.value(g.outputs[0]).name), std::string::npos) << profile->back().node;
  // The timed loop computes exactly what network_predict does.
  EXPECT_EQ(*(*model)->output(0), predicted);
}

}  // namespace
}  // namespace eb
