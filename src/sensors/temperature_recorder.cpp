#include "sensors/temperature_recorder.h"

#include <algorithm>
#include <cmath>

namespace eb::sensors {

TemperatureRecorder::TemperatureRecorder(std::vector<std::unique_ptr<Source>> sources,
                                         std::chrono::nanoseconds period)
    : sampler_(std::move(sources), SamplerOptions{period}) {}

Status TemperatureRecorder::start() {
  if (sampler_.size() == 0) return invalid_argument("no temperature sources to record");
  for (std::size_t i = 0; i < sampler_.size(); ++i) {
    if (info(i).kind != Kind::temperature) {
      return invalid_argument(info(i).id + " is a " + to_string(info(i).kind) + " source, not a temperature");
    }
  }
  return sampler_.start();
}

std::vector<Sample> TemperatureRecorder::series(std::size_t i) const {
  auto samples = sampler_.samples(i);
  return samples ? std::move(samples).value() : std::vector<Sample>{};
}

SteadyState TemperatureRecorder::steady_state(SteadyStateOptions options) const {
  SteadyState all;
  all.steady = sampler_.size() > 0;
  for (std::size_t i = 0; i < sampler_.size(); ++i) {
    SteadyState one = detect_steady_state(series(i), options);
    // Report the fastest-changing source's slope: it decides.
    if (one.slope_c_per_min &&
        (!all.slope_c_per_min || std::abs(*one.slope_c_per_min) > std::abs(*all.slope_c_per_min))) {
      all.slope_c_per_min = one.slope_c_per_min;
    }
    if (!one.steady && all.steady) {
      all.steady = false;
      all.reason = info(i).id + ": " + one.reason;
    }
  }
  if (sampler_.size() == 0) all.reason = "no temperature sources";
  return all;
}

std::vector<TemperatureTrace> TemperatureRecorder::traces(std::int64_t origin_ns,
                                                          SteadyStateOptions options) const {
  std::vector<TemperatureTrace> out;
  for (std::size_t i = 0; i < sampler_.size(); ++i) {
    TemperatureTrace trace;
    trace.source = info(i).id;
    auto samples = series(i);
    for (const Sample& s : samples) {
      trace.series.emplace_back(static_cast<double>(s.t_ns - origin_ns) * 1e-9, s.value);
      trace.max_c = std::max(trace.max_c.value_or(s.value), s.value);
    }
    if (!samples.empty()) trace.last_c = samples.back().value;
    trace.steady = detect_steady_state(samples, options);
    out.push_back(std::move(trace));
  }
  return out;
}

}  // namespace eb::sensors
