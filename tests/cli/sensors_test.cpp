// edgebench sensors, run --power/--temperature and thermal, end to end on
// fixture sysfs trees (--sysfs-root): what is listed, what is recorded, what
// is bad usage.
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "../sensors/fixture.h"
#include "cli_util.h"
#include "store/results_db.h"

namespace eb::cli::testing {
namespace {

using eb::sensors::testing::microunits;
using eb::sensors::testing::milliunits;

using nlohmann::json;
using sensors::testing::AdvancingFile;
using SensorsCommand = CliTest;


// A board with a power meter and a thermal zone, under dir/root.
fs::path write_board(const fs::path& dir) {
  const fs::path root = dir / "root";
  auto write = [&](const std::string& relative, const std::string& content) {
    fs::create_directories((root / relative).parent_path());
    std::ofstream(root / relative) << content << "\n";
  };
  write("sys/class/hwmon/hwmon0/name", "ina219");
  write("sys/class/hwmon/hwmon0/power1_input", "2500000");  // 2.5 W
  write("sys/class/thermal/thermal_zone0/type", "cpu-thermal");
  write("sys/class/thermal/thermal_zone0/temp", "45000");
  return root;
}

fs::path empty_root(const fs::path& dir) {
  fs::create_directories(dir / "empty");
  return dir / "empty";
}

// A run of a real (tiny) model, whose measured phase would end after a few
// ms but for --min-secs or the sensors.
std::vector<std::string> run_args(const std::string& min_secs, const std::vector<std::string>& extra) {
  std::vector<std::string> args = {"run", "--model", "cifarnet", "--backend", "native", "--threads", "1", "--no-db",
                                   "--runs", "3", "--warmup-runs", "1", "--warmup-secs", "0", "--min-secs", min_secs,
                                   "--max-secs", "10", "--target-ci", "50", "--format", "json"};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

TEST_F(SensorsCommand, ListsTheFixtureSources) {
  const fs::path root = write_board(dir_);
  auto r = run({"sensors", "--sysfs-root", root.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "hwmon:ina219:power1")) << r.out;
  EXPECT_TRUE(contains(r.out, "thermal:cpu-thermal")) << r.out;
  EXPECT_TRUE(contains(r.out, "temperature")) << r.out;
  EXPECT_FALSE(contains(r.out, "no power or temperature sensors found")) << r.out;

  r = run({"sensors", "--sysfs-root", root.string(), "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json listing = json::parse(r.out);
  std::vector<std::string> ids;
  for (const auto& s : listing["sources"]) ids.push_back(s["id"]);
  EXPECT_EQ(ids, (std::vector<std::string>{"hwmon:ina219:power1", "thermal:cpu-thermal"}));
  EXPECT_EQ(listing["auto_power"], "hwmon:ina219:power1");
}

TEST_F(SensorsCommand, EmptyRootSaysThereAreNone) {
  const auto r = run({"sensors", "--sysfs-root", empty_root(dir_).string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "no power or temperature sensors found")) << r.out;

  const auto missing = run({"sensors", "--sysfs-root", (dir_ / "nosuch").string()});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_TRUE(contains(missing.err, "--sysfs-root")) << missing.err;
}

TEST_F(SensorsCommand, UnknownPowerSourceIsBadUsageListingWhatExists) {
  const fs::path root = write_board(dir_);
  auto r = run({"run", "--model", "cifarnet", "--backend", "null", "--no-db", "--power", "nosuch", "--sysfs-root", root.string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, "--power 'nosuch'")) << r.err;
  EXPECT_TRUE(contains(r.err, "hwmon:ina219:power1")) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;

  // The same check before an isolated run starts its child.
  r = run({"run", "--model", "cifarnet", "--backend", "null", "--no-db", "--timeout", "60", "--power", "hwmon:ina219:power9",
           "--sysfs-root", root.string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, "hwmon:ina219:power9")) << r.err;

  r = run({"run", "--model", "cifarnet", "--backend", "null", "--no-db", "--temperature=thermal:nosuch", "--sysfs-root",
           root.string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, "thermal:cpu-thermal")) << r.err;

  // A sweep checks before it starts any child.
  const std::string db = (dir_ / "sweep.db").string();
  r = run({"sweep", "--models", "cifarnet", "--backends", "null", "--db", db, "--power", "nosuch", "--sysfs-root", root.string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, "--power 'nosuch'")) << r.err;
  EXPECT_FALSE(fs::exists(db));
}

TEST_F(SensorsCommand, AutoWithoutSensorsRunsAndLeavesEnergyNull) {
  const std::string root = empty_root(dir_).string();
  auto r = run(concat({"run", "--model", "cifarnet", "--backend", "null", "--no-db", "--power", "auto", "--temperature",
                       "--sysfs-root", root, "--format", "json"},
                      quick()));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json record = json::parse(r.out);
  EXPECT_EQ(record["status"], "ok");
  EXPECT_TRUE(record["energy"].is_null()) << record["energy"];
  EXPECT_TRUE(record["temperature"].is_null()) << record["temperature"];
  EXPECT_TRUE(contains(r.err, "no power source on this machine: energy not measured")) << r.err;

  r = run(concat({"run", "--model", "cifarnet", "--backend", "null", "--no-db", "--power", "auto", "--sysfs-root", root}, quick()));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "no power source on this machine: energy not measured")) << r.out;
}

// An energy counter advanced at a known rate by this process while edgebench
// reads it: the record's power must be that rate, idle and busy alike.
TEST_F(SensorsCommand, RunRecordsEnergyFromAnAdvancingCounter) {
  const fs::path root = write_board(dir_);
  constexpr double kWatts = 3.5;
  AdvancingFile counter(root / "sys/class/hwmon/hwmon0/energy1_input", [](double t) { return microunits(10.0 + kWatts * t); });
  const auto r = run(run_args("1", {"--power", "hwmon:ina219:energy1", "--idle-secs", "0.5", "--temperature", "--sysfs-root",
                               root.string()}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.err, "measuring idle power on hwmon:ina219:energy1")) << r.err;
  const json record = json::parse(r.out);
  const json& e = record["energy"];
  ASSERT_TRUE(e.is_object()) << r.err;
  EXPECT_EQ(e["source"], "hwmon:ina219:energy1");
  // The writer may lag by a stall at each edge of windows of 0.5 s (idle)
  // and 1 s: allow 1% plus that.
  const double tolerance = 0.01 * kWatts + kWatts * 2 * counter.max_gap_ms() * 1e-3 / 0.5;
  EXPECT_NEAR(e["avg_power_w"].get<double>(), kWatts, tolerance);
  EXPECT_NEAR(e["idle_power_w"].get<double>(), kWatts, tolerance);
  const double gross = e["mj_per_inference"].get<double>();
  EXPECT_GT(gross, 0);
  // Net = gross - idle power x time: the errors of both power figures add.
  EXPECT_NEAR(e["net_mj_per_inference"].get<double>(), 0.0, gross * 2 * tolerance / kWatts);
  // The temperature series rode along.
  ASSERT_TRUE(record["temperature"].is_object()) << record["temperature"];
  EXPECT_EQ(record["temperature"]["source"], "thermal:cpu-thermal");
  EXPECT_FALSE(record["temperature"]["series"].empty());
}

// A power source sampled every 100 ms needs 10 readings in the window: a run
// whose other conditions are met at once is lengthened to about a second.
TEST_F(SensorsCommand, PowerSamplesLengthenTheRunAndReachTheChildOfAnIsolatedRun) {
  const fs::path root = write_board(dir_);
  const auto r = run(run_args("0", {"--power", "auto", "--idle-secs", "0", "--sysfs-root", root.string(), "--timeout", "120"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json record = json::parse(r.out);
  const json& e = record["energy"];
  ASSERT_TRUE(e.is_object()) << r.err;
  EXPECT_EQ(e["source"], "hwmon:ina219:power1");
  EXPECT_NEAR(e["avg_power_w"].get<double>(), 2.5, 0.025);
  EXPECT_TRUE(e["idle_power_w"].is_null());
  EXPECT_TRUE(e["net_mj_per_inference"].is_null());
  // >= 9 intervals of 100 ms at 2.5 W, spread over the inferences.
  const double window_j = e["mj_per_inference"].get<double>() * record["runs"].get<double>() * 1e-3;
  EXPECT_GE(window_j / 2.5, 0.85) << "runs " << record["runs"];
}

TEST_F(SensorsCommand, ThermalStopsAtSteadyStateAndStoresTheSeries) {
  const fs::path root = write_board(dir_);
  // Heats 10 °C over the first 1.5 s, then stays.
  AdvancingFile temp(root / "sys/class/thermal/thermal_zone0/temp",
                     [](double t) { return milliunits(50.0 + 10.0 * std::min(t, 1.5) / 1.5); });
  const std::string db = (dir_ / "results.db").string();
  const std::string json_path = (dir_ / "thermal.json").string();
  const auto r = run({"thermal", "--model", "cifarnet", "--backend", "native", "--threads", "1", "--sysfs-root", root.string(),
                      "--max-secs", "60", "--sample-period", "0.05", "--steady-window", "1", "--db", db, "--json", json_path});
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_TRUE(contains(r.out, "steady after")) << r.out;
  EXPECT_LT(r.secs, 30) << r.out;
  const json record = json::parse(read_file(json_path));
  EXPECT_EQ(record["status"], "ok");
  EXPECT_GT(record["runs"].get<int>(), 6);
  EXPECT_TRUE(record["latency_ms"].is_object());
  const json& t = record["temperature"];
  EXPECT_TRUE(t["steady"].get<bool>()) << t;
  EXPECT_NEAR(t["last_c"].get<double>(), 60.0, 1e-9);
  EXPECT_GE(t["series"].size(), 20u);

  auto opened = store::ResultsDb::open(db);
  ASSERT_TRUE(opened.is_ok());
  const auto runs = opened->list_runs();
  ASSERT_TRUE(runs.is_ok());
  ASSERT_EQ(runs->size(), 1u);
  EXPECT_EQ((*runs)[0].record.temperature, t);
}

TEST_F(SensorsCommand, ThermalOnARisingTemperatureStopsAtTheCap) {
  const fs::path root = write_board(dir_);
  AdvancingFile temp(root / "sys/class/thermal/thermal_zone0/temp", [](double t) { return milliunits(50.0 + 2.0 * t); });
  const auto r = run({"thermal", "--model", "cifarnet", "--backend", "native", "--threads", "1", "--sysfs-root", root.string(),
                      "--max-secs", "1.5", "--sample-period", "0.05", "--steady-window", "0.5", "--no-db"});
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_TRUE(contains(r.out, "stopped at --max-secs")) << r.out;
  EXPECT_TRUE(contains(r.out, "still changing")) << r.out;
}

TEST_F(SensorsCommand, ThermalWithoutTemperatureFailsAndStoresNothing) {
  const std::string db = (dir_ / "results.db").string();
  auto r = run({"thermal", "--model", "cifarnet", "--backend", "null", "--sysfs-root", empty_root(dir_).string(), "--db", db});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(contains(r.err, "no temperature source")) << r.err;
  EXPECT_FALSE(fs::exists(db));

  r = run({"thermal", "--model", "cifarnet", "--backend", "null", "--sysfs-root", write_board(dir_).string(), "--temperature",
           "thermal:nosuch", "--db", db});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, "thermal:cpu-thermal")) << r.err;
  EXPECT_FALSE(fs::exists(db));
}

}  // namespace
}  // namespace eb::cli::testing
