#include "sensors/ina3221.h"

#include "sensors/hwmon.h"

namespace eb::sensors {

namespace fs = std::filesystem;

std::vector<sysfs::FileEntry> scan_ina3221_iio(const fs::path& root) {
  std::vector<sysfs::FileEntry> entries;
  const fs::path driver = sysfs::under_root(root, "/sys/bus/i2c/drivers/ina3221x");
  std::error_code ec;
  for (fs::directory_iterator it(driver, ec), end; !ec && it != end; it.increment(ec)) {
    const fs::path chip = it->path();  // "1-0040"; the driver dir also holds bind/uevent files
    for (const fs::path& iio : sysfs::entries_with_prefix(chip, "iio:device")) {
      for (int k = 0; k < 3; ++k) {
        const std::string n = std::to_string(k);
        auto rail = sysfs::read_optional(iio / ("rail_name_" + n));
        if (!rail) continue;
        sysfs::FileEntry e;
        e.info.id = "ina3221:" + sanitize_id_part(*rail);
        e.info.kind = Kind::power;
        e.tag = chip.filename().string();
        const fs::path power = iio / ("in_power" + n + "_input");
        if (fs::exists(power)) {
          e.files = {power};
          e.scale = 1e-3;  // mW -> W
          e.info.description = power.string();
        } else {
          // Some releases expose only voltage and current.
          e.files = {iio / ("in_voltage" + n + "_input"), iio / ("in_current" + n + "_input")};
          e.scale = 1e-6;  // mV x mA -> W
          e.info.description = e.files[0].string() + " x " + e.files[1].filename().string();
        }
        e.info.description += " (rail " + *rail + ")";
        e.info.available = true;
        for (const auto& file : e.files) {
          if (auto probe = sysfs::read_int(file); !probe) {
            e.info.available = false;
            e.info.reason = probe.status().message();
            break;
          }
        }
        entries.push_back(std::move(e));
      }
    }
  }
  sysfs::disambiguate(entries);
  return entries;
}

std::vector<sysfs::FileEntry> scan_ina3221(const fs::path& root) {
  std::vector<sysfs::FileEntry> entries = scan_ina3221_iio(root);
  const std::string prefix = "hwmon:ina3221:";
  for (sysfs::FileEntry& e : scan_hwmon(root)) {
    if (e.info.kind != Kind::power || !e.info.id.starts_with(prefix)) continue;
    e.info.id = "ina3221:" + e.info.id.substr(prefix.size());
    entries.push_back(std::move(e));
  }
  return entries;
}

std::vector<SourceInfo> list_ina3221_iio(const fs::path& root) {
  return sysfs::infos(scan_ina3221_iio(root));
}

Result<std::unique_ptr<Source>> open_ina3221(const fs::path& root, std::string_view id) {
  return sysfs::open_entry(scan_ina3221(root), id, root);
}

}  // namespace eb::sensors
