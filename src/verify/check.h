// Checking one backend against the reference outputs: the part of
// verification that needs no backend registry (verify.h adds it), so that a
// backend's own tests can link just this and their backend.
//
// Per backend the outcome is one of
//   pass         every output within the tolerance (compare.h defines the error)
//   mismatch     an output beyond the tolerance, or of the wrong size
//   failed       prepare, set_input, invoke or output returned an error (or threw)
//   unsupported  the backend cannot take this graph (its message says why)
//   not_built    the backend was compiled out (its registry entry says why)
//   skipped      the backend computes nothing worth checking (null)
// Only mismatch and failed fail a verification.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "backends/backend.h"
#include "graph/graph.h"
#include "verify/compare.h"

namespace eb::verify {

enum class Outcome { pass, mismatch, failed, unsupported, not_built, skipped };
const char* to_string(Outcome outcome);

struct OutputCheck {
  std::string name;  // the graph output's value name
  Shape shape;
  ErrorStats stats;  // the worst over all invokes
  bool within_tolerance = false;
};

struct BackendCheck {
  std::string backend;
  Outcome outcome = Outcome::failed;
  std::string message;  // why not pass; notes (e.g. outputs that changed between invokes) on pass
  std::string version;  // the backend's Capabilities::version, when built
  std::vector<OutputCheck> outputs;  // filled when the backend produced outputs
};

struct BackendCheckOptions {
  double tolerance = kDefaultTolerance;
  BackendOptions backend_options;
  // Invokes on one bound input, each compared: a backend whose invoke
  // clobbers its input would pass once and be wrong in every timed loop.
  int invokes = 2;
};

// One seeded standard-normal buffer per graph input, drawn exactly as the
// benchmark runner draws its input (bench/runner.cpp), so that verify and
// run feed a model the same numbers for the same seed.
std::vector<std::vector<float>> seeded_inputs(const Graph& graph, uint64_t seed);

// Checks one backend against `reference` (one buffer per graph output).
// Never fails: what goes wrong is the check's outcome and message.
BackendCheck check_backend(Backend& backend, const Graph& graph, const std::vector<std::vector<float>>& inputs,
                           const std::vector<std::vector<float>>& reference, const BackendCheckOptions& options);

}  // namespace eb::verify
