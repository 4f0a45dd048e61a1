// The sweep's pieces without the edgebench binary: the child result file,
// the classification of how a child ended, and the sweep loop over shell
// children (resume, records, interruption). tests/cli covers the real thing.
#include "bench/sweep.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <algorithm>
#include <fstream>
#include <map>
#include <optional>
#include <set>

#include "scratch_dir.h"

namespace eb::bench {
namespace {

namespace fs = std::filesystem;

using SweepTest = ScratchDir;

RunRecord identity(const std::string& model) {
  RunRecord r;
  r.model = model;
  r.backend = "null";
  r.threads = 2;
  r.timestamp = "2024-05-01T12:00:00.000Z";
  return r;
}

TEST_F(SweepTest, ChildResultRoundTrips) {
  RunRecord r = identity("cifarnet");
  r.runs = 3;
  r.latency_ms = LatencyMs{1, 1, 1, 1, 1, 1, 0, std::nullopt, std::nullopt};
  const std::vector<int64_t> samples = {100, 200, 300};
  ASSERT_TRUE(write_child_result(dir_ / "r", r, samples).is_ok());
  EXPECT_FALSE(fs::exists(dir_ / "r.tmp"));
  auto back = read_child_result(dir_ / "r");
  ASSERT_TRUE(back.is_ok()) << back.status().message();
  EXPECT_EQ(back->record, r);
  EXPECT_EQ(back->samples_ns, samples);
}

TEST_F(SweepTest, TruncatedOrMissingChildResultIsAnError) {
  EXPECT_FALSE(read_child_result(dir_ / "missing").is_ok());
  ASSERT_TRUE(write_child_result(dir_ / "r", identity("m"), std::vector<int64_t>(10, 5)).is_ok());
  fs::resize_file(dir_ / "r", fs::file_size(dir_ / "r") - 8);
  EXPECT_FALSE(read_child_result(dir_ / "r").is_ok());
}

ChildResult ended(ChildEnd end, int code_or_signal = 0) {
  ChildResult c;
  c.end = end;
  if (end == ChildEnd::exited) c.exit_code = code_or_signal;
  if (end == ChildEnd::signaled) c.signal = code_or_signal;
  return c;
}
const Result<ChildRunResult> kNoResult = not_found("no result");

TEST(Classify, TimeoutCrashAndSilentExit) {
  const RunRecord id = identity("vgg16");
  auto r = classify_child(id, ended(ChildEnd::timed_out), kNoResult, "", 2, std::nullopt).record;
  EXPECT_EQ(r.status, RunStatus::timeout);
  EXPECT_NE(r.error->find("2 s"), std::string::npos);
  EXPECT_EQ(r.model, "vgg16");
  EXPECT_FALSE(r.latency_ms);

  r = classify_child(id, ended(ChildEnd::signaled, SIGSEGV), kNoResult, "loading...\n", 0, std::nullopt).record;
  EXPECT_EQ(r.status, RunStatus::crashed);
  EXPECT_NE(r.error->find("SIGSEGV"), std::string::npos);

  r = classify_child(id, ended(ChildEnd::exited, 3), kNoResult, "edgebench: something odd", 0, std::nullopt).record;
  EXPECT_EQ(r.status, RunStatus::failed);
  EXPECT_NE(r.error->find("code 3"), std::string::npos);
  EXPECT_NE(r.error->find("something odd"), std::string::npos);
}

TEST(Classify, MemoryExhaustionInAnyForm) {
  const RunRecord id = identity("alexnet");
  const int64_t limit = int64_t{200} << 20;
  // An escaped std::bad_alloc: terminate() and SIGABRT.
  ChildResult abort = ended(ChildEnd::signaled, SIGABRT);
  abort.limit_method = LimitMethod::rlimit_as;
  auto r = classify_child(id, abort, kNoResult,
                          "terminate called after throwing an instance of 'std::bad_alloc'\n  what():  std::bad_alloc", 0,
                          limit)
               .record;
  EXPECT_EQ(r.status, RunStatus::out_of_memory);
  EXPECT_NE(r.error->find("200 MiB"), std::string::npos);
  EXPECT_NE(r.error->find("RLIMIT_AS"), std::string::npos);
  // The cgroup's OOM killer.
  ChildResult killed = ended(ChildEnd::signaled, SIGKILL);
  killed.oom_killed = true;
  killed.limit_method = LimitMethod::cgroup_v2;
  r = classify_child(id, killed, kNoResult, "", 0, limit).record;
  EXPECT_EQ(r.status, RunStatus::out_of_memory);
  EXPECT_NE(r.error->find("cgroup"), std::string::npos);
  // The child caught it and said so itself: its record wins, with the limit named.
  ChildRunResult reported{identity("alexnet"), {}};
  reported.record.status = RunStatus::out_of_memory;
  reported.record.error = "out of memory (std::bad_alloc) during inference";
  ChildResult exited = ended(ChildEnd::exited, 1);
  exited.limit_method = LimitMethod::rlimit_as;
  r = classify_child(id, exited, reported, "", 0, limit).record;
  EXPECT_EQ(r.status, RunStatus::out_of_memory);
  EXPECT_NE(r.error->find("during inference (memory limit 200 MiB via setrlimit(RLIMIT_AS))"), std::string::npos);
}

TEST(Classify, AChildsOwnRecordIsKept) {
  ChildRunResult reported{identity("cifarnet"), {1, 2, 3}};
  reported.record.status = RunStatus::unsupported;
  reported.record.error = "no kernel for Foo";
  const auto out = classify_child(identity("cifarnet"), ended(ChildEnd::exited, 1), reported, "", 0, std::nullopt);
  EXPECT_EQ(out.record.status, RunStatus::unsupported);
  EXPECT_EQ(out.record.error, "no kernel for Foo");
  EXPECT_EQ(out.samples_ns, (std::vector<int64_t>{1, 2, 3}));
}

// A plan of shell children standing in for `edgebench run`: each writes a
// child result file through a tiny helper script.
SweepEntry shell_entry(const std::string& model, const std::string& script) {
  SweepEntry e;
  e.identity = identity(model);
  // The sweep appends "--child-result PATH": $1 and $2 of the script.
  e.child_argv = {"/bin/sh", "-c", script, "sh"};
  return e;
}

TEST_F(SweepTest, RunsThePlanRecordsEveryStatusAndResumes) {
  // A real child result is produced by copying one prepared in advance.
  RunRecord ok = identity("good");
  ok.runs = 2;
  ASSERT_TRUE(write_child_result(dir_ / "good.result", ok, std::vector<int64_t>{10, 20}).is_ok());
  std::vector<SweepEntry> plan = {
      shell_entry("good", "cp " + (dir_ / "good.result").string() + " \"$2\""),
      shell_entry("crash", "kill -SEGV $$"),
      shell_entry("hang", "sleep 30"),
      shell_entry("quiet", "exit 4"),
  };
  plan.push_back(shell_entry("unbuilt", "exit 0"));
  plan.back().identity.status = RunStatus::not_built;
  plan.back().identity.error = "not built";

  std::vector<RunRecord> recorded;
  std::set<std::string> done_models;
  SweepHooks hooks;
  hooks.record = [&](const RunRecord& r, std::span<const int64_t> samples) {
    recorded.push_back(r);
    done_models.insert(r.model);
    if (r.model == "good") {
      EXPECT_EQ(samples.size(), 2u);
    }
    return Status::ok();
  };
  hooks.already_done = [&](const RunKey& key) -> Result<bool> { return done_models.count(key.model) > 0; };
  std::vector<SweepEvent::Kind> events;
  std::map<std::string, std::optional<int>> exit_codes;
  hooks.progress = [&](const SweepEvent& e) {
    events.push_back(e.kind);
    if (e.kind == SweepEvent::Kind::finished) exit_codes[e.entry->identity.model] = e.exit_code;
  };

  SweepOptions options;
  options.timeout_secs = 0.5;
  options.work_dir = dir_ / "work";
  auto summary = run_sweep(plan, options, hooks);
  ASSERT_TRUE(summary.is_ok()) << summary.status().message();
  EXPECT_EQ(summary->recorded, 5u);
  EXPECT_FALSE(summary->stopped);
  ASSERT_EQ(recorded.size(), 5u);
  EXPECT_EQ(recorded[0].status, RunStatus::ok);
  EXPECT_EQ(recorded[0].runs, 2);
  EXPECT_EQ(recorded[1].status, RunStatus::crashed);
  EXPECT_EQ(recorded[2].status, RunStatus::timeout);
  EXPECT_EQ(recorded[3].status, RunStatus::failed);
  EXPECT_EQ(recorded[4].status, RunStatus::not_built);
  EXPECT_EQ(summary->by_status[RunStatus::timeout], 1u);
  EXPECT_EQ(exit_codes["good"], 0);
  EXPECT_EQ(exit_codes["quiet"], 4);
  EXPECT_EQ(exit_codes["crash"], std::nullopt);  // killed by a signal: no exit code
  EXPECT_EQ(exit_codes["unbuilt"], std::nullopt);

  // Resume: everything is recorded already, nothing runs.
  options.resume = true;
  recorded.clear();
  events.clear();
  summary = run_sweep(plan, options, hooks);
  ASSERT_TRUE(summary.is_ok());
  EXPECT_EQ(summary->skipped, 5u);
  EXPECT_TRUE(recorded.empty());
  EXPECT_EQ(events, std::vector<SweepEvent::Kind>(5, SweepEvent::Kind::skipped));
}

TEST_F(SweepTest, VariantsOfABackendAreRunsOfTheirOwnForResume) {
  auto variant = [](const std::string& mode) {
    SweepEntry e = shell_entry("cifarnet", "exit 1");
    e.identity.mode = mode;
    return e;
  };
  std::vector<RunKey> done;
  SweepHooks hooks;
  hooks.record = [&](const RunRecord& r, std::span<const int64_t>) {
    done.push_back(key_of(r));
    return Status::ok();
  };
  hooks.already_done = [&](const RunKey& key) -> Result<bool> {
    return std::find(done.begin(), done.end(), key) != done.end();
  };
  SweepOptions options;
  options.resume = true;
  const std::vector<SweepEntry> plan = {variant(""), variant("script")};
  auto first = run_sweep(plan, options, hooks);
  ASSERT_TRUE(first.is_ok());
  EXPECT_EQ(first->recorded, 2u);
  ASSERT_EQ(done.size(), 2u);
  EXPECT_EQ(done[1].mode, "script");

  const std::vector<SweepEntry> more = {variant("script"), variant("eager"), variant("")};
  auto second = run_sweep(more, options, hooks);
  ASSERT_TRUE(second.is_ok());
  EXPECT_EQ(second->skipped, 2u);
  EXPECT_EQ(second->recorded, 1u);
  EXPECT_EQ(done.back().mode, "eager");
}

TEST(SplitList, TrimsSpacesAndSkipsEmptyItems) {
  EXPECT_EQ(split_list(" resnet50 ,vgg16,, mobilenet_v2,"), (std::vector<std::string>{"resnet50", "vgg16", "mobilenet_v2"}));
  EXPECT_EQ(split_list("a b,c"), (std::vector<std::string>{"a b", "c"}));  // inner spaces kept
  EXPECT_TRUE(split_list("").empty());
  EXPECT_TRUE(split_list(" , ,").empty());
}

TEST(BackendList, IdsAndVariantsInOrder) {
  auto list = parse_backend_list("native, libtorch:eager,libtorch:script ,opencv,,darknet");
  ASSERT_TRUE(list.is_ok()) << list.status().message();
  const std::vector<BackendVariant> expected = {
      {"native", ""}, {"libtorch", "eager"}, {"libtorch", "script"}, {"opencv", ""}, {"darknet", ""}};
  EXPECT_EQ(*list, expected);
}

TEST(BackendList, MalformedItemsAreNamed) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "--backends is empty"},
      {" , ", "--backends is empty"},
      {"native,libtorch:", "'libtorch:' names no mode"},
      {":script", "':script' names no backend"},
      {"libtorch:script,native,libtorch:script", "'libtorch:script' is listed twice"},
      {"native,native", "'native' is listed twice"},
  };
  for (const auto& [text, message] : cases) {
    auto list = parse_backend_list(text);
    ASSERT_FALSE(list.is_ok()) << text;
    EXPECT_EQ(list.status().code(), ErrorCode::invalid_argument) << text;
    EXPECT_NE(list.status().message().find(message), std::string::npos) << text << ": " << list.status().message();
  }
  // The default mode and a named one are different variants.
  EXPECT_TRUE(parse_backend_list("libtorch,libtorch:eager").is_ok());
}

