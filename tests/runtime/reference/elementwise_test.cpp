// Relu, Clip, LeakyRelu, Sigmoid, BatchNorm and Add.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "test_util.h"

namespace eb::ref::testing {
namespace {

const float kNan = std::numeric_limits<float>::quiet_NaN();
const float kInf = std::numeric_limits<float>::infinity();

TEST(ActivationTest, Relu) {
  EB_RUN_OP(y, OpKind::Relu, NoAttrs{}, {Tensor{{5}, {-2, -0.5f, 0, 0.5f, 3}}});
  EXPECT_TRUE(near(y.data, {0, 0, 0, 0.5f, 3}));
}

TEST(ActivationTest, ClipAndRelu6) {
  EB_RUN_OP(y, OpKind::Clip, (ClipAttrs{0, 6}), {Tensor{{1, 5}, {-1, 0, 3, 6, 7.5f}}});
  EXPECT_TRUE(near(y.data, {0, 0, 3, 6, 6}));
  EB_RUN_OP(z, OpKind::Clip, (ClipAttrs{-kInf, 1}), {Tensor{{3}, {-1e30f, 0.5f, 2}}});
  EXPECT_TRUE(near(z.data, {-1e30f, 0.5f, 1}));
}

TEST(ActivationTest, LeakyRelu) {
  EB_RUN_OP(y, OpKind::LeakyRelu, LeakyReluAttrs{0.1f}, {Tensor{{4}, {-10, -1, 0, 2}}});
  EXPECT_TRUE(near(y.data, {-1, -0.1f, 0, 2}));
}

TEST(ActivationTest, SigmoidIsStableAtTheExtremes) {
  EB_RUN_OP(y, OpKind::Sigmoid, NoAttrs{}, {Tensor{{5}, {-1000, -1, 0, 1, 1000}}});
  EXPECT_TRUE(near(y.data, {0, 0.26894142f, 0.5f, 0.73105858f, 1}));
  for (float v : y.data) EXPECT_FALSE(std::isnan(v));
}

TEST(ActivationTest, SigmoidSymmetry) {
  Rng rng(3);
  const Tensor x = random({64}, rng);
  Tensor neg = x;
  for (float& v : neg.data) v = -v;
  EB_RUN_OP(a, OpKind::Sigmoid, NoAttrs{}, {x});
  EB_RUN_OP(b, OpKind::Sigmoid, NoAttrs{}, {neg});
  for (std::size_t i = 0; i < a.data.size(); ++i) EXPECT_NEAR(a.data[i] + b.data[i], 1.0f, 1e-6f);
}

TEST(ActivationTest, NanPropagates) {
  for (OpKind op : {OpKind::Relu, OpKind::Sigmoid}) {
    EB_RUN_OP(y, op, NoAttrs{}, {Tensor{{1}, {kNan}}});
    EXPECT_TRUE(std::isnan(y.data[0])) << op_name(op);
  }
  EB_RUN_OP(c, OpKind::Clip, (ClipAttrs{0, 6}), {Tensor{{1}, {kNan}}});
  EXPECT_TRUE(std::isnan(c.data[0]));
  EB_RUN_OP(l, OpKind::LeakyRelu, LeakyReluAttrs{0.1f}, {Tensor{{1}, {kNan}}});
  EXPECT_TRUE(std::isnan(l.data[0]));
}

TEST(BatchNormTest, InferenceFormula) {
  // Two channels of two pixels each, batch of 2.
  const Tensor x{{2, 2, 1, 2}, {1, 2, 3, 4, 5, 6, 7, 8}};
  const Tensor scale{{2}, {2, 0.5f}}, bias{{2}, {1, -1}}, mean{{2}, {1, 4}}, var{{2}, {4, 0.25f}};
  EB_RUN_OP(y, OpKind::BatchNorm, BatchNormAttrs{0.0f}, {x, scale, bias, mean, var});
  // c0: 2 * (x - 1) / 2 + 1 = x;  c1: 0.5 * (x - 4) / 0.5 - 1 = x - 5.
  EXPECT_TRUE(near(y.data, {1, 2, -2, -1, 5, 6, 2, 3}));
}

TEST(BatchNormTest, EpsilonAndRank2) {
  EB_RUN_OP(y, OpKind::BatchNorm, BatchNormAttrs{1.0f}, {Tensor{{1, 1}, {3}}, Tensor{{1}, {1}}, Tensor{{1}, {0}}, Tensor{{1}, {0}}, Tensor{{1}, {3}}});
  EXPECT_TRUE(near(y.data, {1.5f}));  // 3 / sqrt(3 + 1)
}

TEST(AddTest, SameShape) {
  EB_RUN_OP(y, OpKind::Add, NoAttrs{}, {iota({2, 3}), iota({2, 3}, 10)});
  EXPECT_TRUE(near(y.data, {10, 12, 14, 16, 18, 20}));
}

TEST(AddTest, BroadcastTrailingVector) {
  EB_RUN_OP(y, OpKind::Add, NoAttrs{}, {iota({2, 3}), Tensor{{3}, {100, 200, 300}}});
  EXPECT_TRUE(near(y.data, {100, 201, 302, 103, 204, 305}));
}

TEST(AddTest, BroadcastBothSides) {
  EB_RUN_OP(y, OpKind::Add, NoAttrs{}, {Tensor{{2, 1}, {10, 20}}, Tensor{{1, 3}, {1, 2, 3}}});
  EXPECT_EQ(y.shape, (Shape{2, 3}));
  EXPECT_TRUE(near(y.data, {11, 12, 13, 21, 22, 23}));
}

TEST(AddTest, BroadcastPerChannelBias) {
  // [1, 3, 2, 2] + [3, 1, 1]: a per-channel constant.
  EB_RUN_OP(y, OpKind::Add, NoAttrs{}, {iota({1, 3, 2, 2}), Tensor{{3, 1, 1}, {100, 200, 300}}});
  EXPECT_TRUE(near(y.data, {100, 101, 102, 103, 204, 205, 206, 207, 308, 309, 310, 311}));
}

TEST(AddTest, BroadcastMiddleAndScalar) {
  EB_RUN_OP(y, OpKind::Add, NoAttrs{}, {iota({2, 1, 2}), iota({3, 1}, 10, 10)});
  EXPECT_EQ(y.shape, (Shape{2, 3, 2}));
  EXPECT_TRUE(near(y.data, {10, 11, 20, 21, 30, 31, 12, 13, 22, 23, 32, 33}));
  EB_RUN_OP(s, OpKind::Add, NoAttrs{}, {Tensor{Shape{}, {1}}, iota({2, 2})});
  EXPECT_TRUE(near(s.data, {1, 2, 3, 4}));
  EB_RUN_OP(r0, OpKind::Add, NoAttrs{}, {Tensor{Shape{}, {1}}, Tensor{Shape{}, {2}}});
  EXPECT_TRUE(near(r0.data, {3}));
}

TEST(AddTest, BroadcastIsCommutative) {
  Rng rng(11);
  const Tensor a = random({2, 3, 4, 5}, rng), b = random({3, 1, 5}, rng);
  EB_RUN_OP(ab, OpKind::Add, NoAttrs{}, {a, b});
  EB_RUN_OP(ba, OpKind::Add, NoAttrs{}, {b, a});
  EXPECT_EQ(ab.data, ba.data);
  // Spot check one element: y[1, 2, 3, 4] = a[1, 2, 3, 4] + b[2, 0, 4].
  EXPECT_FLOAT_EQ(ab.data[((1 * 3 + 2) * 4 + 3) * 5 + 4], a.data[((1 * 3 + 2) * 4 + 3) * 5 + 4] + b.data[2 * 5 + 4]);
}

TEST(AddTest, RejectsIncompatibleShapes) {
  EXPECT_EQ(run_op(OpKind::Add, NoAttrs{}, {iota({2, 3}), iota({2})}).status().code(), ErrorCode::invalid_argument);
}

}  // namespace
}  // namespace eb::ref::testing
