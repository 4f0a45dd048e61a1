// edgebench run: one model on one backend, measured as METHOD.md says,
// summarized, stored in the results database.
//
// Three ways to run:
//   in process (the default): the runner measures right here;
//   isolated (--memory-limit, --timeout, or the --test-fault hook): the same
//     run in a child `edgebench run` (bench/sweep.h), so that running out of
//     memory, a crash or a hang is recorded as the run's status;
//   child (hidden --child-result PATH): what an isolated run or a sweep
//     starts; measures in process and leaves its record and samples in PATH
//     for the parent, storing and printing nothing itself.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>

#include "backends/registry.h"
#include "bench/clock.h"
#include "bench/cpu_times.h"
#include "bench/isolation.h"
#include "bench/runner.h"
#include "bench/sweep.h"
#include "cli/cli_common.h"
#include "cli/commands.h"
#include "cli/common_options.h"
#include "cli/model_source.h"
#include "cli/profile_summary.h"
#include "cli/sensor_options.h"
#include "cli/sensor_summary.h"
#include "cli/table.h"
#include "store/results_db.h"
#include "zoo/zoo.h"

namespace eb::cli {
namespace {

struct RunArgs {
  ModelSource source;
  bench::RunSpec spec;
  std::string db = kDefaultDbPath;
  bool no_db = false;
  std::string json_path;
  std::string samples_path;
  std::string format = "table";
  std::string memory_limit;  // as typed: 1G, 512M, bytes
  double timeout_secs = 0;
  // Hidden: the child path and its test hook (docs/method.md, "Test hooks").
  std::string child_result;
  std::string test_fault;
};

std::string shortest(double v) {
  char buf[32];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc() ? std::string(buf, end) : std::to_string(v);
}

// 3 significant digits in the unit that suits: "31 ns", "12.3 µs", "4.56 ms", "1.23 s".
std::string duration_ns(double ns) {
  const char* unit = "ns";
  double v = ns;
  if (std::fabs(ns) >= 1e9) {
    v = ns / 1e9;
    unit = "s";
  } else if (std::fabs(ns) >= 1e6) {
    v = ns / 1e6;
    unit = "ms";
  } else if (std::fabs(ns) >= 1e3) {
    v = ns / 1e3;
    unit = "µs";
  }
  const int decimals = std::fabs(v) >= 100 || unit[0] == 'n' ? 0 : std::fabs(v) >= 10 ? 1 : 2;
  return fixed(v, decimals) + " " + unit;
}
std::string duration_ms(double ms) { return format_duration_ms(ms); }

Status check_writable(const std::string& flag, const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path p(path);
  if (fs::is_directory(p, ec)) return invalid_argument(flag + " '" + path + "' is a directory");
  if (fs::exists(p, ec)) {
    if (access(p.c_str(), W_OK) != 0) return invalid_argument(flag + " '" + path + "' is not writable");
    return Status::ok();
  }
  const fs::path dir = p.has_parent_path() ? p.parent_path() : fs::path(".");
  if (!fs::is_directory(dir, ec)) return invalid_argument(flag + " '" + path + "': no directory '" + dir.string() + "'");
  if (access(dir.c_str(), W_OK | X_OK) != 0) {
    return invalid_argument(flag + " '" + path + "': directory '" + dir.string() + "' is not writable");
  }
  return Status::ok();
}

// Usage errors, found before anything is measured (exit 2).
Status check_usage(const RunArgs& a) {
  EB_RETURN_IF_ERROR(check_model_source(a.source));
  if (auto entry = find_backend(a.spec.backend); !entry.is_ok()) return entry.status();
  EB_RETURN_IF_ERROR(bench::validate(a.spec.options));
  if (!a.memory_limit.empty()) {
    if (auto bytes = bench::parse_byte_size(a.memory_limit); !bytes.is_ok()) {
      return bytes.status().with_context("--memory-limit");
    }
  }
  if (a.timeout_secs < 0) return invalid_argument("--timeout must be >= 0, got " + shortest(a.timeout_secs));
  if (!a.test_fault.empty()) {
    if (auto fault = bench::parse_fault(a.test_fault); !fault.is_ok()) return fault.status();
  }
  if (!a.json_path.empty()) EB_RETURN_IF_ERROR(check_writable("--json", a.json_path));
  if (!a.samples_path.empty()) EB_RETURN_IF_ERROR(check_writable("--samples", a.samples_path));
  if (!a.spec.profile.trace_path.empty()) EB_RETURN_IF_ERROR(check_writable("--trace", a.spec.profile.trace_path));
  if (!a.child_result.empty()) EB_RETURN_IF_ERROR(check_writable("--child-result", a.child_result));
  return Status::ok();
}

// The model-source flags again, for a child run.
std::vector<std::string> source_args(const ModelSource& s) {
  std::vector<std::string> args;
  auto absolute = [](const std::string& p) { return std::filesystem::absolute(p).string(); };
  if (!s.model.empty()) args.insert(args.end(), {"--model", s.model});
  if (!s.onnx.empty()) args.insert(args.end(), {"--onnx", absolute(s.onnx)});
  if (!s.darknet_cfg.empty()) args.insert(args.end(), {"--darknet-cfg", absolute(s.darknet_cfg)});
  if (!s.darknet_weights.empty()) args.insert(args.end(), {"--darknet-weights", absolute(s.darknet_weights)});
  if (s.input_size) args.insert(args.end(), {"--input-size", std::to_string(s.input_size)});
  if (s.seed) args.insert(args.end(), {"--seed", std::to_string(s.seed)});
  return args;
}

struct Measured {
  bench::RunRecord record;
  std::vector<int64_t> samples_ns;
  std::optional<bench::StopReason> stop_reason;
  std::optional<double> loop_ns_per_iteration;
  std::string limit_note;
  std::vector<std::string> sensor_notes;  // what the sensors could not measure
  std::optional<int> child_exit_code;     // isolated: the child's, when it exited
};

// An isolated run: a plan of one entry for the sweep machinery. nullopt
// when interrupted (nothing is recorded then).
Result<std::optional<Measured>> run_isolated(const RunArgs& a, const bench::RunSpec& spec) {
  EB_ASSIGN_OR_RETURN(const auto self, bench::self_executable());
  bench::SweepEntry entry;
  entry.identity = bench::identity_record(spec);
  if (auto e = find_backend(a.spec.backend); e.is_ok() && !(*e)->make) {
    entry.identity.status = bench::RunStatus::not_built;
    entry.identity.error = "backend '" + a.spec.backend + "' was not built: " + (*e)->not_built_reason;
  }
  entry.child_argv = {self.string(), "run"};
  for (auto& s : source_args(a.source)) entry.child_argv.push_back(s);
  entry.child_argv.insert(entry.child_argv.end(), {"--backend", a.spec.backend});
  for (auto& s : measurement_args(a.spec)) entry.child_argv.push_back(s);
  // The child profiles, so the child writes the trace.
  if (!a.spec.profile.trace_path.empty()) {
    entry.child_argv.insert(entry.child_argv.end(), {"--trace", std::filesystem::absolute(a.spec.profile.trace_path).string()});
  }
  if (!a.test_fault.empty()) entry.child_argv.insert(entry.child_argv.end(), {"--test-fault", a.test_fault});

  bench::SweepOptions options;
  options.timeout_secs = a.timeout_secs;
  if (!a.memory_limit.empty()) options.memory_limit_bytes = *bench::parse_byte_size(a.memory_limit);
  Measured m;
  bench::InterruptGuard interrupt;
  bench::SweepHooks hooks;
  hooks.record = [&](const bench::RunRecord& r, std::span<const int64_t> samples) {
    m.record = r;
    m.samples_ns.assign(samples.begin(), samples.end());
    return Status::ok();
  };
  hooks.progress = [&](const bench::SweepEvent& e) {
    if (e.kind != bench::SweepEvent::Kind::finished) return;
    m.limit_note = e.limit_note;
    m.child_exit_code = e.exit_code;
  };
  hooks.should_stop = [&] { return interrupt.interrupted(); };
  EB_ASSIGN_OR_RETURN(const auto summary, bench::run_sweep(std::span(&entry, 1), options, hooks));
  if (summary.stopped || summary.recorded == 0) return std::optional<Measured>();
  return std::optional<Measured>(std::move(m));
}

void print_summary(std::ostream& os, const Measured& m, const std::optional<int64_t>& stored_id, const std::string& db) {
  const bench::RunRecord& r = m.record;
  os << r.model << " on " << bench::variant_label(r.backend, r.mode) << ": " << bench::to_string(r.status) << "\n";
  auto line = [&](const char* label, const std::string& text) {
    os << "  " << label << std::string(12 - std::string_view(label).size(), ' ') << text << "\n";
  };
  if (r.error) line("error", *r.error);
  line("config", r.device + ", " + r.precision + ", " + std::to_string(r.threads) + " thread" + (r.threads == 1 ? "" : "s"));
  if (r.env.backend_version) line("version", *r.env.backend_version);
  if (r.model_info.is_object() && r.model_info.contains("params")) {
    const auto& mi = r.model_info;
    line("model", with_commas(mi.value("params", int64_t{0})) + " params, " + fixed(mi.value("macs", 0.0) / 1e9, 3) +
                      " GMACs, input " + (mi["inputs"].empty() ? std::string("?") : mi["inputs"][0].get<std::string>()));
  }
  if (r.init_ms) {
    std::string text = duration_ms(*r.init_ms);
    if (r.load_ms) text += " (load " + duration_ms(*r.load_ms) + " + prepare " + duration_ms(*r.init_ms - *r.load_ms) + ")";
    line("init", text);
  } else if (r.load_ms) {
    line("load", duration_ms(*r.load_ms));
  }
  if (r.first_ms) line("first", duration_ms(*r.first_ms));
  if (r.first_ms) line("warmup", with_commas(r.warmup_runs) + " runs");
  if (r.latency_ms) {
    const auto& l = *r.latency_ms;
    std::string measured = with_commas(r.runs) + " runs";
    if (m.stop_reason) measured += ", stopped at " + std::string(bench::to_string(*m.stop_reason));
    measured += std::string("; CI target ") + (r.stable ? "met" : "not met");
    line("measured", measured);
    line("latency", "median " + duration_ms(l.median) + "  p90 " + duration_ms(l.p90) + "  p99 " + duration_ms(l.p99) +
                        "  min " + duration_ms(l.min) + "  max " + duration_ms(l.max) + "  mean " + duration_ms(l.mean));
    if (l.ci95_low && l.ci95_high) {
      const double half = (*l.ci95_high - *l.ci95_low) / 2 / l.median * 100;
      line("95% CI", "[" + duration_ms(*l.ci95_low) + ", " + duration_ms(*l.ci95_high) + "] of the median (±" + fixed(half, 2) +
                         "%; target ±" + shortest(r.options.target_ci_pct) + "%)");
    } else {
      line("95% CI", "n/a (fewer than 6 runs)");
    }
    line("CV", r.cv ? fixed(*r.cv * 100, 2) + "%" : std::string("n/a"));
  }
  if (r.harness_overhead_ns) {
    // In the samples: two clock reads and the call. Between them: storing
    // the sample and the stopping rule (the loop's time not in any sample).
    std::string text = duration_ns(static_cast<double>(*r.harness_overhead_ns)) + " in each sample (clock reads + call)";
    if (m.loop_ns_per_iteration && r.latency_ms) {
      const double between = std::max(0.0, *m.loop_ns_per_iteration - r.latency_ms->mean * 1e6);
      text += " + " + duration_ns(between) + " between samples (target < 1 µs)";
    }
    line("overhead", text);
    if (r.backend == "null" && m.loop_ns_per_iteration) {
      line("", "the null backend does nothing: " + duration_ns(*m.loop_ns_per_iteration) +
                   " per loop iteration is the harness's whole per-iteration overhead");
    }
  }
  if (r.peak_rss_bytes) line("peak RSS", bench::format_byte_size(*r.peak_rss_bytes));
  if (r.cpu_steal) line("cpu steal", fixed(*r.cpu_steal * 100, 1) + "% of the machine's CPU time went to other guests (hypervisor)");
  if (!m.limit_note.empty()) line("mem limit", m.limit_note);
  for (const auto& [label, text] : sensor_summary_lines(r, m.sensor_notes)) line(label.c_str(), text);
  print_profile_summary(os, r.profile);
  if (stored_id) line("stored", "run " + std::to_string(*stored_id) + " in " + db);
  if (r.unstable && r.cv) {
    os << "WARNING: UNSTABLE: CV " << fixed(*r.cv * 100, 1)
       << "% > 5%; the latency varies too much for its median to be trusted (other load on the machine? frequency scaling?)\n";
  }
  if (r.cpu_steal && *r.cpu_steal > bench::kStealWarning) {
    os << "WARNING: STEAL: the hypervisor ran other guests for " << fixed(*r.cpu_steal * 100, 1)
       << "% of the CPU time of the measured runs; latencies measured while vCPUs wait are inflated: repeat the run\n";
  }
}

int run_command(const RunArgs& a) {
  if (Status st = check_usage(a); !st.is_ok()) {
    std::cerr << "edgebench: " << st.message() << "\n";
    return kExitUsage;
  }
  const bool child = !a.child_result.empty();
  const bool isolated = !child && (!a.memory_limit.empty() || a.timeout_secs > 0 || !a.test_fault.empty());
  // Sensors are opened before anything is measured: a bad --power is bad
  // usage. An isolated run's child measures; here they are only checked.
  std::unique_ptr<sensors::RunMonitor> monitor;
  if (isolated) {
    if (Status st = check_sensor_request(a.spec.sensors, a.spec.backend_options.device); !st.is_ok()) return report_error(st);
  } else {
    auto opened = open_run_monitor(a.spec.sensors, a.spec.backend_options.device);
    if (!opened.is_ok()) return report_error(opened.status());
    monitor = std::move(opened).value();
  }
  if (child) {
    // The parent's memory limit, when it is RLIMIT_AS (bench/isolation.h).
    if (const char* limit = std::getenv(bench::kChildAddressSpaceEnv)) {
      int64_t bytes = 0;
      const std::string_view text(limit);
      const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), bytes);
      auto applied = ec == std::errc() && end == text.data() + text.size() && bytes > 0
                         ? bench::apply_address_space_limit(bytes)
                         : Result<int64_t>(invalid_argument(std::string("bad ") + bench::kChildAddressSpaceEnv + " '" +
                                                            limit + "'"));
      if (!applied.is_ok()) return report_error(applied.status().with_context("applying the memory limit"));
    }
  }

