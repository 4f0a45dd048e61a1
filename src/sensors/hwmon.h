// hwmon devices: /sys/class/hwmon/hwmonN/{name, *_label, power*_input,
// power*_average (uW), energy*_input (uJ), in*_input (mV) x curr*_input (mA),
// temp*_input (m°C)}.
//
// Devices are matched by their `name` file and channels by their labels, never
// by hwmonN: the kernel numbers devices in probe order, which changes between
// boots. Ids are "hwmon:<name>:<label or file stem>", e.g. "hwmon:ina3221:VDD_IN",
// "hwmon:coretemp:Package_id_0", "hwmon:ina219:power1".
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "sensors/source.h"
#include "sensors/sysfs.h"

namespace eb::sensors {

std::vector<sysfs::FileEntry> scan_hwmon(const std::filesystem::path& root);

std::vector<SourceInfo> list_hwmon(const std::filesystem::path& root);
Result<std::unique_ptr<Source>> open_hwmon(const std::filesystem::path& root, std::string_view id);

// Ids use ':' as a separator and are typed on command lines: whitespace and
// ':' inside a name or label become '_'.
std::string sanitize_id_part(std::string_view text);

}  // namespace eb::sensors
