#include "sensors/hwmon.h"

#include <cctype>
#include <map>
#include <optional>
#include <set>

namespace eb::sensors {

namespace {

namespace fs = std::filesystem;

// "power12_input" with prefix "power" and suffix "_input" -> 12.
std::optional<int> channel_number(const std::string& file, std::string_view prefix,
                                  std::string_view suffix) {
  if (!file.starts_with(prefix) || !file.ends_with(suffix)) return std::nullopt;
  std::string digits = file.substr(prefix.size(), file.size() - prefix.size() - suffix.size());
  if (digits.empty() || digits.size() > 4) return std::nullopt;
  for (char c : digits) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
  }
  return std::stoi(digits);
}

// Old kernels put the attributes in hwmonN/device/ instead of hwmonN/.
fs::path attribute_dir(const fs::path& hwmon) {
  if (!fs::exists(hwmon / "name") && fs::exists(hwmon / "device" / "name")) return hwmon / "device";
  return hwmon;
}

// A stable tag for telling apart devices with the same name: the bus address
// the device link points to (e.g. "1-0040"), not the probe-order hwmonN.
std::string device_tag(const fs::path& hwmon) {
  std::error_code ec;
  fs::path target = fs::canonical(hwmon / "device", ec);
  if (!ec && !target.filename().empty()) return target.filename().string();
  return hwmon.filename().string();
}

struct Channel {
  std::string stem;  // "power1", "in1", ...
  Kind kind;
  std::vector<fs::path> files;
  double scale;
  std::optional<std::string> label;
};

std::vector<Channel> channels_of(const fs::path& dir) {
  std::set<std::string> files;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    files.insert(it->path().filename().string());
  }
  auto label = [&](const std::string& stem) { return sysfs::read_optional(dir / (stem + "_label")); };

  std::vector<Channel> out;
  for (const std::string& file : files) {
    if (auto n = channel_number(file, "power", "_input")) {
      std::string stem = "power" + std::to_string(*n);
      out.push_back({stem, Kind::power, {dir / file}, 1e-6, label(stem)});
    } else if (auto n = channel_number(file, "power", "_average")) {
      std::string stem = "power" + std::to_string(*n);
      if (files.count(stem + "_input")) continue;  // prefer the instantaneous value
      out.push_back({stem, Kind::power, {dir / file}, 1e-6, label(stem)});
    } else if (auto n = channel_number(file, "energy", "_input")) {
      std::string stem = "energy" + std::to_string(*n);
      out.push_back({stem, Kind::energy_counter, {dir / file}, 1e-6, label(stem)});
    } else if (auto n = channel_number(file, "temp", "_input")) {
      std::string stem = "temp" + std::to_string(*n);
      out.push_back({stem, Kind::temperature, {dir / file}, 1e-3, label(stem)});
    } else if (auto n = channel_number(file, "in", "_input")) {
      // inN x currN is a rail's power only where the channel is labelled as a
      // rail: unlabelled inN are often shunt voltages (ina3221 in4..in6) or
      // unrelated Super-I/O inputs whose numbers merely coincide with a currN.
      std::string stem = "in" + std::to_string(*n);
      std::string curr = "curr" + std::to_string(*n);
      auto in_label = label(stem);
      if (!in_label || !files.count(curr + "_input")) continue;
      auto curr_label = label(curr);
      if (curr_label && *curr_label != *in_label) continue;
      out.push_back({stem, Kind::power, {dir / file, dir / (curr + "_input")}, 1e-6, in_label});
    }
  }
  return out;
}

}  // namespace

std::string sanitize_id_part(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (std::isspace(static_cast<unsigned char>(c)) || c == ':') c = '_';
  }
  return out;
}

std::vector<sysfs::FileEntry> scan_hwmon(const fs::path& root) {
  std::vector<sysfs::FileEntry> entries;
  for (const fs::path& hwmon : sysfs::entries_with_prefix(sysfs::under_root(root, "/sys/class/hwmon"), "hwmon")) {
    const fs::path dir = attribute_dir(hwmon);
    auto name = sysfs::read_optional(dir / "name");
    if (!name) continue;  // not a device we can name, so not one a user can ask for
    const std::string tag = device_tag(hwmon);
    std::vector<Channel> channels = channels_of(dir);
    // Labels repeat across kinds on some chips ("CPU" for temp1 and power1):
    // such channels get their file stem appended.
    std::map<std::string, int> uses;
    for (const Channel& ch : channels) ++uses[sanitize_id_part(ch.label.value_or(ch.stem))];
    for (Channel& ch : channels) {
      std::string channel = sanitize_id_part(ch.label.value_or(ch.stem));
      if (uses[channel] > 1) channel += "_" + ch.stem;
      sysfs::FileEntry e;
      e.info.id = "hwmon:" + sanitize_id_part(*name) + ":" + channel;
      e.info.kind = ch.kind;
      e.info.description = ch.files.front().string();
      if (ch.files.size() == 2) e.info.description += " x " + ch.files.back().filename().string();
      if (ch.label) e.info.description += " (label " + *ch.label + ")";
      e.files = ch.files;
      e.scale = ch.scale;
      e.tag = tag;
      e.info.available = true;
      for (const auto& file : ch.files) {
        if (auto probe = sysfs::read_int(file); !probe) {
          e.info.available = false;
          e.info.reason = probe.status().message();
          break;
        }
      }
      entries.push_back(std::move(e));
    }
  }
  sysfs::disambiguate(entries);
  return entries;
}

std::vector<SourceInfo> list_hwmon(const fs::path& root) { return sysfs::infos(scan_hwmon(root)); }

Result<std::unique_ptr<Source>> open_hwmon(const fs::path& root, std::string_view id) {
  return sysfs::open_entry(scan_hwmon(root), id, root);
}

}  // namespace eb::sensors
