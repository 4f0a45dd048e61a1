// The harness's view of one energy or power source during a run:
//
//   EnergyMeter meter(std::move(source));
//   EB_RETURN_IF_ERROR(meter.start());
//   EB_ASSIGN_OR_RETURN(double idle_w, meter.measure_idle(10s));   // optional
//   meter.begin_window();
//   ... inferences, lengthened while !meter.check().enough ...
//   meter.end_window();
//   EB_ASSIGN_OR_RETURN(EnergyReport report, meter.report(inferences));
//
// Counters are read exactly at the window's edges; power sources are sampled
// throughout and integrated over the window.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>

#include "common/status.h"
#include "sensors/energy.h"
#include "sensors/sampler.h"
#include "sensors/source.h"

namespace eb::sensors {

struct EnergyMeterOptions {
  std::chrono::nanoseconds period = std::chrono::milliseconds(100);
  std::size_t min_samples = 10;  // power samples required inside the window
};

class EnergyMeter {
 public:
  explicit EnergyMeter(std::unique_ptr<Source> source, EnergyMeterOptions options = {});

  const SourceInfo& info() const { return sampler_.info(0); }

  Status start();  // fails for a temperature source or one that cannot be read
  void stop() { sampler_.stop(); }

  // Samples the idle device for `duration`; the average power becomes the
  // baseline that net energy subtracts.
  Result<double> measure_idle(std::chrono::nanoseconds duration);
  void set_idle_power(double watts) { idle_power_w_ = watts; }
  std::optional<double> idle_power_w() const { return idle_power_w_; }

  // Edges of the measured phase, as steady-clock ns.
  Result<std::int64_t> begin_window();
  Result<std::int64_t> end_window();

  // Whether the window (up to now, while it is open) holds enough samples,
  // and otherwise how much longer to run. Counters always have enough.
  SampleCheck check() const;

  // Everything sampled so far (unwrapped joules for a counter), for export.
  Result<std::vector<Sample>> samples() const { return sampler_.samples(0); }

  // Energy over any window inside what was sampled.
  Result<double> energy_j(Window window) const;

  // The run's energy figures; fails when the window is not closed, the
  // samples are too few, or the counter was reset inside the window.
  Result<EnergyReport> report(std::int64_t inferences) const;

 private:
  Result<std::int64_t> edge();
  bool is_counter() const { return info().kind == Kind::energy_counter; }

  EnergyMeterOptions options_;
  Sampler sampler_;
  std::optional<double> idle_power_w_;
  std::optional<std::int64_t> t0_ns_;
  std::optional<std::int64_t> t1_ns_;
};

}  // namespace eb::sensors
