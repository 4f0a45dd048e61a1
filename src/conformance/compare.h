// Element-wise comparison with ONNX's backend-test rule (numpy's allclose):
//
//   |actual - expected| <= atol + rtol * |expected|
//
// per element, NaN matching NaN and an infinity matching the same infinity.
// (verify/compare.h measures a normwise error for whole models instead; the
// ONNX test data is judged element by element, so that is what we do here.)
#pragma once

#include <cstdint>
#include <functional>
#include <span>

namespace eb::conformance {

struct Tolerance {
  double rtol = 1e-4;
  double atol = 1e-6;
};

struct Comparison {
  int64_t elements = 0;
  int64_t beyond = 0;        // elements outside the tolerance
  double max_abs_error = 0;  // over elements with finite values on both sides
  // The element furthest beyond its allowance (the largest
  // |a - e| / (atol + rtol |e|); a non-finite mismatch counts as the worst);
  // -1 when every element is within the tolerance.
  int64_t worst_index = -1;
  double worst_actual = 0;
  double worst_expected = 0;

  bool within() const { return beyond == 0; }
};

// `expected_at(i)` gives expected element i (the expected tensor may be
// float or integer). The sizes must agree; the caller checks them.
Comparison compare(std::span<const float> actual, const std::function<double(std::size_t)>& expected_at, const Tolerance& tolerance);

}  // namespace eb::conformance
