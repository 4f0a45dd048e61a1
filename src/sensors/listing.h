// Human-readable and JSON forms of sensor listings and of the run record's
// "energy" and "temperature" objects.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sensors/discovery.h"
#include "sensors/energy.h"
#include "sensors/temperature_recorder.h"

namespace eb::sensors {

// A table of usable sensors, then the unusable ones with their reasons. With
// none usable it says so plainly: "no power or temperature sensors found under /".
std::string format_listing(const SensorListing& listing);

// nlohmann's ADL hooks; missing figures become null, never 0.
void to_json(nlohmann::json& j, const SourceInfo& info);
void to_json(nlohmann::json& j, const SensorListing& listing);
void to_json(nlohmann::json& j, const EnergyReport& report);
void to_json(nlohmann::json& j, const TemperatureTrace& trace);

}  // namespace eb::sensors
