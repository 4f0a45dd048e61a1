#include "verify/verify.h"

#include <algorithm>

#include "backends/registry.h"
#include "runtime/reference/reference.h"

namespace eb::verify {

bool VerifyReport::passed() const { return count(Outcome::mismatch) == 0 && count(Outcome::failed) == 0; }

int VerifyReport::count(Outcome outcome) const {
  return static_cast<int>(std::count_if(backends.begin(), backends.end(), [&](const BackendCheck& b) { return b.outcome == outcome; }));
}

Result<std::vector<std::string>> resolve_backends(std::string_view list) {
  std::vector<std::string> ids;
  if (list == "all") {
    for (const BackendEntry& e : backend_table())
      if (e.id != "null") ids.push_back(e.id);
    return ids;
  }
  std::size_t start = 0;
  while (start <= list.size()) {
    const std::size_t comma = std::min(list.find(',', start), list.size());
    std::string id(list.substr(start, comma - start));
    id.erase(0, id.find_first_not_of(" \t"));
    id.erase(id.find_last_not_of(" \t") + 1);
    if (!id.empty()) {
      EB_RETURN_IF_ERROR(find_backend(id).status());
      if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
    }
    start = comma + 1;
  }
  if (ids.empty()) return invalid_argument("no backend given (a comma-separated list of backend ids, or all)");
  return ids;
}

Result<VerifyReport> verify_model(const Graph& graph, const std::vector<std::string>& backend_ids, const VerifyOptions& options) {
  std::vector<const BackendEntry*> entries;
  for (const std::string& id : backend_ids) {
    EB_ASSIGN_OR_RETURN(const BackendEntry* entry, find_backend(id));
    entries.push_back(entry);
  }
  VerifyReport report;
  report.graph = graph.name;
  report.tolerance = options.tolerance;
  for (ValueId v : graph.outputs) report.outputs.push_back({graph.value(v).name, graph.value(v).desc.shape});

  const auto inputs = seeded_inputs(graph, options.input_seed);
  auto reference = ref::run_graph(graph, inputs);
  if (!reference.is_ok()) return reference.status().with_context("reference kernels on '" + graph.name + "'");

  for (const BackendEntry* entry : entries) {
    BackendCheck check;
    check.backend = entry->id;
    if (entry->id == "null") {
      check.outcome = Outcome::skipped;
      check.message = "the null backend computes nothing; there is nothing to verify";
    } else if (!entry->make) {
      check.outcome = Outcome::not_built;
      check.message = entry->not_built_reason;
    } else {
      std::unique_ptr<Backend> backend = entry->make();
      check = check_backend(*backend, graph, inputs, *reference, options);
    }
    if (options.on_checked) options.on_checked(check);
    report.backends.push_back(std::move(check));
  }
  return report;
}

}  // namespace eb::verify
