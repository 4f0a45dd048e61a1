// Records temperature series (1 Hz by default) for a thermal run and says when
// the device has reached steady state (every source steady).
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "sensors/sampler.h"
#include "sensors/steady_state.h"

namespace eb::sensors {

// One source's series for the run record, times relative to the run's start.
struct TemperatureTrace {
  std::string source;
  std::vector<std::pair<double, double>> series;  // (t_s, °C)
  std::optional<double> max_c;
  std::optional<double> last_c;
  SteadyState steady;
};

class TemperatureRecorder {
 public:
  explicit TemperatureRecorder(std::vector<std::unique_ptr<Source>> sources,
                               std::chrono::nanoseconds period = std::chrono::seconds(1));

  Status start();  // fails on a non-temperature source or an unreadable one
  void stop() { sampler_.stop(); }

  std::size_t size() const { return sampler_.size(); }
  const SourceInfo& info(std::size_t i) const { return sampler_.info(i); }
  std::vector<Sample> series(std::size_t i) const;

  // Steady when every source is; otherwise the first reason found.
  SteadyState steady_state(SteadyStateOptions options = {}) const;

  std::vector<TemperatureTrace> traces(std::int64_t origin_ns, SteadyStateOptions options = {}) const;

 private:
  Sampler sampler_;
};

}  // namespace eb::sensors
