// edgebench sweep, end to end: children that crash, run out of memory and
// hang are recorded with those statuses while the others succeed; a sweep
// killed mid-way keeps every finished run and --resume completes the rest
// without duplicates; Ctrl-C keeps what finished and exits 130.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "cli_util.h"
#include "store/results_db.h"

namespace eb::cli::testing {
namespace {

using bench::RunStatus;

// Small zoo models (at --input-size 32) that build in well under a second
// each; the sweeps run them on the null backend.
const std::vector<std::string> kModels = {"cifarnet", "mobilenet_v2", "ssd_mobilenet_v1"};

std::string join(const std::vector<std::string>& items) {
  std::string s;
  for (const auto& i : items) s += (s.empty() ? "" : ",") + i;
  return s;
}

class SweepCommand : public CliTest {
 protected:
  std::string db() const { return (dir_ / "results.db").string(); }

  std::vector<store::StoredRun> stored_runs() {
    auto opened = store::ResultsDb::open(db());
    EXPECT_TRUE(opened.is_ok()) << opened.status().message();
    if (!opened.is_ok()) return {};
    auto runs = opened->list_runs();
    EXPECT_TRUE(runs.is_ok());
    return runs.is_ok() ? *runs : std::vector<store::StoredRun>{};
  }

  // Each run warms up for half a second, so a sweep can be caught between runs.
  std::vector<std::string> slow_sweep_args() const {
    return {"sweep", "--models", join(kModels), "--backends", "null", "--db", db(), "--input-size", "32", "--runs", "3",
            "--warmup-runs", "1", "--warmup-secs", "0.5", "--min-secs", "0", "--max-secs", "0.2", "--target-ci", "50"};
  }
};

TEST_F(SweepCommand, CrashOutOfMemoryAndHangAreRecordedAndTheOthersSucceed) {
  // The timeout must let a healthy run finish: starting edgebench alone
  // takes seconds on a loaded machine.
  const double timeout = std::max(2.0, 2 * startup_secs() + 2);
  const auto r = run(concat({"sweep", "--models", "cifarnet,mobilenet_v2,ssd_mobilenet_v1,resnet18", "--backends", "null",
                             "--db", db(), "--input-size", "32", "--timeout", std::to_string(timeout), "--memory-limit", "200M",
                             "--test-fault", "crash:mobilenet_v2,oom:ssd_mobilenet_v1,hang:resnet18"},
                            quick()));
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  std::cout << r.err << r.out;
  EXPECT_TRUE(contains(r.err, "memory limit: 200 MiB via ")) << r.err;
  EXPECT_TRUE(contains(r.out, "4 runs recorded (1 ok, 1 out_of_memory, 1 crashed, 1 timeout)")) << r.out;

  std::map<std::string, bench::RunRecord> by_model;
  for (const auto& run : stored_runs()) by_model[run.record.model] = run.record;
  ASSERT_EQ(by_model.size(), 4u);
  const auto& ok = by_model["cifarnet@32"];
  EXPECT_EQ(ok.status, RunStatus::ok) << ok.error.value_or("");
  EXPECT_TRUE(ok.latency_ms);

  const auto& crashed = by_model["mobilenet_v2@32"];
  EXPECT_EQ(crashed.status, RunStatus::crashed);
  EXPECT_TRUE(contains(crashed.error.value_or(""), "SIGSEGV")) << crashed.error.value_or("");
  EXPECT_FALSE(crashed.latency_ms);

  const auto& oom = by_model["ssd_mobilenet_v1@32"];
  EXPECT_EQ(oom.status, RunStatus::out_of_memory);
  EXPECT_TRUE(contains(oom.error.value_or(""), "200 MiB")) << oom.error.value_or("");

  const auto& hung = by_model["resnet18@32"];
  EXPECT_EQ(hung.status, RunStatus::timeout);
  EXPECT_TRUE(contains(hung.error.value_or(""), "--timeout")) << hung.error.value_or("");
}

TEST_F(SweepCommand, KilledMidWayKeepsFinishedRunsAndResumeCompletesWithoutDuplicates) {
  {
    Process sweep(slow_sweep_args(), dir_ / "sweep.out", std::nullopt);
    // Wait for the first finished run, then kill without warning.
    bool first_done = false;
    while (auto line = sweep.read_err_line(60)) {
      if (contains(*line, "[1/3]") && contains(*line, ": ok")) {
        first_done = true;
        break;
      }
    }
    ASSERT_TRUE(first_done) << sweep.err_seen();
    sweep.signal(SIGKILL);
    const auto r = sweep.wait();
    ASSERT_EQ(r.signal, SIGKILL) << "the sweep ended before it was killed: " << r.err;
  }
  const auto after_kill = stored_runs();
  ASSERT_GE(after_kill.size(), 1u);
  ASSERT_LT(after_kill.size(), kModels.size()) << "not killed mid-way";
  for (const auto& run : after_kill) EXPECT_EQ(run.record.status, RunStatus::ok) << run.record.model;

  const auto resumed = run(concat(slow_sweep_args(), {"--resume"}));
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_TRUE(contains(resumed.out, std::to_string(after_kill.size()) + " skipped")) << resumed.out;
  EXPECT_TRUE(contains(resumed.err, "skipped (already in the database)")) << resumed.err;

  const auto all = stored_runs();
  ASSERT_EQ(all.size(), kModels.size());
  std::set<std::string> models;
  for (const auto& run : all) {
    models.insert(run.record.model);
    EXPECT_EQ(run.record.status, RunStatus::ok) << run.record.model;
  }
  EXPECT_EQ(models.size(), kModels.size()) << "a run was duplicated";
  // The runs stored before the kill are the same rows.
  for (size_t i = 0; i < after_kill.size(); ++i) EXPECT_EQ(all[i].id, after_kill[i].id);
}

TEST_F(SweepCommand, CtrlCKeepsFinishedRunsAndExits130) {
  const fs::path out = dir_ / "sweep.out";
  Process sweep(slow_sweep_args(), out, std::nullopt);
  bool first_done = false;
  while (auto line = sweep.read_err_line(60)) {
    if (contains(*line, "[1/3]")) {
      first_done = true;
      break;
    }
  }
  ASSERT_TRUE(first_done) << sweep.err_seen();
  sweep.signal(SIGINT);
  const auto r = sweep.wait();
  EXPECT_EQ(r.exit_code, 130) << r.err;
  EXPECT_TRUE(contains(read_file(out), "interrupted")) << read_file(out);
  const auto runs = stored_runs();
  EXPECT_GE(runs.size(), 1u);
  EXPECT_LT(runs.size(), kModels.size());
  for (const auto& run : runs) EXPECT_EQ(run.record.status, RunStatus::ok) << "the interrupted run was recorded";
}

TEST_F(SweepCommand, EachBackendVariantIsARunOfItsOwn) {
  const std::vector<std::string> args = concat({"sweep", "--models", "cifarnet", "--backends", "null, null:variant,native:bogus",
                                                "--db", db(), "--input-size", "32"},
                                               quick());
  const auto r = run(args);
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_TRUE(contains(r.err, "[2/3] cifarnet@32 on null (variant): ok")) << r.err;
  EXPECT_TRUE(contains(r.out, "3 runs recorded")) << r.out;

  const auto runs = stored_runs();
  ASSERT_EQ(runs.size(), 3u);
  EXPECT_EQ(runs[0].record.backend, "null");
  EXPECT_EQ(runs[0].record.mode, "");
  EXPECT_EQ(runs[1].record.backend, "null");
  EXPECT_EQ(runs[1].record.mode, "variant");  // the child ran with --mode variant
  EXPECT_EQ(runs[1].record.status, RunStatus::ok);
  // A mode the backend refuses is that run's result, in the backend's words.
  const auto& bogus = runs[2].record;
  EXPECT_EQ(bogus.backend, "native");
  EXPECT_EQ(bogus.mode, "bogus");
  if (bogus.status != RunStatus::not_built) {
    EXPECT_EQ(bogus.status, RunStatus::failed);
    EXPECT_TRUE(contains(bogus.error.value_or(""), "unknown mode 'bogus'")) << bogus.error.value_or("");
  }

  // --resume tells the variants apart: all three are done, a new one is not.
  const auto resumed = run(concat(args, {"--resume"}));
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_TRUE(contains(resumed.out, "0 runs recorded, 3 skipped")) << resumed.out;

  const auto listed = run({"results", "--db", db(), "--backend", "null:variant"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_EQ(std::count(listed.out.begin(), listed.out.end(), '\n'), 2) << listed.out;  // the header and one run
  EXPECT_TRUE(contains(listed.out, ",null,variant,")) << listed.out;
}

TEST_F(SweepCommand, BadUsage) {
  auto r = run({"sweep", "--models", "cifarnet,nosuchnet", "--backends", "null", "--db", db()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, "unknown model 'nosuchnet'")) << r.err;
  r = run({"sweep", "--models", "cifarnet", "--backends", "null,nope", "--memory-limit", "12Q", "--db", db()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, "unknown backend 'nope'")) << r.err;
  r = run({"sweep", "--models", "cifarnet", "--backends", "null,nope:script", "--db", db()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, "unknown backend 'nope'")) << r.err;
  r = run({"sweep", "--models", "cifarnet", "--backends", "null,null:", "--db", db()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, "'null:' names no mode")) << r.err;
  EXPECT_FALSE(fs::exists(db()));
}

}  // namespace
}  // namespace eb::cli::testing
