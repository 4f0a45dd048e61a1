// The sensors during one measured run (METHOD.md, "Power and energy" and
// "Temperature"):
//
//   EB_ASSIGN_OR_RETURN(auto monitor, RunMonitor::open(options));  // bad names: invalid_argument
//   monitor->start();                   // samplers on; the idle baseline (blocks options.idle)
//   spec.window_hooks = monitor->hooks();
//   auto outcome = bench::run_one(spec, clock);
//   monitor->finish(outcome.record);    // record.energy, record.temperature
//
// The samplers use the steady clock the run policy times with, so the
// measured window's edges are the policy's own. A counter is read exactly at
// the window's edges; a power source is integrated over it, and the run is
// lengthened (WindowHooks::ready_to_stop) until the window holds enough
// samples. A sensor that fails while measuring never fails the run: its
// figures stay null and notes() says why.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bench/record.h"
#include "bench/run_policy.h"
#include "common/status.h"
#include "sensors/discovery.h"
#include "sensors/energy_meter.h"
#include "sensors/steady_state.h"
#include "sensors/temperature_recorder.h"

namespace eb::sensors {

struct RunMonitorOptions {
  std::string power;                      // empty: none; as source_choice.h reads it
  std::optional<std::string> temperature;  // nullopt: none; "auto" or ids
  std::chrono::nanoseconds idle = std::chrono::seconds(10);  // 0: no baseline, net energy null
  DiscoveryOptions discovery;
  std::string device = "cpu";  // what "auto" prefers
  std::chrono::nanoseconds power_period = std::chrono::milliseconds(100);
  std::chrono::nanoseconds temperature_period = std::chrono::seconds(1);
  std::size_t min_power_samples = 10;
  // Thermal runs: the run stops only once every temperature is steady over
  // this window inside the measured phase (or at the policy's max_secs).
  std::optional<SteadyStateOptions> stop_when_steady;
};

class RunMonitor {
 public:
  static Result<std::unique_ptr<RunMonitor>> open(RunMonitorOptions options);

  bool measures_energy() const { return meter_ != nullptr; }
  bool records_temperature() const { return recorder_ != nullptr; }
  const SourceInfo* power_source() const { return meter_ ? &meter_->info() : nullptr; }
  std::chrono::nanoseconds idle_duration() const { return measures_energy() ? options_.idle : std::chrono::nanoseconds{0}; }

  // Starts sampling and takes the idle baseline.
  void start();

  // For RunSpec::window_hooks; they refer to *this, which must outlive the run.
  bench::WindowHooks hooks();

  // Stops sampling. An ok run gets its energy (with a power source's readings
  // in the window, for plots); the temperature series (t in s from the
  // window's start, earlier samples negative) is recorded whatever the status.
  void finish(bench::RunRecord& record);

  // Steady state of the temperatures measured inside the window so far.
  SteadyState steady_state() const;

  // Why something was not measured, for people.
  const std::vector<std::string>& notes() const { return notes_; }

 private:
  explicit RunMonitor(RunMonitorOptions options) : options_(std::move(options)) {}

  void on_window_start(std::int64_t t_ns);
  void on_window_end(std::int64_t t_ns);
  bool ready_to_stop(std::int64_t t_ns);
  void drop_energy(const std::string& why);
  std::vector<TemperatureTrace> traces(std::int64_t origin_ns) const;
  // The power readings inside the measured window, timed from its start, at
  // most bench::kMaxPowerSamples of them; none for an energy counter.
  std::vector<bench::PowerSample> window_power_samples() const;

  RunMonitorOptions options_;
  std::unique_ptr<EnergyMeter> meter_;
  std::unique_ptr<TemperatureRecorder> recorder_;
  std::int64_t started_ns_ = 0;
  std::optional<std::int64_t> window_start_ns_;
  std::optional<std::int64_t> window_end_ns_;
  std::chrono::nanoseconds check_interval_{0};
  std::optional<std::int64_t> last_check_ns_;
  std::vector<std::string> notes_;
};

}  // namespace eb::sensors
