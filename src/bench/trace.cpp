#include "bench/trace.h"

#include <algorithm>
#include <fstream>

namespace eb::bench {
namespace {

using nlohmann::json;

// One process, one thread: the trace is of one run.
constexpr int kPid = 1;
constexpr int kTid = 1;

json metadata(const char* name, const std::string& value) {
  return {{"name", name}, {"ph", "M"}, {"pid", kPid}, {"tid", kTid}, {"args", {{"name", value}}}};
}

json slice(const std::string& name, const std::string& category, double ts_us, double dur_us, json args) {
  return {{"name", name}, {"cat", category}, {"ph", "X"}, {"ts", ts_us}, {"dur", dur_us},
          {"pid", kPid},  {"tid", kTid},     {"args", std::move(args)}};
}

}  // namespace

json chrome_trace(std::span<const ProfiledInvoke> invokes, const TraceLabels& labels) {
  json events = json::array();
  events.push_back(metadata("process_name", labels.model));
  events.push_back(metadata("thread_name", labels.backend + " (node durations laid end to end)"));
  const int64_t origin_ns = invokes.empty() ? 0 : invokes.front().start_ns;
  double previous_end_us = 0;
  for (std::size_t k = 0; k < invokes.size(); ++k) {
    const ProfiledInvoke& p = invokes[k];
    const int invoke = static_cast<int>(k) + 1;
    // Slices on one thread must not overlap: when the previous invoke's
    // nodes added up past its wall time, this one starts where they end.
    double ts_us = std::max(static_cast<double>(p.start_ns - origin_ns) / 1e3, previous_end_us);
    double nodes_us = 0;
    for (const NodeTiming& n : p.nodes) {
      const double dur_us = n.ms * 1e3;
      events.push_back(slice(n.node, n.category, ts_us, dur_us, {{"op", n.op}, {"invoke", invoke}}));
      ts_us += dur_us;
      nodes_us += dur_us;
    }
    const double wall_us = static_cast<double>(p.wall_ns) / 1e3;
    const double overhead_us = std::max(0.0, wall_us - nodes_us);
    events.push_back(slice(kTraceOverheadName, kTraceOverheadName, ts_us, overhead_us,
                           {{"invoke", invoke}, {"wall_ms", wall_us / 1e3}, {"nodes_ms", nodes_us / 1e3}}));
    previous_end_us = ts_us + overhead_us;
  }
  return {{"traceEvents", std::move(events)}, {"displayTimeUnit", "ms"}};
}

Status write_chrome_trace(const std::filesystem::path& path, const json& trace) {
  std::ofstream out(path, std::ios::trunc);
  out << trace.dump() << "\n";
  out.close();
  if (!out) return io_error("cannot write the trace to '" + path.string() + "'");
  return Status::ok();
}

}  // namespace eb::bench