  // The database is opened before measuring, so a bad path costs nothing.
  std::optional<store::ResultsDb> db;
  if (!child && !a.no_db) {
    auto opened = store::ResultsDb::open(a.db);
    if (!opened.is_ok()) {
      std::cerr << "edgebench: --db: " << opened.status().message() << "\n";
      return kExitUsage;
    }
    db.emplace(std::move(opened).value());
  }

  bench::RunSpec spec = a.spec;
  spec.model = record_model_label(a.source);
  spec.seed = a.source.seed ? a.source.seed : zoo::kDefaultSeed;
  // Malformed input files are bad input (exit 2), not a failed measurement.
  Status load_status;
  spec.load = loader_keeping_error(a.source, &load_status);

  Measured m;
  if (isolated) {
    auto result = run_isolated(a, spec);
    if (!result.is_ok()) return report_error(result.status());
    if (!result->has_value()) {
      std::cerr << "edgebench: interrupted; nothing recorded\n";
      return 130;
    }
    m = std::move(**result);
  } else {
    if (child) spec.fault = *bench::parse_fault(a.test_fault.empty() ? "none" : a.test_fault);
    if (spec.profile.enabled) {
      spec.after_measurement = [options = spec.profile](PreparedModel& model, bench::RunRecord& record) {
        bench::SteadyClock profile_clock;
        bench::run_profiling_pass(options, profile_clock, model, record);
      };
    }
    if (monitor) {
      start_monitor(*monitor, std::cerr);
      spec.window_hooks = monitor->hooks();
    }
    bench::SteadyClock clock;
    auto outcome = bench::run_one(spec, clock);
    if (monitor) {
      monitor->finish(outcome.record);
      m.sensor_notes = monitor->notes();
    }
    // A child leaves its record all the same, and exits 2 for its parent to say so.
    if (!child && exit_code_for(load_status) == kExitUsage) {
      std::cerr << "edgebench: " << load_status.message() << "\n";
      return kExitUsage;
    }
    m.record = std::move(outcome.record);
    m.samples_ns = std::move(outcome.samples_ns);
    m.stop_reason = outcome.stop_reason;
    m.loop_ns_per_iteration = outcome.loop_ns_per_iteration;
  }
  const int exit_code = m.record.status == bench::RunStatus::ok ? kExitOk : kExitCheckFailed;
  if (m.child_exit_code == kExitUsage) {
    // The child found the model file malformed: bad input, as in process; nothing is stored.
    std::cerr << "edgebench: " << m.record.error.value_or("the child run exited with code 2 (bad usage)") << "\n";
    return kExitUsage;
  }

