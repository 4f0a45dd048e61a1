#include "sensors/discovery.h"

#include "sensors/csv_meter.h"
#include "sensors/hwmon.h"
#include "sensors/ina3221.h"
#include "sensors/rapl.h"
#include "sensors/thermal_zone.h"

namespace eb::sensors {

namespace {

void append(std::vector<SourceInfo>& to, std::vector<SourceInfo> from) {
  to.insert(to.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
}

bool wants_nvml(const DiscoveryOptions& options) {
  if (options.probe_nvml) return *options.probe_nvml;
  std::error_code ec;
  return std::filesystem::equivalent(options.sysfs_root, "/", ec);
}

}  // namespace

std::size_t SensorListing::available_count() const {
  std::size_t n = 0;
  for (const auto& s : sources) n += s.available ? 1 : 0;
  return n;
}

SensorListing discover(const DiscoveryOptions& options) {
  SensorListing listing;
  listing.root = options.sysfs_root.string();
  const auto& root = options.sysfs_root;
  append(listing.sources, list_rapl(root));
  append(listing.sources, list_hwmon(root));
  append(listing.sources, list_ina3221_iio(root));
  append(listing.sources, list_thermal_zones(root));
  if (wants_nvml(options)) append(listing.sources, list_nvml(options.nvml));
  for (const std::string& extra : options.extra) {
    auto spec = parse_source_spec(extra);
    if (!spec) {
      listing.sources.push_back({extra, Kind::power, "", false, spec.status().message()});
    } else if (spec->family == Family::um_meter) {
      listing.sources.push_back(probe_um_meter(extra, options.um_meter));
    } else if (spec->family == Family::csv) {
      listing.sources.push_back(probe_csv_meter(extra));
    }
  }
  return listing;
}

Result<SourceSpec> parse_source_spec(std::string_view text) {
  struct Scheme {
    std::string_view prefix;
    Family family;
    std::string_view example;
  };
  static constexpr Scheme kSchemes[] = {
      {"rapl:", Family::rapl, "rapl:package-0"},
      {"hwmon:", Family::hwmon, "hwmon:ina3221:VDD_IN"},
      {"thermal:", Family::thermal, "thermal:x86_pkg_temp"},
      {"ina3221:", Family::ina3221, "ina3221:VDD_IN"},
      {"nvml:", Family::nvml, "nvml:0"},
      {"um25c:", Family::um_meter, "um25c:/dev/rfcomm0"},
      {"um24c:", Family::um_meter, "um24c:/dev/rfcomm0"},
      {"um34c:", Family::um_meter, "um34c:/dev/rfcomm0"},
      {"csv:", Family::csv, "csv:power.csv"},
  };
  for (const Scheme& s : kSchemes) {
    if (!text.starts_with(s.prefix)) continue;
    if (text.size() == s.prefix.size()) {
      return invalid_argument("sensor '" + std::string(text) + "' is incomplete, e.g. " + std::string(s.example));
    }
    return SourceSpec{s.family, std::string(text)};
  }
  std::string examples;
  for (const Scheme& s : kSchemes) examples += (examples.empty() ? "" : ", ") + std::string(s.example);
  return invalid_argument("unknown sensor '" + std::string(text) + "': expected one of " + examples +
                          " ('edgebench sensors' lists what this machine has)");
}

Result<std::unique_ptr<Source>> open_source(std::string_view text, const DiscoveryOptions& options) {
  EB_ASSIGN_OR_RETURN(SourceSpec spec, parse_source_spec(text));
  const auto& root = options.sysfs_root;
  switch (spec.family) {
    case Family::rapl: return open_rapl(root, spec.id);
    case Family::hwmon: return open_hwmon(root, spec.id);
    case Family::thermal: return open_thermal_zone(root, spec.id);
    case Family::ina3221: return open_ina3221(root, spec.id);
    case Family::nvml: return open_nvml(spec.id, options.nvml);
    case Family::um_meter: return open_um_meter(spec.id, options.um_meter);
    case Family::csv: return open_csv_meter(spec.id);
  }
  return internal_error("unhandled sensor family");
}

}  // namespace eb::sensors
