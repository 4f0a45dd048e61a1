// The environment a run was measured in: enough to repeat it (METHOD.md,
// "Environment record").
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace eb::bench {

struct Environment {
  std::string host;
  std::string cpu;   // /proc/cpuinfo "model name" (or the ARM equivalents)
  std::string arch;  // uname machine, e.g. x86_64, aarch64
  int cores = 0;     // online logical CPUs (std::thread::hardware_concurrency)
  int cores_available = 0;              // in this process's affinity mask
  std::optional<std::string> governor;  // cpu0 cpufreq governor, when readable
  std::optional<int64_t> memory_bytes;  // MemTotal
  std::string kernel;                   // uname sysname + release
  std::string compiler;                 // of edgebench itself
  std::optional<std::string> backend_version;  // the caller fills it in
  std::string edgebench_version;
  std::string git;  // short commit at configure time, or "unknown"
  uint64_t seed = 0;

  bool operator==(const Environment&) const = default;
};

struct EnvironmentOptions {
  // Where /proc and /sys are read from: "/" on a live system, a fixture tree
  // in tests (the --sysfs-root convention).
  std::filesystem::path root = "/";
  uint64_t seed = 0;
};

// Never fails: a field that cannot be read is left empty / nullopt, because a
// missing governor must not stop a benchmark.
Environment capture_environment(const EnvironmentOptions& options = {});

// The build's own identity, from compile definitions.
const char* edgebench_version();
const char* edgebench_git_commit();
const char* compiler_version();

}  // namespace eb::bench
