#include "bench/cpu_times.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace eb::bench {

std::optional<CpuTimes> read_cpu_times(const std::filesystem::path& root) {
  std::ifstream in(root / "proc/stat");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string name;
    if (!(fields >> name) || name != "cpu") continue;
    // user nice system idle iowait irq softirq steal [guest guest_nice]
    std::vector<uint64_t> v;
    for (uint64_t x; fields >> x;) v.push_back(x);
    if (v.size() < 4) return std::nullopt;
    v.resize(std::max<std::size_t>(v.size(), 8), 0);
    CpuTimes t;
    for (std::size_t i = 0; i < 8; ++i) t.total += v[i];  // guest time is part of user already
    t.steal = v[7];
    return t;
  }
  return std::nullopt;
}

std::optional<double> steal_fraction(const CpuTimes& before, const CpuTimes& after) {
  if (after.total <= before.total || after.steal < before.steal) return std::nullopt;
  return static_cast<double>(after.steal - before.steal) / static_cast<double>(after.total - before.total);
}

}  // namespace eb::bench
