#include "formats/darknet/cfg.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

namespace eb::darknet_format {
namespace {

// Darknet's strip(): whitespace goes wherever it is ("size = 3" is "size=3").
// '\r' goes too, so that CRLF files read as they do on Windows builds.
std::string strip(std::string_view line) {
  std::string out;
  out.reserve(line.size());
  for (char c : line)
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') out.push_back(c);
  return out;
}

std::string at_line(int line) { return "line " + std::to_string(line); }

}  // namespace

const CfgOption* CfgSection::find(std::string_view key) const {
  for (const CfgOption& o : options)
    if (o.key == key) return &o;
  return nullptr;
}

std::string CfgSection::where() const { return "[" + type + "] at " + at_line(line); }

Result<CfgFile> parse_cfg(std::string_view text) {
  CfgFile cfg;
  int line_no = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string line = strip(text.substr(pos, end - pos));
    pos = end + 1;
    ++line_no;
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line[0] == '[') {
      if (line.size() < 3 || line.back() != ']' || line.find_first_of("[]", 1) != line.size() - 1)
        return invalid_argument(at_line(line_no) + ": malformed section header '" + line + "'");
      cfg.sections.push_back(CfgSection{line.substr(1, line.size() - 2), line_no, {}});
      continue;
    }
    const std::size_t eq = line.find('=');
    if (eq == std::string::npos) return invalid_argument(at_line(line_no) + ": expected key=value, got '" + line + "'");
    if (eq == 0) return invalid_argument(at_line(line_no) + ": option without a key: '" + line + "'");
    if (eq + 1 == line.size()) return invalid_argument(at_line(line_no) + ": option '" + line.substr(0, eq) + "' has no value");
    if (cfg.sections.empty())
      return invalid_argument(at_line(line_no) + ": option '" + line.substr(0, eq) + "' comes before any [section]");
    cfg.sections.back().options.push_back(CfgOption{line.substr(0, eq), line.substr(eq + 1), line_no});
  }
  return cfg;
}

std::string format_cfg(const CfgFile& cfg, std::string_view comment) {
  std::string out;
  while (!comment.empty()) {
    const std::size_t end = std::min(comment.find('\n'), comment.size());
    out += "# " + std::string(comment.substr(0, end)) + "\n";
    comment.remove_prefix(std::min(end + 1, comment.size()));
  }
  if (!out.empty()) out += "\n";
  for (std::size_t i = 0; i < cfg.sections.size(); ++i) {
    if (i > 0) out += "\n";
    out += "[" + cfg.sections[i].type + "]\n";
    for (const CfgOption& o : cfg.sections[i].options) out += o.key + "=" + o.value + "\n";
  }
  return out;
}

Status Options::error(std::string_view key, const std::string& what) const {
  const CfgOption* o = section_.find(key);
  const std::string option = o ? std::string(key) + "=" + o->value + " (" + at_line(o->line) + ")" : std::string(key);
  return invalid_argument(section_.where() + ": " + option + " " + what);
}

namespace {

// Darknet stores these in C ints; anything wider is a mistake, and keeping
// values small keeps our shape arithmetic far from overflow.
bool parse_int(std::string_view s, int64_t& out) {
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size() && out >= std::numeric_limits<int32_t>::min() &&
         out <= std::numeric_limits<int32_t>::max();
}

}  // namespace

Result<int64_t> Options::integer(std::string_view key, int64_t fallback) const {
  const CfgOption* o = section_.find(key);
  if (!o) return fallback;
  int64_t v = 0;
  if (!parse_int(o->value, v)) return error(key, "is not an integer");
  return v;
}

Result<int64_t> Options::integer_at_least(std::string_view key, int64_t fallback, int64_t min_value) const {
  EB_ASSIGN_OR_RETURN(const int64_t v, integer(key, fallback));
  if (v < min_value) return error(key, "must be at least " + std::to_string(min_value));
  return v;
}

Result<float> Options::real(std::string_view key, float fallback) const {
  const CfgOption* o = section_.find(key);
  if (!o) return fallback;
  std::string_view s = o->value;
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  float v = 0.0f;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v)) return error(key, "is not a number");
  return v;
}

std::string Options::text(std::string_view key, std::string_view fallback) const {
  const CfgOption* o = section_.find(key);
  return o ? o->value : std::string(fallback);
}

Result<std::vector<int64_t>> Options::integers(std::string_view key) const {
  const CfgOption* o = section_.find(key);
  if (!o) return error(key, "is required");
  std::vector<int64_t> values;
  std::string_view rest = o->value;
  while (true) {
    const std::size_t comma = rest.find(',');
    int64_t v = 0;
    if (!parse_int(rest.substr(0, comma), v)) return error(key, "is not a comma-separated list of integers");
    values.push_back(v);
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return values;
}

}  // namespace eb::darknet_format
