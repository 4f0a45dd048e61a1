// RAPL, hwmon, thermal zone and INA3221 readers on fixture trees.
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "fixture.h"
#include "sensors/hwmon.h"
#include "sensors/ina3221.h"
#include "sensors/rapl.h"
#include "sensors/thermal_zone.h"

namespace eb::sensors {
namespace {

using testing::TempDir;

const SourceInfo* find(const std::vector<SourceInfo>& infos, const std::string& id) {
  for (const auto& i : infos) {
    if (i.id == id) return &i;
  }
  return nullptr;
}

double read_value(const Result<std::unique_ptr<Source>>& source) {
  EXPECT_TRUE(source.is_ok()) << source.status().message();
  if (!source) return -1;
  auto value = (*source)->read();
  EXPECT_TRUE(value.is_ok()) << value.status().message();
  return value ? *value : -1;
}

void write_rapl(const TempDir& dir) {
  dir.write("sys/class/powercap/intel-rapl/enabled", "1");  // the control type, not a zone
  dir.write("sys/class/powercap/intel-rapl:0/name", "package-0");
  dir.write("sys/class/powercap/intel-rapl:0/energy_uj", "123456789");
  dir.write("sys/class/powercap/intel-rapl:0/max_energy_range_uj", "262143328850");
  dir.write("sys/class/powercap/intel-rapl:0:0/name", "core");
  dir.write("sys/class/powercap/intel-rapl:0:0/energy_uj", "5000000");
  dir.write("sys/class/powercap/intel-rapl:0:0/max_energy_range_uj", "262143328850");
  dir.write("sys/class/powercap/intel-rapl:0:1/name", "dram");
  dir.write("sys/class/powercap/intel-rapl:0:1/energy_uj", "7000000");
  dir.write("sys/class/powercap/intel-rapl:1/name", "psys");
  dir.write("sys/class/powercap/intel-rapl:1/energy_uj", "42");
  dir.write("sys/class/powercap/intel-rapl-mmio:0/name", "package-0");
}

TEST(SensorsRapl, ListsZonesAndSubzonesByName) {
  TempDir dir;
  write_rapl(dir);
  auto infos = list_rapl(dir.path());
  ASSERT_EQ(infos.size(), 4u);
  EXPECT_EQ(infos[0].id, "rapl:package-0");
  EXPECT_EQ(infos[1].id, "rapl:package-0:core");
  EXPECT_EQ(infos[2].id, "rapl:package-0:dram");
  EXPECT_EQ(infos[3].id, "rapl:psys");
  for (const auto& i : infos) {
    EXPECT_TRUE(i.available) << i.id << ": " << i.reason;
    EXPECT_EQ(i.kind, Kind::energy_counter);
  }
}

TEST(SensorsRapl, ReadsJoulesAndWrapRange) {
  TempDir dir;
  write_rapl(dir);
  auto source = open_rapl(dir.path(), "rapl:package-0");
  EXPECT_DOUBLE_EQ(read_value(source), 123.456789);
  ASSERT_TRUE((*source)->wrap_range_j().has_value());
  EXPECT_DOUBLE_EQ(*(*source)->wrap_range_j(), 262143.32885);
  // No max_energy_range_uj: no wrap range, rather than a made-up one.
  auto dram = open_rapl(dir.path(), "rapl:package-0:dram");
  ASSERT_TRUE(dram.is_ok());
  EXPECT_FALSE((*dram)->wrap_range_j().has_value());
}

TEST(SensorsRapl, UnknownIdNamesWhatExists) {
  TempDir dir;
  write_rapl(dir);
  auto source = open_rapl(dir.path(), "rapl:package-7");
  ASSERT_FALSE(source.is_ok());
  EXPECT_EQ(source.status().code(), ErrorCode::not_found);
  EXPECT_NE(source.status().message().find("rapl:package-0"), std::string::npos);
}

// Recent kernels make energy_uj 0400 root:root. As root, permission bits do
// not stop reads, so the check runs in a child that drops to "nobody".
TEST(SensorsRapl, RootOnlyCounterIsReportedPlainly) {
  TempDir dir;
  write_rapl(dir);
  const auto energy = dir.path() / "sys/class/powercap/intel-rapl:0/energy_uj";
  std::filesystem::permissions(energy, std::filesystem::perms::owner_read);

  auto check = [&]() -> bool {
    auto infos = list_rapl(dir.path());
    const SourceInfo* pkg = find(infos, "rapl:package-0");
    if (!pkg || pkg->available) return false;
    if (pkg->reason.find("only root can read it") == std::string::npos) return false;
    auto opened = open_rapl(dir.path(), "rapl:package-0");
    return !opened.is_ok() && opened.status().message().find("only root") != std::string::npos;
  };
  if (::geteuid() != 0) {
    EXPECT_TRUE(check());
    return;
  }
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    if (::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(77);
    ::_exit(check() ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  if (WEXITSTATUS(status) == 77) GTEST_SKIP() << "cannot drop privileges here";
  EXPECT_EQ(WEXITSTATUS(status), 0) << "reason did not say energy_uj is root-only";
}

TEST(SensorsRapl, ZoneWithoutCounterIsUnavailable) {
  TempDir dir;
  dir.write("sys/class/powercap/intel-rapl:0/name", "package-0");
  auto infos = list_rapl(dir.path());
  ASSERT_EQ(infos.size(), 1u);
  EXPECT_FALSE(infos[0].available);
  EXPECT_NE(infos[0].reason.find("no energy_uj"), std::string::npos);
}

// A board with a power monitor, CPU temperatures and an energy meter.
void write_hwmon(const TempDir& dir, int ina, int coretemp, int amd, double vdd_in_volts) {
  auto h = [](int n) { return "sys/class/hwmon/hwmon" + std::to_string(n) + "/"; };
  dir.write(h(ina) + "name", "ina3221");
  dir.write(h(ina) + "in1_label", "VDD_IN");
  dir.write(h(ina) + "in1_input", std::to_string(static_cast<int>(vdd_in_volts * 1000)));
  dir.write(h(ina) + "curr1_input", "1500");  // mA
  dir.write(h(ina) + "in2_label", "VDD_CPU_GPU_CV");
  dir.write(h(ina) + "in2_input", "4900");
  dir.write(h(ina) + "curr2_input", "300");
  dir.write(h(ina) + "in4_input", "12");     // shunt voltage: not a rail
  dir.write(h(ina) + "curr4_input", "1800");  // sum current: not a rail
  dir.write(h(ina) + "in7_label", "sum of shunt voltages");
  dir.write(h(ina) + "in7_input", "20");
  dir.write(h(coretemp) + "name", "coretemp");
  dir.write(h(coretemp) + "temp1_label", "Package id 0");
  dir.write(h(coretemp) + "temp1_input", "45000");
  dir.write(h(coretemp) + "temp2_label", "Core 0");
  dir.write(h(coretemp) + "temp2_input", "43500");
  dir.write(h(amd) + "name", "ina219");
  dir.write(h(amd) + "power1_input", "2500000");  // uW
  dir.write(h(amd) + "power2_average", "1250000");
  dir.write(h(amd) + "energy1_input", "9000000");  // uJ
}

TEST(SensorsHwmon, ReadsEveryChannelKindInItsUnit) {
  TempDir dir;
  write_hwmon(dir, 0, 1, 2, 5.0);
  auto infos = list_hwmon(dir.path());
  ASSERT_NE(find(infos, "hwmon:ina3221:VDD_IN"), nullptr);
  EXPECT_EQ(find(infos, "hwmon:ina3221:VDD_IN")->kind, Kind::power);
  EXPECT_EQ(find(infos, "hwmon:coretemp:Package_id_0")->kind, Kind::temperature);
  EXPECT_EQ(find(infos, "hwmon:ina219:energy1")->kind, Kind::energy_counter);
  // Unlabelled in4 x curr4 and unpaired in7 are not rails.
  for (const auto& i : infos) {
    EXPECT_EQ(i.id.find("in4"), std::string::npos) << i.id;
    EXPECT_EQ(i.id.find("sum_of"), std::string::npos) << i.id;
  }
  EXPECT_DOUBLE_EQ(read_value(open_hwmon(dir.path(), "hwmon:ina3221:VDD_IN")), 7.5);  // 5 V x 1.5 A
  EXPECT_DOUBLE_EQ(read_value(open_hwmon(dir.path(), "hwmon:ina3221:VDD_CPU_GPU_CV")), 1.47);
  EXPECT_DOUBLE_EQ(read_value(open_hwmon(dir.path(), "hwmon:coretemp:Package_id_0")), 45.0);
  EXPECT_DOUBLE_EQ(read_value(open_hwmon(dir.path(), "hwmon:coretemp:Core_0")), 43.5);
  EXPECT_DOUBLE_EQ(read_value(open_hwmon(dir.path(), "hwmon:ina219:power1")), 2.5);
  EXPECT_DOUBLE_EQ(read_value(open_hwmon(dir.path(), "hwmon:ina219:power2")), 1.25);
  EXPECT_DOUBLE_EQ(read_value(open_hwmon(dir.path(), "hwmon:ina219:energy1")), 9.0);
}

TEST(SensorsHwmon, MatchesByNameWhenNumbersAreShuffled) {
  TempDir first, second;
  write_hwmon(first, 0, 1, 2, 5.0);
  write_hwmon(second, 7, 0, 3, 5.0);  // another boot, another probe order
  for (const TempDir* dir : {&first, &second}) {
    EXPECT_DOUBLE_EQ(read_value(open_hwmon(dir->path(), "hwmon:ina3221:VDD_IN")), 7.5);
    EXPECT_DOUBLE_EQ(read_value(open_hwmon(dir->path(), "hwmon:coretemp:Package_id_0")), 45.0);
    EXPECT_DOUBLE_EQ(read_value(open_hwmon(dir->path(), "hwmon:ina219:power1")), 2.5);
  }
}

TEST(SensorsHwmon, SameNamedDevicesAreToldApartByBusAddress) {
  TempDir dir;
  // Two chips named alike: ids carry the device the link points to, which is
  // stable, and not the hwmon number.
  for (auto [hwmon, addr, mw] : {std::tuple{"hwmon5", "1-0041", "3000000"}, std::tuple{"hwmon2", "1-0040", "1000000"}}) {
    dir.write(std::string("sys/devices/i2c/") + addr + "/uevent", "");
    dir.write(std::string("sys/class/hwmon/") + hwmon + "/name", "ina219");
    dir.write(std::string("sys/class/hwmon/") + hwmon + "/power1_input", mw);
    std::filesystem::create_directory_symlink(dir.path() / "sys/devices/i2c" / addr,
                                              dir.path() / "sys/class/hwmon" / hwmon / "device");
  }
  EXPECT_DOUBLE_EQ(read_value(open_hwmon(dir.path(), "hwmon:ina219:power1@1-0040")), 1.0);
  EXPECT_DOUBLE_EQ(read_value(open_hwmon(dir.path(), "hwmon:ina219:power1@1-0041")), 3.0);
}

TEST(SensorsHwmon, OldKernelsKeepAttributesUnderDevice) {
  TempDir dir;
  dir.write("sys/class/hwmon/hwmon0/device/name", "k10temp");
  dir.write("sys/class/hwmon/hwmon0/device/temp1_input", "51250");
  EXPECT_DOUBLE_EQ(read_value(open_hwmon(dir.path(), "hwmon:k10temp:temp1")), 51.25);
}

TEST(SensorsHwmon, UnreadableChannelIsListedWithReason) {
  TempDir dir;
  dir.write("sys/class/hwmon/hwmon0/name", "nvme");
  dir.write("sys/class/hwmon/hwmon0/temp1_input", "not-a-number");
  auto infos = list_hwmon(dir.path());
  ASSERT_EQ(infos.size(), 1u);
  EXPECT_FALSE(infos[0].available);
  EXPECT_NE(infos[0].reason.find("does not hold an integer"), std::string::npos);
  auto source = open_hwmon(dir.path(), "hwmon:nvme:temp1");
  EXPECT_EQ(source.status().code(), ErrorCode::unsupported);
}

TEST(SensorsThermal, ZonesAreNamedByType) {
  TempDir dir;
  dir.write("sys/class/thermal/thermal_zone0/type", "acpitz");
  dir.write("sys/class/thermal/thermal_zone0/temp", "27800");
  dir.write("sys/class/thermal/thermal_zone1/type", "x86_pkg_temp");
  dir.write("sys/class/thermal/thermal_zone1/temp", "48000");
  dir.write("sys/class/thermal/thermal_zone2/type", "acpitz");
  dir.write("sys/class/thermal/thermal_zone2/temp", "29800");
  dir.write("sys/class/thermal/thermal_zone10/type", "iwlwifi_1");
  dir.write("sys/class/thermal/cooling_device0/type", "Processor");
  auto infos = list_thermal_zones(dir.path());
  ASSERT_EQ(infos.size(), 4u);
  EXPECT_EQ(infos[0].id, "thermal:acpitz@thermal_zone0");
  EXPECT_EQ(infos[1].id, "thermal:x86_pkg_temp");
  EXPECT_EQ(infos[2].id, "thermal:acpitz@thermal_zone2");
  EXPECT_EQ(infos[3].id, "thermal:iwlwifi_1");
  EXPECT_FALSE(infos[3].available);  // exists, but its temp cannot be read
  EXPECT_DOUBLE_EQ(read_value(open_thermal_zone(dir.path(), "thermal:x86_pkg_temp")), 48.0);
  EXPECT_DOUBLE_EQ(read_value(open_thermal_zone(dir.path(), "thermal:acpitz@thermal_zone2")), 29.8);
}

// Jetson TX2 / Nano on L4T r32: iio devices of the ina3221x driver.
void write_ina3221_iio(const TempDir& dir) {
  const std::string chip = "sys/bus/i2c/drivers/ina3221x/6-0040/iio:device0/";
  dir.write("sys/bus/i2c/drivers/ina3221x/bind", "");
  dir.write(chip + "rail_name_0", "POM_5V_IN");
  dir.write(chip + "in_power0_input", "3120");  // mW
  dir.write(chip + "in_voltage0_input", "5080");
  dir.write(chip + "in_current0_input", "614");
  dir.write(chip + "rail_name_1", "POM_5V_GPU");
  dir.write(chip + "in_power1_input", "40");
  dir.write(chip + "rail_name_2", "POM_5V_CPU");
  dir.write(chip + "in_voltage2_input", "5000");  // no in_power2_input: V x I
  dir.write(chip + "in_current2_input", "250");
}

// Orin / Xavier on L4T r34+: the mainline hwmon driver.
void write_ina3221_hwmon(const TempDir& dir) {
  dir.write("sys/class/hwmon/hwmon4/name", "ina3221");
  dir.write("sys/class/hwmon/hwmon4/in1_label", "VDD_IN");
  dir.write("sys/class/hwmon/hwmon4/in1_input", "5040");
  dir.write("sys/class/hwmon/hwmon4/curr1_input", "1210");
  dir.write("sys/class/hwmon/hwmon4/in2_label", "VDD_CPU_GPU_CV");
  dir.write("sys/class/hwmon/hwmon4/in2_input", "5000");
  dir.write("sys/class/hwmon/hwmon4/curr2_input", "100");
}

TEST(SensorsIna3221, OldIioLayout) {
  TempDir dir;
  write_ina3221_iio(dir);
  auto infos = list_ina3221_iio(dir.path());
  ASSERT_EQ(infos.size(), 3u);
  EXPECT_EQ(infos[0].id, "ina3221:POM_5V_IN");
  EXPECT_DOUBLE_EQ(read_value(open_ina3221(dir.path(), "ina3221:POM_5V_IN")), 3.12);
  EXPECT_DOUBLE_EQ(read_value(open_ina3221(dir.path(), "ina3221:POM_5V_GPU")), 0.04);
  EXPECT_DOUBLE_EQ(read_value(open_ina3221(dir.path(), "ina3221:POM_5V_CPU")), 1.25);
}

TEST(SensorsIna3221, NewHwmonLayoutUnderBothIds) {
  TempDir dir;
  write_ina3221_hwmon(dir);
  EXPECT_TRUE(list_ina3221_iio(dir.path()).empty());  // listed by hwmon instead
  EXPECT_NEAR(read_value(open_ina3221(dir.path(), "ina3221:VDD_IN")), 6.0984, 1e-12);
  EXPECT_NEAR(read_value(open_hwmon(dir.path(), "hwmon:ina3221:VDD_IN")), 6.0984, 1e-12);
  EXPECT_DOUBLE_EQ(read_value(open_ina3221(dir.path(), "ina3221:VDD_CPU_GPU_CV")), 0.5);
  auto missing = open_ina3221(dir.path(), "ina3221:POM_5V_IN");
  ASSERT_FALSE(missing.is_ok());
  EXPECT_NE(missing.status().message().find("ina3221:VDD_IN"), std::string::npos);
}

}  // namespace
}  // namespace eb::sensors
