#include "sensors/csv_meter.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>

namespace eb::sensors {

namespace {

constexpr double kUnixTimeThreshold_s = 1e9;  // 2001-09-09: no steady clock reads this high

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::optional<double> parse_number(std::string_view s) {
  s = trim(s);
  double value = 0.0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (s.empty() || ec != std::errc() || ptr != s.data() + s.size() || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

std::int64_t system_minus_steady_ns() {
  auto sys = std::chrono::duration_cast<std::chrono::nanoseconds>(
                 std::chrono::system_clock::now().time_since_epoch()).count();
  return sys - now_ns();
}

class CsvMeterSource final : public Source {
 public:
  CsvMeterSource(SourceInfo info, std::filesystem::path path)
      : info_(std::move(info)), path_(std::move(path)) {}

  const SourceInfo& info() const override { return info_; }
  bool is_log() const override { return true; }

  Result<double> read() override {
    EB_ASSIGN_OR_RETURN(std::vector<Sample> samples, read_log());
    if (samples.empty()) return io_error(path_.string() + " holds no samples yet");
    return samples.back().value;
  }

  Result<std::vector<Sample>> read_log() override {
    std::ifstream in(path_, std::ios::binary);
    if (!in) return io_error("cannot read meter log " + path_.string());
    std::stringstream text;
    text << in.rdbuf();
    EB_ASSIGN_OR_RETURN(std::vector<TimedWatts> rows, parse_power_csv(text.str(), path_.string()));
    return to_steady_samples(rows, system_minus_steady_ns());
  }

 private:
  SourceInfo info_;
  std::filesystem::path path_;
};

Result<std::string> path_of(std::string_view id) {
  if (!id.starts_with("csv:") || id.size() == 4) {
    return invalid_argument("bad meter log source '" + std::string(id) + "': expected csv:PATH");
  }
  return std::string(id.substr(4));
}

}  // namespace

Result<std::vector<TimedWatts>> parse_power_csv(std::string_view text, std::string_view name) {
  std::vector<TimedWatts> rows;
  bool seen_content = false;
  std::size_t line_no = 0;
  while (!text.empty()) {
    auto eol = text.find('\n');
    std::string_view line = trim(text.substr(0, eol));
    text = eol == std::string_view::npos ? std::string_view{} : text.substr(eol + 1);
    ++line_no;
    if (line.empty() || line.front() == '#') continue;

    auto where = [&] { return std::string(name) + ":" + std::to_string(line_no) + ": "; };
    auto comma = line.find(',');
    if (comma == std::string_view::npos) {
      return invalid_argument(where() + "expected 'time_s,watts', got '" + std::string(line) + "'");
    }
    std::string_view time_field = line.substr(0, comma);
    std::string_view rest = line.substr(comma + 1);
    std::string_view watts_field = rest.substr(0, rest.find(','));
    auto time_s = parse_number(time_field);
    auto watts = parse_number(watts_field);

    const bool first = !seen_content;
    seen_content = true;
    // A header is a first line with no number in the time column.
    if (first && !time_s) continue;
    if (!time_s) {
      return invalid_argument(where() + "bad number '" + std::string(trim(time_field)) + "' in column time_s");
    }
    if (!watts) {
      return invalid_argument(where() + "bad number '" + std::string(trim(watts_field)) + "' in column watts");
    }
    if (!rows.empty() && *time_s < rows.back().time_s) {
      return invalid_argument(where() + "time goes backwards (" + std::string(trim(time_field)) + " after " +
                              std::to_string(rows.back().time_s) + ")");
    }
    rows.push_back({*time_s, *watts});
  }
  return rows;
}

std::vector<Sample> to_steady_samples(const std::vector<TimedWatts>& rows,
                                      std::int64_t system_minus_steady_ns) {
  std::vector<Sample> out;
  out.reserve(rows.size());
  for (const TimedWatts& row : rows) {
    auto t_ns = static_cast<std::int64_t>(std::llround(row.time_s * 1e9));
    if (row.time_s > kUnixTimeThreshold_s) t_ns -= system_minus_steady_ns;
    out.push_back({t_ns, row.watts});
  }
  return out;
}

Result<std::unique_ptr<Source>> open_csv_meter(std::string_view id) {
  EB_ASSIGN_OR_RETURN(std::string path, path_of(id));
  SourceInfo info{std::string(id), Kind::power, "meter log " + path, true, ""};
  if (std::ifstream probe(path); !probe) return not_found("meter log " + path + " cannot be opened");
  return std::unique_ptr<Source>(std::make_unique<CsvMeterSource>(std::move(info), path));
}

SourceInfo probe_csv_meter(std::string_view id) {
  SourceInfo info{std::string(id), Kind::power, "meter log", false, ""};
  auto source = open_csv_meter(id);
  if (!source) {
    info.reason = source.status().message();
    return info;
  }
  info.description = (*source)->info().description;
  if (auto log = (*source)->read_log(); !log) {
    info.reason = log.status().message();
  } else {
    info.available = true;
  }
  return info;
}

}  // namespace eb::sensors
