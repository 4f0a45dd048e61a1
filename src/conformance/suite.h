// Running many ONNX backend-test cases on one backend of the registry
// (backends/registry.h) and tallying the outcomes, overall and per op family.
// `edgebench conformance` is this plus its output.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "backends/backend.h"
#include "conformance/run_case.h"
#include "conformance/test_case.h"

namespace eb::conformance {

struct SuiteOptions {
  std::string backend = "native";  // a registry id
  BackendOptions backend_options;
  Tolerance tolerance;
  // Called after each case, in order (progress, streaming output).
  std::function<void(const CaseResult&)> on_case;
};

struct Tally {
  int pass = 0, fail = 0, unsupported = 0, error = 0;

  void add(Outcome outcome);
  int total() const { return pass + fail + unsupported + error; }
};

struct SuiteReport {
  std::string backend;
  std::string backend_version;  // the backend's Capabilities::version
  Tolerance tolerance;
  std::vector<CaseResult> cases;

  Tally tally() const;
  std::map<std::string, Tally> by_family() const;
  // No case failed or was unreadable (unsupported cases are fine).
  bool passed() const;
};

// Runs `cases` in order. invalid_argument for an unknown backend id,
// unsupported for a backend that was not built (the registry says why);
// what happens to a case is its outcome, never an error of the suite.
Result<SuiteReport> run_suite(const std::vector<TestCase>& cases, const SuiteOptions& options);

}  // namespace eb::conformance
