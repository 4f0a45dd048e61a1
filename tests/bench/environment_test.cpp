#include "bench/environment.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "scratch_dir.h"

namespace eb::bench {
namespace {

namespace fs = std::filesystem;

using FixtureTree = ScratchDir;

TEST_F(FixtureTree, ReadsX86CpuinfoGovernorAndMemory) {
  write("proc/cpuinfo",
        "processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz\n"
        "processor\t: 1\nmodel name\t: Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz\n");
  write("sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", "performance\n");
  write("proc/meminfo", "MemTotal:        8048576 kB\nMemFree:         1000000 kB\n");
  const Environment env = capture_environment({dir_, 42});
  EXPECT_EQ(env.cpu, "Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz");
  EXPECT_EQ(env.governor, "performance");
  EXPECT_EQ(env.memory_bytes, int64_t{8048576} * 1024);
  EXPECT_EQ(env.seed, 42u);
}

TEST_F(FixtureTree, ReadsRaspberryPiCpuinfo) {
  // A Pi's aarch64 kernel has no "model name"; the board is under "Model".
  write("proc/cpuinfo",
        "processor\t: 0\nBogoMIPS\t: 38.40\nCPU implementer\t: 0x41\n\n"
        "Hardware\t: BCM2835\nModel\t\t: Raspberry Pi 3 Model B Rev 1.2\n");
  const Environment env = capture_environment({dir_, 0});
  EXPECT_EQ(env.cpu, "Raspberry Pi 3 Model B Rev 1.2");
}

TEST_F(FixtureTree, UnreadableFieldsAreNullNotErrors) {
  const Environment env = capture_environment({dir_, 0});
  EXPECT_EQ(env.cpu, "");
  EXPECT_FALSE(env.governor.has_value());
  EXPECT_FALSE(env.memory_bytes.has_value());
  EXPECT_FALSE(env.backend_version.has_value());
}

TEST(Environment, LiveSystemHasTheBasics) {
  const Environment env = capture_environment();
  EXPECT_FALSE(env.host.empty());
  EXPECT_GE(env.cores, 1);
  EXPECT_GE(env.cores_available, 1);
  EXPECT_LE(env.cores_available, env.cores);
  EXPECT_EQ(env.kernel.rfind("Linux", 0), 0u) << env.kernel;
  EXPECT_FALSE(env.compiler.empty());
  EXPECT_FALSE(env.git.empty());  // a short hash or "unknown"
  EXPECT_FALSE(env.edgebench_version.empty());
  ASSERT_TRUE(env.memory_bytes.has_value());
  EXPECT_GT(*env.memory_bytes, 0);
}

}  // namespace
}  // namespace eb::bench
