#include "sensors/energy.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace eb::sensors {

namespace {

bool earlier(const Sample& s, std::int64_t t) { return s.t_ns < t; }

}  // namespace

std::optional<double> counter_delta_j(double previous_j, double current_j, std::optional<double> range_j) {
  if (current_j >= previous_j) return current_j - previous_j;
  if (!range_j) return std::nullopt;
  return current_j + *range_j - previous_j;
}

double value_at(std::span<const Sample> series, std::int64_t t_ns) {
  auto after = std::lower_bound(series.begin(), series.end(), t_ns, earlier);
  if (after == series.begin()) return series.front().value;
  if (after == series.end()) return series.back().value;
  if (after->t_ns == t_ns) return after->value;
  const Sample& a = *(after - 1);
  const Sample& b = *after;
  double f = static_cast<double>(t_ns - a.t_ns) / static_cast<double>(b.t_ns - a.t_ns);
  return a.value + f * (b.value - a.value);
}

std::size_t samples_in(std::span<const Sample> series, Window window) {
  auto first = std::lower_bound(series.begin(), series.end(), window.t0_ns, earlier);
  auto last = std::upper_bound(series.begin(), series.end(), window.t1_ns,
                               [](std::int64_t t, const Sample& s) { return t < s.t_ns; });
  return static_cast<std::size_t>(std::max<std::ptrdiff_t>(0, last - first));
}

Result<double> integrate_power(std::span<const Sample> watts, Window window) {
  if (window.t1_ns < window.t0_ns) return invalid_argument("window ends before it starts");
  if (watts.empty()) return io_error("no power samples");
  const bool inside = samples_in(watts, window) > 0;
  const bool straddles = watts.front().t_ns <= window.t0_ns && watts.back().t_ns >= window.t1_ns;
  if (!inside && !straddles) return io_error("no power samples in or around the window");

  double joules = 0.0;
  std::int64_t t_prev = window.t0_ns;
  double w_prev = value_at(watts, window.t0_ns);
  auto it = std::upper_bound(watts.begin(), watts.end(), window.t0_ns,
                             [](std::int64_t t, const Sample& s) { return t < s.t_ns; });
  for (; it != watts.end() && it->t_ns < window.t1_ns; ++it) {
    joules += 0.5 * (w_prev + it->value) * static_cast<double>(it->t_ns - t_prev) * 1e-9;
    t_prev = it->t_ns;
    w_prev = it->value;
  }
  joules += 0.5 * (w_prev + value_at(watts, window.t1_ns)) * static_cast<double>(window.t1_ns - t_prev) * 1e-9;
  return joules;
}

Result<double> counter_energy(std::span<const Sample> joules, Window window) {
  if (window.t1_ns < window.t0_ns) return invalid_argument("window ends before it starts");
  if (joules.empty() || joules.front().t_ns > window.t0_ns || joules.back().t_ns < window.t1_ns) {
    return io_error("energy counter was not read at both ends of the window");
  }
  return value_at(joules, window.t1_ns) - value_at(joules, window.t0_ns);
}

SampleCheck check_samples(std::span<const Sample> series, Window window, std::chrono::nanoseconds period,
                          std::size_t required) {
  SampleCheck check;
  check.required = required;
  check.samples = samples_in(series, window);
  check.enough = check.samples >= required;
  if (!check.enough) {
    check.extend_by = period * static_cast<std::int64_t>(required - check.samples);
    char buffer[160];
    std::snprintf(buffer, sizeof buffer,
                  "%zu power samples in the window, %zu needed: run about %.2f s longer", check.samples,
                  required, std::chrono::duration<double>(check.extend_by).count());
    check.message = buffer;
  }
  return check;
}

EnergyReport make_report(std::string source, std::optional<double> energy_j, Window window,
                         std::int64_t inferences, std::optional<double> idle_power_w, std::size_t samples) {
  EnergyReport r;
  r.source = std::move(source);
  r.energy_j = energy_j;
  r.idle_power_w = idle_power_w;
  r.seconds = window.seconds();
  r.inferences = inferences;
  r.samples = samples;
  if (!energy_j) return r;
  if (r.seconds > 0) r.avg_power_w = *energy_j / r.seconds;
  if (inferences > 0) {
    r.mj_per_inference = *energy_j * 1e3 / static_cast<double>(inferences);
    if (idle_power_w) {
      r.net_mj_per_inference = (*energy_j - *idle_power_w * r.seconds) * 1e3 / static_cast<double>(inferences);
    }
  }
  return r;
}

}  // namespace eb::sensors
