#include <gtest/gtest.h>

#include "fixture.h"
#include "sensors/discovery.h"
#include "sensors/listing.h"

namespace eb::sensors {
namespace {

using testing::TempDir;

void write_board(const TempDir& dir) {
  dir.write("sys/class/powercap/intel-rapl:0/name", "package-0");
  dir.write("sys/class/powercap/intel-rapl:0/energy_uj", "1000");
  dir.write("sys/class/hwmon/hwmon1/name", "ina3221");
  dir.write("sys/class/hwmon/hwmon1/in1_label", "VDD_IN");
  dir.write("sys/class/hwmon/hwmon1/in1_input", "5000");
  dir.write("sys/class/hwmon/hwmon1/curr1_input", "1000");
  dir.write("sys/class/thermal/thermal_zone0/type", "x86_pkg_temp");
  dir.write("sys/class/thermal/thermal_zone0/temp", "45000");
  dir.write("sys/class/thermal/thermal_zone1/type", "iwlwifi_1");  // no readable temp
  dir.write("sys/bus/i2c/drivers/ina3221x/1-0040/iio:device0/rail_name_0", "VDD_SYS_GPU");
  dir.write("sys/bus/i2c/drivers/ina3221x/1-0040/iio:device0/in_power0_input", "750");
}

TEST(SensorsDiscovery, ListsEveryFamilyUnderRoot) {
  TempDir dir;
  write_board(dir);
  DiscoveryOptions options;
  options.sysfs_root = dir.path();
  options.extra = {"um25c:/nonexistent/rfcomm0", "csv:/nonexistent.csv"};
  SensorListing listing = discover(options);
  std::vector<std::string> ids;
  for (const auto& s : listing.sources) ids.push_back(s.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"rapl:package-0", "hwmon:ina3221:VDD_IN", "ina3221:VDD_SYS_GPU",
                                           "thermal:x86_pkg_temp", "thermal:iwlwifi_1",
                                           "um25c:/nonexistent/rfcomm0", "csv:/nonexistent.csv"}));
  EXPECT_EQ(listing.available_count(), 4u);  // NVML not probed under a fixture root

  std::string text = format_listing(listing);
  EXPECT_NE(text.find("rapl:package-0"), std::string::npos);
  EXPECT_NE(text.find("energy_counter"), std::string::npos);
  EXPECT_NE(text.find("unavailable:"), std::string::npos);
  EXPECT_NE(text.find("cannot open USB meter"), std::string::npos);

  nlohmann::json json = listing;
  EXPECT_EQ(json["root"], dir.path().string());
  EXPECT_EQ(json["sources"][0]["id"], "rapl:package-0");
  EXPECT_EQ(json["sources"][0]["kind"], "energy_counter");
  EXPECT_EQ(json["sources"][0]["unit"], "J");
  EXPECT_TRUE(json["sources"][0]["reason"].is_null());
  EXPECT_FALSE(json["sources"][4]["available"].get<bool>());
}

TEST(SensorsDiscovery, EmptyRootSaysSoPlainly) {
  TempDir dir;
  DiscoveryOptions options;
  options.sysfs_root = dir.path();
  auto listing = discover(options);
  EXPECT_TRUE(listing.sources.empty());
  EXPECT_EQ(format_listing(listing), "no power or temperature sensors found under " + dir.path().string() + "\n");
}

TEST(SensorsDiscovery, RealRootListsOrSaysNone) {
  auto listing = discover();  // "/", NVML probed
  std::string text = format_listing(listing);
  ::testing::Test::RecordProperty("listing", text);
  std::cout << text;
  if (listing.available_count() == 0) {
    EXPECT_EQ(text.rfind("no power or temperature sensors found under /\n", 0), 0u) << text;
  } else {
    EXPECT_EQ(text.find("no power or temperature sensors"), std::string::npos);
  }
}

