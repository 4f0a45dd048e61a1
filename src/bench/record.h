// RunRecord: one run's result, the JSON record of DESIGN.md ("The command").
//
// The JSON keys are a contract (scripts and the store read them). Every
// figure that was not or could not be measured is null in JSON and
// std::nullopt here, never 0, so that "not measured" and "zero" stay apart.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/environment.h"
#include "bench/run_policy.h"
#include "bench/stats.h"
#include "common/status.h"

namespace eb::bench {

enum class RunStatus { ok, unsupported, failed, out_of_memory, crashed, timeout, not_built };
const char* to_string(RunStatus status);
Result<RunStatus> parse_run_status(std::string_view text);

struct LatencyMs {
  double mean = 0;
  double median = 0;
  double p90 = 0;
  double p99 = 0;
  double min = 0;
  double max = 0;
  std::optional<double> stddev;
  std::optional<double> ci95_low;
  std::optional<double> ci95_high;
  bool operator==(const LatencyMs&) const = default;
};

// One power reading inside the measured window, for plots.
struct PowerSample {
  double t_s = 0;    // from the start of the measured window
  double watts = 0;
  bool operator==(const PowerSample&) const = default;
};

struct Energy {
  std::string source;
  std::optional<double> avg_power_w;
  std::optional<double> idle_power_w;
  std::optional<double> mj_per_inference;
  std::optional<double> net_mj_per_inference;
  // A power source's readings over the window, in time order; JSON "samples":
  // [[t_s, W], ...], left out when empty (energy counters give none).
  // "= {}": Energy{source, w, w, mj, mj} (no samples) stays free of -Wmissing-field-initializers.
  std::vector<PowerSample> samples = {};
  bool operator==(const Energy&) const = default;
};

// At 10 Hz this is about 17 minutes of readings; a longer run keeps a plot's
// worth of them (some 250 kB of JSON) instead of bloating the database.
inline constexpr std::size_t kMaxPowerSamples = 10'000;
// At most max_points of `samples`, evenly spread over them by index, the
// first and last always kept (max_points < 2 keeps the first only, or none).
std::vector<PowerSample> thin_evenly(std::vector<PowerSample> samples, std::size_t max_points = kMaxPowerSamples);

struct RunRecord {
  std::string model;
  std::string backend;             // a registry id, e.g. "libtorch"
  std::string mode;                // the backend's variant (--mode), e.g. "script"; empty: its default
  std::string device = "cpu";
  std::string precision = "fp32";
  int threads = 1;
  RunStatus status = RunStatus::ok;
  std::optional<std::string> error;
  std::optional<double> init_ms;   // load + prepare
  std::optional<double> load_ms;
  std::optional<double> first_ms;
  int64_t warmup_runs = 0;         // done, not requested (see options)
  int64_t runs = 0;                // measured inferences
  std::optional<LatencyMs> latency_ms;  // null when nothing was measured
  std::optional<double> cv;
  bool stable = false;
  bool unstable = false;
  std::optional<int64_t> harness_overhead_ns;
  std::optional<int64_t> peak_rss_bytes;
  // Share of the machine's CPU time stolen by the hypervisor during the
  // measured window (cpu_times.h); null where /proc/stat is not readable.
  std::optional<double> cpu_steal;
  nlohmann::json model_info;   // free-form object (params, macs, ...) or null
  std::optional<Energy> energy;
  nlohmann::json temperature;  // free-form, null when not sampled
  nlohmann::json profile;      // free-form (per-category breakdown), or null
  Environment env;
  std::string timestamp;       // ISO-8601 UTC, e.g. 2024-05-01T12:00:00.123Z
  RunOptions options;

  bool operator==(const RunRecord&) const = default;
};

// Fills the measured fields (first_ms, warmup_runs, runs, latency_ms, cv,
// stable, unstable) from the policy's output.
void apply_timings(RunRecord& record, const RunTimings& timings);

nlohmann::json to_json(const RunRecord& record);
nlohmann::json to_json(const Environment& env);
nlohmann::json to_json(const RunOptions& options);
// invalid_argument naming the offending key on a malformed record. Keys other
// than "model", "backend" and "status" may be absent (read as null/default),
// so records from older versions stay readable; in those without a "mode"
// key (older than it), "backend": "id:mode" reads as that backend and mode.
Result<RunRecord> record_from_json(const nlohmann::json& json);
Result<Environment> environment_from_json(const nlohmann::json& json);
Result<RunOptions> options_from_json(const nlohmann::json& json);

// A backend variant as the command line writes it ("libtorch:script",
// "native"): the registry id, and the mode after the first ':' (empty: none).
struct BackendVariant {
  std::string backend;
  std::string mode;
  bool operator==(const BackendVariant&) const = default;
};
BackendVariant parse_backend_variant(std::string_view text);
// "libtorch:script", or the id alone for the default mode: what parses back.
std::string variant_spec(const std::string& backend, const std::string& mode);
// For people: "libtorch (script)", or the id alone for the default mode.
std::string variant_label(const std::string& backend, const std::string& mode);

// What --resume matches on: the same configuration of the same model.
struct RunKey {
  std::string model;
  std::string backend;
  std::string mode;
  std::string device;
  std::string precision;
  int threads = 0;
  std::string options_hash;
  bool operator==(const RunKey&) const = default;
};
// 16 hex digits of FNV-1a 64 over the options' canonical JSON (sorted keys).
std::string options_hash(const RunOptions& options);
RunKey key_of(const RunRecord& record);

// ISO-8601 UTC with milliseconds, from the system (calendar) clock: the
// timestamp is for people and ordering, never for durations.
std::string utc_timestamp_now();

// Per-iteration samples as CSV: a header "iteration,ns", then one line per
// sample, iteration counted from 0.
void write_samples_csv(std::ostream& out, std::span<const int64_t> samples_ns);
Status write_samples_csv(const std::filesystem::path& path, std::span<const int64_t> samples_ns);

}  // namespace eb::bench
