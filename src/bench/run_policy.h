// The run policy: METHOD.md phases 3-6 (first inference, warmup, measured
// loop, raw samples), for any `invoke`.
//
// The policy owns the clock and the stopping rule; the backend only provides
// a callable that performs one complete, synchronized single-batch inference
// on an input prepared before the loop. Loading and preparing (phases 1-2)
// are the caller's, timed with the same clock.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "bench/clock.h"
#include "common/status.h"

namespace eb::bench {

// What a run is for (RunOptions::purpose).
inline constexpr char kLatencyPurpose[] = "latency";  // edgebench run and sweep
inline constexpr char kThermalPurpose[] = "thermal";  // edgebench thermal: runs until the temperature is steady

struct RunOptions {
  int64_t warmup_runs = 3;     // at least this many warmup inferences ...
  double warmup_secs = 0.5;    // ... and at least this long
  int64_t runs = 20;           // measured: at least this many ...
  double min_secs = 2.0;       // ... and at least this long ...
  double max_secs = 60.0;      // ... and stop here whatever the CI
  double target_ci_pct = 1.0;  // median's 95% CI half-width, % of the median
  // Extension (not in METHOD.md): a hard cap on measured iterations, so that
  // a sub-microsecond invoke (the null backend) cannot fill memory with
  // samples before min_secs; 1e6 samples are 8 MB. 0 means no cap.
  int64_t max_runs = 1'000'000;
  // Part of the run's identity (the options hash): a thermal run of a
  // configuration neither resumes nor supersedes its latency run in the
  // report. Written to JSON only when not "latency", so that the hashes of
  // records from before it existed do not change.
  std::string purpose = kLatencyPurpose;

  bool operator==(const RunOptions&) const = default;
};

// invalid_argument naming the offending option, e.g. "--min-secs (70) is
// greater than --max-secs (60)".
Status validate(const RunOptions& options);

enum class StopReason { target_met, max_secs, max_runs };
const char* to_string(StopReason reason);

struct RunTimings {
  int64_t first_ns = 0;     // phase 3: the first inference, alone
  int64_t warmup_runs = 0;  // phase 4: inferences done
  int64_t warmup_ns = 0;    //          and their wall time
  std::vector<int64_t> samples_ns;  // phase 5-6: one per measured inference
  int64_t window_start_ns = 0;      // the measured window, on the clock
  int64_t window_end_ns = 0;
  StopReason stop_reason = StopReason::target_met;
  // At least `runs` samples and the median's CI within target_ci_pct, for
  // the samples kept: true after a max_secs or max_runs stop too when the
  // final CI is tight (min_secs is a guard against short runs, not a
  // property of the result).
  bool stable = false;
};

// One complete inference. A non-ok status stops the run.
using Invoke = std::function<Status()>;

// Lets a sampler (power, temperature) align with the measured window. All
// are optional; times are the policy's clock.
struct WindowHooks {
  std::function<void(int64_t start_ns)> on_window_start;
  // Called exactly once when on_window_start was, also when invoke fails.
  std::function<void(int64_t end_ns)> on_window_end;
  // Asked once every other stop condition holds; false keeps the loop going
  // (e.g. a power meter has fewer than 10 readings in the window yet).
  // max_secs and max_runs still stop the run.
  std::function<bool(int64_t now_ns)> ready_to_stop;
};

// Runs phases 3-5. Stopping rule, checked after every measured inference:
//   stop when runs, min_secs and the CI target are all met (and ready_to_stop
//   agrees), or when the window reaches max_secs, or at max_runs.
// The CI is re-evaluated only after the sample count has grown by 1/16 since
// the last evaluation (O(n) each time, so O(1) amortized per iteration and a
// run overshoots its earliest possible stop by at most ~6%).
// An invoke error is returned with the phase and iteration as context.
Result<RunTimings> run_measurement(const RunOptions& options, Clock& clock, const Invoke& invoke,
                                   const WindowHooks& hooks = {});

// What the harness adds to each sample: the median over `iterations` of the
// timed section (clock read, type-erased call, clock read) around a no-op.
// Recorded as harness_overhead_ns next to every result.
int64_t estimate_harness_overhead_ns(Clock& clock, int iterations = 10'000);

}  // namespace eb::bench
