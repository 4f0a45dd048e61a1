#include <gtest/gtest.h>

#include "test_util.h"

namespace eb::ref::testing {
namespace {

ConvAttrs attrs2d(std::vector<int64_t> kernel, std::vector<int64_t> pads = {0, 0, 0, 0}, std::vector<int64_t> strides = {1, 1},
                  std::vector<int64_t> dilations = {1, 1}, int64_t group = 1) {
  return ConvAttrs{std::move(kernel), std::move(strides), std::move(dilations), std::move(pads), group};
}

Tensor filled(Shape s, float v) { return Tensor{s, std::vector<float>(static_cast<std::size_t>(s.numel()), v)}; }

TEST(ConvTest, Valid2x2OfOnes) {
  EB_RUN_OP(y, OpKind::Conv, attrs2d({2, 2}), {iota({1, 1, 3, 3}, 1), filled({1, 1, 2, 2}, 1)});
  EXPECT_EQ(y.shape, (Shape{1, 1, 2, 2}));
  EXPECT_TRUE(near(y.data, {12, 16, 24, 28}));
}

TEST(ConvTest, SamePaddingZeroFills) {
  EB_RUN_OP(y, OpKind::Conv, attrs2d({3, 3}, {1, 1, 1, 1}), {iota({1, 1, 3, 3}, 1), filled({1, 1, 3, 3}, 1)});
  EXPECT_TRUE(near(y.data, {12, 21, 16, 27, 45, 33, 24, 39, 28}));
}

TEST(ConvTest, StrideTwoWithPadding) {
  // 7x5 of 0..34, 3x3 ones, pad 1, stride 2 (the ONNX conv_with_strides_padding example).
  EB_RUN_OP(y, OpKind::Conv, attrs2d({3, 3}, {1, 1, 1, 1}, {2, 2}), {iota({1, 1, 7, 5}), filled({1, 1, 3, 3}, 1)});
  EXPECT_EQ(y.shape, (Shape{1, 1, 4, 3}));
  EXPECT_TRUE(near(y.data, {12, 27, 24, 63, 108, 81, 123, 198, 141, 112, 177, 124}));
}

TEST(ConvTest, Dilation) {
  EB_RUN_OP(y, OpKind::Conv, attrs2d({2, 2}, {0, 0, 0, 0}, {1, 1}, {2, 2}), {iota({1, 1, 4, 4}), filled({1, 1, 2, 2}, 1)});
  EXPECT_TRUE(near(y.data, {20, 24, 36, 40}));
}

TEST(ConvTest, AsymmetricPads) {
  // Width padded by 2 at the start, none at the end: [0, 0, 1, 2, 3] * [1, 10].
  EB_RUN_OP(y, OpKind::Conv, attrs2d({1, 2}, {0, 2, 0, 0}), {iota({1, 1, 1, 3}, 1), Tensor{{1, 1, 1, 2}, {1, 10}}});
  EXPECT_TRUE(near(y.data, {0, 10, 21, 32}));
}

TEST(ConvTest, BiasAndChannels) {
  // 1x1 conv: a matrix product over channels plus bias.
  const Tensor w{{3, 2, 1, 1}, {1, 2, 3, 4, 5, 6}};
  const Tensor b{{3}, {0.5f, -1, 100}};
  EB_RUN_OP(y, OpKind::Conv, attrs2d({1, 1}), {Tensor{{1, 2, 1, 1}, {1, 2}}, w, b});
  EXPECT_TRUE(near(y.data, {5.5f, 10, 117}));
}

TEST(ConvTest, Groups) {
  const Tensor w{{2, 2, 1, 1}, {1, 1, 1, -1}};
  EB_RUN_OP(y, OpKind::Conv, attrs2d({1, 1}, {0, 0, 0, 0}, {1, 1}, {1, 1}, 2), {iota({1, 4, 1, 1}, 1), w});
  EXPECT_TRUE(near(y.data, {3, -1}));
}

TEST(ConvTest, Conv1d) {
  EB_RUN_OP(y, OpKind::Conv, (ConvAttrs{{2}, {1}, {1}, {0, 0}, 1}), {iota({1, 1, 4}, 1), Tensor{{1, 1, 2}, {1, -1}}});
  EXPECT_TRUE(near(y.data, {-1, -1, -1}));
}

TEST(ConvTest, Conv3d) {
  EB_RUN_OP(y, OpKind::Conv, (ConvAttrs{{2, 2, 2}, {1, 1, 1}, {1, 1, 1}, {0, 0, 0, 0, 0, 0}, 1}),
            {iota({1, 1, 2, 2, 3}), filled({1, 1, 2, 2, 2}, 1)});
  // out[w] = sum over d, h of x[d, h, w] + x[d, h, w + 1].
  EXPECT_TRUE(near(y.data, {2 * (0 + 3 + 6 + 9) + 4 * 1, 2 * (1 + 4 + 7 + 10) + 4 * 1}));
}

TEST(ConvTest, EmptyAttrsUseDefaultsAndWeightKernel) {
  EB_RUN_OP(y, OpKind::Conv, ConvAttrs{}, {iota({1, 1, 3, 3}, 1), filled({1, 1, 2, 2}, 1)});
  EXPECT_TRUE(near(y.data, {12, 16, 24, 28}));
}

// ---- property: agrees with a textbook per-output-element formula ----------

struct Case {
  std::vector<int64_t> in;  // N, C, spatial...
  int64_t filters;
  std::vector<int64_t> kernel, strides, dilations, pads;
  int64_t group;
  bool bias;
};

// y[n, m, o...] = b[m] + sum_{c, k...} x[n, g*C/g + c, o*s - p + k*d] * w[m, c, k...], out-of-range x being 0.
std::vector<float> naive_conv(const Tensor& x, const Tensor& w, const Tensor* b, const ConvAttrs& a, const Shape& ys) {
  const std::size_t ns = x.shape.rank() - 2;
  const int64_t cg = w.shape[1], mg = w.shape[0] / a.group;
  std::vector<float> y(static_cast<std::size_t>(ys.numel()));
  std::vector<int64_t> o(ns), k(ns);
  auto next = [](std::vector<int64_t>& idx, const std::vector<int64_t>& ext) {
    for (std::size_t d = idx.size(); d-- > 0;) {
      if (++idx[d] < ext[d]) return true;
      idx[d] = 0;
    }
    return false;
  };
  std::vector<int64_t> oext(ys.dims().begin() + 2, ys.dims().end()), kext(w.shape.dims().begin() + 2, w.shape.dims().end());
  std::size_t yi = 0;
  for (int64_t n = 0; n < ys[0]; ++n)
    for (int64_t m = 0; m < ys[1]; ++m) {
      std::fill(o.begin(), o.end(), 0);
      do {
        double acc = b ? b->data[m] : 0.0;
        for (int64_t c = 0; c < cg; ++c) {
          std::fill(k.begin(), k.end(), 0);
          do {
            int64_t xi = n * x.shape[1] + (m / mg) * cg + c, wi = m * cg + c;
            bool inside = true;
            for (std::size_t d = 0; d < ns; ++d) {
              const int64_t pos = o[d] * a.strides[d] - a.pads[d] + k[d] * a.dilations[d];
              inside = inside && pos >= 0 && pos < x.shape[2 + d];
              xi = xi * x.shape[2 + d] + pos;
              wi = wi * kext[d] + k[d];
            }
            if (inside) acc += static_cast<double>(x.data[xi]) * w.data[wi];
          } while (next(k, kext));
        }
        y[yi++] = static_cast<float>(acc);
      } while (next(o, oext));
    }
  return y;
}

TEST(ConvTest, MatchesTextbookFormula) {
  const std::vector<Case> cases = {
      {{1, 3, 9}, 4, {3}, {1}, {1}, {1, 1}, 1, true},
      {{2, 4, 11}, 6, {3}, {2}, {2}, {0, 3}, 2, false},
      {{1, 3, 8, 7}, 5, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}, 1, true},
      {{1, 4, 9, 10}, 4, {3, 3}, {2, 2}, {1, 1}, {0, 1, 2, 0}, 4, true},   // depthwise, asymmetric
      {{2, 6, 12, 9}, 4, {3, 2}, {2, 3}, {2, 1}, {2, 0, 1, 3}, 2, true},   // groups, mixed
      {{1, 3, 7, 7}, 8, {7, 7}, {2, 2}, {1, 1}, {3, 3, 3, 3}, 1, false},   // 7x7 stem
      {{1, 2, 5, 5}, 3, {1, 1}, {3, 3}, {1, 1}, {0, 0, 0, 0}, 1, true},
      {{1, 8, 6, 6}, 8, {3, 3}, {1, 1}, {3, 3}, {3, 3, 3, 3}, 8, true},   // dilated depthwise
      {{1, 2, 4, 5, 6}, 3, {3, 3, 3}, {1, 1, 1}, {1, 1, 1}, {1, 1, 1, 1, 1, 1}, 1, true},
      {{1, 4, 5, 7, 6}, 4, {2, 3, 1}, {2, 1, 2}, {1, 2, 1}, {0, 1, 0, 1, 2, 0}, 2, true},
  };
  Rng rng(7);
  for (const Case& c : cases) {
    const std::size_t ns = c.kernel.size();
    std::vector<int64_t> wdims = {c.filters, c.in[1] / c.group};
    wdims.insert(wdims.end(), c.kernel.begin(), c.kernel.end());
    const Tensor x = random(Shape(c.in), rng), w = random(Shape(wdims), rng), b = random({c.filters}, rng);
    const ConvAttrs a{c.kernel, c.strides, c.dilations, c.pads, c.group};
    std::vector<Tensor> inputs = {x, w};
    if (c.bias) inputs.push_back(b);
    EB_RUN_OP(y, OpKind::Conv, a, inputs);
    EXPECT_EQ(y.shape.rank(), ns + 2);
    EXPECT_TRUE(near(y.data, naive_conv(x, w, c.bias ? &b : nullptr, a, y.shape), 1e-5, 1e-5)) << "input [" << Shape(c.in).to_string() << "]";
  }
}

// ---- errors are values ------------------------------------------------------

TEST(ConvTest, RejectsWrongOutputShape) {
  const Tensor x = iota({1, 1, 3, 3}), w = filled({1, 1, 2, 2}, 1);
  std::vector<float> y(9);
  const std::vector<ConstTensorView> in = {{x.data.data(), x.shape}, {w.data.data(), w.shape}};
  const Status st = run_node(make_node(OpKind::Conv, attrs2d({2, 2}), 2), in, TensorView{y.data(), Shape{1, 1, 3, 3}});
  EXPECT_EQ(st.code(), ErrorCode::invalid_argument);
  EXPECT_NE(st.message().find("Conv_test"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("1x1x2x2"), std::string::npos) << st.message();
}

TEST(ConvTest, RejectsMissingWeightAndWrongAttrs) {
  const Tensor x = iota({1, 1, 3, 3});
  std::vector<float> y(4);
  const std::vector<ConstTensorView> in = {{x.data.data(), x.shape}, {}};
  EXPECT_EQ(run_node(make_node(OpKind::Conv, attrs2d({2, 2}), 2), in, TensorView{y.data(), Shape{1, 1, 2, 2}}).code(),
            ErrorCode::invalid_argument);
  const Tensor w = filled({1, 1, 2, 2}, 1);
  const std::vector<ConstTensorView> in2 = {{x.data.data(), x.shape}, {w.data.data(), w.shape}};
  const Status st = run_node(make_node(OpKind::Conv, PoolAttrs{}, 2), in2, TensorView{y.data(), Shape{1, 1, 2, 2}});
  EXPECT_EQ(st.code(), ErrorCode::invalid_argument);
  EXPECT_NE(st.message().find("attributes"), std::string::npos) << st.message();
}

TEST(ConvTest, RejectsViewCountMismatch) {
  const Tensor x = iota({1, 1, 3, 3});
  std::vector<float> y(4);
  const std::vector<ConstTensorView> in = {{x.data.data(), x.shape}};
  EXPECT_FALSE(run_node(make_node(OpKind::Conv, attrs2d({2, 2}), 2), in, TensorView{y.data(), Shape{1, 1, 2, 2}}).is_ok());
}

}  // namespace
}  // namespace eb::ref::testing
