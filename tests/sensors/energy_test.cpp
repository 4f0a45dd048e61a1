// Energy arithmetic on synthetic series: no threads, no files.
#include <gtest/gtest.h>

#include <vector>

#include "sensors/energy.h"

namespace eb::sensors {
namespace {

constexpr std::int64_t kSecond = 1'000'000'000;

std::vector<Sample> every_second(int n, double (*watts)(double)) {
  std::vector<Sample> out;
  for (int i = 0; i <= n; ++i) out.push_back({i * kSecond, watts(i)});
  return out;
}

Window seconds(double a, double b) {
  return {static_cast<std::int64_t>(a * kSecond), static_cast<std::int64_t>(b * kSecond)};
}

TEST(SensorsEnergy, CounterDeltaHandlesWrap) {
  EXPECT_DOUBLE_EQ(*counter_delta_j(10.0, 12.5, 100.0), 2.5);
  EXPECT_DOUBLE_EQ(*counter_delta_j(99.0, 1.0, 100.0), 2.0);  // wrapped at 100 J
  EXPECT_FALSE(counter_delta_j(99.0, 1.0, std::nullopt).has_value());  // reset: unknown
}

TEST(SensorsEnergy, InterpolatesAndHoldsEnds) {
  std::vector<Sample> s{{0, 1.0}, {10, 3.0}};
  EXPECT_DOUBLE_EQ(value_at(s, 5), 2.0);
  EXPECT_DOUBLE_EQ(value_at(s, -5), 1.0);
  EXPECT_DOUBLE_EQ(value_at(s, 15), 3.0);
}

TEST(SensorsEnergy, TrapezoidClippedToWindow) {
  auto constant = every_second(10, [](double) { return 2.0; });
  EXPECT_NEAR(*integrate_power(constant, seconds(2.5, 7.25)), 9.5, 1e-9);
  // Linear power: trapezoids with interpolated ends are exact.
  auto ramp = every_second(10, [](double t) { return t; });
  EXPECT_NEAR(*integrate_power(ramp, seconds(0.5, 3.5)), (3.5 * 3.5 - 0.5 * 0.5) / 2, 1e-9);
  // A window between two samples.
  EXPECT_NEAR(*integrate_power(ramp, seconds(4.25, 4.75)), (4.75 * 4.75 - 4.25 * 4.25) / 2, 1e-9);
  EXPECT_NEAR(*integrate_power(ramp, seconds(3, 3)), 0.0, 1e-12);
}

TEST(SensorsEnergy, PowerWithoutCoverageIsAnError) {
  auto ramp = every_second(3, [](double t) { return t; });
  EXPECT_FALSE(integrate_power({}, seconds(0, 1)).is_ok());
  EXPECT_FALSE(integrate_power(ramp, seconds(5, 6)).is_ok());  // all samples before
  EXPECT_FALSE(integrate_power(ramp, seconds(2, 1)).is_ok());
  // Ends held where the samples stop short of the window.
  EXPECT_NEAR(*integrate_power(ramp, seconds(2, 4)), 2.5 + 3.0, 1e-9);
}

TEST(SensorsEnergy, CounterNeedsReadsAtBothEdges) {
  std::vector<Sample> joules{{0, 0.0}, {kSecond, 5.0}, {2 * kSecond, 9.0}};
  EXPECT_NEAR(*counter_energy(joules, seconds(0, 2)), 9.0, 1e-12);
  EXPECT_NEAR(*counter_energy(joules, seconds(0.5, 1.5)), 7.0 - 2.5, 1e-12);
  auto late = counter_energy(joules, seconds(0.5, 2.5));
  ASSERT_FALSE(late.is_ok());
  EXPECT_NE(late.status().message().find("not read at both ends"), std::string::npos);
}

TEST(SensorsEnergy, SampleCheckSaysHowMuchLonger) {
  std::vector<Sample> s;
  for (int i = 0; i < 5; ++i) s.push_back({i * kSecond / 10, 1.0});
  auto check = check_samples(s, seconds(0, 0.45), std::chrono::milliseconds(100));
  EXPECT_FALSE(check.enough);
  EXPECT_EQ(check.samples, 5u);
  EXPECT_EQ(check.extend_by, std::chrono::milliseconds(500));
  EXPECT_NE(check.message.find("run about 0.50 s longer"), std::string::npos) << check.message;
  for (int i = 5; i < 10; ++i) s.push_back({i * kSecond / 10, 1.0});
  EXPECT_TRUE(check_samples(s, seconds(0, 1), std::chrono::milliseconds(100)).enough);
}

TEST(SensorsEnergy, ReportGrossNetAndMissing) {
  auto r = make_report("rapl:package-0", 10.0, seconds(0, 2), 100, 3.0, 2);
  EXPECT_DOUBLE_EQ(*r.avg_power_w, 5.0);
  EXPECT_DOUBLE_EQ(*r.mj_per_inference, 100.0);
  EXPECT_DOUBLE_EQ(*r.net_mj_per_inference, 40.0);  // (10 J - 3 W x 2 s) / 100
  EXPECT_DOUBLE_EQ(*r.idle_power_w, 3.0);

  auto no_idle = make_report("x", 10.0, seconds(0, 2), 100, std::nullopt, 2);
  EXPECT_FALSE(no_idle.net_mj_per_inference.has_value());
  EXPECT_FALSE(no_idle.idle_power_w.has_value());
  auto no_runs = make_report("x", 10.0, seconds(0, 2), 0, 3.0, 2);
  EXPECT_FALSE(no_runs.mj_per_inference.has_value());
  auto nothing = make_report("x", std::nullopt, seconds(0, 2), 100, 3.0, 0);
  EXPECT_FALSE(nothing.avg_power_w.has_value());
  EXPECT_FALSE(nothing.mj_per_inference.has_value());
}

}  // namespace
}  // namespace eb::sensors
