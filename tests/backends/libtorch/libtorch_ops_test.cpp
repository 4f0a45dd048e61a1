// Each op through the libtorch backend, in both modes: against the reference
// kernels on seeded data, and against values worked out by hand where torch
// and ONNX semantics part ways (asymmetric pads, ceil_mode, even LRN windows).
#include <cmath>
#include <limits>

#include "test_util.h"

namespace eb::torch_test {
namespace {

class LibTorchOp : public ::testing::TestWithParam<const char*> {
 protected:
  std::string mode() const { return GetParam(); }

  // The graph's output in this mode vs the reference kernels.
  void expect_reference(Result<Graph> built, double tolerance = 1e-4) {
    ASSERT_TRUE(built.is_ok()) << built.status().message();
    const Graph& g = built.value();
#ifdef EB_TEST_HAVE_REFERENCE
    const Tensors in = random_inputs(g);
    auto expected = ref::run_graph(g, in);
    ASSERT_TRUE(expected.is_ok()) << expected.status().message();
    auto actual = run(g, mode(), in);
    ASSERT_TRUE(actual.is_ok()) << actual.status().message();
    EXPECT_TRUE(close(actual.value(), expected.value(), tolerance));
#else
    GTEST_SKIP() << "eb_reference not built";
#endif
  }

