// Intel/AMD RAPL energy counters through the powercap class:
//   /sys/class/powercap/intel-rapl:N[:M]/{name, energy_uj, max_energy_range_uj}
// Ids are "rapl:<name>" for a package-level zone ("rapl:package-0", "rapl:psys")
// and "rapl:<parent name>:<name>" for a subzone ("rapl:package-0:dram").
#pragma once

#include <filesystem>
#include <memory>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "sensors/source.h"
#include "sensors/sysfs.h"

namespace eb::sensors {

std::vector<sysfs::FileEntry> scan_rapl(const std::filesystem::path& root);

std::vector<SourceInfo> list_rapl(const std::filesystem::path& root);
Result<std::unique_ptr<Source>> open_rapl(const std::filesystem::path& root, std::string_view id);

}  // namespace eb::sensors
