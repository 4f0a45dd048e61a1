// Jetson INA3221 power rails, matched by rail name in either kernel layout:
//  - L4T r32 and older (iio, driver "ina3221x"):
//      /sys/bus/i2c/drivers/ina3221x/<bus-addr>/iio:deviceN/
//        rail_name_K, in_power K _input (mW), in_voltage K _input (mV),
//        in_current K _input (mA), K = 0..2
//  - L4T r34+ and mainline (hwmon, driver "ina3221"):
//      /sys/class/hwmon/hwmonN/{name = "ina3221", inK_label = rail,
//        inK_input (mV), currK_input (mA)}, K = 1..3
// Ids are "ina3221:<rail>" ("ina3221:VDD_IN", "ina3221:POM_5V_GPU"). The hwmon
// layout is also listed by the hwmon reader as "hwmon:ina3221:<rail>"; both ids
// open the same rail, so one --power string works across L4T releases.
#pragma once

#include <filesystem>
#include <memory>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "sensors/source.h"
#include "sensors/sysfs.h"

namespace eb::sensors {

// Rails of the older iio layout only (the hwmon layout is listed by hwmon).
std::vector<sysfs::FileEntry> scan_ina3221_iio(const std::filesystem::path& root);

// Rails of both layouts, ids "ina3221:<rail>".
std::vector<sysfs::FileEntry> scan_ina3221(const std::filesystem::path& root);

std::vector<SourceInfo> list_ina3221_iio(const std::filesystem::path& root);
Result<std::unique_ptr<Source>> open_ina3221(const std::filesystem::path& root, std::string_view id);

}  // namespace eb::sensors
