// edgebench sensors: the power, energy and temperature sources this machine
// has (or a fixture tree under --sysfs-root has), usable or not and why.
#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/cli_common.h"
#include "cli/commands.h"
#include "sensors/discovery.h"
#include "sensors/listing.h"
#include "sensors/source_choice.h"

namespace eb::cli {
namespace {

struct SensorsArgs {
  std::string sysfs_root = "/";
  std::string format = "table";
  std::vector<std::string> probe;  // meters that cannot be found by looking
};

int run_sensors(const SensorsArgs& a) {
  std::error_code ec;
  if (!std::filesystem::is_directory(a.sysfs_root, ec)) {
    return report_error(invalid_argument("--sysfs-root '" + a.sysfs_root + "' is not a directory"));
  }
  sensors::DiscoveryOptions options;
  options.sysfs_root = a.sysfs_root;
  for (const std::string& p : a.probe) options.extra.push_back(sensors::normalize_power_spec(p));
  const sensors::SensorListing listing = sensors::discover(options);
  if (a.format == "json") {
    nlohmann::json j = listing;
    const auto best = sensors::best_power_source(listing, "cpu");
    j["auto_power"] = best ? nlohmann::json(best->id) : nlohmann::json(nullptr);
    std::cout << j.dump(2) << "\n";
    return kExitOk;
  }
  std::cout << sensors::format_listing(listing);
  if (const auto best = sensors::best_power_source(listing, "cpu")) {
    std::cout << "--power auto uses " << best->id << " (for --device cpu)\n";
  }
  return kExitOk;
}

}  // namespace

void add_sensors_command(CLI::App& app, CommandSet& set) {
  auto a = std::make_shared<SensorsArgs>();
  auto* cmd = app.add_subcommand("sensors", "List power, energy and temperature sensors: usable or not, and why");
  cmd->add_option("--sysfs-root", a->sysfs_root, "look under this directory instead of /")->capture_default_str();
  cmd->add_option("--format", a->format, "table or json")->check(CLI::IsMember({"table", "json"}));
  cmd->add_option("--probe", a->probe,
                  "also try a USB meter's serial device (/dev/rfcomm0, um24c:/dev/ttyUSB0) or a meter's CSV log");
  cmd->callback([&set, a] { set.selected = [a] { return run_sensors(*a); }; });
}

}  // namespace eb::cli