  if (child) {
    if (Status st = bench::write_child_result(a.child_result, m.record, m.samples_ns); !st.is_ok()) {
      return report_error(st);
    }
    if (m.record.error) std::cerr << "edgebench: " << *m.record.error << "\n";
    for (const auto& note : m.sensor_notes) std::cerr << "edgebench: " << note << "\n";
    return exit_code_for(load_status) == kExitUsage ? kExitUsage : exit_code;
  }

  std::optional<int64_t> stored_id;
  if (db) {
    auto id = db->insert(m.record, m.samples_ns);
    if (!id.is_ok()) return report_error(id.status().with_context("storing the run in " + a.db));
    stored_id = *id;
  }
  if (!a.json_path.empty()) {
    std::ofstream out(a.json_path, std::ios::trunc);
    out << bench::to_json(m.record).dump(2) << "\n";
    if (!out) return report_error(io_error("cannot write --json '" + a.json_path + "'"));
  }
  if (!a.samples_path.empty()) {
    if (Status st = bench::write_samples_csv(a.samples_path, m.samples_ns); !st.is_ok()) return report_error(st);
  }
  if (a.format == "json") {
    std::cout << bench::to_json(m.record).dump(2) << "\n";
    if (m.record.unstable) std::cerr << "edgebench: WARNING: UNSTABLE: CV > 5%\n";
    for (const auto& note : m.sensor_notes) std::cerr << "edgebench: " << note << "\n";
  } else {
    print_summary(std::cout, m, stored_id, a.db);
  }
  if (!a.spec.profile.trace_path.empty() && m.record.status == bench::RunStatus::ok && !m.record.profile.contains("trace")) {
    // Asked for and not written: the record says why (no profiler, or the write failed).
    const auto& p = m.record.profile;
    const auto why = p.contains("trace_error") ? p["trace_error"] : p.contains("error") ? p["error"] : nlohmann::json("no profile");
    std::cerr << "edgebench: --trace: no trace written: " << (why.is_string() ? why.get<std::string>() : why.dump()) << "\n";
    return kExitCheckFailed;
  }
  return exit_code;
}

}  // namespace

