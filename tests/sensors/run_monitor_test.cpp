// RunMonitor through the run policy: fixture sensors that advance in real
// time, the policy's measured window, and the record's energy and
// temperature, checked against the analytic truth.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <thread>

#include "bench/clock.h"
#include "bench/record.h"
#include "bench/run_policy.h"
#include "fixture.h"
#include "sensors/run_monitor.h"

namespace eb::sensors {
namespace {

using testing::microunits;
using testing::milliunits;

using namespace std::chrono_literals;
using testing::AdvancingFile;
using testing::TempDir;


const bench::Invoke kSleepyInvoke = [] {
  std::this_thread::sleep_for(200us);
  return Status::ok();
};

bench::RunOptions short_run(double min_secs, double max_secs) {
  bench::RunOptions o;
  o.warmup_runs = 1;
  o.warmup_secs = 0;
  o.runs = 3;
  o.min_secs = min_secs;
  o.max_secs = max_secs;
  o.target_ci_pct = 50;
  return o;
}

RunMonitorOptions options_under(const TempDir& dir) {
  RunMonitorOptions o;
  o.discovery.sysfs_root = dir.path();
  o.idle = 0s;
  o.power_period = 10ms;
  o.temperature_period = 20ms;
  return o;
}

// An INA219 under `dir` reading a steady 2 W, chosen as the power source and
// read every `period`.
RunMonitorOptions steady_two_watt_meter(const TempDir& dir, std::chrono::milliseconds period) {
  dir.write("sys/class/hwmon/hwmon0/name", "ina219");
  dir.write("sys/class/hwmon/hwmon0/power1_input", "2000000");
  RunMonitorOptions o = options_under(dir);
  o.power = "hwmon:ina219:power1";
  o.power_period = period;
  return o;
}

std::unique_ptr<RunMonitor> open_monitor(const RunMonitorOptions& options) {
  auto monitor = RunMonitor::open(options);
  EXPECT_TRUE(monitor.is_ok()) << monitor.status().message();
  return monitor ? std::move(monitor).value() : nullptr;
}

struct Measured {
  bench::RunRecord record;
  bench::RunTimings timings;
};

// One run as edgebench run does it: start, hooks into the policy, finish.
Measured measure(RunMonitor& monitor, const bench::RunOptions& options) {
  Measured m;
  monitor.start();
  bench::SteadyClock clock;
  auto timings = bench::run_measurement(options, clock, kSleepyInvoke, monitor.hooks());
  EXPECT_TRUE(timings.is_ok()) << timings.status().message();
  if (timings) {
    m.timings = *timings;
    bench::apply_timings(m.record, m.timings);
  }
  monitor.finish(m.record);
  return m;
}

double window_secs(const bench::RunTimings& t) { return static_cast<double>(t.window_end_ns - t.window_start_ns) * 1e-9; }
double gross_j(const bench::RunRecord& r) { return *r.energy->mj_per_inference * static_cast<double>(r.runs) * 1e-3; }

std::string first_note(const RunMonitor& monitor) {
  return monitor.notes().empty() ? std::string("no notes") : monitor.notes().front();
}

bool has_note(const RunMonitor& monitor, const std::string& text) {
  for (const auto& note : monitor.notes()) {
    if (note.find(text) != std::string::npos) return true;
  }
  return false;
}

// A fixture file lags the truth while its writer thread is preempted: on a
// loaded machine the attempt is repeated, and after three loaded attempts the
// tolerance widens by what that lag can explain (energy_meter_test.cpp).
template <typename Attempt>
void within_one_percent(Attempt attempt) {
  for (int i = 0; i < 3; ++i) {
    const auto [measured, truth, stall_ms, error_per_stall_ms] = attempt();
    const bool loaded = stall_ms > 2.0;
    if (loaded && i < 2) continue;
    const double tolerance = 0.01 * truth + (loaded ? error_per_stall_ms * stall_ms : 0.0);
    EXPECT_NEAR(measured, truth, tolerance) << "fixture writer stalled up to " << stall_ms << " ms";
    return;
  }
}

TEST(SensorsRunMonitor, PowerFileEnergyWithinOnePercentThroughTheGlue) {
  TempDir dir;
  dir.write("sys/class/hwmon/hwmon3/name", "ina219");
  const auto file = dir.write("sys/class/hwmon/hwmon3/power1_input", "0");
  // P(t) = 3 + 2t W: trapezoids are exact for it, so only timing can err.
  AdvancingFile power(file, [](double t) { return microunits(3.0 + 2.0 * t); });
  within_one_percent([&] {
    RunMonitorOptions o = options_under(dir);
    o.power = "hwmon:ina219:power1";
    o.idle = 200ms;
    auto monitor = open_monitor(o);
    power.reset_max_gap();
    const Measured m = measure(*monitor, short_run(0.6, 5));
    EXPECT_TRUE(monitor->notes().empty()) << first_note(*monitor);
    if (!m.record.energy) {
      ADD_FAILURE() << "no energy: " << first_note(*monitor);
      return std::tuple{0.0, 1.0, 0.0, 0.0};
    }
    const bench::Energy& e = *m.record.energy;
    EXPECT_EQ(e.source, "hwmon:ina219:power1");
    const double a = power.seconds_since_start(m.timings.window_start_ns);
    const double b = power.seconds_since_start(m.timings.window_end_ns);
    const double truth_j = 3.0 * (b - a) + (b * b - a * a);
    EXPECT_NEAR(*e.avg_power_w, truth_j / (b - a), 0.02 * truth_j / (b - a));
    // The idle baseline came before the window, on a lower part of the ramp.
    EXPECT_GT(*e.idle_power_w, 3.0);
    EXPECT_LT(*e.idle_power_w, 3.0 + 2.0 * a);
    // Net of idle over the meter's own window (its edges read the clock just
    // after the policy's, later by whatever the scheduler adds: milliseconds
    // on a loaded 2-vCPU VM), which avg_power_w = gross / window gives back.
    const double net_j = *e.net_mj_per_inference * static_cast<double>(m.record.runs) * 1e-3;
    const double meter_s = gross_j(m.record) / *e.avg_power_w;
    EXPECT_NEAR(net_j, gross_j(m.record) - *e.idle_power_w * meter_s, 1e-9 * truth_j);
    return std::tuple{gross_j(m.record), truth_j, power.max_gap_ms(), 2.0 * 2 * (b - a) * 1e-3};
  });
}

TEST(SensorsRunMonitor, PowerSamplesOfTheWindowAreKeptTimedFromItsStart) {
  TempDir dir;
  dir.write("sys/class/hwmon/hwmon3/name", "ina219");
  const auto file = dir.write("sys/class/hwmon/hwmon3/power1_input", "0");
  // P(t) = 3 + 2t W from the fixture's start, so each sample's watts say when it was read.
  AdvancingFile power(file, [](double t) { return microunits(3.0 + 2.0 * t); });
  RunMonitorOptions o = options_under(dir);
  o.power = "hwmon:ina219:power1";
  o.idle = 100ms;  // samples before the window that must not be kept
  auto monitor = open_monitor(o);
  const Measured m = measure(*monitor, short_run(0.3, 5));
  ASSERT_TRUE(m.record.energy.has_value()) << first_note(*monitor);
  const std::vector<bench::PowerSample>& samples = m.record.energy->samples;
  // The ten-sample rule held, over about 0.3 s at 10 ms.
  ASSERT_GE(samples.size(), 10u);
  const double window = window_secs(m.timings);
  const double start = power.seconds_since_start(m.timings.window_start_ns);
  for (std::size_t i = 0; i < samples.size(); ++i) {
    EXPECT_GE(samples[i].t_s, 0.0) << i;
    EXPECT_LE(samples[i].t_s, window) << i;
    if (i > 0) {
      EXPECT_GT(samples[i].t_s, samples[i - 1].t_s) << i;
      EXPECT_GE(samples[i].watts, samples[i - 1].watts) << i;  // in order, as the ramp
    }
    // The file lags the ramp (by more when the writer stalls) but is never
    // ahead of it: a value is no later than its read, timed at the read's
    // middle (10 ms of slack for a read preempted halfway).
    EXPECT_LE(samples[i].watts, 3.0 + 2.0 * (start + samples[i].t_s + 0.01)) << i;
  }
  EXPECT_GT(samples.back().t_s, 0.5 * window);
  const auto json = bench::to_json(m.record)["energy"]["samples"];
  ASSERT_EQ(json.size(), samples.size());
  EXPECT_DOUBLE_EQ(json[0][1].get<double>(), samples[0].watts);
}

TEST(SensorsRunMonitor, CounterIsReadAtTheWindowEdges) {
  TempDir dir;
  dir.write("sys/class/powercap/intel-rapl:0/name", "package-0");
  dir.write("sys/class/powercap/intel-rapl:0/max_energy_range_uj", "262143328850");
  constexpr double kWatts = 4.2;
  AdvancingFile counter(dir.path() / "sys/class/powercap/intel-rapl:0/energy_uj",
                        [](double t) { return microunits(1000.0 + kWatts * t); });
  within_one_percent([&] {
    RunMonitorOptions o = options_under(dir);
    o.power = "auto";
    auto monitor = open_monitor(o);
    EXPECT_EQ(monitor->power_source()->id, "rapl:package-0");
    counter.reset_max_gap();
    const Measured m = measure(*monitor, short_run(0.5, 5));
    if (!m.record.energy) {
      ADD_FAILURE() << "no energy: " << first_note(*monitor);
      return std::tuple{0.0, 1.0, 0.0, 0.0};
    }
    EXPECT_FALSE(m.record.energy->idle_power_w.has_value());  // --idle-secs 0
    EXPECT_FALSE(m.record.energy->net_mj_per_inference.has_value());
    EXPECT_TRUE(m.record.energy->samples.empty());  // joules are no power curve
    EXPECT_FALSE(bench::to_json(m.record)["energy"].contains("samples"));
    return std::tuple{gross_j(m.record), kWatts * window_secs(m.timings), counter.max_gap_ms(), 4 * kWatts * 1e-3};
  });
}

TEST(SensorsRunMonitor, TenSampleRuleLengthensAShortRun) {
  TempDir dir;
  const RunMonitorOptions o = steady_two_watt_meter(dir, 40ms);

  // Without a meter the run is over in a few ms ...
  bench::SteadyClock clock;
  auto alone = bench::run_measurement(short_run(0, 10), clock, kSleepyInvoke);
  ASSERT_TRUE(alone.is_ok());
  EXPECT_LT(window_secs(*alone), 0.2);

  // ... with it, until the window holds 10 readings 40 ms apart.
  auto monitor = open_monitor(o);
  const Measured m = measure(*monitor, short_run(0, 10));
  EXPECT_EQ(m.timings.stop_reason, bench::StopReason::target_met);
  EXPECT_GE(window_secs(m.timings), 9 * 0.040);
  ASSERT_TRUE(m.record.energy.has_value()) << first_note(*monitor);
  EXPECT_NEAR(*m.record.energy->avg_power_w, 2.0, 0.02);
}

TEST(SensorsRunMonitor, TooFewSamplesLeaveEnergyNullAndSayHowMuchLonger) {
  TempDir dir;
  const RunMonitorOptions o = steady_two_watt_meter(dir, 100ms);
  auto monitor = open_monitor(o);
  const Measured m = measure(*monitor, short_run(0, 0.15));  // max_secs stops it first
  EXPECT_EQ(m.timings.stop_reason, bench::StopReason::max_secs);
  EXPECT_FALSE(m.record.energy.has_value());
  EXPECT_TRUE(has_note(*monitor, "longer")) << first_note(*monitor);
  EXPECT_TRUE(bench::to_json(m.record)["energy"].is_null());
}

TEST(SensorsRunMonitor, NoSensorsMeansNullNotZeroAndAPlainNote) {
  TempDir dir;
  RunMonitorOptions o = options_under(dir);
  o.power = "auto";
  o.temperature = "auto";
  auto monitor = open_monitor(o);
  EXPECT_FALSE(monitor->measures_energy());
  EXPECT_FALSE(monitor->records_temperature());
  EXPECT_TRUE(has_note(*monitor, "no power source on this machine: energy not measured"));
  EXPECT_TRUE(has_note(*monitor, "no temperature source on this machine"));
  const Measured m = measure(*monitor, short_run(0, 0.2));
  EXPECT_EQ(m.record.status, bench::RunStatus::ok);
  const auto json = bench::to_json(m.record);
  EXPECT_TRUE(json["energy"].is_null()) << json["energy"];
  EXPECT_TRUE(json["temperature"].is_null()) << json["temperature"];
}

TEST(SensorsRunMonitor, TemperatureSeriesIsTimedFromTheWindowStart) {
  TempDir dir;
  dir.write("sys/class/thermal/thermal_zone0/type", "cpu-thermal");
  // 40 °C rising 10 °C/s.
  AdvancingFile temp(dir.path() / "sys/class/thermal/thermal_zone0/temp", [](double t) { return milliunits(40.0 + 10.0 * t); });
  RunMonitorOptions o = options_under(dir);
  o.temperature = "auto";
  auto monitor = open_monitor(o);
  monitor->start();
  std::this_thread::sleep_for(100ms);  // samples before the window: negative times
  bench::SteadyClock clock;
  auto timings = bench::run_measurement(short_run(0.3, 5), clock, kSleepyInvoke, monitor->hooks());
  ASSERT_TRUE(timings.is_ok());
  bench::RunRecord record;
  bench::apply_timings(record, *timings);
  monitor->finish(record);

  const auto& t = record.temperature;
  ASSERT_TRUE(t.is_object()) << t;
  EXPECT_EQ(t["source"], "thermal:cpu-thermal");
  EXPECT_FALSE(t["steady"].get<bool>());
  const auto& series = t["series"];
  ASSERT_GE(series.size(), 10u) << t;
  EXPECT_LT(series.front()[0].get<double>(), -0.05);
  EXPECT_NEAR(series.back()[0].get<double>(), window_secs(*timings), 0.1);
  for (std::size_t i = 1; i < series.size(); ++i) {
    EXPECT_GT(series[i][0].get<double>(), series[i - 1][0].get<double>());
    EXPECT_GE(series[i][1].get<double>(), series[i - 1][1].get<double>());
  }
  EXPECT_DOUBLE_EQ(t["max_c"].get<double>(), series.back()[1].get<double>());
}

TEST(SensorsRunMonitor, ThermalRunStopsOnceTheWindowIsSteady) {
  TempDir dir;
  dir.write("sys/class/thermal/thermal_zone0/type", "cpu-thermal");
  dir.write("sys/class/thermal/thermal_zone0/temp", "52000");
  RunMonitorOptions o = options_under(dir);
  o.temperature = "thermal:cpu-thermal";
  o.stop_when_steady = SteadyStateOptions{300ms, 0.5};
  auto monitor = open_monitor(o);
  // Steady before the window (idle) does not count: the window must span 300 ms.
  monitor->start();
  std::this_thread::sleep_for(400ms);
  bench::SteadyClock clock;
  auto timings = bench::run_measurement(short_run(0, 5), clock, kSleepyInvoke, monitor->hooks());
  ASSERT_TRUE(timings.is_ok());
  EXPECT_EQ(timings->stop_reason, bench::StopReason::target_met);
  EXPECT_GE(window_secs(*timings), 0.3);
  EXPECT_LT(window_secs(*timings), 3.0);
  EXPECT_TRUE(monitor->steady_state().steady) << monitor->steady_state().reason;
}

TEST(SensorsRunMonitor, ThermalRunOnARisingTemperatureRunsToTheCap) {
  TempDir dir;
  dir.write("sys/class/thermal/thermal_zone0/type", "cpu-thermal");
  AdvancingFile temp(dir.path() / "sys/class/thermal/thermal_zone0/temp", [](double t) { return milliunits(40.0 + 5.0 * t); });
  RunMonitorOptions o = options_under(dir);
  o.temperature = "auto";
  o.stop_when_steady = SteadyStateOptions{200ms, 0.5};
  // The slope is fitted over the last 200 ms; a stalled fixture writer (a
  // loaded machine: once in 40 runs beside two busy loops) leaves a flat
  // stretch in it and flattens the fit (254 instead of 300 °C/min). So a
  // loaded attempt is repeated, and the last one's tolerance widens by the
  // share of the window the stall could flatten.
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto monitor = open_monitor(o);
    temp.reset_max_gap();
    const Measured m = measure(*monitor, short_run(0, 0.6));
    const double stall_ms = temp.max_gap_ms();
    const bool loaded = stall_ms > 5.0;
    if (loaded && attempt < 2) continue;
    // A stall as long as the window leaves the file flat across all of it:
    // nothing about a rise can be checked then.
    if (stall_ms >= 200.0) GTEST_SKIP() << "fixture writer stalled " << stall_ms << " ms (the whole 200 ms window) in 3 attempts";
    EXPECT_EQ(m.timings.stop_reason, bench::StopReason::max_secs);
    const SteadyState steady = monitor->steady_state();
    EXPECT_FALSE(steady.steady);
    EXPECT_NE(steady.reason.find("still changing"), std::string::npos) << steady.reason;
    ASSERT_TRUE(steady.slope_c_per_min.has_value());
    const double tolerance = 30.0 + (loaded ? 300.0 * std::min(1.0, 2.0 * stall_ms / 200.0) : 0.0);
    EXPECT_NEAR(*steady.slope_c_per_min, 300.0, tolerance) << "fixture writer stalled up to " << stall_ms << " ms";  // 5 °C/s
    return;
  }
}

TEST(SensorsRunMonitor, BadNamesAreBadUsage) {
  TempDir dir;
  RunMonitorOptions o = options_under(dir);
  o.power = "nosuch";
  auto power = RunMonitor::open(o);
  ASSERT_FALSE(power.is_ok());
  EXPECT_EQ(power.status().code(), ErrorCode::invalid_argument);
  o.power = "";
  o.temperature = "thermal:nosuch";
  auto temperature = RunMonitor::open(o);
  ASSERT_FALSE(temperature.is_ok());
  EXPECT_EQ(temperature.status().code(), ErrorCode::invalid_argument);
}

}  // namespace
}  // namespace eb::sensors
