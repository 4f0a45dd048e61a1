// edgebench conformance PATH...: ONNX backend-test cases (model.onnx +
// test_data_set_N/{input,output}_K.pb) imported and run on one backend, each
// output compared element by element with the expected one
// (conformance/suite.h). One line per case, then a summary. Exit 0 when every
// case passed or is unsupported, 1 when one failed or could not be read,
// 2 for bad usage (no such path, no case, unknown backend, bad flag).
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/cli_common.h"
#include "cli/commands.h"
#include "cli/table.h"
#include "conformance/suite.h"

namespace eb::cli {
namespace {

struct ConformanceArgs {
  std::vector<std::string> paths;
  std::string backend = "native";
  std::string filter;
  std::string format = "table";
  bool quiet = false;
  bool by_family = false;
  conformance::Tolerance tolerance;
  int threads = 0;
};

Status check_usage(const ConformanceArgs& a) {
  for (const auto& [flag, v] : {std::pair{"--rtol", a.tolerance.rtol}, std::pair{"--atol", a.tolerance.atol}})
    if (!(v >= 0) || std::isinf(v)) return invalid_argument(std::string(flag) + " must be a finite number >= 0, got " + std::to_string(v));
  if (a.threads < 0) return invalid_argument("--threads must be >= 0 (0: all cores)");
  return Status::ok();
}

std::string sci(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0e", v);
  return buf;
}

std::string counts(const conformance::Tally& t) {
  return std::to_string(t.pass) + " pass, " + std::to_string(t.fail) + " fail, " + std::to_string(t.unsupported) + " unsupported, " +
         std::to_string(t.error) + " error";
}

nlohmann::json tally_json(const conformance::Tally& t) {
  return {{"pass", t.pass}, {"fail", t.fail}, {"unsupported", t.unsupported}, {"error", t.error}, {"total", t.total()}};
}

nlohmann::json report_json(const conformance::SuiteReport& r, double secs) {
  nlohmann::json cases = nlohmann::json::array();
  for (const conformance::CaseResult& c : r.cases) {
    nlohmann::json worst = nullptr;
    if (c.worst)
      worst = {{"output", c.worst->output},       {"output_name", c.worst->output_name}, {"data_set", c.worst->data_set},
               {"index", c.worst->index},         {"flat_index", c.worst->flat_index},   {"actual", c.worst->actual},
               {"expected", c.worst->expected},   {"beyond", c.worst->beyond},           {"elements", c.worst->elements}};
    cases.push_back({{"name", c.name},
                     {"family", c.family},
                     {"outcome", conformance::to_string(c.outcome)},
                     {"detail", c.detail},
                     {"max_abs_error", c.max_abs_error},
                     {"worst", worst}});
  }
  nlohmann::json families = nlohmann::json::object();
  for (const auto& [family, t] : r.by_family()) families[family] = tally_json(t);
  return {{"backend", r.backend},
          {"backend_version", r.backend_version},
          {"rtol", r.tolerance.rtol},
          {"atol", r.tolerance.atol},
          {"rule", "|actual - expected| <= atol + rtol * |expected|, per element"},
          {"cases", cases},
          {"summary", tally_json(r.tally())},
          {"families", families},
          {"seconds", secs},
          {"passed", r.passed()}};
}

void print_summary(std::ostream& os, const ConformanceArgs& a, const conformance::SuiteReport& r, double secs) {
  if (a.by_family) {
    TextTable table({"family", "pass", "fail", "unsupported", "error"});
    for (const auto& [family, t] : r.by_family())
      table.add({family, std::to_string(t.pass), std::to_string(t.fail), std::to_string(t.unsupported), std::to_string(t.error)});
    os << "\n";
    table.print(os, {false, true, true, true, true});
  }
  const conformance::Tally t = r.tally();
  os << "\n" << (r.passed() ? "PASS: " : "FAIL: ") << t.total() << " cases on " << r.backend << " (rtol " << sci(r.tolerance.rtol)
     << ", atol " << sci(r.tolerance.atol) << "): " << counts(t) << "; " << fixed(secs, 1) << " s\n";
}

int run_conformance(const ConformanceArgs& a) {
  if (Status st = check_usage(a); !st.is_ok()) return report_error(st);
  auto found = conformance::find_cases(a.paths);
  if (!found.is_ok()) return report_error(found.status());
  std::vector<conformance::TestCase> cases = std::move(found).value();
  if (!a.filter.empty()) {
    auto kept = conformance::filter_cases(std::move(cases), a.filter);
    if (!kept.is_ok()) return report_error(kept.status().with_context("--filter"));
    cases = std::move(kept).value();
    if (cases.empty()) return report_error(invalid_argument("--filter: no case name matches '" + a.filter + "'"));
  }

  std::size_t width = 0;
  for (const auto& c : cases) width = std::max(width, c.name.size());
  width = std::min<std::size_t>(width, 60);
  conformance::SuiteOptions options;
  options.backend = a.backend;
  options.backend_options.threads = a.threads;
  options.tolerance = a.tolerance;
  if (a.format == "table")
    options.on_case = [&a, width](const conformance::CaseResult& c) {
      const bool noteworthy = c.outcome == conformance::Outcome::fail || c.outcome == conformance::Outcome::error;
      if (a.quiet && !noteworthy) return;
      std::string name = c.name;
      if (name.size() < width) name += std::string(width - name.size(), ' ');
      std::string outcome = conformance::to_string(c.outcome);
      outcome += std::string(11 - outcome.size(), ' ');
      std::cout << name << "  " << outcome << "  " << c.detail << std::endl;  // flushed: a long run shows progress
    };

  const auto start = std::chrono::steady_clock::now();
  auto report = conformance::run_suite(cases, options);
  if (!report.is_ok()) return report_error(report.status().with_context("--backend"));
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  if (a.format == "json") {
    std::cout << report_json(*report, secs).dump(2) << "\n";
  } else {
    print_summary(std::cout, a, *report, secs);
  }
  return report->passed() ? kExitOk : kExitCheckFailed;
}

}  // namespace

void add_conformance_command(CLI::App& app, CommandSet& set) {
  auto* cmd = app.add_subcommand("conformance",
                                 "Run ONNX backend-test cases (model.onnx + test_data_set_N/*.pb) on a backend and compare every output");
  auto a = std::make_shared<ConformanceArgs>();
  cmd->add_option("paths", a->paths, "case directories, or directories searched recursively for them")->required();
  cmd->add_option("--backend", a->backend, "backend id (default native); see edgebench backends");
  cmd->add_option("--filter", a->filter, "run only cases whose name matches this regular expression (ECMAScript)");
  cmd->add_option("--format", a->format, "table or json")->check(CLI::IsMember({"table", "json"}));
  cmd->add_flag("--quiet", a->quiet, "table: list only cases that fail or cannot be read, then the summary");
  cmd->add_flag("--by-family", a->by_family, "table: add counts per op family (the model's op types)");
  auto* rtol = cmd->add_option("--rtol", a->tolerance.rtol, "relative tolerance (default 1e-4): |a-e| <= atol + rtol*|e|");
  // DESIGN.md's contract names the relative tolerance --tolerance.
  cmd->add_option("--tolerance", a->tolerance.rtol, "the same as --rtol")->excludes(rtol);
  cmd->add_option("--atol", a->tolerance.atol, "absolute tolerance (default 1e-6)");
  cmd->add_option("--threads", a->threads, "threads for the backend (default 0: all cores)");
  cmd->callback([&set, a] { set.selected = [a] { return run_conformance(*a); }; });
}

}  // namespace eb::cli
