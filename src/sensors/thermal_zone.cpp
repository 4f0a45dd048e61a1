#include "sensors/thermal_zone.h"

#include "sensors/hwmon.h"

namespace eb::sensors {

namespace fs = std::filesystem;

std::vector<sysfs::FileEntry> scan_thermal_zones(const fs::path& root) {
  std::vector<sysfs::FileEntry> entries;
  for (const fs::path& zone :
       sysfs::entries_with_prefix(sysfs::under_root(root, "/sys/class/thermal"), "thermal_zone")) {
    sysfs::FileEntry e;
    const std::string type = sysfs::read_optional(zone / "type").value_or(zone.filename().string());
    e.info.id = "thermal:" + sanitize_id_part(type);
    e.info.kind = Kind::temperature;
    e.info.description = (zone / "temp").string();
    e.files = {zone / "temp"};
    e.scale = 1e-3;  // m°C -> °C
    e.tag = zone.filename().string();
    // Some zones exist but cannot be read now (a Wi-Fi chip that is down
    // answers ENODATA): list them with the reason rather than hide them.
    if (auto probe = sysfs::read_int(zone / "temp"); probe) {
      e.info.available = true;
    } else {
      e.info.reason = probe.status().message();
    }
    entries.push_back(std::move(e));
  }
  sysfs::disambiguate(entries);
  return entries;
}

std::vector<SourceInfo> list_thermal_zones(const fs::path& root) {
  return sysfs::infos(scan_thermal_zones(root));
}

Result<std::unique_ptr<Source>> open_thermal_zone(const fs::path& root, std::string_view id) {
  return sysfs::open_entry(scan_thermal_zones(root), id, root);
}

}  // namespace eb::sensors
