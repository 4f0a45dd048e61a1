// The sweep: many runs, each in its own child process (bench/isolation.h),
// each recorded as soon as it ends, whatever its status.
//
// The sweep does not know the command line nor the database: its caller
// gives it a plan (one entry per run: the run's identity and the child's
// argv) and hooks (has this run been recorded already? record this one;
// progress; should we stop?). The child is `edgebench run ... --child-result
// PATH`, which writes its record and samples to PATH (see
// write_child_result); the parent classifies how the child ended
// (classify_child) and keeps its record, or writes one for it when it could
// not (crashed, timeout, out_of_memory).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bench/isolation.h"
#include "bench/record.h"
#include "common/status.h"

namespace eb::bench {

// The file a child run leaves for its parent: one line of JSON
// {"record": {...}, "samples": N}, then N little-endian int64 nanoseconds.
// Written to a temporary name and renamed, so it is whole or absent.
Status write_child_result(const std::filesystem::path& path, const RunRecord& record,
                          std::span<const int64_t> samples_ns);
struct ChildRunResult {
  RunRecord record;
  std::vector<int64_t> samples_ns;
};
Result<ChildRunResult> read_child_result(const std::filesystem::path& path);

// Comma-separated items, spaces around each dropped, empty items skipped
// (the sweep's model and backend lists, its test hooks).
std::vector<std::string> split_list(std::string_view text);

// The record of a run from how its child ended:
//   timed out (killed by us)                      -> timeout
//   OOM-killed in its cgroup, or its output says
//   std::bad_alloc / out of memory                -> out_of_memory
//   killed by a signal                            -> crashed, naming the signal
//   exited and left a result                      -> that result (its status)
//   exited without a result                       -> failed, with its output's tail
// `identity` supplies the key, environment and options when the child left
// no record. `output_tail` is the end of the child's stdout+stderr. A memory
// limit, when set, is named in the message of an out_of_memory record.
ChildRunResult classify_child(const RunRecord& identity, const ChildResult& child,
                              Result<ChildRunResult> child_result, const std::string& output_tail,
                              double timeout_secs, std::optional<int64_t> memory_limit_bytes);

// The backends of a sweep as the command line lists them: comma-separated
// registry ids, each optionally with a mode ("native,libtorch:eager,
// libtorch:script"), in order; spaces around items are dropped. Each
// variant is a run of its own. Checks the syntax only (the ids are the
// registry's to check): invalid_argument naming the item for an empty list,
// an empty id or mode, or a variant listed twice.
Result<std::vector<BackendVariant>> parse_backend_list(std::string_view text);

struct SweepEntry {
  RunRecord identity;  // model, backend, options...: the RunKey; a status other than
                       // ok records it as is, without a child (e.g. not_built)
  std::vector<std::string> child_argv;  // the child, without the result flag
};

struct SweepOptions {
  double timeout_secs = 0;                  // per child; 0: none
  std::optional<int64_t> memory_limit_bytes;
  bool resume = false;                      // skip entries whose key is recorded
  std::string result_flag = "--child-result";  // appended to child_argv with the path
  std::string rlimit_env = kChildAddressSpaceEnv;  // see ChildSpec::rlimit_env; empty: set before exec
  std::filesystem::path work_dir;           // for result and output files; empty: a temp dir
};

struct SweepEvent {
  // running: about once a second while a child runs (for a live ETA).
  enum class Kind { started, running, finished, skipped } kind = Kind::started;
  size_t index = 0;  // 0-based position in the plan
  size_t total = 0;
  const SweepEntry* entry = nullptr;
  const RunRecord* record = nullptr;  // finished: what was recorded
  double run_secs = 0;                // running, finished: the child's wall time so far
  double elapsed_secs = 0;            // since the sweep started
  std::optional<double> eta_secs;     // remaining entries x mean time per run so far
  std::string limit_note;             // finished: how the memory limit was applied
  std::optional<int> exit_code;       // finished: the child's exit code, when it exited
};

struct SweepHooks {
  // Whether this run is recorded already (for resume). An error stops the sweep.
  std::function<Result<bool>(const RunKey&)> already_done;
  // Keeps a finished run (e.g. commits it to the database). An error stops the sweep.
  std::function<Status(const RunRecord&, std::span<const int64_t>)> record;
  std::function<void(const SweepEvent&)> progress;
  // Polled while a child runs: true kills it, records nothing for it, and
  // ends the sweep (Ctrl-C).
  std::function<bool()> should_stop;
};

struct SweepSummary {
  size_t recorded = 0;
  size_t skipped = 0;
  std::map<RunStatus, size_t> by_status;
  bool stopped = false;  // should_stop ended it early
};

// Runs the plan in order. Errors: a hook's error, or a work directory that
// cannot be created; runs recorded before the error stay recorded.
Result<SweepSummary> run_sweep(std::span<const SweepEntry> plan, const SweepOptions& options,
                               const SweepHooks& hooks);

}  // namespace eb::bench
