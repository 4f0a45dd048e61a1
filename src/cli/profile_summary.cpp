#include "cli/profile_summary.h"

#include <cmath>
#include <sstream>
#include <string>

#include "bench/profile.h"
#include "bench/trace.h"
#include "cli/commands.h"
#include "cli/table.h"

namespace eb::cli {
namespace {

// The summary's "  label       text" lines.
void line(std::ostream& os, const std::string& label, const std::string& text) {
  os << "  " << label << std::string(label.size() < 12 ? 12 - label.size() : 1, ' ') << text << "\n";
}

std::string percent_of(double ms, double total_ms) { return total_ms > 0 ? fixed(ms / total_ms * 100, 1) + "%" : "n/a"; }

}  // namespace

void print_profile_summary(std::ostream& os, const nlohmann::json& profile) {
  if (profile.is_null()) return;
  if (profile.is_object() && profile.contains("error")) {
    const auto& error = profile["error"];
    line(os, "profile", "none: " + (error.is_string() ? error.get<std::string>() : error.dump()));
    return;
  }
  auto b = bench::latency_breakdown_from_json(profile);
  if (!b.is_ok()) {
    line(os, "profile", "unreadable: " + b.status().message());
    return;
  }
  line(os, "profile", "medians of " + std::to_string(b->invokes) + " profiled invoke" + (b->invokes == 1 ? "" : "s") +
                          " after the measured runs, " + std::to_string(b->nodes.size()) + " nodes; wall " +
                          format_duration_ms(b->wall_ms));
  // Medians of the parts: a typical invoke, which need not be the median one.
  const double total = b->nodes_ms + b->overhead_ms;
  TextTable table({"category", "ms", "%"});
  for (const auto& [category, ms] : b->categories) table.add({category, fixed(ms, 3), percent_of(ms, total)});
  table.add({bench::kTraceOverheadName, fixed(b->overhead_ms, 3), percent_of(b->overhead_ms, total)});
  table.add({"total", fixed(total, 3), percent_of(total, total)});
  std::ostringstream text;
  table.print(text, {false, true, true});
  std::istringstream rows(text.str());
  for (std::string row; std::getline(rows, row);) os << "    " << row << "\n";
  if (b->wall_ms > 0 && std::abs(total - b->wall_ms) > 0.1 * b->wall_ms) {
    line(os, "", "the parts' medians add up to " + format_duration_ms(total) + ", the median wall is " +
                     format_duration_ms(b->wall_ms) + ": the invokes varied (other load on the machine?)");
  }
  if (b->overhead_clamped_invokes > 0) {
    line(os, "", "in " + std::to_string(b->overhead_clamped_invokes) + " of " + std::to_string(b->invokes) +
                     " invokes the nodes added up past the wall time (the profiler's own cost): overhead 0 there");
  }
  if (profile.contains("trace") && profile["trace"].is_string()) line(os, "trace", profile["trace"].get<std::string>());
  if (profile.contains("trace_error") && profile["trace_error"].is_string()) {
    line(os, "trace", "not written: " + profile["trace_error"].get<std::string>());
  }
}

}  // namespace eb::cli
