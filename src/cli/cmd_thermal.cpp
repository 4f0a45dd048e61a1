// edgebench thermal: keeps one model inferring on one backend until the
// device's temperature is steady (slope below 0.5 °C/min over 60 s) or
// --max-secs, sampling temperature at 1 Hz, and stores the record with the
// whole series (the study's Figure 14) and the latency over every inference.
#include <CLI/CLI.hpp>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "backends/registry.h"
#include "bench/clock.h"
#include "bench/runner.h"
#include "cli/cli_common.h"
#include "cli/commands.h"
#include "cli/common_options.h"
#include "cli/model_source.h"
#include "cli/sensor_summary.h"
#include "cli/table.h"
#include "sensors/run_monitor.h"
#include "store/results_db.h"
#include "zoo/zoo.h"

namespace eb::cli {
namespace {

struct ThermalArgs {
  ModelSource source;
  std::string backend;
  BackendOptions backend_options;
  std::string temperature = "auto";
  double max_secs = 1800;
  std::string sysfs_root = "/";
  std::string db = kDefaultDbPath;
  bool no_db = false;
  std::string json_path;
  std::string format = "table";
  // Hidden: METHOD.md's time scales, shortened by tests.
  double sample_period_secs = 1.0;
  double steady_window_secs = 60.0;
};

// Inferences are kept for the latency statistics; this caps their memory
// (80 MB) while letting a 0.1 ms model run for about 17 minutes.
constexpr int64_t kMaxThermalRuns = 10'000'000;

Status check_usage(const ThermalArgs& a) {
  EB_RETURN_IF_ERROR(check_model_source(a.source));
  if (auto entry = find_backend(a.backend); !entry.is_ok()) return entry.status();
  if (!(a.max_secs > 0)) return invalid_argument("--max-secs must be > 0");
  if (!(a.sample_period_secs > 0) || !(a.steady_window_secs > 0)) return invalid_argument("time scales must be > 0");
  std::error_code ec;
  if (!std::filesystem::is_directory(a.sysfs_root, ec)) {
    return invalid_argument("--sysfs-root '" + a.sysfs_root + "' is not a directory");
  }
  return Status::ok();
}

std::chrono::nanoseconds seconds(double s) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::duration<double>(s));
}

// The run policy as a thermal run needs it: no CI target (the temperature
// decides, through the monitor's ready_to_stop) and no minimum duration.
bench::RunOptions thermal_policy(double max_secs) {
  bench::RunOptions o;
  o.warmup_runs = 1;
  o.warmup_secs = 0;
  o.runs = 6;  // enough for a median CI, which the policy checks before asking the monitor
  o.min_secs = 0;
  o.max_secs = max_secs;
  o.target_ci_pct = 1e9;
  o.max_runs = kMaxThermalRuns;
  return o;
}

std::string shortest(double v) {
  char buf[32];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc() ? std::string(buf, end) : std::to_string(v);
}

std::string outcome_line(const std::optional<bench::StopReason>& stop, const sensors::SteadyState& steady,
                         double window_secs, const ThermalArgs& a) {
  const std::string over = " over the last " + shortest(a.steady_window_secs) + " s";
  if (stop == bench::StopReason::target_met && steady.steady) {
    return "steady after " + fixed(window_secs, 1) + " s" +
           (steady.slope_c_per_min ? " (slope " + fixed(*steady.slope_c_per_min, 2) + " °C/min" + over + ")" : "");
  }
  std::string why = stop == bench::StopReason::max_runs ? "stopped at " + with_commas(kMaxThermalRuns) + " inferences"
                                                        : "stopped at --max-secs " + shortest(a.max_secs) + " s";
  return why + " before steady state: " + steady.reason;
}