std::string format_duration_ms(double ms) { return duration_ns(ms * 1e6); }

std::string record_model_label(const ModelSource& source) {
  std::string label = source.label();
  if (source.input_size) label += "@" + std::to_string(source.input_size);
  return label;
}

void add_measurement_options(CLI::App& cmd, bench::RunSpec& spec) {
  auto& o = spec.options;
  add_backend_options(cmd, spec.backend_options);
  cmd.add_option("--warmup-runs", o.warmup_runs, "warm up with at least this many inferences")->capture_default_str();
  cmd.add_option("--warmup-secs", o.warmup_secs, "... and for at least this long")->capture_default_str();
  cmd.add_option("--runs", o.runs, "measure at least this many inferences")->capture_default_str();
  cmd.add_option("--min-secs", o.min_secs, "... for at least this long")->capture_default_str();
  cmd.add_option("--max-secs", o.max_secs, "stop measuring after this long, whatever the CI")->capture_default_str();
  cmd.add_option("--target-ci", o.target_ci_pct, "stop when the median's 95% CI is within this % of it")->capture_default_str();
  // Sensors and profiling (--power SRC, --temperature, --profile) join here:
  // they change what a run measures, so run and sweep share them.
  cmd.add_flag("--profile", spec.profile.enabled,
               "after the measured runs, time every node: latency breakdown by op category and framework overhead");
  cmd.add_option_function<int>(
         "--profile-invokes", [&spec](const int& n) { spec.profile = {true, n, spec.profile.trace_path}; },
         "profiled invokes whose per-node medians make the breakdown (default " + std::to_string(bench::kDefaultProfileInvokes) +
             "; implies --profile)")
      ->check(CLI::PositiveNumber);
  add_sensor_options(cmd, spec.sensors);
}

