// Isolation: running one measurement in a child process, with a timeout and
// an optional memory cap, and telling how it ended (METHOD.md, "Isolation
// and failures").
//
// The child gets a process group of its own (so a timeout or Ctrl-C kills
// everything it started), dies with its parent (PR_SET_PDEATHSIG, so a
// killed sweep leaves no orphan measuring on), and writes its stdout and
// stderr to a file the parent reads afterwards (no pipe to keep drained).
//
// The memory cap uses, in order of preference:
//   cgroup v2: a child cgroup of the current one with memory.max (and
//              memory.swap.max = 0), when the memory controller is delegated
//              to it; the kernel's OOM killer then ends the child and
//              memory.events says so;
//   RLIMIT_AS: the address-space limit; allocations beyond it fail
//              (std::bad_alloc), which the runner records as out_of_memory.
// RLIMIT_AS counts reserved address space, not resident memory. The
// frameworks edgebench links (LibTorch, OpenCV, oneDNN) map hundreds of MB
// of code that is never resident, so a child that understands it (edgebench
// itself: ChildSpec::rlimit_env) is asked, through an environment variable,
// to set the limit on top of the address space it has once started; other
// programs get it set before exec. Thread stacks and allocator arenas still
// count in full, so a limit tight enough to emulate a 1 GB board can fail a
// run somewhat earlier than that board would.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace eb::bench {

// "1G", "512M", "64k", "1.5G", "1GiB", "200MB", "1048576": binary multiples
// (k = 1024). invalid_argument naming the text when it is not a size or is
// not positive.
Result<int64_t> parse_byte_size(std::string_view text);
// "200 MiB", "1 GiB", "1.5 GiB", "512 KiB", "100 B".
std::string format_byte_size(int64_t bytes);

enum class LimitMethod { none, cgroup_v2, rlimit_as };
const char* to_string(LimitMethod method);

// "SIGSEGV (Segmentation fault)"; "signal 77" for one without a name.
std::string describe_signal(int signal_number);

struct ChildSpec {
  std::vector<std::string> argv;          // argv[0]: the program, an absolute path
  double timeout_secs = 0;                // 0: no timeout
  std::optional<int64_t> memory_limit_bytes;
  // Non-empty: when RLIMIT_AS is the method, pass the limit to the child in
  // this environment variable (bytes) for it to apply on top of its startup
  // address space (apply_address_space_limit), instead of setting it before
  // exec.
  std::string rlimit_env;
  std::filesystem::path output_path;      // the child's stdout + stderr; empty: /dev/null
  std::function<bool()> should_stop;      // polled while the child runs; true kills it
  // Where the cgroup v2 hierarchy is looked up: "/" on a live system.
  std::filesystem::path root = "/";
};

enum class ChildEnd {
  exited,       // exit_code is set
  signaled,     // signal is set (not sent by us)
  timed_out,    // killed by us at the timeout
  stopped,      // killed by us because should_stop said so
  not_started,  // fork/exec failed: error says why
};

struct ChildResult {
  ChildEnd end = ChildEnd::not_started;
  int exit_code = -1;
  int signal = 0;
  bool oom_killed = false;  // the cgroup's memory.events counted an OOM kill
  LimitMethod limit_method = LimitMethod::none;
  std::string limit_note;   // how the limit was applied, or why cgroup v2 was not used
  double wall_secs = 0;
  std::string error;
};

// Starts argv[0] with argv, waits for it (polling should_stop and the
// timeout every few milliseconds), and reports how it ended. Never throws;
// a failure to start is ChildEnd::not_started.
ChildResult run_child(const ChildSpec& spec);

// The last `max_bytes` of a file (a child's output), trimmed; empty when
// unreadable.
std::string read_tail(const std::filesystem::path& path, size_t max_bytes = 2000);

// The environment variable through which edgebench's own children get
// their RLIMIT_AS (see ChildSpec::rlimit_env).
inline constexpr const char* kChildAddressSpaceEnv = "EDGEBENCH_CHILD_ADDRESS_SPACE_LIMIT";

// Sets RLIMIT_AS to this process's current address space (VmSize) plus
// `extra_bytes`; returns the VmSize it started from.
Result<int64_t> apply_address_space_limit(int64_t extra_bytes);

// This executable (/proc/self/exe), for re-executing itself.
Result<std::filesystem::path> self_executable();

}  // namespace eb::bench

namespace eb::bench {

// While alive, SIGINT and SIGTERM set a flag instead of ending the process,
// so that a sweep can kill its child, keep what finished and exit cleanly
// (exit code 128 + signal). Signal dispositions are process-wide: keep one
// guard at a time; the previous handlers come back on destruction.
class InterruptGuard {
 public:
  InterruptGuard();
  ~InterruptGuard();
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;
  // The signal received (SIGINT, SIGTERM), or 0.
  int signal() const;
  bool interrupted() const { return signal() != 0; }
};

}  // namespace eb::bench
