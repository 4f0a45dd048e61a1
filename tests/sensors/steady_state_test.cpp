#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "sensors/steady_state.h"

namespace eb::sensors {
namespace {

// 1 Hz samples of f(t) for t = 0..seconds.
template <typename F>
std::vector<Sample> series(int seconds, F f) {
  std::vector<Sample> out;
  for (int t = 0; t <= seconds; ++t) out.push_back({1'000'000'000LL * t + 123, f(t)});
  return out;
}

TEST(SensorsSteadyState, SlopeOfALine) {
  auto line = series(120, [](double t) { return 40.0 + t / 60.0 * 2.0; });  // 2 °C/min
  EXPECT_NEAR(*slope_per_minute(line), 2.0, 1e-9);
  EXPECT_FALSE(slope_per_minute(std::vector<Sample>{{0, 1.0}}).has_value());
}

TEST(SensorsSteadyState, HeatingCurveBecomesSteady) {
  // Newtonian heating 30 -> 70 °C with a 20 s time constant.
  auto heating = [](double t) { return 70.0 - 40.0 * std::exp(-t / 20.0); };
  auto early = detect_steady_state(series(60, heating));
  EXPECT_FALSE(early.steady);
  ASSERT_TRUE(early.slope_c_per_min.has_value());
  EXPECT_GT(*early.slope_c_per_min, 5.0);
  EXPECT_NE(early.reason.find("still changing"), std::string::npos);

  auto late = detect_steady_state(series(200, heating));
  EXPECT_TRUE(late.steady) << late.reason;
  EXPECT_LT(std::abs(*late.slope_c_per_min), 0.5);
}

TEST(SensorsSteadyState, SlowDriftJustAboveLimitIsNotSteady) {
  EXPECT_FALSE(detect_steady_state(series(90, [](double t) { return 50 + t * 0.6 / 60; })).steady);
  EXPECT_TRUE(detect_steady_state(series(90, [](double t) { return 50 + t * 0.4 / 60; })).steady);
  EXPECT_FALSE(detect_steady_state(series(90, [](double t) { return 50 - t * 1.0 / 60; })).steady);  // cooling
}

TEST(SensorsSteadyState, NoiseAroundAConstantIsSteady) {
  auto noisy = series(120, [](double t) { return 55.0 + 0.4 * std::sin(t * 1.7) + 0.3 * std::cos(t * 0.31); });
  EXPECT_TRUE(detect_steady_state(noisy).steady);
}

TEST(SensorsSteadyState, OnlyTheLastWindowCounts) {
  // Fast rise for 2 minutes, then flat for 70 s: steady now.
  auto curve = series(190, [](double t) { return t < 120 ? 30 + t * 0.3 : 66.0; });
  EXPECT_TRUE(detect_steady_state(curve).steady);
}

TEST(SensorsSteadyState, ShortSeriesIsNotJudged) {
  auto state = detect_steady_state(series(30, [](double) { return 40.0; }));
  EXPECT_FALSE(state.steady);
  EXPECT_FALSE(state.slope_c_per_min.has_value());
  EXPECT_NE(state.reason.find("spans 30.0 s of the 60 s needed"), std::string::npos) << state.reason;
  EXPECT_FALSE(detect_steady_state({}).steady);
}

}  // namespace
}  // namespace eb::sensors
