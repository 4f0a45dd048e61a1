// edgebench sweep: every (model, backend variant) of two lists, each run in a child
// process with a timeout and an optional memory cap, each result committed to
// the database as soon as it ends (the study's Table V is what comes out).
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <charconv>
#include <cstdio>
#include <iostream>
#include <map>

#include "backends/registry.h"
#include "bench/isolation.h"
#include "bench/runner.h"
#include "bench/sweep.h"
#include "cli/cli_common.h"
#include "cli/commands.h"
#include "cli/common_options.h"
#include "cli/model_source.h"
#include "cli/sensor_options.h"
#include "cli/table.h"
#include "store/results_db.h"
#include "zoo/zoo.h"

namespace eb::cli {
namespace {

struct SweepArgs {
  std::string models;
  std::string backends;
  int64_t input_size = 0;
  uint64_t seed = 0;
  bench::RunSpec spec;
  std::string db = kDefaultDbPath;
  double timeout_secs = 0;
  std::string memory_limit;
  bool resume = false;
  // Hidden test hook: KIND:MODEL[,KIND:MODEL...] (docs/method.md, "Test hooks").
  std::string test_faults;
};

Result<std::vector<std::string>> expand_models(const std::string& text) {
  if (text == "all") {
    std::vector<std::string> ids;
    for (const auto& e : zoo::models()) ids.emplace_back(e.id);
    return ids;
  }
  auto ids = bench::split_list(text);
  if (ids.empty()) return invalid_argument("--models is empty");
  for (const auto& id : ids) {
    if (!is_known_model(id)) return invalid_argument(unknown_model_message(id));
  }
  return ids;
}

// The ids must be the registry's; the modes are each backend's to accept or
// refuse, and the registry does not list them: a mode a backend refuses is
// that run's result (failed or unsupported, with the backend's message).
Result<std::vector<bench::BackendVariant>> expand_backends(const std::string& text) {
  std::vector<bench::BackendVariant> variants;
  if (text == "all") {
    for (auto& id : backend_ids(/*built_only=*/true)) variants.push_back({std::move(id), ""});
    return variants;
  }
  EB_ASSIGN_OR_RETURN(variants, bench::parse_backend_list(text));
  for (const auto& v : variants) {
    if (auto entry = find_backend(v.backend); !entry.is_ok()) return entry.status().with_context("--backends");
  }
  return variants;
}

Result<std::map<std::string, std::string>> parse_faults(const std::string& text) {
  std::map<std::string, std::string> faults;  // model -> fault
  for (const auto& item : bench::split_list(text)) {
    const auto colon = item.find(':');
    if (colon == std::string::npos) return invalid_argument("--test-fault: expected KIND:MODEL, got '" + item + "'");
    EB_RETURN_IF_ERROR(bench::parse_fault(item.substr(0, colon)).status());
    faults[item.substr(colon + 1)] = item.substr(0, colon);
  }
  return faults;
}

std::string clock_text(double secs) {
  const auto s = static_cast<long long>(secs + 0.5);
  char buf[32];
  if (s >= 3600) std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
  else std::snprintf(buf, sizeof buf, "%lld:%02lld", s / 60, s % 60);
  return buf;
}

std::string outcome_text(const bench::RunRecord& r) {
  std::string text = bench::to_string(r.status);
  if (r.status == bench::RunStatus::ok && r.latency_ms) {
    text += ", median " + format_duration_ms(r.latency_ms->median) + " over " + with_commas(r.runs) + (r.runs == 1 ? " run" : " runs");
    if (r.unstable) text += " (UNSTABLE: CV > 5%)";
  }
  if (r.error) text += ": " + *r.error;
  return text;
}

// Progress on stderr: a line rewritten in place on a terminal, plain lines
// (one per finished run) otherwise, so logs stay readable.
class Progress {
 public:
  explicit Progress(bool terminal) : terminal_(terminal) {}

