#include "verify/compare.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

namespace eb::verify {

Result<ErrorStats> compare(std::span<const float> actual, std::span<const float> reference) {
  if (actual.size() != reference.size())
    return invalid_argument("output has " + std::to_string(actual.size()) + " elements, the reference " +
                            std::to_string(reference.size()));
  ErrorStats s;
  s.elements = static_cast<int64_t>(actual.size());
  for (float r : reference)
    if (std::isfinite(r)) s.reference_scale = std::max(s.reference_scale, static_cast<double>(std::fabs(r)));
  constexpr double inf = std::numeric_limits<double>::infinity();
  for (std::size_t i = 0; i < actual.size(); ++i) {
    const double a = actual[i], r = reference[i];
    double diff;
    if (std::isfinite(a) && std::isfinite(r)) {
      diff = std::fabs(a - r);
    } else if ((std::isnan(a) && std::isnan(r)) || a == r) {
      diff = 0.0;  // the same NaN or the same infinity: agreement
    } else {
      diff = inf;
      ++s.non_finite;
    }
    if (diff > s.max_abs_error) {
      s.max_abs_error = diff;
      s.worst_index = static_cast<int64_t>(i);
    }
  }
  s.max_rel_error = s.max_abs_error / std::max(s.reference_scale, kScaleFloor);
  return s;
}

}  // namespace eb::verify
