#include "report/format.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace eb::report {

const char* status_symbol(bench::RunStatus status) {
  using bench::RunStatus;
  switch (status) {
    case RunStatus::ok: return "\xE2\x9C\x93";            // ✓
    case RunStatus::failed: return "\xE2\x9C\x97";        // ✗
    case RunStatus::unsupported: return "\xE2\x8A\x98";   // ⊘
    case RunStatus::out_of_memory: return "OOM";
    case RunStatus::crashed: return "\xE2\x98\xA0";       // ☠
    case RunStatus::timeout: return "\xE2\x8C\x9B";       // ⌛
    case RunStatus::not_built: return "\xE2\x80\x94";     // —
  }
  return "?";
}

std::string format_fixed(double value, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  return buf;
}

std::string format_sig(double value) {
  if (!std::isfinite(value)) return "n/a";
  if (value == 0) return "0";
  const int digits = static_cast<int>(std::floor(std::log10(std::abs(value)))) + 1;
  return format_fixed(value, std::max(0, 3 - digits));
}

std::string category_label(std::string_view category) {
  std::string out(category);
  for (char& c : out)
    if (c == '_') c = ' ';
  return out;
}

std::string format_signed_pct(double value) {
  if (std::abs(value) < 0.005) return "0.00%";  // no "-0.00%"
  std::string out = value >= 0 ? "+" : "";
  return out.append(format_fixed(value, 2)).append("%");
}

}  // namespace eb::report
