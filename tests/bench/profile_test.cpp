// The profiling pass (bench/profile.h) on a scripted model and a manual
// clock: every node time and wall time is known, so the medians, category
// sums and framework overhead are exact. Also: a backend without a profiler,
// profilers that fail or disagree, and the pass through the real runner.
#include "bench/profile.h"

#include <gtest/gtest.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "backends/null/null_backend.h"
#include "bench/runner.h"
#include "zoo/zoo.h"

namespace eb::bench {
namespace {

using nlohmann::json;

constexpr int64_t kMs = 1'000'000;

// What one profile() call does: advance the clock by wall_ns and report nodes.
struct ScriptedInvoke {
  int64_t wall_ns = 0;
  std::vector<NodeTiming> nodes;
  Status status;
};

class ScriptedModel final : public PreparedModel {
 public:
  ScriptedModel(ManualClock& clock, std::vector<ScriptedInvoke> script) : clock_(clock), script_(std::move(script)) {}

  Status set_input(std::size_t, std::span<const float>) override { return Status::ok(); }
  Status invoke() override {
    ++invokes_;
    clock_.advance_ns(kMs);  // not profiled: must not show anywhere
    return invoke_status_;
  }
  Result<std::vector<float>> output(std::size_t) override { return std::vector<float>{}; }
  Result<std::vector<NodeTiming>> profile() override {
    if (invokes_ == 0) return internal_error("profile() before the warm invoke");
    const ScriptedInvoke& s = script_.at(profiles_++);
    clock_.advance_ns(s.wall_ns);
    if (!s.status.is_ok()) return s.status;
    return s.nodes;
  }

  int invokes_ = 0;
  std::size_t profiles_ = 0;
  Status invoke_status_;