std::vector<std::string> measurement_args(const bench::RunSpec& spec) {
  const auto& b = spec.backend_options;
  const auto& o = spec.options;
  std::vector<std::string> args = {"--device", b.device, "--threads", std::to_string(b.threads), "--precision", b.precision};
  if (!b.mode.empty()) args.insert(args.end(), {"--mode", b.mode});
  args.insert(args.end(), {"--warmup-runs", std::to_string(o.warmup_runs), "--warmup-secs", shortest(o.warmup_secs), "--runs",
                           std::to_string(o.runs), "--min-secs", shortest(o.min_secs), "--max-secs", shortest(o.max_secs),
                           "--target-ci", shortest(o.target_ci_pct)});
  if (spec.profile.enabled) args.insert(args.end(), {"--profile", "--profile-invokes", std::to_string(spec.profile.invokes)});
  for (auto& arg : sensor_args(spec.sensors)) args.push_back(std::move(arg));
  return args;
}

void add_run_command(CLI::App& app, CommandSet& set) {
  auto a = std::make_shared<RunArgs>();
  auto* cmd = app.add_subcommand("run", "Measure one model on one backend (METHOD.md) and store the result");
  add_model_source_options(*cmd, a->source);
  cmd->add_option("--backend,-b", a->spec.backend, "backend id (see 'edgebench backends')")->required();
  add_measurement_options(*cmd, a->spec);
  // Run only: a sweep's runs would all write the same file.
  cmd->add_option_function<std::string>(
      "--trace", [a](const std::string& path) { a->spec.profile = {true, a->spec.profile.invokes, path}; },
      "write a Chrome trace of the profiled invokes to this file (chrome://tracing, ui.perfetto.dev); implies --profile");
  cmd->add_option("--memory-limit", a->memory_limit,
                  "cap the run's memory, e.g. 1G or 512M (runs it in a child process: cgroup v2 memory.max where "
                  "delegated, else RLIMIT_AS)");
  cmd->add_option("--timeout", a->timeout_secs, "give up after this many seconds (runs it in a child process; 0: never)");
  add_record_output_options(*cmd, a->db, a->no_db, a->json_path, a->format);
  cmd->add_option("--samples", a->samples_path, "write the per-iteration times (CSV: iteration,ns) to this file");
  // Hidden: the child side of isolation, and its test hook. Not for users.
  cmd->add_option("--child-result", a->child_result, "")->group("");
  cmd->add_option("--test-fault", a->test_fault, "")->group("");
  cmd->callback([&set, a] { set.selected = [a] { return run_command(*a); }; });
}

}  // namespace eb::cli
