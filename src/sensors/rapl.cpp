#include "sensors/rapl.h"

namespace eb::sensors {

namespace {

namespace fs = std::filesystem;

// "intel-rapl:0:1" -> "intel-rapl:0"; a top-level zone has no parent.
std::optional<std::string> parent_dir_name(const std::string& dir) {
  auto first = dir.find(':');
  auto last = dir.rfind(':');
  if (first == std::string::npos || first == last) return std::nullopt;
  return dir.substr(0, last);
}

std::string zone_name(const fs::path& dir) {
  return sysfs::read_optional(dir / "name").value_or(dir.filename().string());
}

}  // namespace

std::vector<sysfs::FileEntry> scan_rapl(const fs::path& root) {
  const fs::path powercap = sysfs::under_root(root, "/sys/class/powercap");
  std::vector<sysfs::FileEntry> entries;
  // Only "intel-rapl:" zones: "intel-rapl-mmio:" repeats the package zone
  // for power limits and would double-list it.
  for (const fs::path& dir : sysfs::entries_with_prefix(powercap, "intel-rapl:")) {
    const std::string dir_name = dir.filename().string();
    std::string id = "rapl:" + zone_name(dir);
    if (auto parent = parent_dir_name(dir_name)) id = "rapl:" + zone_name(powercap / *parent) + ":" + zone_name(dir);

    sysfs::FileEntry e;
    e.info.id = id;
    e.info.kind = Kind::energy_counter;
    e.info.description = (dir / "energy_uj").string();
    e.files = {dir / "energy_uj"};
    e.scale = 1e-6;  // uJ -> J
    e.tag = dir_name;
    auto probe = sysfs::read_int(dir / "energy_uj");
    if (probe) {
      e.info.available = true;
    } else if (probe.status().code() == ErrorCode::not_found) {
      e.info.reason = "zone has no energy_uj counter";
    } else if (probe.status().message().starts_with("permission denied")) {
      // Since the fix for CVE-2020-8694 (Nov 2020) kernels make energy_uj 0400.
      e.info.reason = "energy_uj exists but only root can read it (recent kernels restrict RAPL "
                      "since CVE-2020-8694): run as root or 'sudo chmod a+r " +
                      (dir / "energy_uj").string() + "'";
    } else {
      e.info.reason = probe.status().message();
    }
    if (auto range = sysfs::read_int(dir / "max_energy_range_uj"); range && *range > 0) {
      e.wrap_range_j = static_cast<double>(*range) * 1e-6;
    }
    entries.push_back(std::move(e));
  }
  sysfs::disambiguate(entries);
  return entries;
}

std::vector<SourceInfo> list_rapl(const fs::path& root) { return sysfs::infos(scan_rapl(root)); }

Result<std::unique_ptr<Source>> open_rapl(const fs::path& root, std::string_view id) {
  return sysfs::open_entry(scan_rapl(root), id, root);
}

}  // namespace eb::sensors
