// What --power and --temperature strings open: ids, "auto", device and log
// paths, and the errors that list what exists instead.
#include <gtest/gtest.h>

#include "fixture.h"
#include "sensors/source_choice.h"

namespace eb::sensors {
namespace {

using testing::TempDir;

SourceInfo available(std::string id, Kind kind) { return {std::move(id), kind, "", true, ""}; }

DiscoveryOptions under(const TempDir& dir) {
  DiscoveryOptions options;
  options.sysfs_root = dir.path();
  return options;
}

TEST(SensorsSourceChoice, PathsBecomeMeterIds) {
  EXPECT_EQ(normalize_power_spec("/dev/rfcomm0"), "um25c:/dev/rfcomm0");
  EXPECT_EQ(normalize_power_spec("logs/power.csv"), "csv:logs/power.csv");
  EXPECT_EQ(normalize_power_spec("auto"), "auto");
  EXPECT_EQ(normalize_power_spec("rapl:package-0"), "rapl:package-0");
  EXPECT_EQ(normalize_power_spec("um24c:/dev/ttyUSB0"), "um24c:/dev/ttyUSB0");
  EXPECT_EQ(normalize_power_spec("nosuch"), "nosuch");
}

TEST(SensorsSourceChoice, AutoPrefersTheBoardInputThenCountersOverPartialRails) {
  SensorListing listing;
  listing.sources = {available("thermal:cpu", Kind::temperature), available("rapl:package-0:dram", Kind::energy_counter),
                     available("hwmon:ina3221:VDD_SYS_GPU", Kind::power), available("rapl:package-0", Kind::energy_counter),
                     available("nvml:0", Kind::power), available("nvml:0:energy", Kind::energy_counter)};
  EXPECT_EQ(best_power_source(listing, "cpu")->id, "rapl:package-0");
  EXPECT_EQ(best_power_source(listing, "cuda")->id, "nvml:0:energy");

  listing.sources.push_back(available("hwmon:ina3221:VDD_IN@1-0040", Kind::power));
  EXPECT_EQ(best_power_source(listing, "cpu")->id, "hwmon:ina3221:VDD_IN@1-0040");
  EXPECT_EQ(best_power_source(listing, "cuda")->id, "hwmon:ina3221:VDD_IN@1-0040");

  listing.sources.pop_back();
  listing.sources.push_back({"rapl:psys", Kind::energy_counter, "", false, "root only"});
  EXPECT_EQ(best_power_source(listing, "cpu")->id, "rapl:package-0");  // unreadable: never chosen
  listing.sources.back().available = true;
  EXPECT_EQ(best_power_source(listing, "cpu")->id, "rapl:psys");  // the whole platform beats one package
}

TEST(SensorsSourceChoice, AutoOnlyTemperatureMeansNone) {
  SensorListing listing;
  listing.sources = {available("thermal:cpu", Kind::temperature), {"rapl:package-0", Kind::energy_counter, "", false, "root only"}};
  EXPECT_FALSE(best_power_source(listing, "cpu").has_value());

  TempDir dir;
  auto none = choose_power_source("auto", under(dir), "cpu");
  ASSERT_TRUE(none.is_ok()) << none.status().message();
  EXPECT_EQ(*none, nullptr);
}

TEST(SensorsSourceChoice, UnknownPowerIsBadUsageListingWhatExists) {
  TempDir dir;
  dir.write("sys/class/hwmon/hwmon2/name", "ina219");
  dir.write("sys/class/hwmon/hwmon2/power1_input", "1500000");
  dir.write("sys/class/thermal/thermal_zone0/type", "cpu-thermal");
  dir.write("sys/class/thermal/thermal_zone0/temp", "41000");

  auto bad = choose_power_source("nosuch", under(dir), "cpu");
  ASSERT_FALSE(bad.is_ok());
  EXPECT_EQ(bad.status().code(), ErrorCode::invalid_argument);
  EXPECT_NE(bad.status().message().find("--power 'nosuch'"), std::string::npos) << bad.status().message();
  EXPECT_NE(bad.status().message().find("hwmon:ina219:power1"), std::string::npos) << bad.status().message();

  auto missing = choose_power_source("hwmon:ina219:power9", under(dir), "cpu");
  ASSERT_FALSE(missing.is_ok());
  EXPECT_EQ(missing.status().code(), ErrorCode::invalid_argument);

  auto temperature = choose_power_source("thermal:cpu-thermal", under(dir), "cpu");
  ASSERT_FALSE(temperature.is_ok());
  EXPECT_NE(temperature.status().message().find("measures temperature"), std::string::npos);

  auto chosen = choose_power_source("auto", under(dir), "cpu");
  ASSERT_TRUE(chosen.is_ok()) << chosen.status().message();
  EXPECT_EQ((*chosen)->info().id, "hwmon:ina219:power1");
}

TEST(SensorsSourceChoice, TemperatureAutoTakesEveryZoneAndIdsMustBeTemperatures) {
  TempDir dir;
  dir.write("sys/class/hwmon/hwmon2/name", "ina219");
  dir.write("sys/class/hwmon/hwmon2/power1_input", "1500000");
  dir.write("sys/class/thermal/thermal_zone0/type", "cpu-thermal");
  dir.write("sys/class/thermal/thermal_zone0/temp", "41000");
  dir.write("sys/class/thermal/thermal_zone1/type", "gpu-thermal");
  dir.write("sys/class/thermal/thermal_zone1/temp", "39500");

  auto all = choose_temperature_sources("auto", under(dir));
  ASSERT_TRUE(all.is_ok()) << all.status().message();
  ASSERT_EQ(all->size(), 2u);

  auto one = choose_temperature_sources("thermal:gpu-thermal", under(dir));
  ASSERT_TRUE(one.is_ok()) << one.status().message();
  ASSERT_EQ(one->size(), 1u);
  EXPECT_DOUBLE_EQ(*(*one)[0]->read(), 39.5);

  auto power = choose_temperature_sources("thermal:cpu-thermal,hwmon:ina219:power1", under(dir));
  ASSERT_FALSE(power.is_ok());
  EXPECT_EQ(power.status().code(), ErrorCode::invalid_argument);
  EXPECT_NE(power.status().message().find("not a temperature"), std::string::npos) << power.status().message();
  EXPECT_NE(power.status().message().find("thermal:gpu-thermal"), std::string::npos) << power.status().message();

  TempDir empty;
  auto none = choose_temperature_sources("auto", under(empty));
  ASSERT_TRUE(none.is_ok());
  EXPECT_TRUE(none->empty());
}

}  // namespace
}  // namespace eb::sensors
