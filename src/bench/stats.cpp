#include "bench/stats.h"

#include <algorithm>
#include <cmath>

namespace eb::bench {

std::optional<MedianCiRanks> median_ci_ranks(size_t n, double confidence) {
  if (n == 0 || !(confidence > 0.0 && confidence < 1.0)) return std::nullopt;
  const double tail = (1.0 - confidence) / 2.0;
  const double nd = static_cast<double>(n);

  // Start the summation where the binomial tail is negligible, so the cost is
  // O(sqrt(n)) and pmf values stay representable (2^-n underflows at n > 1074).
  const double sigma = std::sqrt(nd) / 2.0;
  const double start = std::floor(nd / 2.0 - 12.0 * sigma);
  const size_t i0 = start > 0 ? static_cast<size_t>(start) : 0;
  const double i0d = static_cast<double>(i0);
  double pmf = std::exp(std::lgamma(nd + 1) - std::lgamma(i0d + 1) - std::lgamma(nd - i0d + 1) -
                        nd * std::log(2.0));

  // best = the largest j with P(B <= j - 1) <= tail; ranks below i0 qualify
  // trivially because the skipped mass is < 1e-31.
  size_t best = i0;
  double cdf = 0.0;  // P(B <= i) after adding pmf(i)
  double cdf_at_best = 0.0;
  for (size_t i = i0; i < n; ++i) {
    cdf += pmf;
    if (cdf > tail) break;
    best = i + 1;
    cdf_at_best = cdf;
    pmf *= static_cast<double>(n - i) / static_cast<double>(i + 1);
  }
  if (best == 0) return std::nullopt;
  return MedianCiRanks{best, n - best + 1, 1.0 - 2.0 * cdf_at_best};
}

size_t nearest_rank(size_t n, double percentile) {
  if (n == 0) return 0;
  const double clamped = std::clamp(percentile, 0.0, 100.0);
  const auto permille = static_cast<unsigned long long>(std::llround(clamped * 10.0));
  const unsigned long long rank = (permille * n + 999) / 1000;  // ceil(permille * n / 1000)
  return std::clamp<size_t>(static_cast<size_t>(rank), 1, n);
}

int64_t percentile_of_sorted(std::span<const int64_t> sorted, double percentile) {
  return sorted[nearest_rank(sorted.size(), percentile) - 1];
}

std::optional<double> median_ci_relative_half_width(std::span<const int64_t> samples_ns,
                                                    std::vector<int64_t>& scratch) {
  const size_t n = samples_ns.size();
  const auto ranks = median_ci_ranks(n);
  if (!ranks) return std::nullopt;
  scratch.assign(samples_ns.begin(), samples_ns.end());
  // Three selections instead of a sort: after the first, everything left of
  // the median is <= it and everything right is >= it, so the CI bounds can
  // be selected within each side. lower <= n/2 < median rank < upper.
  const size_t m = nearest_rank(n, 50);
  const auto first = scratch.begin();
  std::nth_element(first, first + static_cast<ptrdiff_t>(m - 1), scratch.end());
  const int64_t median = scratch[m - 1];
  std::nth_element(first, first + static_cast<ptrdiff_t>(ranks->lower - 1), first + static_cast<ptrdiff_t>(m - 1));
  const int64_t low = ranks->lower == m ? median : scratch[ranks->lower - 1];
  std::nth_element(first + static_cast<ptrdiff_t>(m), first + static_cast<ptrdiff_t>(ranks->upper - 1), scratch.end());
  const int64_t high = scratch[ranks->upper - 1];
  // A coarse clock can report 0 ns for a trivial invoke: an interval with no
  // width is as tight as it gets, whatever the median.
  if (high == low) return 0.0;
  if (median <= 0) return std::nullopt;
  return static_cast<double>(high - low) / 2.0 / static_cast<double>(median);
}

Result<Summary> summarize(std::span<const int64_t> samples_ns) {
  if (samples_ns.empty()) return invalid_argument("no latency samples to summarize");
  std::vector<int64_t> sorted(samples_ns.begin(), samples_ns.end());
  std::sort(sorted.begin(), sorted.end());
  const size_t n = sorted.size();

  Summary s;
  s.count = n;
  // long double: a sum of millions of nanosecond values must not lose the
  // low digits that the mean and the variance depend on.
  long double sum = 0;
  for (int64_t v : sorted) sum += static_cast<long double>(v);
  const long double mean = sum / static_cast<long double>(n);
  s.mean_ms = ns_to_ms(static_cast<double>(mean));
  s.median_ms = ns_to_ms(static_cast<double>(percentile_of_sorted(sorted, 50)));
  s.p90_ms = ns_to_ms(static_cast<double>(percentile_of_sorted(sorted, 90)));
  s.p99_ms = ns_to_ms(static_cast<double>(percentile_of_sorted(sorted, 99)));
  s.min_ms = ns_to_ms(static_cast<double>(sorted.front()));
  s.max_ms = ns_to_ms(static_cast<double>(sorted.back()));

  if (n >= 2) {
    long double squares = 0;
    for (int64_t v : sorted) {
      const long double d = static_cast<long double>(v) - mean;
      squares += d * d;
    }
    const double stddev_ns = static_cast<double>(std::sqrt(squares / static_cast<long double>(n - 1)));
    s.stddev_ms = ns_to_ms(stddev_ns);
    if (mean > 0) {
      s.cv = stddev_ns / static_cast<double>(mean);
      s.unstable = *s.cv > kUnstableCv;
    }
  }
  if (auto ranks = median_ci_ranks(n)) {
    s.ci95_low_ms = ns_to_ms(static_cast<double>(sorted[ranks->lower - 1]));
    s.ci95_high_ms = ns_to_ms(static_cast<double>(sorted[ranks->upper - 1]));
  }
  return s;
}

}  // namespace eb::bench
