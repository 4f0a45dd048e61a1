// From what a user typed after --power or --temperature to open sources.
//
// --power takes a source id as `edgebench sensors` lists it, "auto" (the best
// power or energy source this machine has), a serial device (a UM25C meter:
// "/dev/rfcomm0" means "um25c:/dev/rfcomm0") or a meter's CSV log ("p.csv"
// means "csv:p.csv"). --temperature takes "auto" (every temperature source)
// or ids, comma-separated. Anything that names nothing usable is an
// invalid_argument naming the string and listing what this machine has.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "sensors/discovery.h"
#include "sensors/source.h"

namespace eb::sensors {

// A device path or CSV path turned into its id; ids and "auto" unchanged.
std::string normalize_power_spec(std::string_view text);

// What "auto" picks for a run on `device` ("cpu", "cuda"), best first:
//   1. a board input rail (INA3221 VDD_IN, POM_5V_IN: the whole board, what
//      the study measured with an external meter);
//   2. for cuda, the GPU's NVML energy counter, then its power;
//   3. RAPL platform (psys), then package zones (exact counters);
//   4. other energy counters, then other power sources (partial rails,
//      RAPL subzones, NVML for a CPU run).
// nullopt when nothing available measures power or energy.
std::optional<SourceInfo> best_power_source(const SensorListing& listing, std::string_view device);

// The source --power names, opened. nullptr (not an error) for "auto" when
// this machine has none, or for an empty string.
Result<std::unique_ptr<Source>> choose_power_source(std::string_view text, const DiscoveryOptions& options,
                                                    std::string_view device);

// The sources --temperature names, opened; empty for "auto" on a machine
// without any.
Result<std::vector<std::unique_ptr<Source>>> choose_temperature_sources(std::string_view text,
                                                                        const DiscoveryOptions& options);

}  // namespace eb::sensors