TEST_F(SweepTest, StoppingKillsTheCurrentChildAndRecordsNothingForIt) {
  std::vector<SweepEntry> plan = {shell_entry("a", "exit 1"), shell_entry("b", "sleep 30"), shell_entry("c", "exit 1")};
  std::vector<std::string> recorded;
  SweepHooks hooks;
  hooks.record = [&](const RunRecord& r, std::span<const int64_t>) {
    recorded.push_back(r.model);
    return Status::ok();
  };
  bool b_started = false;
  std::chrono::steady_clock::time_point b_start;
  hooks.progress = [&](const SweepEvent& e) {
    if (e.kind == SweepEvent::Kind::started && e.entry->identity.model == "b") {
      b_started = true;
      b_start = std::chrono::steady_clock::now();
    }
  };
  hooks.should_stop = [&] { return b_started && std::chrono::steady_clock::now() - b_start > std::chrono::milliseconds(200); };
  auto summary = run_sweep(plan, SweepOptions{}, hooks);
  ASSERT_TRUE(summary.is_ok());
  EXPECT_TRUE(summary->stopped);
  EXPECT_EQ(recorded, std::vector<std::string>{"a"});
}

TEST_F(SweepTest, ARecordErrorStopsTheSweep) {
  std::vector<SweepEntry> plan = {shell_entry("a", "exit 1"), shell_entry("b", "exit 1")};
  int calls = 0;
  SweepHooks hooks;
  hooks.record = [&](const RunRecord&, std::span<const int64_t>) {
    ++calls;
    return io_error("disk full");
  };
  auto summary = run_sweep(plan, SweepOptions{}, hooks);
  ASSERT_FALSE(summary.is_ok());
  EXPECT_NE(summary.status().message().find("disk full"), std::string::npos);
  EXPECT_EQ(calls, 1);
}

}  // namespace
}  // namespace eb::bench
