// The machine's CPU time as /proc/stat counts it, for steal accounting.
//
// On a virtual machine, "steal" is time a vCPU was ready to run but the
// hypervisor ran something else (another guest). A benchmark sees it as
// latency it did not cause: on a 2-vCPU cloud VM, in ten minutes in which
// steal took about 5% of all CPU time, one model's median doubled for a
// whole run, and a run minutes later was normal again. The runner records
// the stolen share of the measured window, so that such a result can be
// recognised and repeated rather than trusted.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>

namespace eb::bench {

// The aggregate "cpu" line of /proc/stat, in clock ticks (USER_HZ), summed
// over all CPUs. `total` counts every field the kernel reports (user, nice,
// system, idle, iowait, irq, softirq, steal; guest time is already inside
// user and is not added twice).
struct CpuTimes {
  uint64_t total = 0;
  uint64_t steal = 0;  // 0 where the kernel does not report it (no hypervisor, old kernels)

  bool operator==(const CpuTimes&) const = default;
};

// Reads `root`/proc/stat; nullopt when it is missing or has no "cpu" line
// (not Linux, a fixture tree without it).
std::optional<CpuTimes> read_cpu_times(const std::filesystem::path& root = "/");

// The share of the CPU time between two readings that was stolen, in [0, 1];
// nullopt when no tick passed between them (too short a window to tell) or
// the counters went backwards.
std::optional<double> steal_fraction(const CpuTimes& before, const CpuTimes& after);

// Above this share a run is flagged: the hypervisor took enough time to move
// a median by more than the 1% its confidence interval aims for.
inline constexpr double kStealWarning = 0.02;

}  // namespace eb::bench
