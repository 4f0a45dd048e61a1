#include "bench/run_policy.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <numeric>

#include "bench/stats.h"

namespace eb::bench {
namespace {

constexpr int64_t kMs = 1'000'000;
constexpr int64_t kSec = 1'000'000'000;

// An inference that takes `duration(call)` on a ManualClock: time moves only
// inside invoke, so every stopping decision is deterministic.
struct FakeModel {
  ManualClock clock{1'000 * kSec};
  std::function<int64_t(int64_t call)> duration = [](int64_t) { return 10 * kMs; };
  int64_t fail_at_call = -1;  // 0-based call index that returns an error
  int64_t calls = 0;

  Invoke invoke() {
    return [this] {
      const int64_t call = calls++;
      clock.advance_ns(duration(call));
      if (call == fail_at_call) return internal_error("kernel exploded");
      return Status::ok();
    };
  }
};

RunOptions fast_options() {
  RunOptions o;
  o.warmup_runs = 2;
  o.warmup_secs = 0;
  return o;
}

TEST(RunPolicy, StopsWhenRunsMinSecsAndCiAreMet) {
  FakeModel m;  // 10 ms per inference, no noise
  auto t = run_measurement(fast_options(), m.clock, m.invoke());
  ASSERT_TRUE(t.is_ok()) << t.status().message();
  // 20 runs are done after 0.2 s; min_secs (2 s) needs 200 inferences.
  EXPECT_EQ(t->samples_ns.size(), 200u);
  EXPECT_EQ(t->stop_reason, StopReason::target_met);
  EXPECT_TRUE(t->stable);
  EXPECT_EQ(t->window_end_ns - t->window_start_ns, 2 * kSec);
}

TEST(RunPolicy, SlowDeviceStopsAtRunsOnceMinSecsPassed) {
  FakeModel m;
  m.duration = [](int64_t) { return 1 * kSec; };  // a Raspberry Pi on VGG
  auto t = run_measurement(fast_options(), m.clock, m.invoke());
  ASSERT_TRUE(t.is_ok());
  EXPECT_EQ(t->samples_ns.size(), 20u);
  EXPECT_EQ(t->stop_reason, StopReason::target_met);
}

TEST(RunPolicy, NoisyRunStopsAtMaxSecsAndIsNotStable) {
  FakeModel m;
  // Two modes, 1 ms and 9 ms, alternating: the median's CI spans both modes,
  // so the 1% target is never met.
  m.duration = [](int64_t call) { return call % 2 ? 9 * kMs : 1 * kMs; };
  RunOptions o = fast_options();
  o.max_secs = 10;
  auto t = run_measurement(o, m.clock, m.invoke());
  ASSERT_TRUE(t.is_ok());
  EXPECT_EQ(t->stop_reason, StopReason::max_secs);
  EXPECT_FALSE(t->stable);
  const int64_t window = t->window_end_ns - t->window_start_ns;
  EXPECT_GE(window, 10 * kSec);
  EXPECT_LT(window - t->samples_ns.back(), 10 * kSec);  // stopped at the first chance
}

TEST(RunPolicy, StopsSoonAfterTheCiTargetIsFirstMet) {
  FakeModel m;
  // Uniform noise in [9, 11] ms from a fixed LCG: the CI narrows as ~1/sqrt(n).
  uint64_t state = 12345;
  std::vector<int64_t> durations;
  for (int i = 0; i < 5000; ++i) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    durations.push_back(9 * kMs + static_cast<int64_t>((state >> 33) % (2 * kMs)));
  }
  const int64_t first_measured = 1 + 2;  // first inference + 2 warmup
  m.duration = [&](int64_t call) { return durations[static_cast<size_t>(call)]; };
  RunOptions o = fast_options();
  o.min_secs = 0;
  o.target_ci_pct = 0.5;
  auto t = run_measurement(o, m.clock, m.invoke());
  ASSERT_TRUE(t.is_ok());
  ASSERT_EQ(t->stop_reason, StopReason::target_met);

