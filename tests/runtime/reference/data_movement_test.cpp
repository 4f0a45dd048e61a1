// Gemm, Concat, Flatten, Reshape, Softmax, LRN, Upsample, Pad.
#include <gtest/gtest.h>

#include <cmath>

#include "test_util.h"

namespace eb::ref::testing {
namespace {

TEST(GemmTest, RowsTimesTransposedWeightsPlusBias) {
  const Tensor x{{2, 3}, {1, 2, 3, 4, 5, 6}};
  const Tensor w{{2, 3}, {1, 0, -1, 0.5f, 0.5f, 0.5f}};
  EB_RUN_OP(y, OpKind::Gemm, NoAttrs{}, {x, w, Tensor{{2}, {10, 20}}});
  EXPECT_EQ(y.shape, (Shape{2, 2}));
  EXPECT_TRUE(near(y.data, {8, 23, 8, 27.5f}));
  EB_RUN_OP(nb, OpKind::Gemm, NoAttrs{}, {x, w});
  EXPECT_TRUE(near(nb.data, {-2, 3, -2, 7.5f}));
}

TEST(GemmTest, LongDotProductIsAccurate) {
  // 100000 terms of 1e-4: a float accumulator drifts; the reference sums in double.
  const int64_t n = 100000;
  const Tensor x{{1, n}, std::vector<float>(n, 1.0f)};
  Tensor w{{1, n}, std::vector<float>(n, 1e-4f)};
  EB_RUN_OP(y, OpKind::Gemm, NoAttrs{}, {x, w});
  EXPECT_NEAR(y.data[0], 10.0f, 1e-5f);
}

TEST(ConcatTest, Axes) {
  const Tensor a = iota({2, 2}), b = iota({2, 1}, 10);
  EB_RUN_OP(y1, OpKind::Concat, AxisAttrs{1}, {a, b});
  EXPECT_TRUE(near(y1.data, {0, 1, 10, 2, 3, 11}));
  EB_RUN_OP(yn, OpKind::Concat, AxisAttrs{-1}, {a, b});
  EXPECT_EQ(yn.data, y1.data);
  EB_RUN_OP(y0, OpKind::Concat, AxisAttrs{0}, {a, iota({1, 2}, 10), a});
  EXPECT_TRUE(near(y0.data, {0, 1, 2, 3, 10, 11, 0, 1, 2, 3}));
  EB_RUN_OP(c, OpKind::Concat, AxisAttrs{1}, {iota({2, 1, 2}), iota({2, 2, 2}, 10)});
  EXPECT_TRUE(near(c.data, {0, 1, 10, 11, 12, 13, 2, 3, 14, 15, 16, 17}));
  EB_RUN_OP(one, OpKind::Concat, AxisAttrs{0}, {a});
  EXPECT_EQ(one.data, a.data);
}

TEST(ReshapeTest, FlattenAndReshapeKeepRowMajorOrder) {
  const Tensor x = iota({2, 3, 2});
  EB_RUN_OP(f, OpKind::Flatten, AxisAttrs{1}, {x});
  EXPECT_EQ(f.shape, (Shape{2, 6}));
  EXPECT_EQ(f.data, x.data);
  EB_RUN_OP(f0, OpKind::Flatten, AxisAttrs{0}, {x});
  EXPECT_EQ(f0.shape, (Shape{1, 12}));
  EB_RUN_OP(r, OpKind::Reshape, ReshapeAttrs{{0, -1}}, {x});
  EXPECT_EQ(r.shape, (Shape{2, 6}));
  EXPECT_EQ(r.data, x.data);
}

TEST(SoftmaxTest, KnownValuesAndStability) {
  EB_RUN_OP(y, OpKind::Softmax, AxisAttrs{-1}, {Tensor{{1, 3}, {1, 2, 3}}});
  EXPECT_TRUE(near(y.data, {0.09003057f, 0.24472847f, 0.66524096f}));
  EB_RUN_OP(big, OpKind::Softmax, AxisAttrs{1}, {Tensor{{1, 3}, {1001, 1002, 1003}}});
  EXPECT_TRUE(near(big.data, y.data));
  EB_RUN_OP(neg, OpKind::Softmax, AxisAttrs{1}, {Tensor{{1, 2}, {-1e30f, 0}}});
  EXPECT_TRUE(near(neg.data, {0, 1}));
}

TEST(SoftmaxTest, AlongOneAxisOnly) {
  // [2, 3, 2]: softmax over axis 1 normalizes each of the 4 (n, w) columns of 3.
  Rng rng(5);
  const Tensor x = random({2, 3, 2}, rng);
  EB_RUN_OP(y, OpKind::Softmax, AxisAttrs{1}, {x});
  for (int n = 0; n < 2; ++n)
    for (int w = 0; w < 2; ++w) {
      double sum = 0;
      for (int c = 0; c < 3; ++c) sum += y.data[(n * 3 + c) * 2 + w];
      EXPECT_NEAR(sum, 1.0, 1e-6);
      // Ratios follow exp differences.
      const float r = y.data[(n * 3 + 1) * 2 + w] / y.data[(n * 3 + 0) * 2 + w];
      EXPECT_NEAR(r, std::exp(x.data[(n * 3 + 1) * 2 + w] - x.data[(n * 3 + 0) * 2 + w]), 1e-5);
    }
  EB_RUN_OP(y0, OpKind::Softmax, AxisAttrs{0}, {Tensor{{2, 1}, {0, 0}}});
  EXPECT_TRUE(near(y0.data, {0.5f, 0.5f}));
}

TEST(LrnTest, OnnxWindowOddAndEvenSize) {
  // One pixel, channels [1, 2, 3]; alpha / size = 1, beta = 1, bias = 1: y = x / (1 + window sum of squares).
  const Tensor x{{1, 3, 1, 1}, {1, 2, 3}};
  EB_RUN_OP(odd, OpKind::Lrn, (LrnAttrs{3, 3.0f, 1.0f, 1.0f}), {x});
  EXPECT_TRUE(near(odd.data, {1 / 6.f, 2 / 15.f, 3 / 14.f}));
  // size 2: the window is [c, c + 1] (floor((size-1)/2) = 0 before, ceil = 1 after).
  EB_RUN_OP(even, OpKind::Lrn, (LrnAttrs{2, 2.0f, 1.0f, 1.0f}), {x});
  EXPECT_TRUE(near(even.data, {1 / 6.f, 2 / 14.f, 3 / 10.f}));
}

TEST(LrnTest, BetaAndBiasAndSpatialIndependence) {
  const Tensor x{{1, 2, 1, 2}, {1, 0, 1, 2}};
  EB_RUN_OP(y, OpKind::Lrn, (LrnAttrs{5, 5e-1f, 0.5f, 2.0f}), {x});
  // Pixel 0: sum 2 -> x / sqrt(2 + 0.1 * 2); pixel 1: sum 4 -> x / sqrt(2 + 0.4).
  EXPECT_TRUE(near(y.data, {1 / std::sqrt(2.2f), 0, 1 / std::sqrt(2.2f), 2 / std::sqrt(2.4f)}));
}

TEST(UpsampleTest, NearestIntegerFactors) {
  EB_RUN_OP(y, OpKind::Upsample, (UpsampleAttrs{{1, 1, 2, 3}}), {iota({1, 1, 2, 2}, 1)});
  EXPECT_EQ(y.shape, (Shape{1, 1, 4, 6}));
  EXPECT_TRUE(near(y.data, {1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 3, 3, 3, 4, 4, 4}));
  EB_RUN_OP(c, OpKind::Upsample, (UpsampleAttrs{{1, 2, 1}}), {iota({1, 2, 2})});
  EXPECT_TRUE(near(c.data, {0, 1, 0, 1, 2, 3, 2, 3}));
}

TEST(PadTest, ConstantValue) {
  EB_RUN_OP(y, OpKind::Pad, (PadAttrs{{0, 0, 1, 0, 0, 0, 0, 2}, -1.0f}), {iota({1, 1, 2, 2}, 1)});
  EXPECT_EQ(y.shape, (Shape{1, 1, 3, 4}));
  EXPECT_TRUE(near(y.data, {-1, -1, -1, -1, 1, 2, -1, -1, 3, 4, -1, -1}));
  EB_RUN_OP(c, OpKind::Pad, (PadAttrs{{1, 0, 0, 1}, 0.0f}), {iota({1, 2}, 1)});
  EXPECT_TRUE(near(c.data, {0, 0, 0, 1, 2, 0}));
  EB_RUN_OP(z, OpKind::Pad, (PadAttrs{{0, 0, 0, 0}, 0.0f}), {iota({2, 2})});
  EXPECT_TRUE(near(z.data, {0, 1, 2, 3}));
}

}  // namespace
}  // namespace eb::ref::testing
