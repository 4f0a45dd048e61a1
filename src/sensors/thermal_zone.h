// Thermal zones: /sys/class/thermal/thermal_zoneN/{type, temp} (m°C).
// Ids are "thermal:<type>" ("thermal:x86_pkg_temp", "thermal:GPU-therm"); zones
// sharing a type get "@thermal_zoneN" appended.
#pragma once

#include <filesystem>
#include <memory>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "sensors/source.h"
#include "sensors/sysfs.h"

namespace eb::sensors {

std::vector<sysfs::FileEntry> scan_thermal_zones(const std::filesystem::path& root);

std::vector<SourceInfo> list_thermal_zones(const std::filesystem::path& root);
Result<std::unique_ptr<Source>> open_thermal_zone(const std::filesystem::path& root, std::string_view id);

}  // namespace eb::sensors
