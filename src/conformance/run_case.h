// One ONNX backend-test case, end to end: model.onnx imported
// (eb::onnx_format, the inputs that are not activations frozen as constants),
// run on each data set's inputs by an Execute function (a backend, or the
// reference kernels in their own tests), every output compared with the
// data set's expected output element by element (compare.h).
//
// Outcomes:
//   pass         every output of every data set within the tolerance
//   fail         ran, but an output differs (the worst element is named), has
//                another shape, or the backend failed while running it
//   unsupported  the importer or the backend declines the model: an op, an
//                attribute or a data type we lack (its message names it)
//   error        the case cannot be read: no or corrupt model.onnx, a missing
//                or malformed .pb, no data set
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "backends/backend.h"
#include "common/status.h"
#include "conformance/compare.h"
#include "conformance/test_case.h"
#include "graph/graph.h"

namespace eb::conformance {

enum class Outcome { pass, fail, unsupported, error };
const char* to_string(Outcome outcome);

// The element of a failed comparison furthest beyond the tolerance.
struct WorstElement {
  std::size_t output = 0;      // index among the model's outputs
  std::string output_name;
  std::string data_set;        // "test_data_set_0"
  int64_t flat_index = 0;
  std::vector<int64_t> index;  // the same element as a multi-dimensional index
  double actual = 0;
  double expected = 0;
  int64_t beyond = 0;          // how many elements of that output are outside the tolerance
  int64_t elements = 0;
};

struct CaseResult {
  std::string name;
  // The model's op types in order of first use ("Conv", "Gemm+Relu"),
  // for per-family summaries; empty when model.onnx is unreadable.
  std::string family;
  Outcome outcome = Outcome::error;
  std::string detail;                 // why not pass; on pass, the largest difference
  std::optional<WorstElement> worst;  // fail on values
  double max_abs_error = 0;           // over every output compared
};

// Runs `graph` on one buffer per graph input (in Graph::inputs order) and
// returns one buffer per graph output. An unsupported status means the
// executor declines the graph; any other error is a failure to run it.
using Execute = std::function<Result<std::vector<std::vector<float>>>(const Graph&, const std::vector<std::vector<float>>&)>;

// An Execute that prepares, binds, invokes and reads `backend` (which must
// outlive it); exceptions a framework throws become errors.
Execute execute_on(Backend& backend, BackendOptions options);

// Never fails: what goes wrong is the outcome and its detail.
CaseResult run_case(const TestCase& test, const Execute& execute, const Tolerance& tolerance = {});

}  // namespace eb::conformance
