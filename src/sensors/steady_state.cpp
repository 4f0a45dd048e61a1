#include "sensors/steady_state.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace eb::sensors {

std::optional<double> slope_per_minute(std::span<const Sample> samples) {
  if (samples.size() < 2) return std::nullopt;
  // Centre times on the first sample: steady-clock ns squared would lose
  // all precision in a double.
  const std::int64_t origin = samples.front().t_ns;
  double n = 0, mean_t = 0, mean_v = 0;
  for (const Sample& s : samples) {
    n += 1;
    mean_t += (static_cast<double>(s.t_ns - origin) * 1e-9 / 60.0 - mean_t) / n;
    mean_v += (s.value - mean_v) / n;
  }
  double sxy = 0, sxx = 0;
  for (const Sample& s : samples) {
    double dt = static_cast<double>(s.t_ns - origin) * 1e-9 / 60.0 - mean_t;
    sxy += dt * (s.value - mean_v);
    sxx += dt * dt;
  }
  if (sxx <= 0) return std::nullopt;
  return sxy / sxx;
}

SteadyState detect_steady_state(std::span<const Sample> temperatures, SteadyStateOptions options) {
  SteadyState state;
  if (temperatures.empty()) {
    state.reason = "no temperature samples";
    return state;
  }
  const std::int64_t window_ns = options.window.count();
  const std::int64_t last = temperatures.back().t_ns;
  if (last - temperatures.front().t_ns < window_ns) {
    char buffer[96];
    std::snprintf(buffer, sizeof buffer, "series spans %.1f s of the %.0f s needed",
                  static_cast<double>(last - temperatures.front().t_ns) * 1e-9,
                  static_cast<double>(window_ns) * 1e-9);
    state.reason = buffer;
    return state;
  }
  auto from = std::lower_bound(temperatures.begin(), temperatures.end(), last - window_ns,
                               [](const Sample& s, std::int64_t t) { return s.t_ns < t; });
  state.slope_c_per_min = slope_per_minute(std::span<const Sample>(from, temperatures.end()));
  if (!state.slope_c_per_min) {
    state.reason = "too few samples in the window";
    return state;
  }
  state.steady = std::abs(*state.slope_c_per_min) < options.max_slope_c_per_min;
  if (!state.steady) {
    char buffer[96];
    std::snprintf(buffer, sizeof buffer, "temperature still changing at %.2f C/min (limit %.2f)",
                  *state.slope_c_per_min, options.max_slope_c_per_min);
    state.reason = buffer;
  }
  return state;
}

}  // namespace eb::sensors
