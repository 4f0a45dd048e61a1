// The hand-written AVX-512 kernels against the reference kernels on random
// shapes (relative L2 <= 1e-4, FP32), and the provider's choice of nodes.
// Skipped on a CPU without AVX-512F, where the provider declines everything.
#include <gtest/gtest.h>

#include <cmath>

#include "runtime/avx512/gemv.h"
#include "runtime/avx512/small_map_conv.h"
#include "runtime/weight_store.h"
#include "runtime_test_util.h"

namespace eb::rt::testing {
namespace {

int64_t pick(Rng& rng, int64_t lo, int64_t hi) { return lo + static_cast<int64_t>(rng.next_u64() % static_cast<uint64_t>(hi - lo + 1)); }

// The AVX-512 provider taking every fully connected layer it can, then the
// reference kernels for anything it leaves.
std::shared_ptr<const KernelRegistry> avx512_first(std::optional<std::size_t> min_gemv_bytes = 0) {
  auto r = std::make_shared<KernelRegistry>();
  r->add(make_avx512_provider({.min_gemv_bytes = min_gemv_bytes,
                               .max_pointwise_pixels = 1 << 20,
                               .min_pointwise_bytes = 0,
                               .max_im2col_pixels = 1 << 20,
                               .min_im2col_bytes = 0}));
  r->add(make_reference_provider());
  return r;
}

int steps_using(const Engine& e, const std::string& impl) {
  int n = 0;
  for (const StepInfo& s : e.steps()) n += s.impl == impl;
  return n;
}

#define EB_SKIP_WITHOUT_AVX512() \
  if (!avx512::available()) GTEST_SKIP() << "this CPU has no AVX-512F"

// The epilogues the random cases draw, after `y`: 0 nothing, 1 ReLU, 2 a
// residual sum, 3 sum then ReLU, 4 ReLU then sum, 5 LeakyReLU; the
// residual is a graph input of y's shape. Names them in `label`.
ValueId add_epilogue(GraphBuilder& b, ValueId y, int64_t epilogue, std::string& label) {
  const Shape shape = b.shape(y);
  if (epilogue == 1 || epilogue == 4) {
    label += "+relu";
    y = b.relu(y);
  }
  if (epilogue == 5) {
    label += "+leaky";
    y = b.leaky_relu(y, 0.1f);
  }
  if (epilogue >= 2 && epilogue <= 4) {
    label += "+sum";
    y = b.add(y, b.input("residual", shape));
  }
  if (epilogue == 3) {
    label += "+relu";
    y = b.relu(y);
  }
  return y;
}

// Finishes a random case with output `y`, runs it on the AVX-512 kernels
// (reference for the rest) with 1 and 3 threads against the reference:
// within tolerance, one step on a kernel named in `impls`, its epilogue fused.
void expect_case(GraphBuilder&& b, ValueId y, const std::string& label, const std::vector<std::string>& impls) {
  b.output(y);
  auto g = std::move(b).finish();
  ASSERT_TRUE(g.is_ok()) << label << ": " << g.status().message();
  for (int threads : {1, 3}) {
    auto cmp = compare_with_reference(*g, options_with(avx512_first(), threads));
    ASSERT_TRUE(cmp.is_ok()) << label << ": " << cmp.status().message();
    EXPECT_LE(cmp->worst, kTolerance) << label << ", " << threads << " threads";
    int on_kernel = 0;
    for (const std::string& impl : impls) on_kernel += steps_using(*cmp->engine, impl);
    EXPECT_EQ(on_kernel, 1) << label;
    EXPECT_EQ(steps_on(*cmp->engine, "reference"), 0) << label << ": its epilogue was not fused";
  }
}

// Gemm with or without bias, then nothing, a ReLU, a residual sum, or both
// in either order; outputs of every count modulo 16, inputs of every count
// modulo 4, one to several parts.
TEST(Avx512Gemv, RandomShapesAndEpilogues) {
  EB_SKIP_WITHOUT_AVX512();
  Rng rng(99);
  for (int t = 0; t < 40; ++t) {
    const int64_t in = pick(rng, 1, 700), out = pick(rng, 1, 90);
    const bool bias = pick(rng, 0, 3) != 0;
    const int64_t epilogue = pick(rng, 0, 4);  // 0 none, 1 relu, 2 sum, 3 sum+relu, 4 relu+sum
    std::string label = "gemv case " + std::to_string(t) + " out " + std::to_string(out) + " in " + std::to_string(in) + (bias ? " bias" : "");
    GraphBuilder b("gemv_case", 300 + t);
    const ValueId y = add_epilogue(b, b.dense(b.input("x", Shape{1, in}), out, bias, "fc"), epilogue, label);
    expect_case(std::move(b), y, label, {"gemv:avx512"});
  }
}

// Large inputs and outputs split into several parts per thread.
TEST(Avx512Gemv, LargeLayerInParts) {
  EB_SKIP_WITHOUT_AVX512();
  GraphBuilder b("gemv_large", 5);
  b.output(b.relu(b.dense(b.input("x", Shape{1, 3001}), 517, true, "fc")));
  auto g = std::move(b).finish();
  ASSERT_TRUE(g.is_ok());
  EngineOptions o = options_with(avx512_first(), 2);
  o.parts_per_thread = 4;
  auto cmp = compare_with_reference(*g, o);
  ASSERT_TRUE(cmp.is_ok()) << cmp.status().message();
  EXPECT_LE(cmp->worst, kTolerance);
  ASSERT_EQ(cmp->engine->steps().size(), 1u);
  EXPECT_EQ(cmp->engine->steps()[0].parts, 8);
  EXPECT_EQ(cmp->engine->steps()[0].impl, "gemv:avx512");
}

// The default registry gives the gemv fully connected layers whose weights
// go beyond a core's L2 (here 16 MB), and leaves small ones, batches of
// more than one, and other activations to oneDNN.
TEST(Avx512Gemv, DefaultRegistryTakesOnlyLargeBatchOneLayers) {
  EB_SKIP_WITHOUT_AVX512();
  GraphBuilder b("fc_mix", 8);
  const ValueId x = b.input("x", Shape{1, 2048});
  b.output(b.relu(b.dense(x, 2048, true, "large")));
  b.output(b.sigmoid(b.dense(x, 2048, true, "large_sigmoid")));
  b.output(b.dense(x, 16, true, "small"));
  b.output(b.dense(b.input("batch", Shape{4, 2048}), 2048, true, "batch4"));
  auto g = std::move(b).finish();
  ASSERT_TRUE(g.is_ok());
  auto cmp = compare_with_reference(*g, options_with(std::make_shared<KernelRegistry>(default_registry())));
  ASSERT_TRUE(cmp.is_ok()) << cmp.status().message();
  EXPECT_LE(cmp->worst, kTolerance);
  for (const StepInfo& s : cmp->engine->steps()) {
    if (s.name == "large" || s.name == "large_sigmoid") {
      EXPECT_EQ(s.provider, "avx512") << s.name;
    } else {
      EXPECT_EQ(s.provider, "onednn") << s.name;
    }
  }
  auto off = compare_with_reference(*g, options_with(std::make_shared<KernelRegistry>(default_registry({}, false))));
  ASSERT_TRUE(off.is_ok()) << off.status().message();
  EXPECT_EQ(steps_on(*off->engine, "avx512"), 0);
}

// Convolutions with or without bias, every epilogue (LeakyReLU too), 1x1
// and larger windows with strides and padding (im2col), channel counts of
// every size modulo 16, maps of 1 to 64 pixels (every tile size, one to
// five tiles, rows in one pass or several), one to three threads; the
// input reordered channels-last from the graph's plain input.
TEST(Avx512Pointwise, RandomShapesWindowsAndEpilogues) {
  EB_SKIP_WITHOUT_AVX512();
  Rng rng(7);
  for (int t = 0; t < 48; ++t) {
    const int64_t k = t % 3 == 0 ? 3 : (t % 3 == 1 ? 1 : pick(rng, 1, 3));
    const int64_t stride = t % 4 == 3 ? 2 : 1, pad = pick(rng, 0, k / 2 + (t % 5 == 4 ? 1 : 0));
    const int64_t c = pick(rng, 1, k == 1 ? 300 : 40), m = pick(rng, 1, 90);
    const int64_t h = pick(rng, k, 8 * stride), w = pick(rng, k, 8 * stride);
    const bool bias = pick(rng, 0, 3) != 0;
    const int64_t epilogue = pick(rng, 0, 5);  // 0 none, 1 relu, 2 sum, 3 sum+relu, 4 relu+sum, 5 leaky
    std::string label = "conv case " + std::to_string(t) + ": " + std::to_string(c) + "->" + std::to_string(m) + " " + std::to_string(k) + "x" +
                        std::to_string(k) + " s" + std::to_string(stride) + " p" + std::to_string(pad) + " at " + std::to_string(h) + "x" +
                        std::to_string(w) + (bias ? " bias" : "");
    GraphBuilder b("conv_case", 400 + t);
    const ValueId y = add_epilogue(b, b.conv2d(b.input("x", Shape{1, c, h, w}), m, k, stride, pad, 1, bias, "conv"), epilogue, label);
    expect_case(std::move(b), y, label, {"pointwise:avx512", "im2col:avx512"});
  }
}

// The kernel itself (nChw16c input, the last block's padding lanes holding
// NaN it must not read) against plain loops, with output blocks split
// anywhere (one block alone or in twos).
TEST(Avx512Pointwise, InputInChannelBlocks) {
  EB_SKIP_WITHOUT_AVX512();
  Rng rng(11);
  for (int t = 0; t < 12; ++t) {
    const int64_t c = pick(rng, 1, 600), m = pick(rng, 1, 50), pixels = pick(rng, 1, 64);
    const int64_t blocks_in = (c + 15) / 16;
    std::vector<float> x(static_cast<std::size_t>(blocks_in * pixels * 16), NAN);  // padding lanes: NaN
    std::vector<float> plain(static_cast<std::size_t>(c * pixels));               // [c][p]
    for (int64_t ch = 0; ch < c; ++ch)
      for (int64_t p = 0; p < pixels; ++p) {
        const float v = rng.uniform(-1.0f, 1.0f);
        plain[static_cast<std::size_t>(ch * pixels + p)] = v;
        x[static_cast<std::size_t>((ch / 16 * pixels + p) * 16 + ch % 16)] = v;
      }
    std::vector<float> wts(static_cast<std::size_t>(m * c)), bias(static_cast<std::size_t>(m));
    for (float& v : wts) v = rng.uniform(-1.0f, 1.0f);
    for (float& v : bias) v = rng.uniform(-1.0f, 1.0f);
    WeightStore store;
    const avx512::PackedWeights packed(wts.data(), m, c, bias, store, avx512::chunk_rows_for(pixels, c));
    std::vector<float> y(static_cast<std::size_t>(pixels * m), NAN);
    const std::vector<avx512::Epilogue> relu = {{avx512::Epilogue::Kind::relu}};
    const int64_t split = pick(rng, 0, packed.blocks());
    alignas(64) static float partials[4 * 64 * 16];  // up to 4 blocks (50 outputs) of 64 pixels
    avx512::pointwise(packed, 0, split, x.data(), pixels, relu, nullptr, y.data(), partials);
    avx512::pointwise(packed, split, packed.blocks(), x.data(), pixels, relu, nullptr, y.data(), partials);
    double err = 0, norm = 0;
    for (int64_t p = 0; p < pixels; ++p)
      for (int64_t o = 0; o < m; ++o) {
        double ref = bias[static_cast<std::size_t>(o)];
        for (int64_t ch = 0; ch < c; ++ch)
          ref += static_cast<double>(wts[static_cast<std::size_t>(o * c + ch)]) * plain[static_cast<std::size_t>(ch * pixels + p)];
        ref = std::max(ref, 0.0);
        const double d = y[static_cast<std::size_t>(p * m + o)] - ref;
        err += d * d;
        norm += ref * ref;
      }
    EXPECT_LE(std::sqrt(err / std::max(norm, 1e-30)), kTolerance) << "case " << t << ": " << c << "->" << m << ", " << pixels << " pixels";
  }
}

// An input produced in 16-channel blocks (a Winograd convolution) is read
// where it lies, with no reorder step; the residual comes channels-last.
TEST(Avx512Pointwise, ReadsBlockedProducersWhereTheyLie) {
  EB_SKIP_WITHOUT_AVX512();
  GraphBuilder b("pointwise_after_winograd", 10);
  const ValueId x = b.input("x", Shape{1, 64, 7, 7});
  const ValueId a = b.relu(b.conv2d(x, 64, 3, 1, 1));  // Winograd on a 7x7 map: 16-channel blocks
  b.output(b.relu(b.add(b.conv2d(a, 40, 1, 1, 0, 1, true, "pw"), b.input("residual", Shape{1, 40, 7, 7}))));
  auto g = std::move(b).finish();
  ASSERT_TRUE(g.is_ok()) << g.status().message();
  auto r = std::make_shared<KernelRegistry>();
  r->add(make_avx512_provider({.max_pointwise_pixels = 64, .min_pointwise_bytes = 0}));
  r->add(make_onednn_provider());
  const std::string a_name = g->value(a).name;
  for (int threads : {1, 2}) {
    auto cmp = compare_with_reference(*g, options_with(r, threads));
    ASSERT_TRUE(cmp.is_ok()) << cmp.status().message();
    EXPECT_LE(cmp->worst, kTolerance) << threads << " threads";
    bool winograd = false;
    for (const StepInfo& s : cmp->engine->steps()) {
      winograd = winograd || s.impl.find("wino") != std::string::npos;
      EXPECT_NE(s.name, "reorder(" + a_name + ")") << threads << " threads";
    }
    EXPECT_TRUE(winograd) << threads << " threads";
    EXPECT_EQ(steps_using(*cmp->engine, "pointwise:avx512"), 1) << threads << " threads";
  }
}

// The default registry gives the AVX-512 kernels 1x1 convolutions on maps
// of up to 8x8 with 1 MiB of weights or more and larger windows on maps of
// up to 8x8 with 8 MiB or more, and leaves to oneDNN larger maps, smaller
// weights, and activations they do not apply.
TEST(Avx512Pointwise, DefaultRegistryTakesOnlySmallMapsWithLargeWeights) {
  EB_SKIP_WITHOUT_AVX512();
  GraphBuilder b("pointwise_mix", 9);
  const ValueId x = b.input("x", Shape{1, 1024, 5, 5});
  b.output(b.relu(b.conv2d(x, 512, 1, 1, 0, 1, true, "taken")));
  b.output(b.leaky_relu(b.conv2d(x, 512, 1, 1, 0, 1, true, "taken_leaky")));
  b.output(b.conv2d(x, 512, 3, 1, 1, 1, true, "taken_3x3"));  // 18.9 MB
  b.output(b.sigmoid(b.conv2d(x, 512, 1, 1, 0, 1, true, "sigmoid")));
  b.output(b.conv2d(x, 64, 1, 1, 0, 1, true, "small_weights"));
  b.output(b.conv2d(x, 512, 1, 2, 0, 1, true, "strided"));      // 2 MB: a window's rule
  b.output(b.conv2d(x, 128, 3, 1, 1, 1, true, "small_window"));  // 4.7 MB
  b.output(b.relu(b.conv2d(b.input("x7", Shape{1, 1024, 7, 7}), 512, 1, 1, 0, 1, true, "taken_7x7")));
  b.output(b.conv2d(b.input("x14", Shape{1, 1024, 14, 14}), 512, 1, 1, 0, 1, true, "big_map"));
  b.output(b.conv2d(b.input("x9", Shape{1, 512, 9, 9}), 1024, 3, 1, 1, 1, true, "big_map_3x3"));
  auto g = std::move(b).finish();
  ASSERT_TRUE(g.is_ok()) << g.status().message();
  auto cmp = compare_with_reference(*g, options_with(std::make_shared<KernelRegistry>(default_registry())));
  ASSERT_TRUE(cmp.is_ok()) << cmp.status().message();
  EXPECT_LE(cmp->worst, kTolerance);
  for (const StepInfo& s : cmp->engine->steps()) {
    if (s.op == "Reorder" || s.op == "Sigmoid") continue;
    EXPECT_EQ(s.provider, s.name.rfind("taken", 0) == 0 ? "avx512" : "onednn") << s.name;
  }
}

}  // namespace
}  // namespace eb::rt::testing
