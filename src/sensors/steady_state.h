// Thermal steady state: the least-squares slope of temperature over the last
// 60 s is below 0.5 °C/min (METHOD.md, "Temperature").
#pragma once

#include <chrono>
#include <optional>
#include <span>
#include <string>

#include "sensors/source.h"

namespace eb::sensors {

struct SteadyStateOptions {
  std::chrono::nanoseconds window = std::chrono::seconds(60);
  double max_slope_c_per_min = 0.5;  // absolute: still cooling is not steady either
};

struct SteadyState {
  bool steady = false;
  std::optional<double> slope_c_per_min;  // nullopt until the series spans the window
  std::string reason;                     // why not steady; empty when steady
};

// Least-squares slope (value units per minute) of the samples; nullopt for
// fewer than two distinct times.
std::optional<double> slope_per_minute(std::span<const Sample> samples);

SteadyState detect_steady_state(std::span<const Sample> temperatures, SteadyStateOptions options = {});

}  // namespace eb::sensors
