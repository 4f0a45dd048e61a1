#include "sensors/run_monitor.h"

#include <algorithm>
#include <cmath>

#include "sensors/listing.h"
#include "sensors/source_choice.h"

namespace eb::sensors {

namespace {

std::vector<Sample> since(std::vector<Sample> samples, std::int64_t t0_ns) {
  std::erase_if(samples, [t0_ns](const Sample& s) { return s.t_ns < t0_ns; });
  return samples;
}

}  // namespace

Result<std::unique_ptr<RunMonitor>> RunMonitor::open(RunMonitorOptions options) {
  std::unique_ptr<RunMonitor> monitor(new RunMonitor(std::move(options)));
  const RunMonitorOptions& o = monitor->options_;
  if (o.idle < std::chrono::nanoseconds::zero()) return invalid_argument("--idle-secs must be >= 0");
  if (o.power_period <= std::chrono::nanoseconds::zero() || o.temperature_period <= std::chrono::nanoseconds::zero()) {
    return invalid_argument("sampling periods must be positive");
  }

  EB_ASSIGN_OR_RETURN(std::unique_ptr<Source> power, choose_power_source(o.power, o.discovery, o.device));
  if (power) {
    monitor->meter_ = std::make_unique<EnergyMeter>(std::move(power), EnergyMeterOptions{o.power_period, o.min_power_samples});
  } else if (!o.power.empty()) {
    monitor->notes_.push_back("no power source on this machine: energy not measured");
  }

  if (o.temperature) {
    EB_ASSIGN_OR_RETURN(auto sources, choose_temperature_sources(*o.temperature, o.discovery));
    if (!sources.empty()) {
      monitor->recorder_ = std::make_unique<TemperatureRecorder>(std::move(sources), o.temperature_period);
    } else {
      monitor->notes_.push_back("no temperature source on this machine: temperature not recorded");
    }
  }
  // The stopping rule asks often (every iteration once the rest is met):
  // answer from fresh samples, but not faster than they can change.
  monitor->check_interval_ = (monitor->meter_ ? o.power_period : o.temperature_period) / 2;
  return monitor;
}

void RunMonitor::drop_energy(const std::string& why) {
  notes_.push_back("energy not measured: " + why);
  if (meter_) meter_->stop();
  meter_.reset();
}

void RunMonitor::start() {
  started_ns_ = now_ns();
  if (recorder_) {
    if (Status st = recorder_->start(); !st.is_ok()) {
      notes_.push_back("temperature not recorded: " + st.message());
      recorder_.reset();
    }
  }
  if (!meter_) return;
  if (Status st = meter_->start(); !st.is_ok()) return drop_energy(st.message());
  if (options_.idle > std::chrono::nanoseconds::zero()) {
    if (auto idle = meter_->measure_idle(options_.idle); !idle.is_ok()) {
      notes_.push_back("no idle baseline (net energy not reported): " + idle.status().message());
    }
  }
}

bench::WindowHooks RunMonitor::hooks() {
  bench::WindowHooks hooks;
  hooks.on_window_start = [this](std::int64_t t) { on_window_start(t); };
  hooks.on_window_end = [this](std::int64_t t) { on_window_end(t); };
  if (meter_ || (recorder_ && options_.stop_when_steady)) {
    hooks.ready_to_stop = [this](std::int64_t t) { return ready_to_stop(t); };
  }
  return hooks;
}

void RunMonitor::on_window_start(std::int64_t t_ns) {
  window_start_ns_ = t_ns;
  if (meter_) {
    if (auto t0 = meter_->begin_window(); !t0.is_ok()) drop_energy(t0.status().message());
  }
}

void RunMonitor::on_window_end(std::int64_t t_ns) {
  window_end_ns_ = t_ns;
  if (meter_) {
    if (auto t1 = meter_->end_window(); !t1.is_ok()) drop_energy(t1.status().message());
  }
}

bool RunMonitor::ready_to_stop(std::int64_t t_ns) {
  if (last_check_ns_ && t_ns - *last_check_ns_ < check_interval_.count()) return false;
  last_check_ns_ = t_ns;
  if (meter_ && !meter_->check().enough) return false;
  if (recorder_ && options_.stop_when_steady) return steady_state().steady;
  return true;
}

SteadyState RunMonitor::steady_state() const {
  SteadyState all;
  if (!recorder_) {
    all.reason = "no temperature recorded";
    return all;
  }
  const SteadyStateOptions steady = options_.stop_when_steady.value_or(SteadyStateOptions{});
  all.steady = true;
  for (std::size_t i = 0; i < recorder_->size(); ++i) {
    // Only the measured phase counts: an idle device before it is steady too.
    SteadyState one = detect_steady_state(since(recorder_->series(i), window_start_ns_.value_or(started_ns_)), steady);
    if (one.slope_c_per_min && (!all.slope_c_per_min || std::abs(*one.slope_c_per_min) > std::abs(*all.slope_c_per_min))) {
      all.slope_c_per_min = one.slope_c_per_min;
    }
    if (!one.steady && all.steady) {
      all.steady = false;
      all.reason = recorder_->info(i).id + ": " + one.reason;
    }
  }
  return all;
}

std::vector<TemperatureTrace> RunMonitor::traces(std::int64_t origin_ns) const {
  const SteadyStateOptions steady = options_.stop_when_steady.value_or(SteadyStateOptions{});
  std::vector<TemperatureTrace> out;
  for (std::size_t i = 0; i < recorder_->size(); ++i) {
    TemperatureTrace trace;
    trace.source = recorder_->info(i).id;
    const std::vector<Sample> samples = recorder_->series(i);
    for (const Sample& s : samples) {
      trace.series.emplace_back(static_cast<double>(s.t_ns - origin_ns) * 1e-9, s.value);
      trace.max_c = std::max(trace.max_c.value_or(s.value), s.value);
    }
    if (!samples.empty()) trace.last_c = samples.back().value;
    trace.steady = detect_steady_state(since(samples, origin_ns), steady);
    out.push_back(std::move(trace));
  }
  return out;
}

void RunMonitor::finish(bench::RunRecord& record) {
  if (recorder_) {
    recorder_->stop();
    const std::vector<TemperatureTrace> all = traces(window_start_ns_.value_or(started_ns_));
    // One sensor: the object itself; several: an array (docs/report.md).
    record.temperature = all.size() == 1 ? nlohmann::json(all.front()) : nlohmann::json(all);
  }
  if (!meter_) return;
  meter_->stop();
  if (record.status != bench::RunStatus::ok) {
    notes_.push_back("energy not reported: the run did not succeed");
    return;
  }
  if (!window_end_ns_) return drop_energy("the measured window never closed");
  auto report = meter_->report(record.runs);
  if (!report.is_ok()) return drop_energy(report.status().message());
  record.energy = bench::Energy{report->source, report->avg_power_w, report->idle_power_w, report->mj_per_inference,
                                report->net_mj_per_inference, window_power_samples()};
}

std::vector<bench::PowerSample> RunMonitor::window_power_samples() const {
  // A counter's samples are joules, not a power curve: nothing to plot.
  if (!meter_ || meter_->info().kind != Kind::power || !window_start_ns_ || !window_end_ns_) return {};
  auto samples = meter_->samples();
  if (!samples.is_ok()) return {};  // the report succeeded from the same samples: not expected
  std::vector<bench::PowerSample> in_window;
  for (const Sample& s : *samples) {
    if (s.t_ns < *window_start_ns_ || s.t_ns > *window_end_ns_) continue;
    in_window.push_back({static_cast<double>(s.t_ns - *window_start_ns_) * 1e-9, s.value});
  }
  return bench::thin_evenly(std::move(in_window));
}

}  // namespace eb::sensors
