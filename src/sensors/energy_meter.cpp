#include "sensors/energy_meter.h"

#include <thread>

namespace eb::sensors {

namespace {

std::vector<std::unique_ptr<Source>> one(std::unique_ptr<Source> source) {
  std::vector<std::unique_ptr<Source>> v;
  v.push_back(std::move(source));
  return v;
}

}  // namespace

EnergyMeter::EnergyMeter(std::unique_ptr<Source> source, EnergyMeterOptions options)
    : options_(options), sampler_(one(std::move(source)), SamplerOptions{options.period}) {}

Status EnergyMeter::start() {
  if (info().kind == Kind::temperature) {
    return invalid_argument(info().id + " measures temperature, not power or energy");
  }
  return sampler_.start();
}

Result<std::int64_t> EnergyMeter::edge() {
  if (is_counter()) {
    auto sample = sampler_.read_now(0);
    if (!sample) return sample.status().with_context(info().id);
    return sample->t_ns;
  }
  return now_ns();
}

Result<std::int64_t> EnergyMeter::begin_window() {
  EB_ASSIGN_OR_RETURN(std::int64_t t0, edge());
  t0_ns_ = t0;
  t1_ns_.reset();
  return t0;
}

Result<std::int64_t> EnergyMeter::end_window() {
  if (!t0_ns_) return invalid_argument("end_window() without begin_window()");
  EB_ASSIGN_OR_RETURN(std::int64_t t1, edge());
  t1_ns_ = t1;
  // Power: wait for the sample after the edge so the integral reaches it
  // instead of holding the last value.
  if (!is_counter() && sampler_.running()) {
    sampler_.wait_for_samples_after(t1, 2 * sampler_.period(0) + std::chrono::seconds(1));
  }
  return t1;
}

SampleCheck EnergyMeter::check() const {
  SampleCheck check;
  check.required = options_.min_samples;
  if (is_counter()) {
    check.enough = true;
    return check;
  }
  if (!t0_ns_) {
    check.extend_by = sampler_.period(0) * static_cast<std::int64_t>(options_.min_samples);
    check.message = "the measured window has not begun";
    return check;
  }
  auto samples = sampler_.samples(0);
  if (!samples) {
    check.message = samples.status().message();
    return check;
  }
  return check_samples(*samples, Window{*t0_ns_, t1_ns_.value_or(now_ns())}, sampler_.period(0),
                       options_.min_samples);
}

Result<double> EnergyMeter::energy_j(Window window) const {
  EB_ASSIGN_OR_RETURN(std::vector<Sample> samples, sampler_.samples(0));
  if (is_counter()) {
    for (const SampleError& e : sampler_.errors(0)) {
      if (e.t_ns >= window.t0_ns && e.t_ns <= window.t1_ns && e.counter_reset) {
        return io_error(info().id + ": " + e.message + " inside the window");
      }
    }
  }
  auto joules = is_counter() ? counter_energy(samples, window) : integrate_power(samples, window);
  if (!joules) return joules.status().with_context(info().id);
  return joules;
}

Result<double> EnergyMeter::measure_idle(std::chrono::nanoseconds duration) {
  EB_ASSIGN_OR_RETURN(std::int64_t t0, edge());
  std::this_thread::sleep_for(duration);
  EB_ASSIGN_OR_RETURN(std::int64_t t1, edge());
  if (!is_counter() && sampler_.running()) {
    sampler_.wait_for_samples_after(t1, 2 * sampler_.period(0) + std::chrono::seconds(1));
  }
  Window window{t0, t1};
  EB_ASSIGN_OR_RETURN(double joules, energy_j(window));
  if (window.seconds() <= 0) return invalid_argument("idle duration must be positive");
  idle_power_w_ = joules / window.seconds();
  return *idle_power_w_;
}

Result<EnergyReport> EnergyMeter::report(std::int64_t inferences) const {
  if (!t0_ns_ || !t1_ns_) return invalid_argument("report() needs begin_window() and end_window() first");
  const Window window{*t0_ns_, *t1_ns_};
  SampleCheck enough = check();
  if (!enough.enough) return io_error(info().id + ": " + enough.message);
  EB_ASSIGN_OR_RETURN(double joules, energy_j(window));
  EB_ASSIGN_OR_RETURN(std::vector<Sample> samples, sampler_.samples(0));
  return make_report(info().id, joules, window, inferences, idle_power_w_, samples_in(samples, window));
}

}  // namespace eb::sensors
