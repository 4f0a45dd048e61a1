#include "bench/cpu_times.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "scratch_dir.h"

namespace eb::bench {
namespace {

namespace fs = std::filesystem;

// /proc/stat fixtures under the test's directory.
class ProcStat : public ScratchDir {
 protected:
  void write_stat(const std::string& text) const { write("proc/stat", text); }
};

TEST_F(ProcStat, SumsTheAggregateLineAndTakesItsSteal) {
  // user nice system idle iowait irq softirq steal guest guest_nice
  write_stat("cpu  1000 10 200 5000 40 3 7 140 500 0\n"
             "cpu0 500 5 100 2500 20 1 3 70 250 0\n"
             "intr 12345\n");
  const auto t = read_cpu_times(dir_);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->total, 1000u + 10 + 200 + 5000 + 40 + 3 + 7 + 140);  // guest is inside user
  EXPECT_EQ(t->steal, 140u);
}

TEST_F(ProcStat, OldKernelsWithoutStealReadAsNone) {
  write_stat("cpu  1000 10 200 5000\n");
  const auto t = read_cpu_times(dir_);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->total, 6210u);
  EXPECT_EQ(t->steal, 0u);
}

TEST_F(ProcStat, MissingOrMalformedIsNullopt) {
  EXPECT_FALSE(read_cpu_times(dir_).has_value());  // no proc/stat
  write_stat("cpu0 1 2 3 4 5 6 7 8\n");                 // no aggregate line
  EXPECT_FALSE(read_cpu_times(dir_).has_value());
  write_stat("cpu  1 2\n");  // too few fields
  EXPECT_FALSE(read_cpu_times(dir_).has_value());
}

TEST(StealFraction, IsTheStolenShareOfTheTicksBetweenReadings) {
  const CpuTimes a{1000, 10};
  const CpuTimes b{1200, 60};
  ASSERT_TRUE(steal_fraction(a, b).has_value());
  EXPECT_DOUBLE_EQ(*steal_fraction(a, b), 50.0 / 200.0);
  EXPECT_DOUBLE_EQ(*steal_fraction(a, CpuTimes{1200, 10}), 0.0);
}

TEST(StealFraction, NoTicksOrCountersGoingBackIsUnknown) {
  const CpuTimes a{1000, 10};
  EXPECT_FALSE(steal_fraction(a, a).has_value());
  EXPECT_FALSE(steal_fraction(a, CpuTimes{900, 10}).has_value());
  EXPECT_FALSE(steal_fraction(a, CpuTimes{1100, 5}).has_value());
}

TEST(CpuTimesLive, ThisMachineHasAnAggregateLine) {
  if (!fs::exists("/proc/stat")) GTEST_SKIP() << "no /proc/stat here";
  const auto t = read_cpu_times();
  ASSERT_TRUE(t.has_value());
  EXPECT_GT(t->total, 0u);
  EXPECT_LE(t->steal, t->total);
}

}  // namespace
}  // namespace eb::bench