  void operator()(const bench::SweepEvent& e) {
    const std::string position = "[" + std::to_string(e.index + 1) + "/" + std::to_string(e.total) + "] ";
    const bench::RunRecord& run = e.entry->identity;
    const std::string what = run.model + " on " + bench::variant_label(run.backend, run.mode);
    const std::string eta = e.eta_secs ? ", ETA " + clock_text(*e.eta_secs) : "";
    switch (e.kind) {
      case bench::SweepEvent::Kind::started:
      case bench::SweepEvent::Kind::running:
        if (terminal_) {
          std::cerr << "\r\033[K" << position << what << " ... " << clock_text(e.run_secs) << " (sweep " << clock_text(e.elapsed_secs)
                    << eta << ")" << std::flush;
        }
        break;
      case bench::SweepEvent::Kind::skipped:
        clear();
        std::cerr << position << what << ": skipped (already in the database)\n";
        break;
      case bench::SweepEvent::Kind::finished:
        clear();
        if (!e.limit_note.empty() && !limit_reported_) {
          std::cerr << "memory limit: " << e.limit_note << "\n";
          limit_reported_ = true;
        }
        std::cerr << position << what << ": " << outcome_text(*e.record) << " (" << fixed(e.run_secs, 1) << " s" << eta
                  << ")\n";
        break;
    }
  }
  void clear() {
    if (terminal_) std::cerr << "\r\033[K";
  }

