// Small networks in both modes against the reference kernels, and the
// backend's contract: capabilities, threads, profiling, error paths.
#include <cstdio>
#include <cstdlib>
#include <set>

#include "test_util.h"

namespace eb::torch_test {
namespace {

Result<Graph> resnet_block() {
  GraphBuilder b("resnet_block", 21);
  const ValueId x = b.input("x", {1, 8, 16, 16});
  ValueId y = b.relu(b.batch_norm(b.conv2d(x, 16, 3, 2, kSamePadding, 1, false)));
  y = b.batch_norm(b.conv2d(y, 16, 3, 1, kSamePadding, 1, false));
  const ValueId shortcut = b.batch_norm(b.conv2d(x, 16, 1, 2, 0, 1, false));
  y = b.relu(b.add(y, shortcut));
  y = b.flatten(b.global_avg_pool(y));
  b.output(b.dense(y, 10));
  return std::move(b).finish();
}

Result<Graph> mobilenet_block() {
  GraphBuilder b("depthwise_relu6", 22);
  const ValueId x = b.input("x", {1, 8, 15, 15});
  ValueId y = b.relu6(b.batch_norm(b.conv2d(x, 32, 1, 1, 0, 1, false)));
  y = b.relu6(b.batch_norm(b.conv2d(y, 32, 3, 2, kSamePadding, 32, false)));  // depthwise, asymmetric pads
  y = b.batch_norm(b.conv2d(y, 8, 1, 1, 0, 1, false));
  b.output(y);
  return std::move(b).finish();
}

Result<Graph> alexnet_lrn() {
  GraphBuilder b("lrn_net", 23);
  const ValueId x = b.input("x", {1, 3, 31, 31});
  ValueId y = b.relu(b.conv2d(x, 12, 5, 2, 2));
  y = b.lrn(y, 5, 1e-4f, 0.75f, 2.0f);
  y = b.max_pool(y, pool_spec({3, 3}, {2, 2}, {}, true));
  y = b.relu(b.conv2d(y, 16, 3, 1, 1));
  y = b.lrn(y, 4, 1e-3f, 0.75f, 1.0f);
  b.output(b.softmax(b.dense(b.flatten(y), 10)));
  return std::move(b).finish();
}

Result<Graph> c3d_block() {
  GraphBuilder b("conv3d_pool", 24);
  const ValueId x = b.input("x", {1, 3, 4, 12, 12});
  ValueId y = b.relu(b.conv(x, conv_spec(8, {3, 3, 3}, {}, {1, 1, 1, 1, 1, 1})));
  y = b.max_pool(y, pool_spec({1, 2, 2}, {1, 2, 2}));
  y = b.relu(b.conv(y, conv_spec(8, {3, 3, 3}, {}, {1, 1, 1, 1, 1, 1})));
  y = b.max_pool(y, pool_spec({2, 2, 2}, {2, 2, 2}));
  b.output(b.softmax(b.dense(b.flatten(y), 6)));
  return std::move(b).finish();
}

Result<Graph> yolo_upsample_concat() {
  GraphBuilder b("upsample_concat", 25);
  const ValueId x = b.input("x", {1, 8, 12, 12});
  const ValueId fine = b.leaky_relu(b.batch_norm(b.conv2d(x, 16, 3, 1, kSamePadding, 1, false)), 0.1f);
  ValueId coarse = b.max_pool2d(fine, 2, 2);
  coarse = b.leaky_relu(b.batch_norm(b.conv2d(coarse, 16, 3, 1, kSamePadding, 1, false)), 0.1f);
  const ValueId up = b.upsample(b.leaky_relu(b.conv2d(coarse, 8, 1, 1, 0), 0.1f), 2);
  const ValueId cat = b.concat({up, fine}, 1);
  b.output(b.sigmoid(b.conv2d(cat, 12, 1, 1, 0)));
  b.output(b.conv2d(coarse, 12, 1, 1, 0));
  return std::move(b).finish();
}

Result<Graph> classifier() {
  GraphBuilder b("gemm_softmax", 26);
  const ValueId x = b.input("x", {1, 64});
  ValueId y = b.relu(b.dense(x, 128));
  y = b.dense(y, 32);
  b.output(b.softmax(y));
  return std::move(b).finish();
}

Result<Graph> two_inputs() {
  GraphBuilder b("two_inputs", 27);
  const ValueId a = b.input("a", {1, 4, 6, 6});
  const ValueId c = b.input("c", {1, 4, 6, 6});
  const ValueId pad = b.pad(b.add(a, c), {0, 0, 1, 1, 0, 0, 1, 1});
  b.output(b.avg_pool(pad, pool_spec({3, 3}, {2, 2}, {0, 0, 1, 1}, true, false)));
  return std::move(b).finish();
}

struct NamedGraph {
  const char* name;
  Result<Graph> (*build)();
};

const NamedGraph kGraphs[] = {
    {"resnet_block", resnet_block},  {"mobilenet_block", mobilenet_block}, {"alexnet_lrn", alexnet_lrn}, {"c3d_block", c3d_block},
    {"yolo_upsample_concat", yolo_upsample_concat}, {"classifier", classifier}, {"two_inputs", two_inputs},
};

class LibTorchGraph : public ::testing::TestWithParam<const char*> {};

TEST_P(LibTorchGraph, MatchesReference) {
#ifndef EB_TEST_HAVE_REFERENCE
  GTEST_SKIP() << "eb_reference not built";
#else
  for (const NamedGraph& ng : kGraphs) {
    SCOPED_TRACE(ng.name);
    auto g = ng.build();
    ASSERT_TRUE(g.is_ok()) << g.status().message();
    const Tensors in = random_inputs(g.value(), 99);
    auto expected = ref::run_graph(g.value(), in);
    ASSERT_TRUE(expected.is_ok()) << expected.status().message();
    auto actual = run(g.value(), GetParam(), in);
    ASSERT_TRUE(actual.is_ok()) << actual.status().message();
    EXPECT_TRUE(close(actual.value(), expected.value()));
  }
#endif
}

TEST_P(LibTorchGraph, RepeatedInvokesAndNewInputs) {
  EB_ASSERT_OK_AND_ASSIGN(Graph g, resnet_block());
  auto backend = make_libtorch_backend();
  EB_ASSERT_OK_AND_ASSIGN(auto model, backend->prepare(g, options(GetParam())));
  Tensors first;
  for (uint64_t seed : {1u, 2u, 1u}) {
    EB_ASSERT_OK(model->set_input(0, random_data(g.value(g.inputs[0]).desc.shape, seed)));
    EB_ASSERT_OK(model->invoke());
    EB_ASSERT_OK(model->invoke());
    EB_ASSERT_OK_AND_ASSIGN(auto out, model->output(0));
    first.push_back(out);
  }
  EXPECT_EQ(first[0], first[2]);  // same input, same output
  EXPECT_NE(first[0], first[1]);  // the input is read at every invoke
}

TEST_P(LibTorchGraph, ModelOutlivesGraph) {
  auto backend = make_libtorch_backend();
  std::unique_ptr<PreparedModel> model;
  Tensors in, before;
  {
    EB_ASSERT_OK_AND_ASSIGN(Graph g, classifier());
    in = random_inputs(g);
    EB_ASSERT_OK_AND_ASSIGN(before, run(g, GetParam(), in));
    EB_ASSERT_OK_AND_ASSIGN(model, backend->prepare(g, options(GetParam())));
  }
  EB_ASSERT_OK(model->set_input(0, in[0]));
  EB_ASSERT_OK(model->invoke());
  EB_ASSERT_OK_AND_ASSIGN(auto out, model->output(0));
  EXPECT_EQ(out, before[0]);
}

TEST_P(LibTorchGraph, ErrorPathsAreStatuses) {
  EB_ASSERT_OK_AND_ASSIGN(Graph g, classifier());
  auto backend = make_libtorch_backend();
  EB_ASSERT_OK_AND_ASSIGN(auto model, backend->prepare(g, options(GetParam())));
  EXPECT_EQ(model->output(0).status().code(), ErrorCode::invalid_argument);  // before any invoke
  const Status small = model->set_input(0, std::vector<float>(63));
  EXPECT_EQ(small.code(), ErrorCode::invalid_argument);
  EXPECT_NE(small.message().find("63"), std::string::npos) << small.message();
  EXPECT_EQ(model->set_input(1, std::vector<float>(64)).code(), ErrorCode::invalid_argument);
  EB_ASSERT_OK(model->set_input(0, std::vector<float>(64, 1.0f)));
  EB_ASSERT_OK(model->invoke());
  EXPECT_TRUE(model->output(0).is_ok());
  EXPECT_EQ(model->output(1).status().code(), ErrorCode::invalid_argument);
}

TEST_P(LibTorchGraph, Profile) {
  EB_ASSERT_OK_AND_ASSIGN(Graph g, resnet_block());
  auto backend = make_libtorch_backend();
  EB_ASSERT_OK_AND_ASSIGN(auto model, backend->prepare(g, options(GetParam())));
  EB_ASSERT_OK(model->set_input(0, random_inputs(g)[0]));
  EB_ASSERT_OK_AND_ASSIGN(auto timings, model->profile());
  const std::set<std::string> categories = {"convolution", "batch_norm", "activation", "pooling",
                                            "fully_connected", "elementwise", "data_movement", "other"};
  double total = 0.0;
  std::set<std::string> seen;
  for (const NodeTiming& t : timings) {
    EXPECT_TRUE(categories.count(t.category)) << t.node << " " << t.op << " " << t.category;
    EXPECT_GE(t.ms, 0.0) << t.node;
    total += t.ms;
    seen.insert(t.category);
  }
  EXPECT_GT(total, 0.0);
  EXPECT_TRUE(seen.count("convolution"));
  if (::testing::Test::HasFailure() || std::getenv("EB_PRINT_PROFILE"))
    for (const NodeTiming& t : timings) std::printf("  %-28s %-28s %-16s %.3f ms\n", t.node.c_str(), t.op.c_str(), t.category.c_str(), t.ms);
  if (std::string(GetParam()) == "eager") {
    ASSERT_EQ(timings.size(), g.nodes.size());
    for (std::size_t i = 0; i < timings.size(); ++i) {
      EXPECT_EQ(timings[i].node, g.nodes[i].name);
      EXPECT_EQ(timings[i].category, to_string(schema(g.nodes[i].op).category));
    }
  } else {
    // Per JIT operation, named after the graph node it came from where there
    // is one (layout conversions the JIT inserted keep their own name).
    std::set<std::string> names;
    for (const Node& n : g.nodes) names.insert(n.name);
    int named = 0;
    for (const NodeTiming& t : timings) {
      EXPECT_NE(t.op.find("::"), std::string::npos) << t.op;
      if (names.count(t.node)) ++named;
      else EXPECT_EQ(t.node, t.op);
    }
    EXPECT_GE(named, 5);  // 3 convs (BN folded in), add, relus, pool, fc
  }
  // Profiling is also an inference: outputs are readable afterwards.
  EXPECT_TRUE(model->output(0).is_ok());
}

INSTANTIATE_TEST_SUITE_P(Modes, LibTorchGraph, ::testing::ValuesIn(kModes), [](const auto& info) { return std::string(info.param); });

// ---- backend contract -----------------------------------------------------------

TEST(LibTorchBackend, Capabilities) {
  auto backend = make_libtorch_backend();
  EXPECT_EQ(backend->id(), "libtorch");
  const Capabilities c = backend->capabilities();
  EXPECT_TRUE(c.built);
  EXPECT_FALSE(c.version.empty());
  ASSERT_FALSE(c.devices.empty());
  EXPECT_EQ(c.devices[0], "cpu");
  EXPECT_EQ(c.precisions, std::vector<std::string>{"fp32"});
  EXPECT_EQ(c.config.at("modes"), "eager, script");
  for (const char* key : {"threads", "interop_threads", "blas", "mkldnn", "parallel_backend"})
    EXPECT_FALSE(c.config.at(key).empty()) << key;
  for (const auto& [k, v] : c.config) std::printf("  %s = %s\n", k.c_str(), v.c_str());
}

TEST(LibTorchBackend, ThreadsHonoured) {
  EB_ASSERT_OK_AND_ASSIGN(Graph g, classifier());
  auto backend = make_libtorch_backend();
  EB_ASSERT_OK_AND_ASSIGN(auto one, backend->prepare(g, options("eager", 1)));
  EXPECT_EQ(backend->capabilities().config.at("threads"), "1");
  EB_ASSERT_OK_AND_ASSIGN(auto two, backend->prepare(g, options("script", 2)));
  EXPECT_EQ(backend->capabilities().config.at("threads"), "2");
  EXPECT_EQ(backend->capabilities().config.at("interop_threads"), "1");
  EB_ASSERT_OK(one->invoke());  // threads are process-wide: each model re-applies its own
  EXPECT_EQ(backend->capabilities().config.at("threads"), "1");
  EB_ASSERT_OK(two->invoke());
  EXPECT_EQ(backend->capabilities().config.at("threads"), "2");
}

TEST(LibTorchBackend, OptionsChecked) {
  EB_ASSERT_OK_AND_ASSIGN(Graph g, classifier());
  auto backend = make_libtorch_backend();
  EB_ASSERT_OK(backend->supports(g, options("")));
  EB_ASSERT_OK(backend->supports(g, options("script")));
  BackendOptions o = options("jit");
  EXPECT_EQ(backend->supports(g, o).code(), ErrorCode::invalid_argument);
  EXPECT_EQ(backend->prepare(g, o).status().code(), ErrorCode::invalid_argument);
  o = options("eager");
  o.precision = "fp16";
  EXPECT_EQ(backend->prepare(g, o).status().code(), ErrorCode::unsupported);
  o = options("eager");
  o.device = "tpu";
  EXPECT_EQ(backend->supports(g, o).code(), ErrorCode::unsupported);
  o.device = "cuda";
  const auto devices = backend->capabilities().devices;
  const bool has_cuda = std::find(devices.begin(), devices.end(), "cuda") != devices.end();
  EXPECT_EQ(backend->supports(g, o).is_ok(), has_cuda);
}

TEST(LibTorchBackend, UnsupportedOpIsNamed) {
  // A 4-D convolution: valid in the IR, beyond torch's conv1d/2d/3d.
  GraphBuilder b("conv4d", 1);
  b.output(b.conv(b.input("x", {1, 1, 3, 3, 3, 3}), conv_spec(1, {2, 2, 2, 2}, {}, {0, 0, 0, 0, 0, 0, 0, 0}), "c4"));
  EB_ASSERT_OK_AND_ASSIGN(Graph g, std::move(b).finish());
  auto backend = make_libtorch_backend();
  const Status st = backend->supports(g, options("eager"));
  EXPECT_EQ(st.code(), ErrorCode::unsupported);
  EXPECT_NE(st.message().find("Conv"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("c4"), std::string::npos) << st.message();
  EXPECT_EQ(backend->prepare(g, options("script")).status().code(), ErrorCode::unsupported);
}

TEST(LibTorchBackend, InvalidGraphIsRejected) {
  EB_ASSERT_OK_AND_ASSIGN(Graph g, classifier());
  g.outputs.clear();
  auto backend = make_libtorch_backend();
  EXPECT_EQ(backend->prepare(g, options("eager")).status().code(), ErrorCode::invalid_argument);
}

}  // namespace
}  // namespace eb::torch_test
