// Which sensors this machine has, and turning a user's --power string into a
// Source.
//
// Source ids (the strings --power accepts):
//   rapl:<zone>[:<subzone>]    RAPL energy counter       rapl:package-0, rapl:package-0:dram
//   hwmon:<name>:<channel>     hwmon power/energy/temp   hwmon:ina3221:VDD_IN
//   thermal:<type>             thermal zone              thermal:x86_pkg_temp
//   ina3221:<rail>             Jetson rail, any layout   ina3221:VDD_IN
//   nvml:<N>[:power|:energy|:temp]                       nvml:0
//   um25c:<dev> um24c:<dev> um34c:<dev>  USB meter       um25c:/dev/rfcomm0
//   csv:<path>                 meter log (time_s,watts)  csv:power.csv
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "sensors/nvml.h"
#include "sensors/source.h"
#include "sensors/um_meter.h"

namespace eb::sensors {

struct DiscoveryOptions {
  std::filesystem::path sysfs_root = "/";
  // NVML reads the real GPU whatever the root: by default it is probed only
  // when the root is "/", so a fixture tree lists only what it holds.
  std::optional<bool> probe_nvml;
  NvmlOptions nvml;
  UmMeterOptions um_meter;
  // Sources that cannot be found by looking (a meter's serial device, a log
  // file): probed and listed as well.
  std::vector<std::string> extra;
};

// The JSON-ready result of discovery.
struct SensorListing {
  std::string root;
  std::vector<SourceInfo> sources;  // available and unavailable
  std::size_t available_count() const;
};

SensorListing discover(const DiscoveryOptions& options = {});

enum class Family { rapl, hwmon, thermal, ina3221, nvml, um_meter, csv };

struct SourceSpec {
  Family family;
  std::string id;
};

// Checks the syntax of a --power / sensor string without touching devices.
Result<SourceSpec> parse_source_spec(std::string_view text);

// Parses and opens: the source, or why it cannot be used (unknown id with
// what exists instead, or the reason it is unavailable).
Result<std::unique_ptr<Source>> open_source(std::string_view text, const DiscoveryOptions& options = {});

}  // namespace eb::sensors
