// The torch-free half of the libtorch backend: lowering plans and the
// generated TorchScript text.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "backends/libtorch/lowering.h"
#include "backends/libtorch/torchscript_codegen.h"
#include "graph/builder.h"
#include "test_util.h"

namespace eb::torch_lowering {
namespace {

using torch_test::conv_spec;
using torch_test::pool_spec;

NodePlan only_plan(Result<Graph> g) {
  EXPECT_TRUE(g.is_ok()) << g.status().message();
  auto p = plan_node(g.value(), static_cast<int>(g.value().nodes.size()) - 1);
  EXPECT_TRUE(p.is_ok()) << p.status().message();
  return p.value();
}

TEST(TorchLowering, PadOrderIsLastDimFirst) {
  EXPECT_EQ(torch_pad_order({1, 2, 3, 4}), (std::vector<int64_t>{2, 4, 1, 3}));
  EXPECT_EQ(torch_pad_order({5, 6}), (std::vector<int64_t>{5, 6}));
}

TEST(TorchLowering, TorchPoolOutMatchesAten) {
  EXPECT_EQ(torch_pool_out(8, 3, 0, 2, false), 3);
  EXPECT_EQ(torch_pool_out(8, 3, 0, 2, true), 4);
  EXPECT_EQ(torch_pool_out(5, 2, 0, 2, true), 3);
  EXPECT_EQ(torch_pool_out(5, 2, 0, 2, false), 2);
  EXPECT_EQ(torch_pool_out(4, 2, 1, 2, true), 3);  // the last window starts inside the pad: dropped
}

TEST(TorchLowering, ConvPadsSymmetricOrExplicit) {
  GraphBuilder b("c", 1);
  b.output(b.conv2d(b.input("x", {1, 2, 8, 8}), 4, 3, 2));  // SAME_UPPER, stride 2: [0,0,1,1]
  const auto p = std::get<ConvPlan>(only_plan(std::move(b).finish()).plan);
  EXPECT_EQ(p.pre_pad, (std::vector<int64_t>{0, 1, 0, 1}));
  EXPECT_EQ(p.padding, (std::vector<int64_t>{0, 0}));
  EXPECT_TRUE(p.bias);

  GraphBuilder b2("c", 1);
  b2.output(b2.conv2d(b2.input("x", {1, 2, 8, 8}), 4, 3, 1, 1, 2, false));
  const auto q = std::get<ConvPlan>(only_plan(std::move(b2).finish()).plan);
  EXPECT_TRUE(q.pre_pad.empty());
  EXPECT_EQ(q.padding, (std::vector<int64_t>{1, 1}));
  EXPECT_EQ(q.groups, 2);
  EXPECT_FALSE(q.bias);
}

TEST(TorchLowering, PoolPlans) {
  {  // native: symmetric, at most half the kernel
    GraphBuilder b("p", 1);
    b.output(b.avg_pool(b.input("x", {1, 1, 8, 8}), pool_spec({3, 3}, {2, 2}, {1, 1, 1, 1}, true, false)));
    const auto p = std::get<PoolPlan>(only_plan(std::move(b).finish()).plan);
    EXPECT_TRUE(p.pre_pad.empty());
    EXPECT_FALSE(p.count_include_pad);
    EXPECT_FALSE(p.divide_by_valid_count);
    EXPECT_FALSE(p.narrow);
  }
  {  // asymmetric + ceil: explicit pads, divisor, narrowing
    GraphBuilder b("p", 1);
    b.output(b.avg_pool(b.input("x", {1, 1, 1, 4}), pool_spec({1, 2}, {1, 2}, {0, 0, 0, 1}, true, false)));
    const auto p = std::get<PoolPlan>(only_plan(std::move(b).finish()).plan);
    EXPECT_EQ(p.pre_pad, (std::vector<int64_t>{0, 1, 0, 0}));
    EXPECT_TRUE(p.count_include_pad);
    EXPECT_TRUE(p.divide_by_valid_count);
    EXPECT_TRUE(p.narrow);
    EXPECT_EQ(p.out_spatial, (std::vector<int64_t>{1, 2}));
  }
  {  // max over explicit pads pads with -inf
    GraphBuilder b("p", 1);
    b.output(b.max_pool(b.input("x", {1, 1, 7, 7}), pool_spec({3, 3}, {1, 1}, {2, 2, 2, 2})));
    const auto p = std::get<PoolPlan>(only_plan(std::move(b).finish()).plan);
    EXPECT_EQ(p.pre_pad, (std::vector<int64_t>{2, 2, 2, 2}));
    EXPECT_TRUE(std::isinf(p.pad_value) && p.pad_value < 0);
  }
}

TEST(TorchLowering, LrnWindowFollowsOnnx) {
  GraphBuilder b("l", 1);
  b.output(b.lrn(b.input("x", {1, 6, 2, 3}), 4, 1e-4f, 0.75f, 1.0f));
  const auto p = std::get<LrnPlan>(only_plan(std::move(b).finish()).plan);
  EXPECT_EQ(p.front, 1);  // floor(3 / 2)
  EXPECT_EQ(p.back, 2);   // ceil(3 / 2)
  EXPECT_EQ(p.as4d, (std::vector<int64_t>{1, 1, 6, 6}));
}

TEST(TorchLowering, UpsampleNativeOrRepeat) {
  GraphBuilder b("u", 1);
  const ValueId x = b.input("x", {1, 2, 3, 4});
  b.output(b.upsample(x, 2));
  b.output(b.node(OpKind::Upsample, {x}, UpsampleAttrs{{1, 3, 1, 2}}, "up_c"));
  auto g = std::move(b).finish();
  ASSERT_TRUE(g.is_ok());
  const auto plans = plan_graph(g.value());
  ASSERT_TRUE(plans.is_ok());
  const auto& a = std::get<UpsamplePlan>(plans.value()[0].plan);
  EXPECT_TRUE(a.native);
  EXPECT_EQ(a.out_size, (std::vector<int64_t>{6, 8}));
  const auto& c = std::get<UpsamplePlan>(plans.value()[1].plan);
  EXPECT_FALSE(c.native);
  EXPECT_EQ(c.repeats, (std::vector<std::pair<int64_t, int64_t>>{{1, 3}, {3, 2}}));
}

TEST(TorchLowering, Conv4dIsUnsupported) {
  GraphBuilder b("c4", 1);
  b.output(b.conv(b.input("x", {1, 1, 2, 2, 2, 2}), conv_spec(1, {1, 1, 1, 1}, {}, {0, 0, 0, 0, 0, 0, 0, 0}), "conv4"));
  auto g = std::move(b).finish();
  ASSERT_TRUE(g.is_ok()) << g.status().message();
  const Status st = plan_graph(g.value()).status();
  EXPECT_EQ(st.code(), ErrorCode::unsupported);
  EXPECT_NE(st.message().find("'conv4' (Conv)"), std::string::npos) << st.message();
}

TEST(TorchLowering, Categories) {
  EXPECT_STREQ(category_of_torch_op("aten::conv2d"), "convolution");
  EXPECT_STREQ(category_of_torch_op("prepacked::conv2d_clamp_run"), "convolution");
  EXPECT_STREQ(category_of_torch_op("aten::linear"), "fully_connected");
  EXPECT_STREQ(category_of_torch_op("aten::addmm"), "fully_connected");
  EXPECT_STREQ(category_of_torch_op("aten::batch_norm"), "batch_norm");
  EXPECT_STREQ(category_of_torch_op("aten::max_pool2d"), "pooling");
  EXPECT_STREQ(category_of_torch_op("aten::adaptive_avg_pool2d"), "pooling");
  EXPECT_STREQ(category_of_torch_op("aten::hardtanh"), "activation");
  EXPECT_STREQ(category_of_torch_op("aten::relu_"), "activation");
  EXPECT_STREQ(category_of_torch_op("aten::add"), "elementwise");
  EXPECT_STREQ(category_of_torch_op("aten::cat"), "data_movement");
  EXPECT_STREQ(category_of_torch_op("aten::to_dense"), "data_movement");
  EXPECT_STREQ(category_of_torch_op("aten::softmax"), "other");
}

TEST(TorchLowering, FloatLiteralsRoundTrip) {
  EXPECT_EQ(float_literal(6.0), "6.0");
  EXPECT_EQ(float_literal(-std::numeric_limits<double>::infinity()), "float(\"-inf\")");
  const double eps = 1e-5f;
  EXPECT_EQ(std::stod(float_literal(eps)), eps);
  EXPECT_EQ(std::stod(float_literal(0.1f)), static_cast<double>(0.1f));
}

TEST(TorchScriptCodegen, ReadsLikePyTorch) {
  GraphBuilder b("net", 1);
  const ValueId x = b.input("x", {1, 3, 8, 8});
  ValueId y = b.relu6(b.batch_norm(b.conv2d(x, 4, 3, 2)));
  y = b.add(y, y);
  b.output(b.dense(b.flatten(b.global_avg_pool(y)), 5));
  b.output(y);
  auto g = std::move(b).finish();
  ASSERT_TRUE(g.is_ok());
  auto plans = plan_graph(g.value());
  ASSERT_TRUE(plans.is_ok());
  auto src = generate_torchscript(g.value(), plans.value());
  ASSERT_TRUE(src.is_ok()) << src.status().message();
  const std::string& t = src.value().text;
  for (const char* part : {"def forward(self, v0):", "torch.constant_pad_nd(v0, [0, 1, 0, 1], 0.0)", "torch.conv2d(", "torch.batch_norm(",
                           "torch.hardtanh(", "torch.add(", "torch.adaptive_avg_pool2d(", "[1, 1])", "torch.flatten(", "torch.linear("})
    EXPECT_NE(t.find(part), std::string::npos) << part << "\n" << t;
  EXPECT_NE(t.find("    return ("), std::string::npos) << t;
  EXPECT_EQ(src.value().buffers.size(), 2u);      // BN mean and var
  EXPECT_EQ(src.value().parameters.size(), 6u);   // conv W, b; BN scale, bias; fc W, b
  EXPECT_TRUE(src.value().divisors.empty());
}

}  // namespace
}  // namespace eb::torch_lowering
