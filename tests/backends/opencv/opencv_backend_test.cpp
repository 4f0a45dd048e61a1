// The opencv backend: capabilities, small graphs and zoo models (reduced
// sizes) verified against the reference kernels, threads, bound input,
// refusals as `unsupported` with OpenCV's message, per-layer profile.
#include <gtest/gtest.h>

#include <iostream>
#include <ostream>
#include <set>

#include "../backend_test_util.h"
#include "backends/opencv/opencv_backend.h"

namespace eb {
namespace {

using backend_test::check;
using backend_test::describe;
using verify::Outcome;

TEST(OpenCvBackend, Capabilities) {
  auto backend = make_opencv_backend();
  EXPECT_EQ(backend->id(), "opencv");
  const Capabilities c = backend->capabilities();
  EXPECT_TRUE(c.built);
  EXPECT_EQ(c.version.rfind("4.", 0), 0u) << c.version;  // Debian 12 ships 4.6
  EXPECT_EQ(c.devices, std::vector<std::string>{"cpu"});
  EXPECT_EQ(c.precisions, std::vector<std::string>{"fp32"});
  for (const char* key : {"threads", "parallel_framework", "opencl_built", "dnn_backend", "dnn_target"})
    EXPECT_TRUE(c.config.count(key)) << key;
  EXPECT_NE(c.config.at("parallel_framework"), "unknown");
  EXPECT_GE(std::stoi(c.config.at("threads")), 1);
}

TEST(OpenCvBackend, SmallGraphsMatchTheReference) {
  auto backend = make_opencv_backend();
  for (const Graph& g : {backend_test::small_cnn(), backend_test::branches()}) {
    const auto c = check(*backend, g);
    EXPECT_EQ(c.outcome, Outcome::pass) << g.name << ": " << describe(c);
    EXPECT_EQ(c.outputs.size(), g.outputs.size());
  }
}

// ReLU6 is Clip(0, 6), which OpenCV 4.6 reads only in its opset-10 form.
TEST(OpenCvBackend, Relu6GoesOutAtOpset10) {
  GraphBuilder b("relu6", 3);
  auto x = b.input("x", {1, 3, 8, 8});
  b.output(b.relu6(b.conv2d(x, 4, 3)));
  const Graph g = backend_test::finish(std::move(b));
  auto backend = make_opencv_backend();
  const auto c = check(*backend, g);
  EXPECT_EQ(c.outcome, Outcome::pass) << describe(c);
  EXPECT_EQ(backend->capabilities().config.at("onnx_opset"), "10");
}

// An in-place first layer must not clobber the bound input: the second
// invoke (what every timed iteration is) must compute the same.
TEST(OpenCvBackend, BoundInputSurvivesInvokes) {
  GraphBuilder b("relu_first", 4);
  auto x = b.input("x", {1, 2, 4, 4});
  b.output(b.conv2d(b.relu(x), 2, 1, 1, 0));
  const Graph g = backend_test::finish(std::move(b));
  auto backend = make_opencv_backend();
  const auto c = check(*backend, g);  // invokes twice, compares both
  EXPECT_EQ(c.outcome, Outcome::pass) << describe(c);
  EXPECT_EQ(c.message, "") << "outputs changed between invokes";
}

struct ZooCase {
  const char* id;
  int64_t size;
};

// Names the case in gtest's output ("resnet18@64").
void PrintTo(const ZooCase& z, std::ostream* os) { *os << z.id << "@" << z.size; }

class OpenCvZoo : public ::testing::TestWithParam<ZooCase> {};

TEST_P(OpenCvZoo, VerifiesAgainstTheReference) {
  const Graph g = backend_test::zoo_model(GetParam().id, GetParam().size);
  auto backend = make_opencv_backend();
  const auto c = check(*backend, g, verify::kDefaultTolerance);
  EXPECT_EQ(c.outcome, Outcome::pass) << describe(c);
}

INSTANTIATE_TEST_SUITE_P(Zoo, OpenCvZoo,
                         ::testing::Values(ZooCase{"resnet18", 64}, ZooCase{"mobilenet_v2", 64}, ZooCase{"alexnet", 64},
                                           ZooCase{"tiny_yolo", 64}, ZooCase{"cifarnet", 0}),
                         [](const auto& info) { return std::string(info.param.id); });

TEST(OpenCvBackend, ThreadsAreApplied) {
  const Graph g = backend_test::small_cnn();
  auto backend = make_opencv_backend();
  for (int threads : {1, 2}) {
    BackendOptions o;
    o.threads = threads;
    auto model = backend->prepare(g, o);
    ASSERT_TRUE(model.is_ok()) << model.status().message();
    EXPECT_EQ(backend->capabilities().config.at("threads"), std::to_string(threads));
  }
}

TEST(OpenCvBackend, RefusesWhatItCannotRun) {
  auto backend = make_opencv_backend();
  const Graph g = backend_test::small_cnn();
  BackendOptions cuda;
  cuda.device = "cuda";
  EXPECT_EQ(backend->supports(g, cuda).code(), ErrorCode::unsupported);
  BackendOptions fp16;
  fp16.precision = "fp16";
  EXPECT_EQ(backend->supports(g, fp16).code(), ErrorCode::unsupported);

  // OpenCV 4.6 has no 3-D global average pooling: its own message, as unsupported.
  GraphBuilder b("conv3d_gap", 5);
  auto x = b.input("x", {1, 2, 4, 8, 8});
  ConvSpec spec;
  spec.out_channels = 4;
  spec.kernel = {3, 3, 3};
  b.output(b.flatten(b.global_avg_pool(b.conv(x, spec))));
  const Graph g3 = backend_test::finish(std::move(b));
  auto prepared = backend->prepare(g3, {});
  ASSERT_FALSE(prepared.is_ok());
  EXPECT_EQ(prepared.status().code(), ErrorCode::unsupported) << prepared.status().message();
  EXPECT_EQ(prepared.status().message().rfind("OpenCV: ", 0), 0u) << prepared.status().message();
  std::cout << "[ OpenCV   ] 3-D global pooling refused: " << prepared.status().message() << "\n";
}

TEST(OpenCvBackend, BadCallsAreErrors) {
  auto backend = make_opencv_backend();
  backend_test::expect_bad_calls_are_errors(*backend);
}

TEST(OpenCvBackend, ProfileNamesOurNodes) {
  const Graph g = backend_test::zoo_model("resnet18", 64);
  auto backend = make_opencv_backend();
  auto model = backend->prepare(g, {});
  ASSERT_TRUE(model.is_ok()) << model.status().message();
  const auto inputs = verify::seeded_inputs(g, 1);
  ASSERT_TRUE((*model)->set_input(0, inputs[0]).is_ok());
  auto profile = (*model)->profile();
  ASSERT_TRUE(profile.is_ok()) << profile.status().message();
  std::set<std::string> node_names;
  for (const Node& n : g.nodes) node_names.insert(n.name);
  const std::set<std::string> categories = {"convolution", "batch_norm",   "activation",    "pooling",
                                            "fully_connected", "elementwise", "data_movement", "other"};
  double total = 0, conv = 0;
  int named = 0;
  std::string listing;
  for (const NodeTiming& t : *profile) {
    if (listing.size() < 600) listing += t.node + " (" + t.op + ") ";
    EXPECT_TRUE(categories.count(t.category)) << t.node << ": " << t.category;
    EXPECT_GE(t.ms, 0.0);
    named += node_names.count(t.node) > 0;
    total += t.ms;
    if (t.category == "convolution") conv += t.ms;
  }
  EXPECT_GT(named, 20) << "OpenCV's layers should carry our node names: " << listing;
  EXPECT_GT(total, 0.0);
  EXPECT_GT(conv, total / 2) << "a ResNet's time is mostly convolutions";
  // The profiling pass leaves a valid result behind.
  EXPECT_TRUE((*model)->output(0).is_ok());
}

}  // namespace
}  // namespace eb
