// The profiling pass: where one inference's time goes (METHOD.md, "Latency
// breakdown"; the study's Figure 5).
//
// It runs after the measured phase, on the same prepared model and input
// (RunSpec::after_measurement), so profiling never inflates the reported
// latency:
//   one unprofiled warm invoke -> K invokes through PreparedModel::profile(),
//   each timed by the harness's clock around the call -> per node the median
//   of its K times, per category the sum of its nodes' medians, framework
//   overhead = the median over invokes of (that invoke's wall time - the sum
//   of its nodes), each clamped at 0 (and counted) when a profiler's timers
//   add up past the wall.
// The overhead is taken within each invoke, not as median wall - sum of node
// medians: on a loaded machine every node has its own tail of preemptions,
// the median of a sum is then far above the sum of the medians, and the
// difference (37% of resnet50 on native, measured at a load average of 6 on
// 2 cores, against 0.1-0.5 ms within each invoke) is noise, not overhead.
// The result is the record's "profile" (to_json below); a backend without a
// profiler, or a profiler that fails, leaves {"error": message} there and the
// run stays ok.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "backends/backend.h"
#include "bench/clock.h"
#include "bench/record.h"
#include "common/status.h"

namespace eb::bench {

inline constexpr int kDefaultProfileInvokes = 5;

// What `edgebench run --profile [--profile-invokes N] [--trace PATH]` asks for.
struct ProfileOptions {
  bool enabled = false;
  int invokes = kDefaultProfileInvokes;
  std::string trace_path;  // empty: no trace (a trace implies enabled)
  bool operator==(const ProfileOptions&) const = default;
};

// One profiled invoke as the harness saw it: when it started and how long
// the profile() call took on the harness's clock, and what the backend
// reported per node (durations only, in execution order).
struct ProfiledInvoke {
  int64_t start_ns = 0;
  int64_t wall_ns = 0;
  std::vector<NodeTiming> nodes;
};

// One warm invoke, then `invokes` profiled ones. The first error (of the
// warm invoke or of a profile() call) is returned, naming which one; so is a
// profiler that reports no nodes.
Result<std::vector<ProfiledInvoke>> profile_invokes(PreparedModel& model, Clock& clock, int invokes);

// The reduction of K profiled invokes.
struct LatencyBreakdown {
  int invokes = 0;
  double wall_ms = 0;      // median wall time of a profiled invoke
  double nodes_ms = 0;     // sum of the node medians
  double overhead_ms = 0;  // median of the invokes' wall - nodes, each at least 0
  int overhead_clamped_invokes = 0;  // invokes whose nodes summed past their wall time
  std::vector<std::pair<std::string, double>> categories;  // op table order, then others by name
  std::vector<NodeTiming> nodes;  // per-node medians, execution order
  bool operator==(const LatencyBreakdown&) const;
};

// invalid_argument when there are no invokes or they disagree on the nodes
// (count or names, position by position): medians need the same nodes.
// Medians are the lower middle for an even count, as the latency's (stats.h).
Result<LatencyBreakdown> summarize_profile(std::span<const ProfiledInvoke> invokes);

// The record's "profile": {"invokes", "wall_ms", "nodes_ms", "overhead_ms",
// "overhead_clamped_invokes", "categories": [{category, ms}], "nodes": [{node, op,
// category, ms}]}, a shape report::parse_profile reads.
nlohmann::json to_json(const LatencyBreakdown& breakdown);
Result<LatencyBreakdown> latency_breakdown_from_json(const nlohmann::json& json);
// {"error": message}: the profile of a run that could not be profiled.
nlohmann::json profile_error_json(const Status& status);

// The whole pass into record.profile; with options.trace_path, also the
// Chrome trace of the profiled invokes (bench/trace.h). Never throws: an
// exception becomes the profile's error; a trace that cannot be written
// leaves the breakdown and adds "trace_error" (else "trace": path).
void run_profiling_pass(const ProfileOptions& options, Clock& clock, PreparedModel& model, RunRecord& record);

}  // namespace eb::bench