  // The documented cadence: the CI is evaluated at n = runs, then each time n
  // has grown by max(1, n/16). The run must stop at the first evaluation
  // where the target holds, and the target must hold for what it kept.
  std::vector<int64_t> scratch;
  auto target_met_at = [&](size_t n) {
    std::span<const int64_t> prefix(durations.data() + first_measured, n);
    auto w = median_ci_relative_half_width(prefix, scratch);
    return w && *w <= 0.005;
  };
  size_t check = 20;
  while (!target_met_at(check)) check += std::max<size_t>(1, check / 16);
  EXPECT_EQ(t->samples_ns.size(), check);
  EXPECT_GT(check, 1000u);  // the test exercises many evaluations
  EXPECT_TRUE(t->stable);
}

TEST(RunPolicy, MaxRunsCapsFastInvokes) {
  FakeModel m;
  m.duration = [](int64_t) { return 1'000; };  // 1 us
  RunOptions o = fast_options();
  o.max_runs = 50;
  auto t = run_measurement(o, m.clock, m.invoke());
  ASSERT_TRUE(t.is_ok());
  EXPECT_EQ(t->samples_ns.size(), 50u);
  EXPECT_EQ(t->stop_reason, StopReason::max_runs);
  EXPECT_TRUE(t->stable);  // noise-free: the CI is tight although min_secs was not reached

  FakeModel noisy;
  noisy.duration = [](int64_t call) { return call % 2 ? 9'000 : 1'000; };
  auto u = run_measurement(o, noisy.clock, noisy.invoke());
  ASSERT_TRUE(u.is_ok());
  EXPECT_EQ(u->stop_reason, StopReason::max_runs);
  EXPECT_FALSE(u->stable);
}

TEST(RunPolicy, WarmupNeedsBothCountAndDuration) {
  RunOptions o = fast_options();
  o.warmup_runs = 3;
  o.warmup_secs = 0.5;
  {
    FakeModel m;  // 10 ms: the duration decides (50 runs)
    auto t = run_measurement(o, m.clock, m.invoke());
    ASSERT_TRUE(t.is_ok());
    EXPECT_EQ(t->warmup_runs, 50);
    EXPECT_EQ(t->warmup_ns, 500 * kMs);
  }
  {
    FakeModel m;  // 1 s: the count decides
    m.duration = [](int64_t) { return 1 * kSec; };
    auto t = run_measurement(o, m.clock, m.invoke());
    ASSERT_TRUE(t.is_ok());
    EXPECT_EQ(t->warmup_runs, 3);
  }
  {
    FakeModel m;
    o.warmup_runs = 0;
    o.warmup_secs = 0;
    auto t = run_measurement(o, m.clock, m.invoke());
    ASSERT_TRUE(t.is_ok());
    EXPECT_EQ(t->warmup_runs, 0);
    EXPECT_EQ(m.calls, 1 + static_cast<int64_t>(t->samples_ns.size()));
  }
}

TEST(RunPolicy, FirstInferenceIsTimedAloneAndKeptOutOfSamples) {
  FakeModel m;
  m.duration = [](int64_t call) { return call == 0 ? 700 * kMs : 10 * kMs; };
  auto t = run_measurement(fast_options(), m.clock, m.invoke());
  ASSERT_TRUE(t.is_ok());
  EXPECT_EQ(t->first_ns, 700 * kMs);
  EXPECT_EQ(t->warmup_runs, 2);
  for (int64_t s : t->samples_ns) EXPECT_EQ(s, 10 * kMs);
  EXPECT_EQ(m.calls, 1 + 2 + static_cast<int64_t>(t->samples_ns.size()));
}

TEST(RunPolicy, InvokeErrorStopsTheRunAndPropagates) {
  struct Case {
    int64_t fail_at;
    const char* phase;
  };
  for (const Case& c : {Case{0, "first inference"}, Case{2, "warmup inference 2"},
                        Case{10, "measured inference 8"}}) {
    FakeModel m;
    m.fail_at_call = c.fail_at;
    int starts = 0, ends = 0;
    WindowHooks hooks;
    hooks.on_window_start = [&](int64_t) { ++starts; };
    hooks.on_window_end = [&](int64_t) { ++ends; };
    auto t = run_measurement(fast_options(), m.clock, m.invoke(), hooks);
    ASSERT_FALSE(t.is_ok());
    EXPECT_EQ(t.status().code(), ErrorCode::internal);
    EXPECT_NE(t.status().message().find(c.phase), std::string::npos) << t.status().message();
    EXPECT_NE(t.status().message().find("kernel exploded"), std::string::npos);
    EXPECT_EQ(m.calls, c.fail_at + 1);  // nothing runs after the error
    EXPECT_EQ(starts, ends);            // a sampler is always told the window closed
  }
}

TEST(RunPolicy, HooksSeeTheMeasuredWindowOnThePolicyClock) {
  FakeModel m;
  int64_t start = -1, end = -1;
  WindowHooks hooks;
  hooks.on_window_start = [&](int64_t ns) { start = ns; };
  hooks.on_window_end = [&](int64_t ns) { end = ns; };
  auto t = run_measurement(fast_options(), m.clock, m.invoke(), hooks);
  ASSERT_TRUE(t.is_ok());
  EXPECT_EQ(start, t->window_start_ns);
  EXPECT_EQ(end, t->window_end_ns);
  // Time moves only inside invoke: the window is exactly the samples' sum.
  EXPECT_EQ(end - start, std::accumulate(t->samples_ns.begin(), t->samples_ns.end(), int64_t{0}));
}

TEST(RunPolicy, ReadyToStopCanLengthenTheRun) {
  FakeModel m;
  WindowHooks hooks;
  int64_t start = 0;
  hooks.on_window_start = [&](int64_t ns) { start = ns; };
  hooks.ready_to_stop = [&](int64_t now) { return now - start >= 3 * kSec; };  // e.g. a slow power meter
  auto t = run_measurement(fast_options(), m.clock, m.invoke(), hooks);
  ASSERT_TRUE(t.is_ok());
  EXPECT_EQ(t->samples_ns.size(), 300u);
  EXPECT_EQ(t->stop_reason, StopReason::target_met);

  // ... but never past max_secs.
  FakeModel m2;
  hooks.ready_to_stop = [](int64_t) { return false; };
  RunOptions o = fast_options();
  o.max_secs = 4;
  auto t2 = run_measurement(o, m2.clock, m2.invoke(), hooks);
  ASSERT_TRUE(t2.is_ok());
  EXPECT_EQ(t2->stop_reason, StopReason::max_secs);
  EXPECT_EQ(t2->samples_ns.size(), 400u);
  EXPECT_TRUE(t2->stable);  // the samples met the target; the sampler held it open
}

TEST(RunPolicy, RejectsInconsistentOptions) {
  FakeModel m;
  RunOptions o;
  o.min_secs = 70;
  auto t = run_measurement(o, m.clock, m.invoke());
  ASSERT_FALSE(t.is_ok());
  EXPECT_EQ(t.status().code(), ErrorCode::invalid_argument);
  EXPECT_NE(t.status().message().find("--min-secs (70)"), std::string::npos) << t.status().message();
  EXPECT_EQ(m.calls, 0);

  RunOptions bad_runs;
  bad_runs.runs = 0;
  EXPECT_FALSE(validate(bad_runs).is_ok());
  RunOptions bad_ci;
  bad_ci.target_ci_pct = 0;
  EXPECT_FALSE(validate(bad_ci).is_ok());
  RunOptions bad_cap;
  bad_cap.max_runs = 5;
  EXPECT_FALSE(validate(bad_cap).is_ok());
  EXPECT_TRUE(validate(RunOptions{}).is_ok());
}

// Counts clock reads: each advances 7 ns, so each sample of the overhead
// estimate is exactly one read apart.
class TickingClock final : public Clock {
 public:
  int64_t now_ns() override { return t_ += 7; }

 private:
  int64_t t_ = 0;
};

TEST(HarnessOverhead, IsTheTimedSectionAroundANoOp) {
  TickingClock clock;
  EXPECT_EQ(estimate_harness_overhead_ns(clock, 100), 7);
  SteadyClock steady;
  const int64_t real = estimate_harness_overhead_ns(steady, 1000);
  EXPECT_GE(real, 0);
  EXPECT_LT(real, 1'000'000);  // sanity only: this is not a timed test
}

}  // namespace
}  // namespace eb::bench
