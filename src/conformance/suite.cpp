#include "conformance/suite.h"

#include "backends/registry.h"

namespace eb::conformance {

void Tally::add(Outcome outcome) {
  switch (outcome) {
    case Outcome::pass: ++pass; break;
    case Outcome::fail: ++fail; break;
    case Outcome::unsupported: ++unsupported; break;
    case Outcome::error: ++error; break;
  }
}

Tally SuiteReport::tally() const {
  Tally t;
  for (const CaseResult& c : cases) t.add(c.outcome);
  return t;
}

std::map<std::string, Tally> SuiteReport::by_family() const {
  std::map<std::string, Tally> families;
  for (const CaseResult& c : cases) families[c.family.empty() ? "?" : c.family].add(c.outcome);
  return families;
}

bool SuiteReport::passed() const {
  const Tally t = tally();
  return t.fail == 0 && t.error == 0;
}

Result<SuiteReport> run_suite(const std::vector<TestCase>& cases, const SuiteOptions& options) {
  EB_ASSIGN_OR_RETURN(const BackendEntry* entry, find_backend(options.backend));
  if (!entry->make) return unsupported("backend '" + entry->id + "' was not built: " + entry->not_built_reason);
  const std::unique_ptr<Backend> backend = entry->make();
  SuiteReport report;
  report.backend = entry->id;
  report.backend_version = backend->capabilities().version;
  report.tolerance = options.tolerance;
  const Execute execute = execute_on(*backend, options.backend_options);
  for (const TestCase& test : cases) {
    report.cases.push_back(run_case(test, execute, options.tolerance));
    if (options.on_case) options.on_case(report.cases.back());
  }
  return report;
}

}  // namespace eb::conformance
