// The sensor flags of run and sweep (--power, --temperature[=SRC],
// --idle-secs, --sysfs-root), forwarded to child runs, and the RunMonitor
// they ask for (src/sensors/run_monitor.h).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "bench/runner.h"
#include "common/status.h"
#include "sensors/run_monitor.h"

namespace CLI {
class App;
}

namespace eb::cli {

void add_sensor_options(CLI::App& cmd, bench::SensorRequest& request);

// The same flags with the request's values, for a child `edgebench run`.
std::vector<std::string> sensor_args(const bench::SensorRequest& request);

sensors::RunMonitorOptions monitor_options(const bench::SensorRequest& request, const std::string& device);

// The monitor the request asks for, or nullptr when it asks for nothing.
// Errors are invalid_argument (bad usage: an unknown or unusable source).
Result<std::unique_ptr<sensors::RunMonitor>> open_run_monitor(const bench::SensorRequest& request,
                                                              const std::string& device);

// Opens and closes what the request names: for a parent that only starts
// children (which measure), so that a bad --power is found before them.
Status check_sensor_request(const bench::SensorRequest& request, const std::string& device);

// Starts the monitor, saying on `progress` how long the idle baseline takes.
void start_monitor(sensors::RunMonitor& monitor, std::ostream& progress);

}  // namespace eb::cli
