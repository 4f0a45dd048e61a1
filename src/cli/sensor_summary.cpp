#include "cli/sensor_summary.h"

#include <cmath>
#include <cstdio>

#include "cli/table.h"

namespace eb::cli {

namespace {

// 3 significant digits below 1000 ("12.3", "0.456"), whole numbers above.
std::string sig3(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, std::fabs(v) >= 1e3 ? "%.0f" : "%.3g", v);
  return buf;
}

std::string joules(double mj) { return mj >= 1e3 ? sig3(mj / 1e3) + " J" : sig3(mj) + " mJ"; }

void add_energy(std::vector<std::pair<std::string, std::string>>& lines, const bench::Energy& e) {
  if (e.mj_per_inference) {
    std::string text = joules(*e.mj_per_inference) + "/inference (gross)";
    if (e.net_mj_per_inference) text += ", " + joules(*e.net_mj_per_inference) + " net of idle";
    lines.emplace_back("energy", text);
  }
  std::string power;
  if (e.avg_power_w) power = sig3(*e.avg_power_w) + " W average while inferring";
  if (e.idle_power_w) power += (power.empty() ? "" : ", ") + sig3(*e.idle_power_w) + " W idle";
  if (!power.empty()) lines.emplace_back("power", power + " (" + e.source + ")");
}

void add_temperature(std::vector<std::pair<std::string, std::string>>& lines, const nlohmann::json& t) {
  const auto one = [&](const nlohmann::json& trace) {
    if (!trace.is_object()) return;
    std::string text;
    if (trace.contains("max_c") && trace["max_c"].is_number()) text = "max " + fixed(trace["max_c"].get<double>(), 1) + " °C";
    if (trace.contains("last_c") && trace["last_c"].is_number()) {
      text += (text.empty() ? "" : ", ") + std::string("last ") + fixed(trace["last_c"].get<double>(), 1) + " °C";
    }
    if (trace.value("steady", false)) text += ", steady";
    if (trace.contains("slope_c_per_min") && trace["slope_c_per_min"].is_number()) {
      text += " (" + fixed(trace["slope_c_per_min"].get<double>(), 2) + " °C/min)";
    }
    const std::size_t n = trace.contains("series") && trace["series"].is_array() ? trace["series"].size() : 0;
    text += "; " + std::to_string(n) + " samples of " + trace.value("source", std::string("?"));
    lines.emplace_back("temperature", text);
  };
  if (t.is_array()) {
    for (const auto& trace : t) one(trace);
  } else {
    one(t);
  }
}

}  // namespace

std::vector<std::pair<std::string, std::string>> sensor_summary_lines(const bench::RunRecord& record,
                                                                      const std::vector<std::string>& notes) {
  std::vector<std::pair<std::string, std::string>> lines;
  if (record.energy) add_energy(lines, *record.energy);
  if (!record.temperature.is_null()) add_temperature(lines, record.temperature);
  for (const std::string& note : notes) lines.emplace_back("note", note);
  return lines;
}

}  // namespace eb::cli
