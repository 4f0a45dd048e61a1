// The hand-written AVX-512 kernels against the reference kernels on random
// shapes (relative L2 <= 1e-4, FP32), and the provider's choice of nodes.
// Skipped on a CPU without AVX-512F, where the provider declines everything.
#include <gtest/gtest.h>

#include "runtime/avx512/gemv.h"
#include "runtime_test_util.h"

namespace eb::rt::testing {
namespace {

int64_t pick(Rng& rng, int64_t lo, int64_t hi) { return lo + static_cast<int64_t>(rng.next_u64() % static_cast<uint64_t>(hi - lo + 1)); }

// The AVX-512 provider taking every fully connected layer it can, then the
// reference kernels for anything it leaves.
std::shared_ptr<const KernelRegistry> avx512_first(std::optional<std::size_t> min_gemv_bytes = 0) {
  auto r = std::make_shared<KernelRegistry>();
  r->add(make_avx512_provider(min_gemv_bytes));
  r->add(make_reference_provider());
  return r;
}

#define EB_SKIP_WITHOUT_AVX512() \
  if (!avx512::available()) GTEST_SKIP() << "this CPU has no AVX-512F"

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
    ValueId y = b.dense(b.input("x", Shape{1, in}), out, bias, "fc");
    if (epilogue == 1 || epilogue == 4) {
      label += "+relu";
      y = b.relu(y);
    }
    if (epilogue >= 2) {
      label += "+sum";
      y = b.add(y, b.input("residual", Shape{1, out}));
    }
    if (epilogue == 3) {
      label += "+relu";
      y = b.relu(y);
    }
    b.output(y);
    auto g = std::move(b).finish();
    ASSERT_TRUE(g.is_ok()) << label << ": " << g.status().message();
    for (int threads : {1, 3}) {
      auto cmp = compare_with_reference(*g, options_with(avx512_first(), threads));
      ASSERT_TRUE(cmp.is_ok()) << label << ": " << cmp.status().message();
      EXPECT_LE(cmp->worst, kTolerance) << label << ", " << threads << " threads";
      EXPECT_EQ(steps_on(*cmp->engine, "avx512"), 1) << label;
      EXPECT_EQ(steps_on(*cmp->engine, "reference"), 0) << label << ": its epilogue was not fused";
    }
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

}  // namespace
}  // namespace eb::rt::testing
