// Energy from sensor series, as pure functions of samples and a window.
//
// Counter series hold unwrapped joules (the sampler removes wrap-arounds as it
// reads), so energy is a difference. Power series are integrated with the
// trapezoid rule, clipped to the window with values interpolated at its ends.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "common/status.h"
#include "sensors/source.h"

namespace eb::sensors {

struct Window {
  std::int64_t t0_ns = 0;  // steady clock, as Sample::t_ns
  std::int64_t t1_ns = 0;
  double seconds() const { return static_cast<double>(t1_ns - t0_ns) * 1e-9; }
};

// Joules between two raw counter readings. A counter that went backwards
// wrapped once: range_j is added (RAPL's max_energy_range_uj). Without a
// range it was reset, and the difference is unknown: nullopt.
std::optional<double> counter_delta_j(double previous_j, double current_j, std::optional<double> range_j);

// Linear interpolation in a time-sorted series; the nearest value is held
// beyond its ends. The series must not be empty.
double value_at(std::span<const Sample> series, std::int64_t t_ns);

// Trapezoid integral of watts over the window, in joules. Fails when the
// series is empty or has no sample inside or on both sides of the window.
Result<double> integrate_power(std::span<const Sample> watts, Window window);

// Difference of a cumulative (unwrapped) joule series across the window.
// Fails unless the counter was read at or before t0 and at or after t1.
Result<double> counter_energy(std::span<const Sample> joules, Window window);

std::size_t samples_in(std::span<const Sample> series, Window window);

// The ">= N power samples in the window" rule. When there are too few, says
// how much longer the measured phase must run to get them.
struct SampleCheck {
  std::size_t samples = 0;
  std::size_t required = 10;
  bool enough = false;
  std::chrono::nanoseconds extend_by{0};
  std::string message;  // empty when enough
};
SampleCheck check_samples(std::span<const Sample> series, Window window, std::chrono::nanoseconds period,
                          std::size_t required = 10);

// The run record's "energy" object. Missing figures are nullopt, never 0.
struct EnergyReport {
  std::string source;
  std::optional<double> energy_j;
  std::optional<double> avg_power_w;
  std::optional<double> idle_power_w;
  std::optional<double> mj_per_inference;      // gross: energy / inferences
  std::optional<double> net_mj_per_inference;  // minus idle power x window time
  double seconds = 0.0;
  std::int64_t inferences = 0;
  std::size_t samples = 0;
};

EnergyReport make_report(std::string source, std::optional<double> energy_j, Window window,
                         std::int64_t inferences, std::optional<double> idle_power_w, std::size_t samples);

}  // namespace eb::sensors
