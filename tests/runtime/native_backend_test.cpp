// The "native" Backend: capabilities, supports(), the phases, outputs and
// the profiler, thread handling.
#include <gtest/gtest.h>

#include <omp.h>

#include <algorithm>

#include "backends/native/native_backend.h"
#include "runtime_test_util.h"

namespace eb::rt::testing {
namespace {

Graph small_net() {
  GraphBuilder b("small_net", 1);
  ValueId x = b.relu(b.batch_norm(b.conv2d(b.input("x", Shape{1, 3, 16, 16}), 8, 3)));
  x = b.max_pool2d(x, 2, 2);
  b.output(b.softmax(b.dense(b.flatten(x), 10)));
  auto g = std::move(b).finish();
  EXPECT_TRUE(g.is_ok());
  return std::move(g).value();
}

TEST(NativeBackend, Capabilities) {
  auto backend = make_native_backend();
  EXPECT_EQ(backend->id(), "native");
  const Capabilities c = backend->capabilities();
  EXPECT_NE(c.version.find("oneDNN 2."), std::string::npos) << c.version;
  EXPECT_EQ(c.devices, std::vector<std::string>{"cpu"});
  EXPECT_EQ(c.precisions, std::vector<std::string>{"fp32"});
  EXPECT_TRUE(c.config.count("isa"));
  EXPECT_TRUE(c.config.count("threads"));
}

TEST(NativeBackend, SupportsCpuFp32Only) {
  auto backend = make_native_backend();
  const Graph g = small_net();
  EXPECT_TRUE(backend->supports(g, BackendOptions{}).is_ok());
  BackendOptions cuda;
  cuda.device = "cuda";
  EXPECT_EQ(backend->supports(g, cuda).code(), ErrorCode::unsupported);
  BackendOptions fp16;
  fp16.precision = "fp16";
  EXPECT_EQ(backend->supports(g, fp16).code(), ErrorCode::unsupported);
}

TEST(NativeBackend, PhasesOutputsAndProfile) {
  auto backend = make_native_backend();
  const Graph g = small_net();
  BackendOptions o;
  o.threads = 2;
  auto model = backend->prepare(g, o);
  ASSERT_TRUE(model.is_ok()) << model.status().message();
  const auto input = random_data(Shape{1, 3, 16, 16}, 3);
  EXPECT_EQ((*model)->set_input(0, std::span<const float>(input.data(), 5)).code(), ErrorCode::invalid_argument);
  EXPECT_EQ((*model)->set_input(1, input).code(), ErrorCode::invalid_argument);
  ASSERT_TRUE((*model)->set_input(0, input).is_ok());
  ASSERT_TRUE((*model)->invoke().is_ok());
  auto out = (*model)->output(0);
  ASSERT_TRUE(out.is_ok());
  auto expected = ref::run_graph(g, {input});
  ASSERT_TRUE(expected.is_ok());
  EXPECT_LE(rel_l2(*out, (*expected)[0]), kTolerance);
  EXPECT_FALSE((*model)->output(1).is_ok());

  auto prof = (*model)->profile();
  ASSERT_TRUE(prof.is_ok()) << prof.status().message();
  // Named after the graph's nodes; fused nodes appear under the node that absorbed them.
  const auto conv = std::find_if(prof->begin(), prof->end(), [&](const NodeTiming& t) { return t.node == g.nodes.front().name; });
  ASSERT_NE(conv, prof->end());
  EXPECT_EQ(conv->op, "Conv+Relu");  // the BatchNorm is folded into the weights
  EXPECT_EQ(conv->category, "convolution");
  for (const NodeTiming& t : *prof) EXPECT_GE(t.ms, 0.0);
  // Profiling leaves the results as they were.
  auto again = (*model)->output(0);
  ASSERT_TRUE(again.is_ok());
  EXPECT_EQ(*again, *out);

  const Capabilities c = backend->capabilities();
  EXPECT_EQ(c.config.at("threads"), "2");
  EXPECT_TRUE(c.config.count("arena_bytes"));
}

TEST(NativeBackend, ThreadsAreSetForInvokeAndRestored) {
  const int before = omp_get_max_threads();
  auto e = Engine::prepare(small_net(), options_with(std::make_shared<KernelRegistry>(default_registry()), 1));
  ASSERT_TRUE(e.is_ok());
  EXPECT_EQ((*e)->threads(), 1);
  ASSERT_TRUE((*e)->invoke().is_ok());
  EXPECT_EQ(omp_get_max_threads(), before);
  EngineOptions all;
  auto e0 = Engine::prepare(small_net(), all);
  ASSERT_TRUE(e0.is_ok());
  EXPECT_EQ((*e0)->threads(), omp_get_num_procs());
}

TEST(NativeBackend, UnknownModeIsRejected) {
  auto backend = make_native_backend();
  BackendOptions o;
  o.mode = "turbo";
  EXPECT_EQ(backend->prepare(small_net(), o).status().code(), ErrorCode::invalid_argument);
  o.mode = "plain";
  EXPECT_TRUE(backend->prepare(small_net(), o).is_ok());
  for (const char* bad : {"winograd=maybe", "parts_per_thread=0", "parts_per_thread=x", "plain,", "unfused,,plain", "winograd", "spin_us=", "spin_us=-5", "spin_us=1234567", "avx512=no", "hugepages=2m"}) {
    o.mode = bad;
    const Status st = backend->prepare(small_net(), o).status();
    EXPECT_EQ(st.code(), ErrorCode::invalid_argument) << bad;
  }
  o.mode = "turbo";
  EXPECT_NE(backend->prepare(small_net(), o).status().message().find("winograd=on|off|2x3"), std::string::npos);
}

TEST(NativeBackend, ModesCombineAndGiveTheSameResult) {
  auto backend = make_native_backend();
  const Graph g = small_net();
  const auto input = random_data(Shape{1, 3, 16, 16}, 5);
  auto expected = ref::run_graph(g, {input});
  ASSERT_TRUE(expected.is_ok());
  for (const char* mode : {"winograd=off", "winograd=on,parts_per_thread=3", "unfused,winograd=off", "plain,parts_per_thread=2", "winograd=2x3", "spin_us=0", "spin_us=50,parts_per_thread=2", "avx512=off", "avx512=on,unfused", "hugepages=off"}) {
    BackendOptions o;
    o.threads = 2;
    o.mode = mode;
    auto model = backend->prepare(g, o);
    ASSERT_TRUE(model.is_ok()) << mode << ": " << model.status().message();
    ASSERT_TRUE((*model)->set_input(0, input).is_ok());
    ASSERT_TRUE((*model)->invoke().is_ok());
    auto out = (*model)->output(0);
    ASSERT_TRUE(out.is_ok());
    EXPECT_LE(rel_l2(*out, (*expected)[0]), kTolerance) << mode;
  }
}

}  // namespace
}  // namespace eb::rt::testing
