// Summary statistics of per-iteration latencies.
//
// Inputs are the raw samples in integer nanoseconds (what the clock gives);
// outputs are milliseconds as double (what people read). Rules, chosen to
// match what MLPerf LoadGen and TFLite's benchmark tool report:
//   - percentiles are nearest-rank: the value at 1-based rank ceil(p/100 * n)
//     of the sorted samples, so every reported percentile is a value that was
//     actually observed; the median is p50 (the lower middle for even n);
//   - stddev is the sample standard deviation (divides by n - 1);
//   - cv = stddev / mean; `unstable` when cv > 5%;
//   - the 95% CI of the median comes from order statistics (see
//     median_ci_ranks): distribution-free, so it holds for the skewed,
//     long-tailed distributions that latencies are.
// A figure that cannot be computed (stddev of one sample, a CI from fewer
// than six samples) is std::nullopt, never 0.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "common/status.h"

namespace eb::bench {

inline constexpr double kUnstableCv = 0.05;
inline constexpr double kMedianCiConfidence = 0.95;

// 1-based ranks of the order statistics bounding a confidence interval of
// the median: [x_(lower), x_(upper)].
struct MedianCiRanks {
  size_t lower = 0;
  size_t upper = 0;
  double coverage = 0;  // the exact confidence of [x_(lower), x_(upper)]
};

// Let B ~ Binomial(n, 1/2) count the samples below the true median. Then
// P(x_(j) <= median < x_(k)) = P(j <= B < k). With the symmetric choice
// k = n - j + 1 the coverage is 1 - 2 * P(B <= j - 1). We take the largest
// (narrowest) j >= 1 with P(B <= j - 1) <= (1 - confidence) / 2, so that the
// coverage is >= confidence. No such j exists for small n (n <= 5 at 95%):
// then the result is nullopt. Examples at 95%: n=6 -> (1,6), n=10 -> (2,9),
// n=20 -> (6,15), n=100 -> (40,61).
// Cost is O(sqrt(n)): terms more than 12 standard deviations into the tail
// are below 1e-31 and are skipped.
std::optional<MedianCiRanks> median_ci_ranks(size_t n, double confidence = kMedianCiConfidence);

// 1-based nearest rank for percentile p in [0, 100] over n samples (n >= 1):
// ceil(p/100 * n) clamped to [1, n]. Computed in integer per-mille so that,
// e.g., p90 of 10 samples is exactly rank 9 regardless of rounding.
size_t nearest_rank(size_t n, double percentile);

// Value at the nearest rank of already sorted samples (must be non-empty).
int64_t percentile_of_sorted(std::span<const int64_t> sorted, double percentile);

struct Summary {
  size_t count = 0;
  double mean_ms = 0;
  double median_ms = 0;
  double p90_ms = 0;
  double p99_ms = 0;
  double min_ms = 0;
  double max_ms = 0;
  std::optional<double> stddev_ms;    // needs n >= 2
  std::optional<double> cv;           // stddev / mean; needs n >= 2 and mean > 0
  std::optional<double> ci95_low_ms;  // needs n >= 6
  std::optional<double> ci95_high_ms;
  bool unstable = false;              // cv > kUnstableCv
};

// Fails with invalid_argument on an empty input (there is nothing to summarize;
// the caller reports a null latency instead).
Result<Summary> summarize(std::span<const int64_t> samples_ns);

// Half-width of the median's 95% CI relative to the median:
// (x_(upper) - x_(lower)) / 2 / median. nullopt when n is too small for a CI
// or the median is not positive. O(n) (selection, not a sort); `scratch` is
// reused between calls so a run policy can check this often without
// allocating.
std::optional<double> median_ci_relative_half_width(std::span<const int64_t> samples_ns,
                                                    std::vector<int64_t>& scratch);

inline double ns_to_ms(double ns) { return ns / 1e6; }

}  // namespace eb::bench
