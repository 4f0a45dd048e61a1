#include <gtest/gtest.h>

#include <limits>

#include "test_util.h"

namespace eb::ref::testing {
namespace {

PoolAttrs pool(std::vector<int64_t> kernel, std::vector<int64_t> strides, std::vector<int64_t> pads, bool ceil_mode = false,
               bool count_include_pad = false) {
  return PoolAttrs{std::move(kernel), std::move(strides), std::move(pads), ceil_mode, count_include_pad};
}

TEST(PoolTest, MaxAndAverage2x2Stride2) {
  EB_RUN_OP(mx, OpKind::MaxPool, pool({2, 2}, {2, 2}, {0, 0, 0, 0}), {iota({1, 1, 4, 4})});
  EXPECT_TRUE(near(mx.data, {5, 7, 13, 15}));
  EB_RUN_OP(av, OpKind::AvgPool, pool({2, 2}, {2, 2}, {0, 0, 0, 0}), {iota({1, 1, 4, 4})});
  EXPECT_TRUE(near(av.data, {2.5f, 4.5f, 10.5f, 12.5f}));
}

TEST(PoolTest, AveragePaddingExcludedOrIncluded) {
  // 3x3 of 1..9, 3x3 window, pad 1: the corner window holds 1, 2, 4, 5.
  EB_RUN_OP(ex, OpKind::AvgPool, pool({3, 3}, {1, 1}, {1, 1, 1, 1}), {iota({1, 1, 3, 3}, 1)});
  EXPECT_TRUE(near(ex.data, {3, 3.5f, 4, 4.5f, 5, 5.5f, 6, 6.5f, 7}));
  EB_RUN_OP(in, OpKind::AvgPool, pool({3, 3}, {1, 1}, {1, 1, 1, 1}, false, true), {iota({1, 1, 3, 3}, 1)});
  EXPECT_TRUE(near(in.data, {12 / 9.f, 21 / 9.f, 16 / 9.f, 27 / 9.f, 5, 33 / 9.f, 24 / 9.f, 39 / 9.f, 28 / 9.f}));
}

TEST(PoolTest, MaxIgnoresPadding) {
  EB_RUN_OP(y, OpKind::MaxPool, pool({2, 2}, {1, 1}, {1, 1, 1, 1}), {Tensor{{1, 1, 2, 2}, {-1, -2, -3, -4}}});
  EXPECT_TRUE(near(y.data, {-1, -1, -2, -1, -1, -2, -3, -3, -4}));
}

TEST(PoolTest, CeilModeCountsOnlyInputElements) {
  // The ONNX averagepool_2d_ceil / maxpool_2d_ceil example.
  EB_RUN_OP(av, OpKind::AvgPool, pool({3, 3}, {2, 2}, {0, 0, 0, 0}, true), {iota({1, 1, 4, 4}, 1)});
  EXPECT_EQ(av.shape, (Shape{1, 1, 2, 2}));
  EXPECT_TRUE(near(av.data, {6, 7.5f, 12, 13.5f}));
  EB_RUN_OP(mx, OpKind::MaxPool, pool({3, 3}, {2, 2}, {0, 0, 0, 0}, true), {iota({1, 1, 4, 4}, 1)});
  EXPECT_TRUE(near(mx.data, {11, 12, 15, 16}));
}

TEST(PoolTest, CeilModeWithCountIncludePadStopsAtThePaddedEdge) {
  // x = 1..5, window 3, stride 2, pad begin 1, end 0: windows [-1,2), [1,4), [3,6).
  // count_include_pad counts the begin pad but not the overhang past the end.
  EB_RUN_OP(in, OpKind::AvgPool, pool({3}, {2}, {1, 0}, true, true), {iota({1, 1, 5}, 1)});
  EXPECT_EQ(in.shape, (Shape{1, 1, 3}));
  EXPECT_TRUE(near(in.data, {1, 3, 4.5f}));
  EB_RUN_OP(ex, OpKind::AvgPool, pool({3}, {2}, {1, 0}, true, false), {iota({1, 1, 5}, 1)});
  EXPECT_TRUE(near(ex.data, {1.5f, 3, 4.5f}));
  // Symmetric pad 1: the last window [3,6) ends inside the end padding, which counts.
  EB_RUN_OP(sym, OpKind::AvgPool, pool({3}, {2}, {1, 1}, true, true), {iota({1, 1, 5}, 1)});
  EXPECT_TRUE(near(sym.data, {1, 3, 3}));
}

TEST(PoolTest, OneAndThreeSpatialDims) {
  EB_RUN_OP(y1, OpKind::MaxPool, pool({2}, {1}, {0, 0}), {Tensor{{1, 1, 4}, {1, 3, 2, 0}}});
  EXPECT_TRUE(near(y1.data, {3, 3, 2}));
  EB_RUN_OP(y3, OpKind::AvgPool, pool({2, 2, 2}, {2, 2, 2}, {0, 0, 0, 0, 0, 0}), {iota({1, 2, 2, 2, 2})});
  EXPECT_TRUE(near(y3.data, {3.5f, 11.5f}));
  EB_RUN_OP(m3, OpKind::MaxPool, pool({1, 2, 2}, {1, 1, 1}, {0, 0, 0, 0, 0, 0}), {iota({1, 1, 2, 3, 3})});
  EXPECT_TRUE(near(m3.data, {4, 5, 7, 8, 13, 14, 16, 17}));
}

TEST(PoolTest, BatchAndChannelsAreIndependent) {
  EB_RUN_OP(y, OpKind::MaxPool, pool({2, 2}, {2, 2}, {0, 0, 0, 0}), {iota({2, 3, 2, 2})});
  EXPECT_TRUE(near(y.data, {3, 7, 11, 15, 19, 23}));
}

TEST(PoolTest, EmptyStridesDefaultToOne) {
  EB_RUN_OP(y, OpKind::MaxPool, (PoolAttrs{{2}, {}, {}, false, false}), {Tensor{{1, 1, 4}, {1, 3, 2, 0}}});
  EXPECT_TRUE(near(y.data, {3, 3, 2}));
}

TEST(PoolTest, NanPropagatesThroughMax) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  EB_RUN_OP(y, OpKind::MaxPool, pool({2}, {2}, {0, 0}), {Tensor{{1, 1, 4}, {nan, 1, 2, 3}}});
  EXPECT_TRUE(std::isnan(y.data[0]));
  EXPECT_EQ(y.data[1], 3);
  EB_RUN_OP(g, OpKind::GlobalMaxPool, NoAttrs{}, {Tensor{{1, 1, 3}, {1, nan, 5}}});
  EXPECT_TRUE(std::isnan(g.data[0]));
}

TEST(PoolTest, Global) {
  EB_RUN_OP(av, OpKind::GlobalAvgPool, NoAttrs{}, {iota({2, 2, 2, 3})});
  EXPECT_EQ(av.shape, (Shape{2, 2, 1, 1}));
  EXPECT_TRUE(near(av.data, {2.5f, 8.5f, 14.5f, 20.5f}));
  EB_RUN_OP(mx, OpKind::GlobalMaxPool, NoAttrs{}, {iota({1, 3, 2, 2, 2}, -10)});
  EXPECT_EQ(mx.shape, (Shape{1, 3, 1, 1, 1}));
  EXPECT_TRUE(near(mx.data, {-3, 5, 13}));
}

// Property: a k x k average with count_include_pad over a constant input
// padded by zeros equals the fraction of the window inside the input.
TEST(PoolTest, AverageOfConstantMatchesCoverage) {
  const Tensor ones{{1, 1, 5, 5}, std::vector<float>(25, 1.0f)};
  EB_RUN_OP(ex, OpKind::AvgPool, pool({3, 3}, {2, 2}, {1, 1, 1, 1}), {ones});
  for (float v : ex.data) EXPECT_FLOAT_EQ(v, 1.0f);
  EB_RUN_OP(in, OpKind::AvgPool, pool({3, 3}, {2, 2}, {1, 1, 1, 1}, false, true), {ones});
  EXPECT_TRUE(near(in.data, {4 / 9.f, 6 / 9.f, 4 / 9.f, 6 / 9.f, 1, 6 / 9.f, 4 / 9.f, 6 / 9.f, 4 / 9.f}));
}

}  // namespace
}  // namespace eb::ref::testing
