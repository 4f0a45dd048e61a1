#include "bench/stats.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

namespace eb::bench {
namespace {

constexpr int64_t kMs = 1'000'000;

TEST(NearestRank, MatchesHandComputedRanks) {
  // rank = ceil(p/100 * n), clamped to [1, n].
  EXPECT_EQ(nearest_rank(10, 50), 5u);
  EXPECT_EQ(nearest_rank(10, 90), 9u);
  EXPECT_EQ(nearest_rank(10, 99), 10u);
  EXPECT_EQ(nearest_rank(7, 50), 4u);   // 3.5 -> 4
  EXPECT_EQ(nearest_rank(100, 99), 99u);
  EXPECT_EQ(nearest_rank(101, 99), 100u);  // 99.99 -> 100
  EXPECT_EQ(nearest_rank(20, 90), 18u);
  EXPECT_EQ(nearest_rank(1, 50), 1u);
  EXPECT_EQ(nearest_rank(5, 0), 1u);
  EXPECT_EQ(nearest_rank(5, 100), 5u);
  EXPECT_EQ(nearest_rank(1000, 99.9), 999u);
}

TEST(Summarize, OneToTenMilliseconds) {
  std::vector<int64_t> samples;
  for (int64_t v : {7, 3, 10, 1, 5, 9, 2, 8, 4, 6}) samples.push_back(v * kMs);
  auto s = summarize(samples);
  ASSERT_TRUE(s.is_ok()) << s.status().message();
  EXPECT_EQ(s->count, 10u);
  EXPECT_DOUBLE_EQ(s->mean_ms, 5.5);
  EXPECT_DOUBLE_EQ(s->median_ms, 5.0);  // rank 5: the lower middle
  EXPECT_DOUBLE_EQ(s->p90_ms, 9.0);     // rank 9
  EXPECT_DOUBLE_EQ(s->p99_ms, 10.0);    // rank ceil(9.9) = 10
  EXPECT_DOUBLE_EQ(s->min_ms, 1.0);
  EXPECT_DOUBLE_EQ(s->max_ms, 10.0);
  // Sum of squared deviations is 82.5; / (n - 1) = 9.1667.
  ASSERT_TRUE(s->stddev_ms.has_value());
  EXPECT_NEAR(*s->stddev_ms, std::sqrt(82.5 / 9.0), 1e-12);
  ASSERT_TRUE(s->cv.has_value());
  EXPECT_NEAR(*s->cv, std::sqrt(82.5 / 9.0) / 5.5, 1e-12);
  EXPECT_TRUE(s->unstable);
  // n = 10: CI ranks (2, 9).
  ASSERT_TRUE(s->ci95_low_ms && s->ci95_high_ms);
  EXPECT_DOUBLE_EQ(*s->ci95_low_ms, 2.0);
  EXPECT_DOUBLE_EQ(*s->ci95_high_ms, 9.0);
}

TEST(Summarize, PercentilesOfAHundredSamples) {
  std::vector<int64_t> samples(100);
  std::iota(samples.begin(), samples.end(), 1);  // 1..100 ns
  std::shuffle(samples.begin(), samples.end(), std::mt19937(42));
  auto s = summarize(samples);
  ASSERT_TRUE(s.is_ok());
  EXPECT_DOUBLE_EQ(s->median_ms, 50e-6);
  EXPECT_DOUBLE_EQ(s->p90_ms, 90e-6);
  EXPECT_DOUBLE_EQ(s->p99_ms, 99e-6);
  EXPECT_DOUBLE_EQ(*s->ci95_low_ms, 40e-6);  // ranks (40, 61)
  EXPECT_DOUBLE_EQ(*s->ci95_high_ms, 61e-6);
}

TEST(Summarize, ConstantSamplesAreStable) {
  std::vector<int64_t> samples(30, 4 * kMs);
  auto s = summarize(samples);
  ASSERT_TRUE(s.is_ok());
  EXPECT_DOUBLE_EQ(*s->stddev_ms, 0.0);
  EXPECT_DOUBLE_EQ(*s->cv, 0.0);
  EXPECT_FALSE(s->unstable);
  EXPECT_DOUBLE_EQ(*s->ci95_low_ms, 4.0);
  EXPECT_DOUBLE_EQ(*s->ci95_high_ms, 4.0);
}

TEST(Summarize, UnstableIsCvAboveFivePercent) {
  // Two samples 100 -+ d: stddev = d * sqrt(2), cv = d * sqrt(2) / 100.
  auto below = summarize(std::vector<int64_t>{97 * kMs, 103 * kMs});  // cv 4.24%
  auto above = summarize(std::vector<int64_t>{96 * kMs, 104 * kMs});  // cv 5.66%
  ASSERT_TRUE(below.is_ok() && above.is_ok());
  EXPECT_NEAR(*below->cv, 3 * std::sqrt(2.0) / 100, 1e-12);
  EXPECT_FALSE(below->unstable);
  EXPECT_NEAR(*above->cv, 4 * std::sqrt(2.0) / 100, 1e-12);
  EXPECT_TRUE(above->unstable);
}

TEST(Summarize, UnmeasurableFiguresAreNullNotZero) {
  auto one = summarize(std::vector<int64_t>{5 * kMs});
  ASSERT_TRUE(one.is_ok());
  EXPECT_DOUBLE_EQ(one->median_ms, 5.0);
  EXPECT_FALSE(one->stddev_ms.has_value());
  EXPECT_FALSE(one->cv.has_value());
  EXPECT_FALSE(one->ci95_low_ms.has_value());
  EXPECT_FALSE(one->unstable);

  auto five = summarize(std::vector<int64_t>{1, 2, 3, 4, 5});
  ASSERT_TRUE(five.is_ok());
  EXPECT_TRUE(five->stddev_ms.has_value());
  EXPECT_FALSE(five->ci95_low_ms.has_value());  // no 95% CI from 5 samples
}

TEST(Summarize, EmptyIsAnError) {
  auto s = summarize(std::vector<int64_t>{});
  ASSERT_FALSE(s.is_ok());
  EXPECT_EQ(s.status().code(), ErrorCode::invalid_argument);
}

// Reference values: the largest j with P(Binomial(n, 1/2) <= j - 1) <= 0.025,
// computed with exact rational arithmetic; they agree with published tables
// of distribution-free confidence intervals for the median.
TEST(MedianCiRanks, MatchBinomialTable) {
  struct Row {
    size_t n, lower, upper;
    double coverage;
  };
  for (const Row& row : {Row{6, 1, 6, 0.96875}, Row{7, 1, 7, 0.984375}, Row{8, 1, 8, 0.9921875},
                         Row{9, 2, 8, 0.9609375}, Row{10, 2, 9, 0.978515625}, Row{11, 2, 10, 0.98828125},
                         Row{15, 4, 12, 0.96484375}, Row{20, 6, 15, 0.9586105346679688},
                         Row{25, 8, 18, 0.9567147493362427}, Row{30, 10, 21, 0.9572260547429323},
                         Row{50, 18, 33, 0.9671608624357315}, Row{100, 40, 61, 0.9647997997822951},
                         Row{200, 86, 115, 0.9599628083866005}, Row{1000, 469, 532, 0.9537088026395019}}) {
    auto r = median_ci_ranks(row.n);
    ASSERT_TRUE(r.has_value()) << "n=" << row.n;
    EXPECT_EQ(r->lower, row.lower) << "n=" << row.n;
    EXPECT_EQ(r->upper, row.upper) << "n=" << row.n;
    EXPECT_NEAR(r->coverage, row.coverage, 1e-9) << "n=" << row.n;
  }
}

TEST(MedianCiRanks, NoneForFiveOrFewer) {
  for (size_t n = 0; n <= 5; ++n) EXPECT_FALSE(median_ci_ranks(n).has_value()) << n;
}

TEST(MedianCiRanks, LargeNIsCloseToNormalApproximation) {
  const size_t n = 1'000'000;
  auto r = median_ci_ranks(n);
  ASSERT_TRUE(r.has_value());
  // Normal approximation: n/2 - 1.96 * sqrt(n)/2 = 499020.
  EXPECT_NEAR(static_cast<double>(r->lower), 499020.0, 2.0);
  EXPECT_EQ(r->upper, n - r->lower + 1);
  EXPECT_GE(r->coverage, 0.95);
  EXPECT_LT(r->coverage, 0.9505);
}

TEST(MedianCiRelativeHalfWidth, OrderStatisticsOverMedian) {
  std::vector<int64_t> samples(20);
  std::iota(samples.begin(), samples.end(), 1);
  for (auto& v : samples) v *= 1000;
  std::shuffle(samples.begin(), samples.end(), std::mt19937(7));
  std::vector<int64_t> scratch;
  // n = 20: ranks (6, 15) -> 6000 and 15000; median (rank 10) 10000.
  auto w = median_ci_relative_half_width(samples, scratch);
  ASSERT_TRUE(w.has_value());
  EXPECT_DOUBLE_EQ(*w, 4500.0 / 10000.0);

  EXPECT_FALSE(median_ci_relative_half_width(std::vector<int64_t>{1, 2, 3, 4, 5}, scratch).has_value());
  EXPECT_DOUBLE_EQ(*median_ci_relative_half_width(std::vector<int64_t>(10, 0), scratch), 0.0);
}

TEST(MedianCiRelativeHalfWidth, AgreesWithSortedComputation) {
  std::mt19937 rng(3);
  std::lognormal_distribution<double> dist(0.0, 0.5);
  std::vector<int64_t> scratch;
  for (size_t n : {6u, 7u, 33u, 128u, 1001u}) {
    std::vector<int64_t> samples(n);
    for (auto& v : samples) v = static_cast<int64_t>(1e6 * dist(rng));
    std::vector<int64_t> sorted = samples;
    std::sort(sorted.begin(), sorted.end());
    const auto r = *median_ci_ranks(n);
    const double median = static_cast<double>(sorted[nearest_rank(n, 50) - 1]);
    const double expected = static_cast<double>(sorted[r.upper - 1] - sorted[r.lower - 1]) / 2 / median;
    EXPECT_DOUBLE_EQ(*median_ci_relative_half_width(samples, scratch), expected) << n;
  }
}

}  // namespace
}  // namespace eb::bench
