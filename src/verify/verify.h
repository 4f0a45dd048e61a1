// Verification: the same graph (same weights) and the same seeded input on
// each backend, every output compared with the reference kernels'
// (eb::ref::run_graph, the oracle). What `edgebench verify` prints.
//
//   auto report = eb::verify::verify_model(graph, {"opencv", "darknet"}, {});
//   if (!report->passed()) ...
//
// check.h checks one backend (outcomes are listed there); this adds the
// backend registry: ids, "all", backends that were not built.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "graph/graph.h"
#include "verify/check.h"

namespace eb::verify {

struct VerifyOptions : BackendCheckOptions {
  uint64_t input_seed = 20190901;  // the zoo's default seed; `edgebench verify` passes --seed
  // Called once per backend as soon as it is checked (progress output).
  std::function<void(const BackendCheck&)> on_checked;
};

struct ReferenceOutput {
  std::string name;
  Shape shape;
};

struct VerifyReport {
  std::string graph;
  double tolerance = kDefaultTolerance;
  std::vector<ReferenceOutput> outputs;
  std::vector<BackendCheck> backends;

  // No backend mismatched or failed (unsupported, not_built, skipped are fine).
  bool passed() const;
  int count(Outcome outcome) const;
};

// --backends: "all" is every registered backend except null (it computes
// nothing), built or not; otherwise a comma-separated list of registry ids,
// in the order given, duplicates dropped. invalid_argument for an unknown id
// or an empty list.
Result<std::vector<std::string>> resolve_backends(std::string_view list);

// The reference outputs once, then every backend by registry id. Fails only
// when the reference itself cannot run the graph, or an id is unknown.
Result<VerifyReport> verify_model(const Graph& graph, const std::vector<std::string>& backend_ids, const VerifyOptions& options);

}  // namespace eb::verify
