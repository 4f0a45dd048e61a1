// The raw .cfg text: sections of key=value options, each with its line
// number, and typed access to the options. No knowledge of what a layer
// means lives here; import.cpp gives the sections their meaning.
//
// Reading follows Darknet's read_cfg(): spaces and tabs are removed
// everywhere on a line, lines starting with '#' or ';' are comments, a line
// "[type]" opens a section, anything else must be key=value. Where Darknet
// is lax (an option before any section, a line without '=', an empty value,
// "filters=3x" read as 3 by atoi) we report invalid_argument naming the line.
// We also accept CRLF line endings, which Darknet would keep in the value.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace eb::darknet_format {

struct CfgOption {
  std::string key;
  std::string value;
  int line = 0;
};

struct CfgSection {
  std::string type;  // without brackets: "net", "convolutional", ...
  int line = 0;      // line of the "[type]" header
  std::vector<CfgOption> options;

  // Darknet's option_find(): the first option with this key wins.
  const CfgOption* find(std::string_view key) const;
  // "[convolutional] at line 12": how every message names a section.
  std::string where() const;
};

struct CfgFile {
  std::vector<CfgSection> sections;
};

// Syntax only; an empty text is a file with no sections.
Result<CfgFile> parse_cfg(std::string_view text);

// One "[type]" block per section, "key=value" per option, blank line
// between; `comment` (may hold several lines) goes first as '#' lines.
std::string format_cfg(const CfgFile& cfg, std::string_view comment = {});

// Typed, checked access to one section's options. Every error names the
// section, the key and the line, e.g.
//   "[convolutional] at line 12: filters=abc (line 14) is not an integer".
class Options {
 public:
  explicit Options(const CfgSection& section) : section_(section) {}

  bool has(std::string_view key) const { return section_.find(key) != nullptr; }
  Result<int64_t> integer(std::string_view key, int64_t fallback) const;
  // As integer(), and the value must be >= min_value.
  Result<int64_t> integer_at_least(std::string_view key, int64_t fallback, int64_t min_value) const;
  Result<float> real(std::string_view key, float fallback) const;
  std::string text(std::string_view key, std::string_view fallback) const;
  // A comma-separated list of integers ("-1, 61" once spaces are stripped).
  Result<std::vector<int64_t>> integers(std::string_view key) const;

  Status error(std::string_view key, const std::string& what) const;
  const CfgSection& section() const { return section_; }

 private:
  const CfgSection& section_;
};

}  // namespace eb::darknet_format
