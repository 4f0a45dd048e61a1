#include "sensors/sysfs.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <map>

namespace eb::sensors::sysfs {

fs::path under_root(const fs::path& root, std::string_view absolute) {
  while (!absolute.empty() && absolute.front() == '/') absolute.remove_prefix(1);
  return root / fs::path(absolute);
}

Result<std::string> read_text(const fs::path& path) {
  // open/read rather than iostreams: errno tells "permission denied" apart
  // from "absent", and the file is opened afresh so a replaced file is seen.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    if (err == ENOENT) return not_found(path.string() + " does not exist");
    if (err == EACCES || err == EPERM) return io_error("permission denied reading " + path.string());
    return io_error("cannot open " + path.string() + ": " + std::strerror(err));
  }
  std::string text;
  char buffer[256];
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      if (err == EACCES || err == EPERM) return io_error("permission denied reading " + path.string());
      return io_error("cannot read " + path.string() + ": " + std::strerror(err));
    }
    if (n == 0) break;
    text.append(buffer, static_cast<std::size_t>(n));
    if (text.size() > 4096) break;  // attributes are tiny; never slurp a huge file
  }
  ::close(fd);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
  return text;
}

Result<std::int64_t> read_int(const fs::path& path) {
  EB_ASSIGN_OR_RETURN(std::string text, read_text(path));
  std::int64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || text.empty()) {
    return io_error(path.string() + " does not hold an integer: '" + text + "'");
  }
  return value;
}

std::optional<std::string> read_optional(const fs::path& path) {
  auto text = read_text(path);
  if (!text) return std::nullopt;
  return std::move(text).value();
}

bool natural_less(std::string_view a, std::string_view b) {
  std::size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    bool da = std::isdigit(static_cast<unsigned char>(a[i]));
    bool db = std::isdigit(static_cast<unsigned char>(b[j]));
    if (da && db) {
      std::size_t i2 = i, j2 = j;
      while (i2 < a.size() && std::isdigit(static_cast<unsigned char>(a[i2]))) ++i2;
      while (j2 < b.size() && std::isdigit(static_cast<unsigned char>(b[j2]))) ++j2;
      std::string_view na = a.substr(i, i2 - i), nb = b.substr(j, j2 - j);
      while (na.size() > 1 && na.front() == '0') na.remove_prefix(1);
      while (nb.size() > 1 && nb.front() == '0') nb.remove_prefix(1);
      if (na.size() != nb.size()) return na.size() < nb.size();
      if (na != nb) return na < nb;
      i = i2;
      j = j2;
    } else {
      if (a[i] != b[j]) return a[i] < b[j];
      ++i;
      ++j;
    }
  }
  return a.size() - i < b.size() - j;
}

std::vector<fs::path> entries_with_prefix(const fs::path& dir, std::string_view prefix) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (name.starts_with(prefix)) out.push_back(it->path());
  }
  std::sort(out.begin(), out.end(), [](const fs::path& x, const fs::path& y) {
    return natural_less(x.filename().string(), y.filename().string());
  });
  return out;
}

FileSource::FileSource(SourceInfo info, std::vector<fs::path> files, double scale,
                       std::optional<double> wrap_range_j)
    : info_(std::move(info)), files_(std::move(files)), scale_(scale), wrap_range_j_(wrap_range_j) {}

Result<double> FileSource::read() {
  double value = scale_;
  for (const auto& file : files_) {
    EB_ASSIGN_OR_RETURN(std::int64_t raw, read_int(file));
    value *= static_cast<double>(raw);
  }
  return value;
}

void disambiguate(std::vector<FileEntry>& entries) {
  std::map<std::string, int> count;
  for (const auto& e : entries) ++count[e.info.id];
  for (auto& e : entries) {
    if (count[e.info.id] > 1) e.info.id += "@" + e.tag;
  }
}

}  // namespace eb::sensors::sysfs

namespace eb::sensors::sysfs {

std::vector<SourceInfo> infos(const std::vector<FileEntry>& entries) {
  std::vector<SourceInfo> out;
  out.reserve(entries.size());
  for (const auto& e : entries) out.push_back(e.info);
  return out;
}

Result<std::unique_ptr<Source>> open_entry(const std::vector<FileEntry>& entries,
                                           std::string_view id, const fs::path& root) {
  for (const auto& e : entries) {
    if (e.info.id != id) continue;
    if (!e.info.available) return unsupported(e.info.id + " is unavailable: " + e.info.reason);
    return std::unique_ptr<Source>(
        std::make_unique<FileSource>(e.info, e.files, e.scale, e.wrap_range_j));
  }
  std::string known;
  for (const auto& e : entries) known += (known.empty() ? "" : ", ") + e.info.id;
  return not_found("no sensor '" + std::string(id) + "' under " + root.string() +
                   (known.empty() ? std::string(" (none of this kind found)") : "; found: " + known));
}

}  // namespace eb::sensors::sysfs
