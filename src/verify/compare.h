// Comparing a backend's output with the reference kernels' output.
//
// The relative error is normwise: the largest absolute difference divided by
// the reference output's largest magnitude,
//
//   max_rel_error = max_i |a_i - r_i| / max(max_i |r_i|, kScaleFloor)
//
// so that elements near zero (a ReLU's output, a softmax's tail) do not blow
// it up the way a per-element |a_i - r_i| / |r_i| would, while an error that
// matters at the output's own scale still shows. kScaleFloor only guards an
// all-zero reference. A non-finite value where the reference has a finite one
// (or a different non-finite one) is an infinite error.
#pragma once

#include <cstdint>
#include <span>

#include "common/status.h"

namespace eb::verify {

inline constexpr double kDefaultTolerance = 1e-3;
inline constexpr double kScaleFloor = 1e-6;

struct ErrorStats {
  int64_t elements = 0;
  double max_abs_error = 0.0;    // max_i |a_i - r_i|
  double max_rel_error = 0.0;    // max_abs_error / max(reference_scale, kScaleFloor)
  double reference_scale = 0.0;  // max_i |r_i| over finite r_i
  int64_t worst_index = -1;      // the i of max_abs_error (-1: no difference at all)
  int64_t non_finite = 0;        // elements counted as infinite errors
};

// invalid_argument when the sizes differ.
Result<ErrorStats> compare(std::span<const float> actual, std::span<const float> reference);

// Whether `stats` is within a relative tolerance (inclusive).
inline bool within(const ErrorStats& stats, double tolerance) { return stats.max_rel_error <= tolerance; }

}  // namespace eb::verify