 private:
  ManualClock& clock_;
  std::vector<ScriptedInvoke> script_;
};

// A small network, its times in ms per invoke: conv1, bn1, relu1, conv2, add, fc.
ScriptedInvoke scripted(double wall_ms, std::array<double, 6> ms) {
  ScriptedInvoke s;
  s.wall_ns = static_cast<int64_t>(wall_ms * kMs);
  s.nodes = {{"conv1", "Conv", "convolution", ms[0]}, {"bn1", "BatchNormalization", "batch_norm", ms[1]},
             {"relu1", "Relu", "activation", ms[2]},  {"conv2", "Conv+Relu", "convolution", ms[3]},
             {"add", "Add", "elementwise", ms[4]},    {"fc", "Gemm", "fully_connected", ms[5]}};
  return s;
}

std::vector<ScriptedInvoke> five_invokes() {
  return {scripted(10, {4, 1, 0.5, 2, 0.25, 1}), scripted(12, {5, 1.5, 0.5, 3, 0.5, 1}), scripted(11, {3, 1, 1, 2, 0.25, 0.5}),
          scripted(14, {6, 2, 0.5, 2.5, 0.25, 1}), scripted(9, {4, 1, 0.75, 2, 0.5, 1})};
}

TEST(Profile, MediansCategoriesAndOverheadAreExact) {
  ManualClock clock;
  ScriptedModel model(clock, five_invokes());
  auto invokes = profile_invokes(model, clock, 5);
  ASSERT_TRUE(invokes.is_ok()) << invokes.status().message();
  EXPECT_EQ(model.invokes_, 1);  // one warm invoke, not profiled
  EXPECT_EQ(model.profiles_, 5u);
  ASSERT_EQ(invokes->size(), 5u);
  EXPECT_EQ((*invokes)[0].start_ns, 1 * kMs);  // after the warm invoke
  EXPECT_EQ((*invokes)[1].start_ns, 11 * kMs);
  EXPECT_EQ((*invokes)[3].wall_ns, 14 * kMs);

  auto b = summarize_profile(*invokes);
  ASSERT_TRUE(b.is_ok()) << b.status().message();
  EXPECT_EQ(b->invokes, 5);
  EXPECT_DOUBLE_EQ(b->wall_ms, 11);  // median of 10, 12, 11, 14, 9
  // Per node medians: conv1 4, bn1 1, relu1 0.5, conv2 2, add 0.25, fc 1.
  ASSERT_EQ(b->nodes.size(), 6u);
  const std::vector<std::pair<std::string, double>> nodes = {{"conv1", 4}, {"bn1", 1}, {"relu1", 0.5}, {"conv2", 2}, {"add", 0.25}, {"fc", 1}};
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    EXPECT_EQ(b->nodes[i].node, nodes[i].first);
    EXPECT_DOUBLE_EQ(b->nodes[i].ms, nodes[i].second) << nodes[i].first;
  }
  EXPECT_EQ(b->nodes[3].op, "Conv+Relu");
  EXPECT_EQ(b->nodes[3].category, "convolution");
  EXPECT_DOUBLE_EQ(b->nodes_ms, 8.75);
  // Within each invoke, wall - nodes: 10 - 8.75, 12 - 11.5, 11 - 7.75,
  // 14 - 12.25, and 9 - 9.25 clamped to 0: the median is 1.25.
  EXPECT_DOUBLE_EQ(b->overhead_ms, 1.25);
  EXPECT_EQ(b->overhead_clamped_invokes, 1);
  // In the op table's order, whatever order the nodes came in.
  const std::vector<std::pair<std::string, double>> categories = {
      {"convolution", 6}, {"batch_norm", 1}, {"activation", 0.5}, {"fully_connected", 1}, {"elementwise", 0.25}};
  EXPECT_EQ(b->categories, categories);
}

TEST(Profile, EvenCountTakesTheLowerMiddleAsTheLatencyDoes) {
  ManualClock clock;
  auto script = five_invokes();
  script.pop_back();  // walls 10, 12, 11, 14
  ScriptedModel model(clock, script);
  auto invokes = profile_invokes(model, clock, 4);
  ASSERT_TRUE(invokes.is_ok());
  auto b = summarize_profile(*invokes);
  ASSERT_TRUE(b.is_ok());
  EXPECT_DOUBLE_EQ(b->wall_ms, 11);
  EXPECT_DOUBLE_EQ(b->nodes[0].ms, 4);  // conv1: 3, 4, 5, 6
  EXPECT_DOUBLE_EQ(b->overhead_ms, 1.25);  // 0.5, 1.25, 1.75, 3.25
  EXPECT_EQ(b->overhead_clamped_invokes, 0);
}

// Preemptions hit a different node in each invoke: the node medians are
// the quiet times, the median wall is not, and median wall - sum of node
// medians (9.5 ms here) would be noise. Within each invoke it is 0.5 ms.
TEST(Profile, OverheadIsTakenWithinEachInvokeSoNoiseInNodesIsNotOverhead) {
  auto invoke = [](double wall_ms, double a_ms, double b_ms) {
    ScriptedInvoke s;
    s.wall_ns = static_cast<int64_t>(wall_ms * kMs);
    s.nodes = {{"a", "Conv", "convolution", a_ms}, {"b", "Relu", "activation", b_ms}};
    return s;
  };
  ManualClock clock;
  ScriptedModel model(clock, {invoke(11.5, 10, 1), invoke(11.5, 1, 10), invoke(2.5, 1, 1)});
  auto invokes = profile_invokes(model, clock, 3);
  ASSERT_TRUE(invokes.is_ok());
  auto b = summarize_profile(*invokes);
  ASSERT_TRUE(b.is_ok());
  EXPECT_DOUBLE_EQ(b->wall_ms, 11.5);
  EXPECT_DOUBLE_EQ(b->nodes_ms, 2);
  EXPECT_DOUBLE_EQ(b->overhead_ms, 0.5);
}

TEST(Profile, NodesPastTheWallClampTheOverheadAtZeroAndSaySo) {
  ManualClock clock;
  ScriptedModel model(clock, {scripted(2, {4, 1, 0.5, 2, 0.25, 1})});
  auto invokes = profile_invokes(model, clock, 1);
  ASSERT_TRUE(invokes.is_ok());
  auto b = summarize_profile(*invokes);
  ASSERT_TRUE(b.is_ok());
  EXPECT_DOUBLE_EQ(b->wall_ms, 2);
  EXPECT_DOUBLE_EQ(b->nodes_ms, 8.75);
  EXPECT_EQ(b->overhead_ms, 0.0);
  EXPECT_EQ(b->overhead_clamped_invokes, 1);
  EXPECT_EQ(to_json(*b)["overhead_clamped_invokes"], 1);
}

TEST(Profile, JsonHasTheRecordShapeAndReadsBack) {
  ManualClock clock;
  ScriptedModel model(clock, five_invokes());
  auto invokes = profile_invokes(model, clock, 5);
  ASSERT_TRUE(invokes.is_ok());
  auto b = summarize_profile(*invokes);
  ASSERT_TRUE(b.is_ok());
  const json j = to_json(*b);
  EXPECT_EQ(j["invokes"], 5);
  EXPECT_DOUBLE_EQ(j["wall_ms"].get<double>(), 11);
  EXPECT_DOUBLE_EQ(j["overhead_ms"].get<double>(), 1.25);
  ASSERT_EQ(j["categories"].size(), 5u);
  EXPECT_EQ(j["categories"][0], json({{"category", "convolution"}, {"ms", 6.0}}));
  ASSERT_EQ(j["nodes"].size(), 6u);
  EXPECT_EQ(j["nodes"][1], json({{"node", "bn1"}, {"op", "BatchNormalization"}, {"category", "batch_norm"}, {"ms", 1.0}}));
  // Through text and back, as the record travels (database, child result).
  auto back = latency_breakdown_from_json(json::parse(j.dump()));
  ASSERT_TRUE(back.is_ok()) << back.status().message();
  EXPECT_TRUE(*back == *b);
  EXPECT_FALSE(latency_breakdown_from_json(json{{"error", "no profiler"}}).is_ok());
  EXPECT_FALSE(latency_breakdown_from_json(json{{"invokes", 5}}).is_ok());
}

TEST(Profile, InvokesThatDisagreeOnTheNodesAreAnError) {
  auto second = scripted(10, {4, 1, 0.5, 2, 0.25, 1});
  second.nodes[2].node = "relu_other";
  std::vector<ProfiledInvoke> invokes(2);
  invokes[0].nodes = scripted(10, {4, 1, 0.5, 2, 0.25, 1}).nodes;
  invokes[1].nodes = second.nodes;
  auto b = summarize_profile(invokes);
  ASSERT_FALSE(b.is_ok());
  EXPECT_NE(b.status().message().find("relu_other"), std::string::npos) << b.status().message();
  invokes[1].nodes.pop_back();
  b = summarize_profile(invokes);
  ASSERT_FALSE(b.is_ok());
  EXPECT_NE(b.status().message().find("5 nodes"), std::string::npos) << b.status().message();
  EXPECT_FALSE(summarize_profile({}).is_ok());
}

TEST(Profile, FailuresNameTheInvoke) {
  ManualClock clock;
  auto script = five_invokes();
  script[2].status = internal_error("kernel exploded");
  ScriptedModel model(clock, script);
  auto invokes = profile_invokes(model, clock, 5);
  ASSERT_FALSE(invokes.is_ok());
  EXPECT_EQ(invokes.status().message(), "profiled invoke 3: kernel exploded");

  ScriptedModel empty(clock, {ScriptedInvoke{kMs, {}, Status::ok()}});
  invokes = profile_invokes(empty, clock, 1);
  ASSERT_FALSE(invokes.is_ok());
  EXPECT_NE(invokes.status().message().find("no nodes"), std::string::npos);

  ScriptedModel warm_fails(clock, five_invokes());
  warm_fails.invoke_status_ = internal_error("no input bound");
  invokes = profile_invokes(warm_fails, clock, 5);
  ASSERT_FALSE(invokes.is_ok());
  EXPECT_EQ(invokes.status().message(), "warm invoke before profiling: no input bound");
  EXPECT_EQ(warm_fails.profiles_, 0u);

  EXPECT_FALSE(profile_invokes(model, clock, 0).is_ok());
}

// The interface's default: no per-node profiler.
class NoProfilerModel final : public PreparedModel {
 public:
  Status set_input(std::size_t, std::span<const float>) override { return Status::ok(); }
  Status invoke() override { return Status::ok(); }
  Result<std::vector<float>> output(std::size_t) override { return std::vector<float>{}; }
};

TEST(ProfilingPass, BackendWithoutProfilerLeavesItsMessageAndTheRunOk) {
  ManualClock clock;
  NoProfilerModel model;
  RunRecord record;
  run_profiling_pass(ProfileOptions{true, 5, ""}, clock, model, record);
  EXPECT_EQ(record.profile, json({{"error", "this backend has no per-node profiler"}}));
  EXPECT_EQ(record.status, RunStatus::ok);
  EXPECT_FALSE(record.error);
}

TEST(ProfilingPass, FillsTheRecordAndWritesTheTrace) {
  const auto dir = std::filesystem::temp_directory_path() / ("eb_profile_test_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  ManualClock clock;
  ScriptedModel model(clock, five_invokes());
  RunRecord record;
  record.model = "tiny";
  record.backend = "scripted";
  const auto trace_path = (dir / "trace.json").string();
  run_profiling_pass(ProfileOptions{true, 5, trace_path}, clock, model, record);
  ASSERT_FALSE(record.profile.contains("error")) << record.profile.dump();
  EXPECT_DOUBLE_EQ(record.profile["overhead_ms"].get<double>(), 1.25);
  EXPECT_EQ(record.profile["trace"], trace_path);
  std::ifstream in(trace_path);
  const json trace = json::parse(in, nullptr, false);
  ASSERT_FALSE(trace.is_discarded());
  EXPECT_EQ(trace["traceEvents"].size(), 2u + 5 * (6 + 1));

  // A trace that cannot be written keeps the breakdown and says why.
  ScriptedModel again(clock, five_invokes());
  RunRecord second;
  run_profiling_pass(ProfileOptions{true, 5, (dir / "no-such-dir" / "trace.json").string()}, clock, again, second);
  EXPECT_DOUBLE_EQ(second.profile["wall_ms"].get<double>(), 11);
  ASSERT_TRUE(second.profile.contains("trace_error"));
  EXPECT_NE(second.profile["trace_error"].get<std::string>().find("no-such-dir"), std::string::npos);
  EXPECT_FALSE(second.profile.contains("trace"));
  std::filesystem::remove_all(dir);
}

// Through the runner's hook, on the real null backend (no profiler): the
// measured phase is untouched, the run ok, the profile says why it is absent.
TEST(ProfilingPass, RunsAfterTheMeasuredPhaseOfARealRun) {
  RunSpec spec;
  spec.model = "cifarnet";
  spec.load = [] { return zoo::build("cifarnet"); };
  spec.backend = "null";
  spec.options.warmup_runs = 1;
  spec.options.warmup_secs = 0;
  spec.options.runs = 5;
  spec.options.min_secs = 0;
  spec.options.max_secs = 1;
  int passes = 0;
  spec.after_measurement = [&passes](PreparedModel& model, RunRecord& record) {
    ++passes;
    ManualClock clock;
    run_profiling_pass(ProfileOptions{true, 3, ""}, clock, model, record);
  };
  SteadyClock clock;
  const auto backend = make_null_backend();
  const RunOutcome out = run_on_backend(spec, *backend, clock);
  EXPECT_EQ(passes, 1);
  ASSERT_EQ(out.record.status, RunStatus::ok) << out.record.error.value_or("");
  EXPECT_GE(out.record.runs, 5);
  EXPECT_EQ(static_cast<int64_t>(out.samples_ns.size()), out.record.runs);
  EXPECT_EQ(out.record.profile["error"], "this backend has no per-node profiler");
  EXPECT_EQ(to_json(out.record)["profile"], out.record.profile);
}

}  // namespace
}  // namespace eb::bench