TEST(SensorsDiscovery, NvmlProbedOnRequest) {
  TempDir dir;
  DiscoveryOptions options;
  options.sysfs_root = dir.path();
  options.probe_nvml = true;
  options.nvml.library = "libnvidia-ml-absent-for-test.so.1";
  auto listing = discover(options);
  ASSERT_EQ(listing.sources.size(), 1u);
  EXPECT_NE(format_listing(listing).find("NVML not available: libnvidia-ml-absent-for-test.so.1 not found"),
            std::string::npos);
}

TEST(SensorsDiscovery, ParsesPowerFlag) {
  EXPECT_EQ(parse_source_spec("rapl:package-0")->family, Family::rapl);
  EXPECT_EQ(parse_source_spec("hwmon:ina3221:VDD_IN")->family, Family::hwmon);
  EXPECT_EQ(parse_source_spec("thermal:x86_pkg_temp")->family, Family::thermal);
  EXPECT_EQ(parse_source_spec("ina3221:VDD_IN")->family, Family::ina3221);
  EXPECT_EQ(parse_source_spec("nvml:0")->family, Family::nvml);
  EXPECT_EQ(parse_source_spec("um25c:/dev/ttyUSB0")->family, Family::um_meter);
  EXPECT_EQ(parse_source_spec("csv:/tmp/log.csv")->family, Family::csv);

  auto unknown = parse_source_spec("wattmeter");
  ASSERT_FALSE(unknown.is_ok());
  EXPECT_EQ(unknown.status().code(), ErrorCode::invalid_argument);
  EXPECT_NE(unknown.status().message().find("rapl:package-0"), std::string::npos);
  auto incomplete = parse_source_spec("rapl:");
  ASSERT_FALSE(incomplete.is_ok());
  EXPECT_NE(incomplete.status().message().find("incomplete"), std::string::npos);
}

TEST(SensorsDiscovery, OpensSourcesAndExplainsFailures) {
  TempDir dir;
  write_board(dir);
  DiscoveryOptions options;
  options.sysfs_root = dir.path();
  auto rail = open_source("ina3221:VDD_SYS_GPU", options);
  ASSERT_TRUE(rail.is_ok()) << rail.status().message();
  EXPECT_DOUBLE_EQ(*(*rail)->read(), 0.75);
  EXPECT_DOUBLE_EQ(*(*open_source("hwmon:ina3221:VDD_IN", options))->read(), 5.0);
  EXPECT_DOUBLE_EQ(*(*open_source("ina3221:VDD_IN", options))->read(), 5.0);

  auto missing = open_source("thermal:gpu-thermal", options);
  ASSERT_FALSE(missing.is_ok());
  EXPECT_EQ(missing.status().code(), ErrorCode::not_found);
  EXPECT_NE(missing.status().message().find("found: thermal:x86_pkg_temp, thermal:iwlwifi_1"), std::string::npos)
      << missing.status().message();
  auto unusable = open_source("thermal:iwlwifi_1", options);
  ASSERT_FALSE(unusable.is_ok());
  EXPECT_NE(unusable.status().message().find("is unavailable"), std::string::npos);
}

TEST(SensorsListing, EnergyAndTemperatureJsonUseNullForMissing) {
  EnergyReport report;
  report.source = "nvml:0";
  report.energy_j = 12.0;
  report.avg_power_w = 6.0;
  nlohmann::json j = report;
  EXPECT_EQ(j["source"], "nvml:0");
  EXPECT_DOUBLE_EQ(j["avg_power_w"].get<double>(), 6.0);
  EXPECT_TRUE(j["idle_power_w"].is_null());
  EXPECT_TRUE(j["mj_per_inference"].is_null());
  EXPECT_TRUE(j["net_mj_per_inference"].is_null());

  TemperatureTrace trace;
  trace.source = "thermal:soc";
  trace.series = {{0.0, 40.0}, {1.0, 41.0}};
  trace.max_c = 41.0;
  nlohmann::json t = trace;
  EXPECT_EQ(t["series"][1][1], 41.0);
  EXPECT_TRUE(t["slope_c_per_min"].is_null());
  EXPECT_FALSE(t["steady"].get<bool>());
}

}  // namespace
}  // namespace eb::sensors
