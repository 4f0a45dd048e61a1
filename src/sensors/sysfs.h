// Small helpers for reading sysfs attribute files under a chosen root, and the
// one Source that almost every sysfs sensor is: integer files, multiplied and
// scaled (uJ -> J, uW -> W, mV x mA -> W, m°C -> °C).
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "sensors/source.h"

namespace eb::sensors::sysfs {

namespace fs = std::filesystem;

// root / "sys/class/hwmon": absolute sysfs paths re-rooted so tests and users
// can point at a fixture tree or a mounted device image.
fs::path under_root(const fs::path& root, std::string_view absolute);

// A whole small file with trailing whitespace removed. A failed read says which
// file and why (permission denied is spelled out: it is the common case).
Result<std::string> read_text(const fs::path& path);
Result<std::int64_t> read_int(const fs::path& path);

// The file's text, or nullopt when it is absent or unreadable (labels, names).
std::optional<std::string> read_optional(const fs::path& path);

// Entries of dir whose names start with prefix, in natural order (hwmon2 before
// hwmon10). Missing dir -> empty.
std::vector<fs::path> entries_with_prefix(const fs::path& dir, std::string_view prefix);

bool natural_less(std::string_view a, std::string_view b);

// value = scale * product of the integers in files (one or two files).
class FileSource final : public Source {
 public:
  FileSource(SourceInfo info, std::vector<fs::path> files, double scale,
             std::optional<double> wrap_range_j = std::nullopt);

  const SourceInfo& info() const override { return info_; }
  Result<double> read() override;
  std::optional<double> wrap_range_j() const override { return wrap_range_j_; }

 private:
  SourceInfo info_;
  std::vector<fs::path> files_;
  double scale_;
  std::optional<double> wrap_range_j_;
};

// A discovered file-backed sensor: what it is and how to build its FileSource.
struct FileEntry {
  SourceInfo info;
  std::vector<fs::path> files;
  double scale = 1.0;
  std::optional<double> wrap_range_j;
  std::string tag;  // tells apart entries with the same id (device, zone dir)
};

// Makes ids unique: a repeated id gets "@" + its tag appended. Tags come from
// stable names (device paths, zone directories), so ids do not depend on the
// order in which the kernel numbered things.
void disambiguate(std::vector<FileEntry>& entries);

std::vector<SourceInfo> infos(const std::vector<FileEntry>& entries);

// The FileSource for id, or why not: not found (naming what exists under
// root) or found but unavailable (with its reason).
Result<std::unique_ptr<Source>> open_entry(const std::vector<FileEntry>& entries,
                                           std::string_view id, const fs::path& root);

}  // namespace eb::sensors::sysfs
