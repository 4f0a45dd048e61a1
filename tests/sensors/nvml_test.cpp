#include <gtest/gtest.h>

#include "sensors/nvml.h"

namespace eb::sensors {
namespace {

TEST(SensorsNvml, AbsentLibraryGivesPlainReason) {
  NvmlOptions options{"libnvidia-ml-absent-for-test.so.1"};
  auto infos = list_nvml(options);
  ASSERT_EQ(infos.size(), 1u);
  EXPECT_EQ(infos[0].id, "nvml");
  EXPECT_FALSE(infos[0].available);
  EXPECT_EQ(infos[0].reason, "NVML not available: libnvidia-ml-absent-for-test.so.1 not found");
  auto source = open_nvml("nvml:0", options);
  ASSERT_FALSE(source.is_ok());
  EXPECT_EQ(source.status().message(), "NVML not available: libnvidia-ml-absent-for-test.so.1 not found");
}

TEST(SensorsNvml, DefaultLibraryNameInReason) {
  // Only meaningful where no driver is installed (this check needs no GPU).
  auto infos = list_nvml();
  if (infos.size() != 1 || infos[0].id != "nvml") GTEST_SKIP() << "NVML is present here";
  EXPECT_EQ(infos[0].reason, "NVML not available: libnvidia-ml.so.1 not found");
}

TEST(SensorsNvml, LibraryWithoutNvmlSymbolsIsRejected) {
  // Any shared library lacking the NVML entry points, e.g. libm.
  auto source = open_nvml("nvml:0", NvmlOptions{"libm.so.6"});
  ASSERT_FALSE(source.is_ok());
  EXPECT_NE(source.status().message().find("lacks nvmlInit_v2"), std::string::npos);
}

TEST(SensorsNvml, BadIdsAreRejectedBeforeLoading) {
  for (const char* id : {"nvml:", "nvml:x", "nvml:0:volts", "nvml:-1"}) {
    auto source = open_nvml(id, NvmlOptions{"libnvidia-ml-absent-for-test.so.1"});
    ASSERT_FALSE(source.is_ok()) << id;
    EXPECT_EQ(source.status().code(), ErrorCode::invalid_argument) << id;
  }
}

TEST(SensorsNvml, FakeLibraryThroughDlopen) {
  NvmlOptions options{EB_FAKE_NVML_PATH};
  auto infos = list_nvml(options);
  ASSERT_EQ(infos.size(), 6u);
  EXPECT_EQ(infos[0].id, "nvml:0");
  EXPECT_EQ(infos[1].id, "nvml:0:energy");
  EXPECT_EQ(infos[2].id, "nvml:0:temp");
  EXPECT_TRUE(infos[0].available && infos[1].available && infos[2].available);
  EXPECT_NE(infos[0].description.find("Fake GPU"), std::string::npos);
  EXPECT_EQ(infos[4].id, "nvml:1:energy");
  EXPECT_FALSE(infos[4].available);
  EXPECT_NE(infos[4].reason.find("Not Supported"), std::string::npos);

  auto power = open_nvml("nvml:0", options);
  ASSERT_TRUE(power.is_ok()) << power.status().message();
  EXPECT_EQ((*power)->info().kind, Kind::power);
  EXPECT_DOUBLE_EQ(*(*power)->read(), 123.456);  // mW -> W

  auto energy = open_nvml("nvml:0:energy", options);
  ASSERT_TRUE(energy.is_ok());
  double e1 = *(*energy)->read(), e2 = *(*energy)->read();
  EXPECT_DOUBLE_EQ(e2 - e1, 0.5);  // mJ -> J

  auto temp = open_nvml("nvml:0:temp", options);
  ASSERT_TRUE(temp.is_ok());
  EXPECT_DOUBLE_EQ(*(*temp)->read(), 61.0);

  EXPECT_EQ(open_nvml("nvml:1:energy", options).status().code(), ErrorCode::unsupported);
  EXPECT_EQ(open_nvml("nvml:2", options).status().code(), ErrorCode::not_found);
  EXPECT_TRUE(open_nvml("nvml:1:power", options).is_ok());
}

}  // namespace
}  // namespace eb::sensors
