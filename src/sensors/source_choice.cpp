#include "sensors/source_choice.h"

#include <algorithm>
#include <filesystem>

namespace eb::sensors {

namespace {

// "hwmon:ina3221:VDD_IN@1-0040" -> "VDD_IN": the channel or rail part.
std::string_view channel_of(std::string_view id) {
  id = id.substr(0, id.find('@'));
  const auto colon = id.rfind(':');
  return colon == std::string_view::npos ? id : id.substr(colon + 1);
}

bool is_board_input_rail(const SourceInfo& s) {
  const bool ina = s.id.starts_with("ina3221:") || s.id.starts_with("hwmon:ina3221:");
  const std::string_view rail = channel_of(s.id);
  return ina && s.kind == Kind::power && (rail.ends_with("_IN") || rail.starts_with("VIN"));
}

// "rapl:package-0" (a top-level zone) rather than "rapl:package-0:dram".
bool is_rapl_zone(const SourceInfo& s, std::string_view name_prefix) {
  if (!s.id.starts_with("rapl:")) return false;
  const std::string_view zone = std::string_view(s.id).substr(5);
  return zone.find(':') == std::string_view::npos && zone.starts_with(name_prefix);
}

// Lower is better; see best_power_source.
int auto_rank(const SourceInfo& s, std::string_view device) {
  const bool nvml = s.id.starts_with("nvml:");
  const bool counter = s.kind == Kind::energy_counter;
  if (is_board_input_rail(s)) return 0;
  if (device == "cuda" && nvml) return counter ? 1 : 2;
  if (is_rapl_zone(s, "psys")) return 3;
  if (is_rapl_zone(s, "package")) return 4;
  if (nvml) return counter ? 7 : 8;
  if (s.id.starts_with("rapl:")) return 6;  // a part of a package (core, dram, uncore)
  return counter ? 5 : 6;
}

bool measures_power(const SourceInfo& s) { return s.kind != Kind::temperature; }

// "power and energy sources here: a, b" or why there are none, for errors.
std::string what_exists(const DiscoveryOptions& options, bool temperature) {
  const SensorListing listing = discover(options);
  std::string ids;
  for (const SourceInfo& s : listing.sources) {
    if (s.available && measures_power(s) != temperature) ids += (ids.empty() ? "" : ", ") + s.id;
  }
  const std::string what = temperature ? "temperature sources" : "power and energy sources";
  if (ids.empty()) {
    return "this machine has no usable " + what + " under " + listing.root + " ('edgebench sensors' says why)";
  }
  return what + " here: " + ids;
}

Status bad_choice(std::string_view flag, std::string_view text, const Status& why, const DiscoveryOptions& options,
                  bool temperature) {
  return invalid_argument(std::string(flag) + " '" + std::string(text) + "': " + why.message() + "; " +
                          what_exists(options, temperature));
}

}  // namespace

std::string normalize_power_spec(std::string_view text) {
  if (text.starts_with("/dev/")) return "um25c:" + std::string(text);
  if (parse_source_spec(text).is_ok() || text == "auto") return std::string(text);
  std::error_code ec;
  if (text.ends_with(".csv") || std::filesystem::is_regular_file(std::filesystem::path(text), ec)) {
    return "csv:" + std::string(text);
  }
  return std::string(text);
}

std::optional<SourceInfo> best_power_source(const SensorListing& listing, std::string_view device) {
  std::optional<SourceInfo> best;
  for (const SourceInfo& s : listing.sources) {
    if (!s.available || !measures_power(s)) continue;
    // Strictly better only: among equals the listing's (stable) order decides.
    if (!best || auto_rank(s, device) < auto_rank(*best, device)) best = s;
  }
  return best;
}

Result<std::unique_ptr<Source>> choose_power_source(std::string_view text, const DiscoveryOptions& options,
                                                    std::string_view device) {
  if (text.empty()) return std::unique_ptr<Source>();
  std::string id = normalize_power_spec(text);
  if (id == "auto") {
    const auto best = best_power_source(discover(options), device);
    if (!best) return std::unique_ptr<Source>();
    id = best->id;
  }
  auto source = open_source(id, options);
  if (!source) return bad_choice("--power", text, source.status(), options, false);
  if ((*source)->info().kind == Kind::temperature) {
    return bad_choice("--power", text, invalid_argument(id + " measures temperature, not power or energy"), options,
                      false);
  }
  return source;
}

Result<std::vector<std::unique_ptr<Source>>> choose_temperature_sources(std::string_view text,
                                                                        const DiscoveryOptions& options) {
  std::vector<std::unique_ptr<Source>> sources;
  if (text.empty() || text == "auto") {
    for (const SourceInfo& s : discover(options).sources) {
      if (!s.available || s.kind != Kind::temperature) continue;
      // Listed as available a moment ago; one that fails now is left out.
      if (auto source = open_source(s.id, options)) sources.push_back(std::move(source).value());
    }
    return sources;
  }
  std::string_view rest = text;
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    const std::string_view id = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    if (id.empty()) continue;
    auto source = open_source(id, options);
    if (!source) return bad_choice("--temperature", id, source.status(), options, true);
    if ((*source)->info().kind != Kind::temperature) {
      return bad_choice("--temperature", id,
                        invalid_argument(std::string(id) + " is a " + to_string((*source)->info().kind) +
                                         " source, not a temperature"),
                        options, true);
    }
    sources.push_back(std::move(source).value());
  }
  return sources;
}

}  // namespace eb::sensors
