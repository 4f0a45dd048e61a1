// edgebench verify: the same model (same weights) and the same seeded input
// on each backend, every output compared with the reference kernels
// (verify/verify.h). Exit 0 when every backend that ran is within the
// tolerance, 1 when one is not or failed, 2 for bad usage. A backend that
// cannot take the model (unsupported) or was not built is listed, not failed.
#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/cli_common.h"
#include "cli/commands.h"
#include "cli/model_source.h"
#include "cli/table.h"
#include "verify/verify.h"
#include "zoo/zoo.h"

namespace eb::cli {
namespace {

struct VerifyArgs {
  ModelSource source;
  std::string backends;
  double tolerance = verify::kDefaultTolerance;
  std::string format = "table";
  int threads = 0;
};

// "1.23e-05"; errors span many orders of magnitude.
std::string sci(double v) {
  if (std::isinf(v)) return "inf";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2e", v);
  return buf;
}

Status check_usage(const VerifyArgs& a) {
  EB_RETURN_IF_ERROR(check_model_source(a.source));
  if (!(a.tolerance >= 0) || std::isinf(a.tolerance))
    return invalid_argument("--tolerance must be a finite number >= 0, got " + std::to_string(a.tolerance));
  if (a.threads < 0) return invalid_argument("--threads must be >= 0 (0: all cores)");
  return Status::ok();
}

nlohmann::json error_json(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

nlohmann::json report_json(const VerifyArgs& a, const verify::VerifyReport& r, uint64_t seed) {
  nlohmann::json outputs = nlohmann::json::array();
  for (const auto& o : r.outputs) outputs.push_back({{"name", o.name}, {"shape", o.shape.to_string()}});
  nlohmann::json backends = nlohmann::json::array();
  for (const verify::BackendCheck& b : r.backends) {
    nlohmann::json outs = nlohmann::json::array();
    for (const verify::OutputCheck& o : b.outputs)
      outs.push_back({{"name", o.name},
                      {"shape", o.shape.to_string()},
                      {"max_abs_error", error_json(o.stats.max_abs_error)},
                      {"max_rel_error", error_json(o.stats.max_rel_error)},
                      {"reference_max_abs", o.stats.reference_scale},
                      {"worst_index", o.stats.worst_index},
                      {"non_finite", o.stats.non_finite},
                      {"within_tolerance", o.within_tolerance}});
    backends.push_back({{"backend", b.backend},
                        {"status", verify::to_string(b.outcome)},
                        {"error", b.message.empty() ? nlohmann::json(nullptr) : nlohmann::json(b.message)},
                        {"version", b.version.empty() ? nlohmann::json(nullptr) : nlohmann::json(b.version)},
                        {"outputs", outs}});
  }
  return {{"model", record_model_label(a.source)},
          {"graph", r.graph},
          {"tolerance", r.tolerance},
          {"relative_error", "max|a-r| / max(max|r|, 1e-6) per output"},
          {"seed", seed},
          {"threads", a.threads},
          {"outputs", outputs},
          {"backends", backends},
          {"passed", r.passed()}};
}

void print_table(std::ostream& os, const VerifyArgs& a, const verify::VerifyReport& r) {
  os << record_model_label(a.source) << ": " << r.outputs.size() << " output" << (r.outputs.size() == 1 ? "" : "s")
     << " checked against the reference kernels; tolerance " << sci(r.tolerance)
     << " relative (max |a-r| / max |r| per output)\n";
  TextTable table({"backend", "output", "shape", "max abs err", "max rel err", "status"});
  for (const verify::BackendCheck& b : r.backends) {
    if (b.outputs.empty() || b.outcome == verify::Outcome::failed) {
      table.add({b.backend, "-", "-", "-", "-", verify::to_string(b.outcome)});
      continue;
    }
    for (const verify::OutputCheck& o : b.outputs)
      table.add({b.backend, o.name, o.shape.to_string(), sci(o.stats.max_abs_error), sci(o.stats.max_rel_error),
                 o.within_tolerance ? "pass" : "MISMATCH"});
  }
  table.print(os, {false, false, false, true, true, false});
  bool header = false;
  for (const verify::BackendCheck& b : r.backends) {
    if (b.message.empty()) continue;
    if (!header) os << "notes:\n";
    header = true;
    os << "  " << b.backend << ": " << verify::to_string(b.outcome) << ": " << b.message << "\n";
  }
  const int passed = r.count(verify::Outcome::pass);
  std::string summary = std::to_string(passed) + " of " + std::to_string(r.backends.size()) + " backends within tolerance";
  for (auto outcome : {verify::Outcome::mismatch, verify::Outcome::failed, verify::Outcome::unsupported, verify::Outcome::not_built,
                       verify::Outcome::skipped})
    if (int n = r.count(outcome)) summary += ", " + std::to_string(n) + " " + verify::to_string(outcome);
  os << (r.passed() ? "PASS: " : "FAIL: ") << summary << "\n";
  if (passed == 0 && r.passed()) os << "note: no backend was verified (none ran this model)\n";
}

int run_verify(const VerifyArgs& a) {
  if (Status st = check_usage(a); !st.is_ok()) return report_error(st);
  auto ids = verify::resolve_backends(a.backends);
  if (!ids.is_ok()) return report_error(ids.status().with_context("--backends"));
  auto graph = load_model(a.source);
  if (!graph.is_ok()) return report_error(graph.status());

  verify::VerifyOptions options;
  options.tolerance = a.tolerance;
  options.input_seed = a.source.seed ? a.source.seed : zoo::kDefaultSeed;
  options.backend_options.threads = a.threads;
  // Progress on stderr: a large model takes a while per backend.
  options.on_checked = [](const verify::BackendCheck& b) {
    std::cerr << "verify: " << b.backend << ": " << verify::to_string(b.outcome) << "\n";
  };
  auto report = verify::verify_model(*graph, *ids, options);
  if (!report.is_ok()) return report_error(report.status());

  if (a.format == "json") {
    std::cout << report_json(a, *report, options.input_seed).dump(2) << "\n";
  } else {
    print_table(std::cout, a, *report);
  }
  return report->passed() ? kExitOk : kExitCheckFailed;
}

}  // namespace

void add_verify_command(CLI::App& app, CommandSet& set) {
  auto* cmd = app.add_subcommand("verify", "Run a model on backends and compare every output with the reference kernels");
  auto a = std::make_shared<VerifyArgs>();
  add_model_source_options(*cmd, a->source);
  cmd->add_option("--backends", a->backends, "comma-separated backend ids, or all (every backend but null)")->required();
  cmd->add_option("--tolerance", a->tolerance, "largest relative error accepted (default 1e-3): max |a-r| / max |r| per output");
  cmd->add_option("--format", a->format, "table or json")->check(CLI::IsMember({"table", "json"}));
  cmd->add_option("--threads", a->threads, "threads per backend (default 0: all cores)");
  cmd->callback([&set, a] { set.selected = [a] { return run_verify(*a); }; });
}

}  // namespace eb::cli
