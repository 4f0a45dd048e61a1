// The runner: one (model, backend, options) end to end, as METHOD.md's
// "Phases of one run" describe, turned into a RunRecord.
//
//   load (timed: load_ms) -> supports + prepare (init_ms = load + prepare)
//   -> input drawn once from a seeded RNG and bound -> run_measurement
//   (first, warmup, measured) -> statistics, environment, peak RSS.
//
// It never fails and never throws: whatever goes wrong becomes the record's
// status and message (unsupported, out_of_memory, failed, not_built), and
// what was measured before the error (load_ms, init_ms, model_info) stays in
// the record. The runner does not decide where records go (database, JSON):
// its caller does.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "backends/backend.h"
#include "bench/clock.h"
#include "bench/profile.h"
#include "bench/record.h"
#include "bench/run_policy.h"
#include "graph/analyzer.h"
#include "graph/graph.h"

namespace eb::bench {

// Test hook (docs/method.md, "Test hooks"): a fault injected between prepare
// and the first inference, so that the sweep's classification of crashes,
// memory exhaustion and hangs can be tested with the null backend. Only the
// hidden child path of `edgebench run` sets it; nothing else can.
enum class Fault { none, crash, oom, hang };
const char* to_string(Fault fault);
Result<Fault> parse_fault(std::string_view text);
// What the oom fault allocates and touches.
inline constexpr int64_t kOomFaultBytes = int64_t{1} << 30;

// What the sensors are to measure during a run, as typed (--power,
// --temperature, --idle-secs, --sysfs-root). The harness only carries it, so
// that run and sweep can forward it to a child: the CLI hands it to
// sensors::RunMonitor (src/sensors/run_monitor.h), which measures through
// window_hooks.
struct SensorRequest {
  std::string power;                       // empty: none; "auto", a source id, a serial device, a CSV log
  std::optional<std::string> temperature;  // nullopt: none; "auto": every temperature source; or ids, comma-separated
  double idle_secs = 10;                   // idle baseline before the run; 0: none
  std::string sysfs_root = "/";
};

struct RunSpec {
  std::string model;                      // the record's "model" (a zoo id or a file label)
  std::function<Result<Graph>()> load;    // builds or reads the model; timed as load_ms
  std::string backend;                    // a registry id
  BackendOptions backend_options;         // device, threads (0: all), precision, mode
  RunOptions options;
  uint64_t seed = 0;                      // draws the input; recorded as env.seed
  Fault fault = Fault::none;
  SensorRequest sensors;
  // Sensors line up with the measured window through these (run_policy.h);
  // all optional.
  WindowHooks window_hooks;
  // Runs once after the measured phase, on the same prepared model and bound
  // input, when that phase succeeded: passes that must not disturb the
  // timings (a profiling pass) fill their part of the record here. What goes
  // wrong in it goes into that part of the record; the run stays ok.
  std::function<void(PreparedModel&, RunRecord&)> after_measurement;
  // What --profile asked for; the command turns it into after_measurement
  // (bench/profile.h). Kept here so that run and sweep pass it to children.
  ProfileOptions profile;
};

struct RunOutcome {
  RunRecord record;
  std::vector<int64_t> samples_ns;  // every measured iteration, in order
  // Not part of the JSON record (yet); shown in the run summary.
  std::optional<StopReason> stop_reason;
  std::optional<double> loop_ns_per_iteration;  // measured window / runs: includes the bookkeeping between samples
};

// Runs `spec` on the backend the registry names. An unknown id is a failed
// record (callers validate ids first and report bad usage); a backend that
// was compiled out is not_built. This and identity_record(spec) look the
// backend up in the registry: they are in eb_harness_backends
// (registry_runner.cpp), which links every built framework; the rest of the
// harness (eb_harness) links none.
RunOutcome run_one(const RunSpec& spec, Clock& clock);

// Runs `spec` on the given backend instance (spec.backend is only recorded).
RunOutcome run_on_backend(const RunSpec& spec, Backend& backend, Clock& clock);

// The record of a run before anything is measured: its identity (the RunKey
// fields), environment (with the backend's version), options and timestamp;
// status ok, every figure null. What a run is recorded as when it cannot
// report for itself (a crashed child, a backend not built).
RunRecord identity_record(const RunSpec& spec);  // the registry's backend (eb_harness_backends)
RunRecord identity_record(const RunSpec& spec, const Capabilities& caps);

// The threads a run is recorded with: the requested count, or for 0 ("all")
// the backend's configured count when it says, else the cores this process
// may run on.
int resolve_threads(const Capabilities& caps, int requested);

// How an error status maps to a run status: unsupported and out_of_memory
// keep their meaning, anything else is failed.
RunStatus run_status_for(const Status& status);

// The model's static figures, for the record's "model_info".
nlohmann::json model_info_json(const ModelInfo& info);

// One buffer per graph input, standard normal values from Rng(seed): the
// same seed gives the same input on every backend and every run.
std::vector<std::vector<float>> make_inputs(const Graph& graph, uint64_t seed);

// This process's peak resident set: VmHWM from /proc/self/status, else
// getrusage's ru_maxrss; nullopt when neither is readable.
std::optional<int64_t> peak_rss_bytes();

}  // namespace eb::bench