  // One node over one input with given constants; output compared to `want`.
  void expect_values(OpKind op, Attrs attrs, Shape in_shape, std::vector<float> in, std::vector<std::pair<Shape, std::vector<float>>> consts,
                     std::vector<float> want, Shape want_shape = {}) {
    GraphBuilder b("hand", 1);
    std::vector<ValueId> ids = {b.input("x", in_shape)};
    for (std::size_t i = 0; i < consts.size(); ++i) ids.push_back(b.constant("c" + std::to_string(i), consts[i].first, consts[i].second));
    const ValueId y = b.node(op, ids, std::move(attrs), "op");
    b.output(y);
    if (want_shape.rank()) {
      EXPECT_EQ(b.shape(y), want_shape);
    }
    auto g = std::move(b).finish();
    ASSERT_TRUE(g.is_ok()) << g.status().message();
    auto out = run(g.value(), mode(), {in});
    ASSERT_TRUE(out.is_ok()) << out.status().message();
    ASSERT_EQ(out.value()[0].size(), want.size());
    for (std::size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(out.value()[0][i], want[i], 1e-5 * std::max(1.0f, std::abs(want[i]))) << "at " << i;
  }
};

// ---- against the reference --------------------------------------------------

Result<Graph> conv_graph(Shape in, ConvSpec spec) {
  GraphBuilder b("conv", 11);
  b.output(b.conv(b.input("x", in), spec));
  return std::move(b).finish();
}

TEST_P(LibTorchOp, Conv2dSamePadsAndBias) {
  expect_reference(conv_graph({1, 3, 9, 9}, conv_spec(8, {3, 3})));
}
TEST_P(LibTorchOp, Conv2dAsymmetricPadsStride2) {
  // SAME_UPPER with stride 2 on an even size: pads [0,0,1,1].
  expect_reference(conv_graph({1, 4, 8, 8}, conv_spec(6, {3, 3}, {2, 2})));
}
TEST_P(LibTorchOp, Conv2dExplicitAsymmetricNoBias) {
  expect_reference(conv_graph({1, 2, 7, 6}, conv_spec(3, {3, 2}, {1, 1}, {2, 0, 1, 3}, {}, 1, false)));
}
TEST_P(LibTorchOp, Conv2dDilatedGrouped) {
  expect_reference(conv_graph({1, 8, 11, 11}, conv_spec(4, {3, 3}, {1, 1}, {2, 2, 2, 2}, {2, 2}, 2)));
}
TEST_P(LibTorchOp, Conv2dDepthwise) {
  expect_reference(conv_graph({1, 6, 10, 10}, conv_spec(6, {3, 3}, {2, 2}, {1, 1, 1, 1}, {}, 6)));
}
TEST_P(LibTorchOp, Conv1d) {
  expect_reference(conv_graph({1, 3, 20}, conv_spec(5, {5}, {2}, {1, 3})));
}
TEST_P(LibTorchOp, Conv3d) {
  expect_reference(conv_graph({1, 2, 5, 6, 6}, conv_spec(4, {3, 3, 3}, {1, 2, 2})));
}

TEST_P(LibTorchOp, BatchNorm) {
  GraphBuilder b("bn", 3);
  b.output(b.batch_norm(b.input("x", {1, 5, 4, 4}), 1e-3f));
  expect_reference(std::move(b).finish());
}

TEST_P(LibTorchOp, Activations) {
  GraphBuilder b("act", 3);
  const ValueId x = b.input("x", {1, 4, 5, 5});
  b.output(b.relu(x));
  b.output(b.relu6(x));
  b.output(b.node(OpKind::Clip, {x}, ClipAttrs{-0.25f, 0.5f}, "clip"));
  b.output(b.leaky_relu(x, 0.2f));
  b.output(b.sigmoid(x));
  expect_reference(std::move(b).finish());
}

Result<Graph> pool_graph(OpKind op, Shape in, std::vector<int64_t> kernel, std::vector<int64_t> stride, std::vector<int64_t> pads = {},
                         bool ceil_mode = false, bool count_include_pad = false) {
  const PoolSpec spec = pool_spec(std::move(kernel), std::move(stride), std::move(pads), ceil_mode, count_include_pad);
  GraphBuilder b("pool", 5);
  const ValueId x = b.input("x", in);
  b.output(op == OpKind::MaxPool ? b.max_pool(x, spec) : b.avg_pool(x, spec));
  return std::move(b).finish();
}

TEST_P(LibTorchOp, MaxPoolVariants) {
  expect_reference(pool_graph(OpKind::MaxPool, {1, 3, 9, 9}, {3, 3}, {2, 2}, {1, 1, 1, 1}));
  expect_reference(pool_graph(OpKind::MaxPool, {1, 3, 8, 8}, {3, 3}, {2, 2}, {}, true));              // ceil_mode
  expect_reference(pool_graph(OpKind::MaxPool, {1, 3, 8, 8}, {3, 3}, {2, 2}, {0, 0, 1, 1}));          // asymmetric
  expect_reference(pool_graph(OpKind::MaxPool, {1, 3, 7, 7}, {3, 3}, {1, 1}, {2, 2, 2, 2}));          // pad > kernel / 2
  expect_reference(pool_graph(OpKind::MaxPool, {1, 2, 8, 8}, {3, 3}, {2, 2}, {1, 1, 1, 1}, true));    // ceil + pads
  expect_reference(pool_graph(OpKind::MaxPool, {1, 2, 7, 8}, {2, 3}, {2, 2}, {1, 0, 0, 2}, true));    // ceil + asymmetric
  expect_reference(pool_graph(OpKind::MaxPool, {1, 3, 17}, {3}, {2}, {1, 1}));                        // 1-D
  expect_reference(pool_graph(OpKind::MaxPool, {1, 2, 6, 7, 7}, {2, 3, 3}, {2, 2, 2}, {0, 1, 1, 0, 1, 1}, true));  // 3-D
}

TEST_P(LibTorchOp, AvgPoolVariants) {
  for (bool include : {false, true}) {
    SCOPED_TRACE(include ? "count_include_pad" : "exclude pads");
    expect_reference(pool_graph(OpKind::AvgPool, {1, 3, 9, 9}, {3, 3}, {2, 2}, {1, 1, 1, 1}, false, include));
    expect_reference(pool_graph(OpKind::AvgPool, {1, 3, 8, 8}, {3, 3}, {2, 2}, {1, 1, 1, 1}, true, include));   // ceil + pads
    expect_reference(pool_graph(OpKind::AvgPool, {1, 3, 8, 8}, {3, 3}, {2, 2}, {0, 0, 1, 1}, false, include));  // asymmetric
    expect_reference(pool_graph(OpKind::AvgPool, {1, 2, 7, 8}, {2, 3}, {2, 2}, {1, 0, 0, 2}, true, include));   // ceil + asymmetric
    expect_reference(pool_graph(OpKind::AvgPool, {1, 3, 7, 7}, {3, 3}, {1, 1}, {2, 2, 2, 2}, false, include));  // pad > kernel / 2
    expect_reference(pool_graph(OpKind::AvgPool, {1, 3, 17}, {3}, {2}, {1, 2}, true, include));                 // 1-D
    expect_reference(pool_graph(OpKind::AvgPool, {1, 2, 6, 7, 7}, {2, 3, 3}, {2, 2, 2}, {0, 1, 1, 0, 1, 1}, true, include));
  }
}

TEST_P(LibTorchOp, GlobalPools) {
  for (Shape s : {Shape{1, 3, 10}, Shape{1, 4, 5, 6}, Shape{1, 2, 3, 4, 5}, Shape{1, 2, 2, 3, 2, 2}}) {
    SCOPED_TRACE(s.to_string());
    GraphBuilder b("gp", 2);
    const ValueId x = b.input("x", s);
    b.output(b.global_avg_pool(x));
    b.output(b.global_max_pool(x));
    expect_reference(std::move(b).finish());
  }
}

TEST_P(LibTorchOp, GemmWithAndWithoutBias) {
  GraphBuilder b("fc", 4);
  const ValueId x = b.input("x", {1, 37});
  b.output(b.dense(x, 19, true));
  b.output(b.dense(x, 5, false));
  expect_reference(std::move(b).finish());
}

TEST_P(LibTorchOp, AddBroadcastConcatSoftmax) {
  GraphBuilder b("misc", 4);
  const ValueId x = b.input("x", {1, 4, 3, 3});
  const ValueId y = b.input("y", {1, 4, 3, 3});
  const ValueId c = b.constant("per_channel", {1, 4, 1, 1}, {0.5f, -1.0f, 2.0f, 0.0f});
  b.output(b.add(x, y));
  b.output(b.add(x, c));
  b.output(b.concat({x, y, x}, 1));
  b.output(b.concat({x, y}, -1));
  b.output(b.softmax(x, 1));
  b.output(b.softmax(x, -1));
  expect_reference(std::move(b).finish());
}

TEST_P(LibTorchOp, FlattenReshape) {
  GraphBuilder b("shape", 4);
  const ValueId x = b.input("x", {1, 2, 3, 4});
  b.output(b.flatten(x, 1));
  b.output(b.flatten(x, 2));
  b.output(b.flatten(x, 0));
  b.output(b.reshape(x, {0, -1, 2}));
  expect_reference(std::move(b).finish());
}

TEST_P(LibTorchOp, Lrn) {
  for (int64_t size : {5, 4, 1}) {
    SCOPED_TRACE(size);
    GraphBuilder b("lrn", 4);
    const ValueId x = b.input("x", {1, 7, 4, 4});
    b.output(b.lrn(x, size, 1e-2f, 0.75f, 2.0f));
    expect_reference(std::move(b).finish());
  }
  GraphBuilder b("lrn3d", 4);
  b.output(b.lrn(b.input("x", {1, 6, 9}), 3, 0.5f, 0.6f, 1.0f));
  expect_reference(std::move(b).finish());
}

TEST_P(LibTorchOp, Upsample) {
  for (Shape s : {Shape{1, 2, 5}, Shape{1, 3, 4, 5}, Shape{1, 2, 2, 3, 3}}) {
    SCOPED_TRACE(s.to_string());
    GraphBuilder b("up", 4);
    b.output(b.upsample(b.input("x", s), 3));
    expect_reference(std::move(b).finish());
  }
  GraphBuilder b("up_channels", 4);  // factors on N and C too: repeat_interleave
  b.output(b.node(OpKind::Upsample, {b.input("x", {1, 2, 3, 2})}, UpsampleAttrs{{2, 2, 1, 3}}, "up"));
  expect_reference(std::move(b).finish());
}

TEST_P(LibTorchOp, Pad) {
  GraphBuilder b("pad", 4);
  const ValueId x = b.input("x", {1, 2, 3, 4});
  b.output(b.pad(x, {0, 1, 2, 0, 0, 0, 1, 3}, 0.5f));
  b.output(b.pad(x, {0, 0, 0, 0, 0, 0, 0, 0}));
  expect_reference(std::move(b).finish());
}

// ---- by hand ------------------------------------------------------------------

TEST_P(LibTorchOp, HandConv1x1) {
  expect_values(OpKind::Conv, ConvAttrs{{1, 1}, {1, 1}, {1, 1}, {0, 0, 0, 0}, 1}, {1, 1, 2, 2}, {1, 2, 3, 4},
                {{{1, 1, 1, 1}, {2}}, {{1}, {1}}}, {3, 5, 7, 9});
}

TEST_P(LibTorchOp, HandConvAsymmetricPad) {
  // One zero in front of [1 2 3], kernel [1 1]: [0+1, 1+2, 2+3].
  expect_values(OpKind::Conv, ConvAttrs{{1, 2}, {1, 1}, {1, 1}, {0, 1, 0, 0}, 1}, {1, 1, 1, 3}, {1, 2, 3}, {{{1, 1, 1, 2}, {1, 1}}},
                {1, 3, 5}, {1, 1, 1, 3});
}

TEST_P(LibTorchOp, HandMaxPoolCeil) {
  expect_values(OpKind::MaxPool, PoolAttrs{{1, 2}, {1, 2}, {0, 0, 0, 0}, true, false}, {1, 1, 1, 5}, {1, 5, 2, 4, 3}, {}, {5, 4, 3},
                {1, 1, 1, 3});
}

TEST_P(LibTorchOp, HandAvgPoolPads) {
  // [pad 3 6], [3 6 9], [6 9 pad]
  expect_values(OpKind::AvgPool, PoolAttrs{{1, 3}, {1, 1}, {0, 1, 0, 1}, false, false}, {1, 1, 1, 3}, {3, 6, 9}, {}, {4.5f, 6, 7.5f});
  expect_values(OpKind::AvgPool, PoolAttrs{{1, 3}, {1, 1}, {0, 1, 0, 1}, false, true}, {1, 1, 1, 3}, {3, 6, 9}, {}, {3, 6, 5});
  // Two pads in front (more than half the kernel: explicit padding in torch).
  expect_values(OpKind::AvgPool, PoolAttrs{{1, 3}, {1, 1}, {0, 2, 0, 0}, false, false}, {1, 1, 1, 3}, {3, 6, 9}, {}, {3, 4.5f, 6});
  expect_values(OpKind::AvgPool, PoolAttrs{{1, 3}, {1, 1}, {0, 2, 0, 0}, false, true}, {1, 1, 1, 3}, {3, 6, 9}, {}, {1, 3, 6});
}

TEST_P(LibTorchOp, HandPoolCeilWithEndPad) {
  // Width 4, kernel 2, stride 2, one end pad, ceil_mode: ONNX drops the third
  // window (it would start in the pad); torch over an explicit pad keeps it.
  expect_values(OpKind::AvgPool, PoolAttrs{{1, 2}, {1, 2}, {0, 0, 0, 1}, true, false}, {1, 1, 1, 4}, {1, 2, 3, 4}, {}, {1.5f, 3.5f},
                {1, 1, 1, 2});
  expect_values(OpKind::MaxPool, PoolAttrs{{1, 2}, {1, 2}, {0, 0, 0, 1}, true, false}, {1, 1, 1, 4}, {1, 2, 3, 4}, {}, {2, 4},
                {1, 1, 1, 2});
}

TEST_P(LibTorchOp, HandLrnEvenSize) {
  // size 2: ONNX sums channels [c, c+1] (F.local_response_norm would take [c-1, c]).
  // alpha / size = 1, beta = 1, bias = 1: y = x / (1 + sum).
  expect_values(OpKind::Lrn, LrnAttrs{2, 2.0f, 1.0f, 1.0f}, {1, 3, 1, 1}, {1, 2, 3}, {}, {1.0f / 6, 2.0f / 14, 3.0f / 10});
}

TEST_P(LibTorchOp, HandUpsamplePadSoftmax) {
  expect_values(OpKind::Upsample, UpsampleAttrs{{1, 1, 2, 2}}, {1, 1, 2, 2}, {1, 2, 3, 4}, {},
                {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4});
  expect_values(OpKind::Pad, PadAttrs{{0, 0, 0, 1, 0, 0, 0, 2}, 9.0f}, {1, 1, 1, 2}, {1, 2}, {}, {9, 1, 2, 9, 9});
  expect_values(OpKind::Softmax, AxisAttrs{-1}, {1, 4}, {0, std::log(2.0f), std::log(3.0f), std::log(4.0f)}, {}, {0.1f, 0.2f, 0.3f, 0.4f});
}

TEST_P(LibTorchOp, HandGemmBatchNormActivations) {
  expect_values(OpKind::Gemm, NoAttrs{}, {1, 2}, {1, 2}, {{{3, 2}, {1, 0, 0, 1, 1, 1}}, {{3}, {1, 2, 3}}}, {2, 4, 6});
  expect_values(OpKind::BatchNorm, BatchNormAttrs{0.0f}, {1, 2, 1, 1}, {1, 2},
                {{{2}, {2, 1}}, {{2}, {0, 1}}, {{2}, {1, 0}}, {{2}, {4, 1}}}, {0, 3});
  expect_values(OpKind::Clip, ClipAttrs{-1.0f, 0.5f}, {1, 3}, {-2, 0, 1}, {}, {-1, 0, 0.5f});
  expect_values(OpKind::Clip, ClipAttrs{0.0f, 6.0f}, {1, 3}, {-1, 3, 7}, {}, {0, 3, 6});
  expect_values(OpKind::LeakyRelu, LeakyReluAttrs{0.1f}, {1, 2}, {-2, 3}, {}, {-0.2f, 3});
  expect_values(OpKind::GlobalMaxPool, NoAttrs{}, {1, 2, 2, 1}, {1, -3, -2, -1}, {}, {1, -1});
}

INSTANTIATE_TEST_SUITE_P(Modes, LibTorchOp, ::testing::ValuesIn(kModes), [](const auto& info) { return std::string(info.param); });

}  // namespace
}  // namespace eb::torch_test
