#include "cli/sensor_options.h"

#include <CLI/CLI.hpp>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <ostream>

namespace eb::cli {

namespace {

std::string shortest(double v) {
  char buf[32];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc() ? std::string(buf, end) : std::to_string(v);
}

}  // namespace

void add_sensor_options(CLI::App& cmd, bench::SensorRequest& request) {
  cmd.add_option("--power", request.power,
                 "measure energy with this source: an id from 'edgebench sensors', auto (the best here), a UM25C "
                 "serial device (/dev/rfcomm0) or a meter's CSV log (time_s,watts)");
  cmd.add_flag("--temperature{auto}", request.temperature,
               "record temperature at 1 Hz: every sensor, or --temperature=ID[,ID...]");
  cmd.add_option("--idle-secs", request.idle_secs, "idle power baseline before the run, for net energy (0: none)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd.add_option("--sysfs-root", request.sysfs_root, "read sensors under this directory instead of /")
      ->capture_default_str();
}

std::vector<std::string> sensor_args(const bench::SensorRequest& request) {
  std::vector<std::string> args;
  if (!request.power.empty()) args.insert(args.end(), {"--power", request.power});
  if (request.temperature) args.push_back("--temperature=" + *request.temperature);
  if (!request.power.empty()) args.insert(args.end(), {"--idle-secs", shortest(request.idle_secs)});
  // A child may run elsewhere: the root as an absolute path.
  if (request.sysfs_root != "/") {
    args.insert(args.end(), {"--sysfs-root", std::filesystem::absolute(request.sysfs_root).string()});
  }
  return args;
}

sensors::RunMonitorOptions monitor_options(const bench::SensorRequest& request, const std::string& device) {
  sensors::RunMonitorOptions o;
  o.power = request.power;
  o.temperature = request.temperature;
  o.idle = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::duration<double>(request.idle_secs));
  o.discovery.sysfs_root = request.sysfs_root;
  o.device = device;
  return o;
}

Result<std::unique_ptr<sensors::RunMonitor>> open_run_monitor(const bench::SensorRequest& request,
                                                              const std::string& device) {
  if (request.power.empty() && !request.temperature) return std::unique_ptr<sensors::RunMonitor>();
  std::error_code ec;
  if (!std::filesystem::is_directory(request.sysfs_root, ec)) {
    return invalid_argument("--sysfs-root '" + request.sysfs_root + "' is not a directory");
  }
  if (!(request.idle_secs >= 0 && std::isfinite(request.idle_secs))) {
    return invalid_argument("--idle-secs must be >= 0, got " + shortest(request.idle_secs));
  }
  return sensors::RunMonitor::open(monitor_options(request, device));
}

Status check_sensor_request(const bench::SensorRequest& request, const std::string& device) {
  auto monitor = open_run_monitor(request, device);
  return monitor.is_ok() ? Status::ok() : monitor.status();
}

void start_monitor(sensors::RunMonitor& monitor, std::ostream& progress) {
  const auto idle = monitor.idle_duration();
  if (idle > std::chrono::nanoseconds::zero()) {
    progress << "edgebench: measuring idle power on " << monitor.power_source()->id << " for "
             << shortest(std::chrono::duration<double>(idle).count()) << " s (--idle-secs 0 skips it)\n";
  }
  monitor.start();
}

}  // namespace eb::cli
