// A sweep killed with SIGKILL between or during inserts must leave every run
// it had committed readable and complete.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <vector>

#include "store/results_db.h"
#include "test_util.h"

namespace eb::store {
namespace {

using testing::query_text;
using testing::sample_record;
using CrashTest = testing::TempDirTest;

constexpr size_t kSamplesPerRun = 2000;

// The child: insert runs forever, reporting each committed id on the pipe.
[[noreturn]] void insert_until_killed(const std::filesystem::path& path, int report_fd) {
  auto db = ResultsDb::open(path);
  if (!db.is_ok()) _exit(2);
  std::vector<int64_t> samples(kSamplesPerRun);
  for (int64_t i = 0;; ++i) {
    for (size_t k = 0; k < samples.size(); ++k) samples[k] = i * 1'000'000 + static_cast<int64_t>(k);
    auto id = db->insert(sample_record("model" + std::to_string(i)), samples);
    if (!id.is_ok()) _exit(3);
    const int64_t committed = *id;
    if (write(report_fd, &committed, sizeof committed) != sizeof committed) _exit(4);
  }
}

TEST_F(CrashTest, SigkillMidSweepLosesNoCommittedRun) {
  const auto path = dir_ / "sweep" / "results.db";
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(fds[0]);
    insert_until_killed(path, fds[1]);
  }
  close(fds[1]);

  // Let it commit a few runs, then kill it while it is (very likely) inside
  // the next insert: no warning, no destructors, no flush.
  std::vector<int64_t> acknowledged;
  while (acknowledged.size() < 8) {
    int64_t id = 0;
    ASSERT_EQ(read(fds[0], &id, sizeof id), static_cast<ssize_t>(sizeof id)) << "child died early";
    acknowledged.push_back(id);
  }
  ASSERT_EQ(kill(child, SIGKILL), 0);
  int wstatus = 0;
  ASSERT_EQ(waitpid(child, &wstatus, 0), child);
  ASSERT_TRUE(WIFSIGNALED(wstatus) && WTERMSIG(wstatus) == SIGKILL);
  close(fds[0]);

  auto db = ResultsDb::open(path);
  ASSERT_TRUE(db.is_ok()) << db.status().message();
  EXPECT_EQ(query_text(path, "PRAGMA integrity_check"), "ok");
  auto runs = db->list_runs();
  ASSERT_TRUE(runs.is_ok()) << runs.status().message();
  ASSERT_GE(runs->size(), acknowledged.size());
  for (int64_t id : acknowledged) {
    const auto it = std::find_if(runs->begin(), runs->end(), [&](const StoredRun& r) { return r.id == id; });
    EXPECT_NE(it, runs->end()) << "committed run " << id << " lost";
  }
  // Every run that is there is whole: all of its samples or none of the run.
  for (const StoredRun& run : *runs) {
    auto samples = db->samples(run.id);
    ASSERT_TRUE(samples.is_ok());
    EXPECT_EQ(samples->size(), kSamplesPerRun) << "run " << run.id << " is partial";
  }
  // And the database takes new runs after the crash.
  EXPECT_TRUE(db->insert(sample_record("after-crash"), {}).is_ok());
}

}  // namespace
}  // namespace eb::store
