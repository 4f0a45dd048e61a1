// The runner end to end on the null backend and on small fake backends:
// phases timed on the harness's clock, records complete, failures recorded
// as statuses with null (never 0) for what was not measured. The registry
// lookups (run_one) are left to tests/cli: the registry links every framework.
#include "bench/runner.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>

#include <new>

#include "backends/null/null_backend.h"
#include "zoo/zoo.h"

namespace eb::bench {
namespace {

using nlohmann::json;

// Moves by a fixed tick on every read: each timed section is exactly one
// tick, so every figure the runner derives is known in advance.
class TickClock final : public Clock {
 public:
  explicit TickClock(int64_t tick_ns) : tick_(tick_ns) {}
  int64_t now_ns() override { return now_ += tick_; }

 private:
  int64_t tick_;
  int64_t now_ = 0;
};

RunOptions quick_options() {
  RunOptions o;
  o.warmup_runs = 2;
  o.warmup_secs = 0;
  o.runs = 10;
  o.min_secs = 0;
  o.max_secs = 1;
  return o;
}

// The real null backend, outside the registry.
RunOutcome run_null(const RunSpec& spec, Clock& clock) {
  const auto backend = make_null_backend();
  return run_on_backend(spec, *backend, clock);
}

RunSpec cifarnet_spec(const std::string& backend = "null") {
  RunSpec spec;
  spec.model = "cifarnet";
  spec.load = [] { return zoo::build("cifarnet"); };
  spec.backend = backend;
  spec.options = quick_options();
  spec.seed = 7;
  return spec;
}

// The runner reads /proc/stat at the edges of the measured window and keeps
// the caller's own window hooks (the sensors') working.
TEST(Runner, RecordsCpuStealOverTheMeasuredWindowAndKeepsTheCallersHooks) {
  if (!std::filesystem::exists("/proc/stat")) GTEST_SKIP() << "no /proc/stat here";
  TickClock clock(1000);
  RunSpec spec = cifarnet_spec();
  int starts = 0, ends = 0;
  // Real CPU time inside the window (the fake clock takes none), so that
  // /proc/stat's 10 ms ticks advance between the two readings.
  spec.window_hooks.on_window_start = [&](int64_t) {
    ++starts;
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(80);
    while (std::chrono::steady_clock::now() < until) {
    }
  };
  spec.window_hooks.on_window_end = [&](int64_t) { ++ends; };
  const RunOutcome out = run_null(spec, clock);
  ASSERT_EQ(out.record.status, RunStatus::ok) << out.record.error.value_or("");
  EXPECT_EQ(starts, 1);
  EXPECT_EQ(ends, 1);
  ASSERT_TRUE(out.record.cpu_steal.has_value());
  EXPECT_GE(*out.record.cpu_steal, 0.0);
  EXPECT_LE(*out.record.cpu_steal, 1.0);
}

TEST(Runner, NullBackendOnAFakeClockGivesExactFigures) {
  TickClock clock(1000);
  const RunOutcome out = run_null(cifarnet_spec(), clock);
  const RunRecord& r = out.record;
  ASSERT_EQ(r.status, RunStatus::ok) << r.error.value_or("");
  EXPECT_FALSE(r.error);
  EXPECT_EQ(r.model, "cifarnet");
  EXPECT_EQ(r.backend, "null");
  EXPECT_EQ(r.device, "cpu");
  EXPECT_EQ(r.precision, "fp32");
  EXPECT_GE(r.threads, 1);
  // Clock reads: load start, load end, prepare end.
  EXPECT_DOUBLE_EQ(*r.load_ms, 0.001);
  EXPECT_DOUBLE_EQ(*r.init_ms, 0.002);
  EXPECT_DOUBLE_EQ(*r.first_ms, 0.001);
  EXPECT_EQ(r.warmup_runs, 2);
  // Every sample is one tick: the CI is zero wide, met as soon as --runs are done.
  EXPECT_EQ(r.runs, 10);
  ASSERT_EQ(out.samples_ns.size(), 10u);
  for (int64_t s : out.samples_ns) EXPECT_EQ(s, 1000);
  ASSERT_TRUE(r.latency_ms);
  EXPECT_DOUBLE_EQ(r.latency_ms->median, 0.001);
  EXPECT_DOUBLE_EQ(r.latency_ms->p99, 0.001);
  EXPECT_TRUE(r.stable);
  EXPECT_FALSE(r.unstable);
  EXPECT_EQ(r.harness_overhead_ns, 1000);
  ASSERT_TRUE(out.stop_reason);
  EXPECT_EQ(*out.stop_reason, StopReason::target_met);
  EXPECT_EQ(r.options, quick_options());
  EXPECT_EQ(r.env.seed, 7u);
  ASSERT_TRUE(r.env.backend_version);
  EXPECT_NE(r.env.backend_version->find("null"), std::string::npos);
  EXPECT_FALSE(r.timestamp.empty());
  ASSERT_TRUE(r.peak_rss_bytes);
  EXPECT_GT(*r.peak_rss_bytes, 0);
  // The model's static figures come from the analyzer.
  auto graph = zoo::build("cifarnet");
  ASSERT_TRUE(graph.is_ok());
  const ModelInfo info = analyze(*graph);
  EXPECT_EQ(r.model_info["params"], info.params);
  EXPECT_EQ(r.model_info["macs"], info.macs);
  EXPECT_EQ(r.model_info["flops"], info.flops());
  EXPECT_EQ(r.model_info["inputs"][0], "1x3x32x32");
}

TEST(Runner, WhatIsNotMeasuredIsNullInJson) {
  TickClock clock(1000);
  const json j = to_json(run_null(cifarnet_spec(), clock).record);
  EXPECT_TRUE(j["error"].is_null());
  EXPECT_TRUE(j["energy"].is_null());
  EXPECT_TRUE(j["temperature"].is_null());
  EXPECT_TRUE(j["profile"].is_null());
  EXPECT_TRUE(j["init_ms"].is_number());
  EXPECT_TRUE(j["latency_ms"].is_object());
  EXPECT_TRUE(j["harness_overhead_ns"].is_number());
  EXPECT_TRUE(j["model_info"].is_object());
}

TEST(Runner, NullBackendOnTheRealClockIsFast) {
  SteadyClock clock;
  RunSpec spec = cifarnet_spec();
  spec.options.runs = 5;
  spec.options.max_secs = 0.2;
  const RunOutcome out = run_null(spec, clock);
  const RunRecord& r = out.record;
  ASSERT_EQ(r.status, RunStatus::ok) << r.error.value_or("");
  EXPECT_GE(r.runs, 5);
  EXPECT_EQ(out.samples_ns.size(), static_cast<size_t>(r.runs));
  ASSERT_TRUE(r.latency_ms);
  EXPECT_GT(*r.init_ms, 0);
  EXPECT_GE(*r.init_ms, *r.load_ms);
  EXPECT_LT(r.latency_ms->median, 0.1);  // a no-op: well under 100 µs even on a loaded machine
  ASSERT_TRUE(r.harness_overhead_ns);
  EXPECT_LT(*r.harness_overhead_ns, 10'000);
  ASSERT_TRUE(out.loop_ns_per_iteration);
}

// A backend whose behaviour each test chooses.
class FakeBackend final : public Backend {
 public:
  enum class Mode { unsupported, prepare_fails, prepare_unsupported, prepare_throws_bad_alloc, invoke_fails };
  explicit FakeBackend(Mode mode) : mode_(mode) {}
  std::string id() const override { return "fake"; }
  Capabilities capabilities() const override {
    Capabilities c;
    c.version = "fake 1.0";
    c.config = {{"threads", "3"}};
    return c;
  }
  Status supports(const Graph&, const BackendOptions&) const override {
    if (mode_ == Mode::unsupported) return unsupported("fake: node 'conv1' (Conv) is not supported");
    return Status::ok();
  }
  Result<std::unique_ptr<PreparedModel>> prepare(const Graph& graph, const BackendOptions& options) override {
    if (mode_ == Mode::prepare_fails) return internal_error("fake: compiler crashed politely");
    if (mode_ == Mode::prepare_unsupported) return unsupported("fake: precision int8 has no kernel for Softmax");
    if (mode_ == Mode::prepare_throws_bad_alloc) throw std::bad_alloc();
    auto inner = make_null_backend()->prepare(graph, options);
    if (!inner.is_ok()) return inner.status();
    return std::unique_ptr<PreparedModel>(std::make_unique<FailingModel>(std::move(inner).value()));
  }

 private:
  // Fails on its fifth invoke (in warmup with quick_options).
  class FailingModel final : public PreparedModel {
   public:
    explicit FailingModel(std::unique_ptr<PreparedModel> inner) : inner_(std::move(inner)) {}
    Status set_input(std::size_t i, std::span<const float> d) override { return inner_->set_input(i, d); }
    Status invoke() override { return ++calls_ == 3 ? internal_error("fake: device lost") : Status::ok(); }
    Result<std::vector<float>> output(std::size_t i) override { return inner_->output(i); }

   private:
    std::unique_ptr<PreparedModel> inner_;
    int calls_ = 0;
  };
  Mode mode_;
};

void expect_nothing_measured(const RunRecord& r) {
  EXPECT_FALSE(r.first_ms);
  EXPECT_FALSE(r.latency_ms);
  EXPECT_FALSE(r.cv);
  EXPECT_EQ(r.runs, 0);
  const json j = to_json(r);
  EXPECT_TRUE(j["first_ms"].is_null());
  EXPECT_TRUE(j["latency_ms"].is_null());
  EXPECT_TRUE(j["cv"].is_null());
  EXPECT_TRUE(j["harness_overhead_ns"].is_null());
}

TEST(Runner, UnsupportedModelIsRecordedWithTheBackendsMessage) {
  TickClock clock(1000);
  FakeBackend backend(FakeBackend::Mode::unsupported);
  const RunRecord r = run_on_backend(cifarnet_spec("fake"), backend, clock).record;
  EXPECT_EQ(r.status, RunStatus::unsupported);
  ASSERT_TRUE(r.error);
  EXPECT_NE(r.error->find("conv1"), std::string::npos);
  EXPECT_EQ(r.backend, "fake");
  EXPECT_EQ(r.threads, 3);  // the backend's configured count for --threads 0
  EXPECT_EQ(r.env.backend_version, "fake 1.0");
  // Load and the attempt to prepare were measured and are kept.
  EXPECT_TRUE(r.load_ms);
  EXPECT_TRUE(r.init_ms);
  EXPECT_TRUE(r.model_info.is_object());
  expect_nothing_measured(r);
}

TEST(Runner, PrepareErrorsKeepTheirKind) {
  TickClock clock(1000);
  FakeBackend fails(FakeBackend::Mode::prepare_fails);
  RunRecord r = run_on_backend(cifarnet_spec("fake"), fails, clock).record;
  EXPECT_EQ(r.status, RunStatus::failed);
  EXPECT_NE(r.error.value_or("").find("compiler crashed"), std::string::npos);
  EXPECT_TRUE(r.init_ms);
  expect_nothing_measured(r);

  FakeBackend unsupported_prepare(FakeBackend::Mode::prepare_unsupported);
  r = run_on_backend(cifarnet_spec("fake"), unsupported_prepare, clock).record;
  EXPECT_EQ(r.status, RunStatus::unsupported);
  EXPECT_NE(r.error.value_or("").find("Softmax"), std::string::npos);
}

TEST(Runner, BadAllocIsOutOfMemoryNotACrash) {
  TickClock clock(1000);
  FakeBackend backend(FakeBackend::Mode::prepare_throws_bad_alloc);
  const RunRecord r = run_on_backend(cifarnet_spec("fake"), backend, clock).record;
  EXPECT_EQ(r.status, RunStatus::out_of_memory);
  EXPECT_NE(r.error.value_or("").find("prepare"), std::string::npos);
  EXPECT_TRUE(r.load_ms);
  expect_nothing_measured(r);
}

TEST(Runner, InvokeErrorNamesThePhaseAndKeepsInit) {
  TickClock clock(1000);
  FakeBackend backend(FakeBackend::Mode::invoke_fails);
  const RunRecord r = run_on_backend(cifarnet_spec("fake"), backend, clock).record;
  EXPECT_EQ(r.status, RunStatus::failed);
  ASSERT_TRUE(r.error);
  EXPECT_NE(r.error->find("device lost"), std::string::npos);
  EXPECT_NE(r.error->find("warmup inference 2"), std::string::npos);
  EXPECT_DOUBLE_EQ(*r.init_ms, 0.002);
  EXPECT_FALSE(r.latency_ms);
}

TEST(Runner, LoadFailureIsFailedWithTheLoadersMessage) {
  TickClock clock(1000);
  RunSpec spec = cifarnet_spec();
  spec.model = "broken";
  spec.load = [] { return Result<Graph>(invalid_argument("model.onnx: not an ONNX file")); };
  const RunRecord r = run_null(spec, clock).record;
  EXPECT_EQ(r.status, RunStatus::failed);
  EXPECT_NE(r.error.value_or("").find("not an ONNX file"), std::string::npos);
  EXPECT_DOUBLE_EQ(*r.load_ms, 0.001);
  EXPECT_FALSE(r.init_ms);
  EXPECT_TRUE(r.model_info.is_null());
  expect_nothing_measured(r);
}

TEST(Runner, InputsAreSeededAndShaped) {
  auto graph = zoo::build("cifarnet");
  ASSERT_TRUE(graph.is_ok());
  const auto a = make_inputs(*graph, 1);
  const auto b = make_inputs(*graph, 1);
  const auto c = make_inputs(*graph, 2);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].size(), 3u * 32 * 32);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
}

TEST(Runner, ThreadsResolveFromRequestThenBackendThenCores) {
  Capabilities caps;
  EXPECT_EQ(resolve_threads(caps, 4), 4);
  EXPECT_GE(resolve_threads(caps, 0), 1);
  caps.config = {{"threads", "6"}};
  EXPECT_EQ(resolve_threads(caps, 0), 6);
  EXPECT_EQ(resolve_threads(caps, 2), 2);
}

TEST(Runner, ABackendVariantIsRecordedApart) {
  TickClock clock(1000);
  RunSpec spec = cifarnet_spec();
  spec.backend_options.mode = "variant";
  const RunRecord r = run_null(spec, clock).record;
  EXPECT_EQ(r.status, RunStatus::ok);
  EXPECT_EQ(r.backend, "null");
  EXPECT_EQ(r.mode, "variant");
  EXPECT_NE(key_of(r), key_of(run_null(cifarnet_spec(), clock).record));
}

TEST(Runner, FaultNamesParse) {
  EXPECT_EQ(*parse_fault("crash"), Fault::crash);
  EXPECT_EQ(*parse_fault("oom"), Fault::oom);
  EXPECT_EQ(*parse_fault("hang"), Fault::hang);
  EXPECT_FALSE(parse_fault("explode").is_ok());
}

}  // namespace
}  // namespace eb::bench
