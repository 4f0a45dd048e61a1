// The profiled invokes as a Chrome trace (the Trace Event Format), for
// chrome://tracing or https://ui.perfetto.dev:
//
//   {"traceEvents": [...], "displayTimeUnit": "ms"}
//
// Per profiled invoke, on one thread: one complete ("ph": "X") slice per node,
// cat = its op category, then one "framework overhead" slice (the invoke's
// wall time minus its nodes, at least 0). Metadata ("ph": "M") events name
// the process after the model and the thread after the backend.
//
// Backends report how long each node took, not when it started: the node
// slices are laid end to end, in execution order, from the moment the
// harness started the invoke, and the overhead (which really falls before,
// between and after the nodes) is drawn as one slice after them. Invokes sit
// where the harness's clock saw them start, so the gaps between invokes are
// real, except that an invoke whose nodes added up past its wall time pushes
// the next one later (slices on a thread must not overlap). Times are
// microseconds from the first invoke's start.
#pragma once

#include <filesystem>
#include <span>
#include <string>

#include <nlohmann/json.hpp>

#include "bench/profile.h"
#include "common/status.h"

namespace eb::bench {

struct TraceLabels {
  std::string model;    // names the process
  std::string backend;  // names the thread
};

inline constexpr const char* kTraceOverheadName = "framework overhead";

nlohmann::json chrome_trace(std::span<const ProfiledInvoke> invokes, const TraceLabels& labels);

// io_error naming the path when it cannot be written.
Status write_chrome_trace(const std::filesystem::path& path, const nlohmann::json& trace);

}  // namespace eb::bench
