#include "sensors/listing.h"

#include <algorithm>
#include <sstream>

namespace eb::sensors {

namespace {

nlohmann::json optional_number(const std::optional<double>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

}  // namespace

std::string format_listing(const SensorListing& listing) {
  std::ostringstream out;
  std::size_t id_width = 2;
  for (const auto& s : listing.sources) id_width = std::max(id_width, s.id.size());
  auto pad = [](const std::string& text, std::size_t width) {
    return text + std::string(width > text.size() ? width - text.size() : 0, ' ');
  };

  if (listing.available_count() == 0) {
    out << "no power or temperature sensors found under " << listing.root << "\n";
  } else {
    out << pad("ID", id_width) << "  " << pad("KIND", 14) << "  SOURCE\n";
    for (const auto& s : listing.sources) {
      if (s.available) out << pad(s.id, id_width) << "  " << pad(to_string(s.kind), 14) << "  " << s.description << "\n";
    }
  }
  if (listing.available_count() < listing.sources.size()) {
    out << "unavailable:\n";
    for (const auto& s : listing.sources) {
      if (!s.available) out << "  " << pad(s.id, id_width) << "  " << s.reason << "\n";
    }
  }
  return out.str();
}

void to_json(nlohmann::json& j, const SourceInfo& info) {
  j = nlohmann::json{{"id", info.id},
                     {"kind", to_string(info.kind)},
                     {"unit", unit_of(info.kind)},
                     {"description", info.description},
                     {"available", info.available},
                     {"reason", info.available ? nlohmann::json(nullptr) : nlohmann::json(info.reason)}};
}

void to_json(nlohmann::json& j, const SensorListing& listing) {
  j = nlohmann::json{{"root", listing.root}, {"sources", listing.sources}};
}

void to_json(nlohmann::json& j, const EnergyReport& r) {
  j = nlohmann::json{{"source", r.source},
                     {"avg_power_w", optional_number(r.avg_power_w)},
                     {"idle_power_w", optional_number(r.idle_power_w)},
                     {"mj_per_inference", optional_number(r.mj_per_inference)},
                     {"net_mj_per_inference", optional_number(r.net_mj_per_inference)},
                     {"energy_j", optional_number(r.energy_j)},
                     {"seconds", r.seconds},
                     {"inferences", r.inferences},
                     {"samples", r.samples}};
}

void to_json(nlohmann::json& j, const TemperatureTrace& t) {
  nlohmann::json series = nlohmann::json::array();
  for (const auto& [time_s, celsius] : t.series) series.push_back({time_s, celsius});
  j = nlohmann::json{{"source", t.source},
                     {"max_c", optional_number(t.max_c)},
                     {"last_c", optional_number(t.last_c)},
                     {"steady", t.steady.steady},
                     {"slope_c_per_min", optional_number(t.steady.slope_c_per_min)},
                     {"series", std::move(series)}};
}

}  // namespace eb::sensors
