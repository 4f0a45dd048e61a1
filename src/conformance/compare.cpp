#include "conformance/compare.h"

#include <cmath>
#include <limits>

namespace eb::conformance {

Comparison compare(std::span<const float> actual, const std::function<double(std::size_t)>& expected_at, const Tolerance& tolerance) {
  Comparison c;
  c.elements = static_cast<int64_t>(actual.size());
  double worst_excess = 0;  // |a - e| / allowance of the worst element beyond the tolerance
  for (std::size_t i = 0; i < actual.size(); ++i) {
    const double a = actual[i];
    const double e = expected_at(i);
    if (a == e || (std::isnan(a) && std::isnan(e))) continue;  // also equal infinities
    const double err = std::abs(a - e);
    const double allowance = tolerance.atol + tolerance.rtol * std::abs(e);
    const bool finite = std::isfinite(a) && std::isfinite(e);  // else unequal: no tolerance makes them close
    if (finite) c.max_abs_error = std::max(c.max_abs_error, err);
    if (finite && err <= allowance) continue;
    ++c.beyond;
    const double excess = finite && allowance > 0 ? err / allowance : std::numeric_limits<double>::infinity();
    if (c.worst_index < 0 || excess > worst_excess) {
      worst_excess = excess;
      c.worst_index = static_cast<int64_t>(i);
      c.worst_actual = a;
      c.worst_expected = e;
    }
  }
  return c;
}

}  // namespace eb::conformance
