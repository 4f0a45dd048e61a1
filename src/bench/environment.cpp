#include "bench/environment.h"

#include <sched.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <string_view>
#include <thread>

#ifndef EDGEBENCH_GIT_COMMIT
#define EDGEBENCH_GIT_COMMIT "unknown"
#endif
#ifndef EDGEBENCH_VERSION
#define EDGEBENCH_VERSION "unknown"
#endif

namespace eb::bench {
namespace {

std::string trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  const auto e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

std::optional<std::string> read_first_line(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::string line;
  if (!in || !std::getline(in, line)) return std::nullopt;
  line = trim(line);
  if (line.empty()) return std::nullopt;
  return line;
}

// The value of the first "key : value" line whose key is one of `keys`, in
// order of preference. x86 names the CPU in "model name"; ARM kernels vary
// ("Model" on a Raspberry Pi, "Hardware" on older ones, often neither).
std::string cpu_model(const std::filesystem::path& cpuinfo) {
  static constexpr std::string_view kKeys[] = {"model name", "Model", "Hardware", "cpu model", "Processor"};
  std::ifstream in(cpuinfo);
  std::string line;
  std::string found[std::size(kKeys)];
  while (std::getline(in, line)) {
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    const std::string key = trim(std::string_view(line).substr(0, colon));
    for (size_t i = 0; i < std::size(kKeys); ++i) {
      if (key == kKeys[i] && found[i].empty()) found[i] = trim(std::string_view(line).substr(colon + 1));
    }
  }
  for (const auto& value : found) {
    if (!value.empty()) return value;
  }
  return {};
}

std::optional<int64_t> mem_total_bytes(const std::filesystem::path& meminfo) {
  std::ifstream in(meminfo);
  std::string key;
  int64_t kib = 0;
  std::string unit;
  while (in >> key >> kib) {
    std::getline(in, unit);
    if (key == "MemTotal:") return kib * 1024;
  }
  return std::nullopt;
}

}  // namespace

const char* edgebench_version() { return EDGEBENCH_VERSION; }
const char* edgebench_git_commit() { return EDGEBENCH_GIT_COMMIT; }
const char* compiler_version() {
#if defined(__clang__)
  return "clang " __VERSION__;
#elif defined(__GNUC__)
  return "gcc " __VERSION__;
#else
  return "unknown";
#endif
}

Environment capture_environment(const EnvironmentOptions& options) {
  Environment env;
  const auto& root = options.root;
  env.seed = options.seed;
  env.compiler = compiler_version();
  env.edgebench_version = edgebench_version();
  env.git = edgebench_git_commit();

  // Host facts that do not live under the root come from system calls.
  utsname u{};
  if (uname(&u) == 0) {
    env.host = u.nodename;
    env.arch = u.machine;
    env.kernel = std::string(u.sysname) + " " + u.release;
  }
  env.cores = static_cast<int>(std::thread::hardware_concurrency());
  if (env.cores == 0) env.cores = static_cast<int>(std::max(0L, sysconf(_SC_NPROCESSORS_ONLN)));  // "unknown" above
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) == 0) env.cores_available = CPU_COUNT(&set);

  env.cpu = cpu_model(root / "proc/cpuinfo");
  env.governor = read_first_line(root / "sys/devices/system/cpu/cpu0/cpufreq/scaling_governor");
  env.memory_bytes = mem_total_bytes(root / "proc/meminfo");
  if (!env.memory_bytes && root == "/") {
    const long pages = sysconf(_SC_PHYS_PAGES);
    const long page_size = sysconf(_SC_PAGESIZE);
    if (pages > 0 && page_size > 0) env.memory_bytes = static_cast<int64_t>(pages) * page_size;
  }
  return env;
}

}  // namespace eb::bench