 private:
  bool terminal_;
  bool limit_reported_ = false;
};

int run_sweep_command(const SweepArgs& a) {
  auto usage = [](const Status& st) {
    std::cerr << "edgebench: " << st.message() << "\n";
    return kExitUsage;
  };
  auto models = expand_models(a.models);
  if (!models.is_ok()) return usage(models.status());
  auto backends = expand_backends(a.backends);
  if (!backends.is_ok()) return usage(backends.status());
  if (Status st = bench::validate(a.spec.options); !st.is_ok()) return usage(st);
  if (Status st = check_sensor_request(a.spec.sensors, a.spec.backend_options.device); !st.is_ok()) return usage(st);
  bench::SweepOptions options;
  if (!a.memory_limit.empty()) {
    auto bytes = bench::parse_byte_size(a.memory_limit);
    if (!bytes.is_ok()) return usage(bytes.status().with_context("--memory-limit"));
    options.memory_limit_bytes = *bytes;
  }
  if (a.timeout_secs < 0) return usage(invalid_argument("--timeout must be >= 0"));
  // Default: room for a slow load and the longest measurement, twice over.
  options.timeout_secs = a.timeout_secs > 0 ? a.timeout_secs
                                            : 2 * (a.spec.options.warmup_secs + a.spec.options.max_secs) + 300;
  options.resume = a.resume;
  auto faults = parse_faults(a.test_faults);
  if (!faults.is_ok()) return usage(faults.status());
  auto self = bench::self_executable();
  if (!self.is_ok()) return report_error(self.status());

  auto opened = store::ResultsDb::open(a.db);
  if (!opened.is_ok()) return usage(opened.status().with_context("--db"));
  store::ResultsDb db = std::move(opened).value();

  // The plan: model-major, so that one model's row of the matrix fills first.
  std::vector<bench::SweepEntry> plan;
  for (const auto& model : *models) {
    ModelSource source;
    source.model = model;
    source.input_size = a.input_size;
    source.seed = a.seed;
    for (const auto& [backend, mode] : *backends) {
      bench::RunSpec spec = a.spec;
      spec.model = record_model_label(source);
      spec.backend = backend;
      if (!mode.empty()) spec.backend_options.mode = mode;  // else --mode, if given
      spec.seed = a.seed ? a.seed : zoo::kDefaultSeed;
      bench::SweepEntry entry;
      entry.identity = bench::identity_record(spec);
      const BackendEntry* known = *find_backend(backend);
      if (!known->make) {
        entry.identity.status = bench::RunStatus::not_built;
        entry.identity.error = "backend '" + backend + "' was not built: " + known->not_built_reason;
      }
      entry.child_argv = {self->string(), "run", "--model", model};
      if (a.input_size) entry.child_argv.insert(entry.child_argv.end(), {"--input-size", std::to_string(a.input_size)});
      if (a.seed) entry.child_argv.insert(entry.child_argv.end(), {"--seed", std::to_string(a.seed)});
      entry.child_argv.insert(entry.child_argv.end(), {"--backend", backend});
      for (auto& arg : measurement_args(spec)) entry.child_argv.push_back(arg);
      if (auto f = faults->find(model); f != faults->end()) {
        entry.child_argv.insert(entry.child_argv.end(), {"--test-fault", f->second});
      }
      plan.push_back(std::move(entry));
    }
  }

  bench::InterruptGuard interrupt;
  Progress progress(isatty(STDERR_FILENO) != 0);
  bench::SweepHooks hooks;
  hooks.already_done = [&db](const bench::RunKey& key) { return db.has_run(key); };
  hooks.record = [&db](const bench::RunRecord& r, std::span<const int64_t> samples) {
    return db.insert(r, samples).status();
  };
  hooks.progress = [&progress](const bench::SweepEvent& e) { progress(e); };
  hooks.should_stop = [&interrupt] { return interrupt.interrupted(); };

  const auto summary = bench::run_sweep(plan, options, hooks);
  progress.clear();
  if (!summary.is_ok()) return report_error(summary.status());

  std::string statuses;
  for (const auto& [status, n] : summary->by_status) {
    statuses += (statuses.empty() ? "" : ", ") + std::to_string(n) + " " + bench::to_string(status);
  }
  std::cout << "sweep: " << summary->recorded << " run" << (summary->recorded == 1 ? "" : "s") << " recorded"
            << (statuses.empty() ? "" : " (" + statuses + ")") << ", " << summary->skipped << " skipped";
  if (summary->stopped) {
    std::cout << ", interrupted after " << summary->recorded + summary->skipped << " of " << plan.size() << "\n";
  } else {
    std::cout << "\n";
  }
  std::cout << "results in " << a.db << "\n";
  if (summary->stopped) return 128 + (interrupt.signal() ? interrupt.signal() : 2);
  return kExitOk;
}

}  // namespace

void add_sweep_command(CLI::App& app, CommandSet& set) {
  auto a = std::make_shared<SweepArgs>();
  auto* cmd = app.add_subcommand("sweep", "Run every model on every backend, each in a child process, into the database");
  cmd->add_option("--models", a->models, "comma-separated model ids, or all")->required();
  cmd->add_option("--backends", a->backends,
                  "comma-separated backend ids, each optionally with a mode as id:mode (each variant is a run of its "
                  "own, e.g. native,libtorch:eager,libtorch:script), or all (the built ones)")
      ->required();
  cmd->add_option("--input-size", a->input_size, "input height = width for every model (default: each model's own)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--seed", a->seed, "weight and input seed (default: the zoo's fixed seed)");
  add_measurement_options(*cmd, a->spec);
  add_db_option(*cmd, a->db);
  cmd->add_option("--timeout", a->timeout_secs,
                  "seconds one run may take before it is killed (default: 2 x (warmup-secs + max-secs) + 300)");
  cmd->add_option("--memory-limit", a->memory_limit,
                  "cap each run's memory, e.g. 1G or 512M (cgroup v2 memory.max where delegated, else RLIMIT_AS)");
  cmd->add_flag("--resume", a->resume, "skip runs already in the database (same model, backend, mode and options)");
  cmd->add_option("--test-fault", a->test_faults, "")->group("");  // hidden test hook
  cmd->callback([&set, a] { set.selected = [a] { return run_sweep_command(*a); }; });
}

}  // namespace eb::cli