int run_thermal(const ThermalArgs& a) {
  if (Status st = check_usage(a); !st.is_ok()) return report_error(st);

  sensors::RunMonitorOptions mo;
  mo.temperature = a.temperature;
  mo.discovery.sysfs_root = a.sysfs_root;
  mo.device = a.backend_options.device;
  mo.temperature_period = seconds(a.sample_period_secs);
  mo.stop_when_steady = sensors::SteadyStateOptions{seconds(a.steady_window_secs), 0.5};
  auto opened = sensors::RunMonitor::open(mo);
  if (!opened.is_ok()) return report_error(opened.status());  // a bad --temperature: exit 2
  std::unique_ptr<sensors::RunMonitor> monitor = std::move(opened).value();
  if (!monitor->records_temperature()) {
    std::cerr << "edgebench: thermal: no temperature source under " << a.sysfs_root
              << " ('edgebench sensors' says why): nothing measured, nothing stored\n";
    return kExitCheckFailed;
  }

  std::optional<store::ResultsDb> db;
  if (!a.no_db) {
    auto db_opened = store::ResultsDb::open(a.db);
    if (!db_opened.is_ok()) return report_error(invalid_argument("--db: " + db_opened.status().message()));
    db.emplace(std::move(db_opened).value());
  }

  bench::RunSpec spec;
  spec.model = record_model_label(a.source);
  spec.backend = a.backend;
  spec.backend_options = a.backend_options;
  spec.options = thermal_policy(a.max_secs);
  spec.options.purpose = bench::kThermalPurpose;  // its own identity: never supersedes the latency run
  spec.seed = a.source.seed ? a.source.seed : zoo::kDefaultSeed;
  Status load_status;
  spec.load = loader_keeping_error(a.source, &load_status);

  monitor->start();
  spec.window_hooks = monitor->hooks();
  bench::SteadyClock clock;
  auto outcome = bench::run_one(spec, clock);
  monitor->finish(outcome.record);
  if (exit_code_for(load_status) == kExitUsage) return report_error(load_status);
  const bench::RunRecord& r = outcome.record;

  std::optional<int64_t> stored_id;
  if (db) {
    auto id = db->insert(r, outcome.samples_ns);
    if (!id.is_ok()) return report_error(id.status().with_context("storing the run in " + a.db));
    stored_id = *id;
  }
  if (!a.json_path.empty()) {
    std::ofstream out(a.json_path, std::ios::trunc);
    out << bench::to_json(r).dump(2) << "\n";
    if (!out) return report_error(io_error("cannot write --json '" + a.json_path + "'"));
  }
  const sensors::SteadyState steady = monitor->steady_state();
  if (a.format == "json") {
    std::cout << bench::to_json(r).dump(2) << "\n";
    for (const auto& note : monitor->notes()) std::cerr << "edgebench: " << note << "\n";
  } else {
    std::cout << r.model << " on " << r.backend << ": " << bench::to_string(r.status) << "\n";
    auto line = [](const std::string& label, const std::string& text) {
      std::cout << "  " << label << std::string(label.size() < 12 ? 12 - label.size() : 1, ' ') << text << "\n";
    };
    if (r.error) line("error", *r.error);
    if (r.status == bench::RunStatus::ok) {
      const double window_secs = outcome.loop_ns_per_iteration.value_or(0) * static_cast<double>(r.runs) * 1e-9;
      line("thermal", outcome_line(outcome.stop_reason, steady, window_secs, a));
    }
    if (r.latency_ms) {
      line("latency", with_commas(r.runs) + " runs, median " + format_duration_ms(r.latency_ms->median) + "  min " +
                          format_duration_ms(r.latency_ms->min) + "  max " + format_duration_ms(r.latency_ms->max));
    }
    for (const auto& [label, text] : sensor_summary_lines(r, monitor->notes())) line(label, text);
    if (stored_id) line("stored", "run " + std::to_string(*stored_id) + " in " + a.db);
  }
  return r.status == bench::RunStatus::ok ? kExitOk : kExitCheckFailed;
}

}  // namespace

void add_thermal_command(CLI::App& app, CommandSet& set) {
  auto a = std::make_shared<ThermalArgs>();
  auto* cmd = app.add_subcommand(
      "thermal", "Infer until the temperature is steady (< 0.5 °C/min over 60 s) or --max-secs; store the series");
  add_model_source_options(*cmd, a->source);
  cmd->add_option("--backend,-b", a->backend, "backend id (see 'edgebench backends')")->required();
  add_backend_options(*cmd, a->backend_options);
  cmd->add_option("--temperature", a->temperature, "auto (every sensor) or ids, comma-separated")->capture_default_str();
  cmd->add_option("--max-secs", a->max_secs, "stop here if the temperature is not steady yet")->capture_default_str();
  cmd->add_option("--sysfs-root", a->sysfs_root, "read sensors under this directory instead of /")->capture_default_str();
  add_record_output_options(*cmd, a->db, a->no_db, a->json_path, a->format);
  // Hidden: shorter time scales for tests (METHOD.md's are 1 s and 60 s).
  cmd->add_option("--sample-period", a->sample_period_secs, "")->group("");
  cmd->add_option("--steady-window", a->steady_window_secs, "")->group("");
  cmd->callback([&set, a] { set.selected = [a] { return run_thermal(*a); }; });
}

}  // namespace eb::cli
