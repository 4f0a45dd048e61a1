// Child processes: exit codes, signals, timeouts (the whole process group),
// interruption, the memory cap; and byte sizes.
#include "bench/isolation.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "scratch_dir.h"

namespace eb::bench {
namespace {

namespace fs = std::filesystem;

class IsolationTest : public ScratchDir {
 protected:
  ChildSpec shell(const std::string& script) {
    ChildSpec spec;
    spec.argv = {"/bin/sh", "-c", script};
    spec.output_path = dir_ / "output.log";
    return spec;
  }
};

bool process_alive(pid_t pid) {
  // A zombie waiting for a reaper counts as dead.
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string pid_field, comm, state;
  if (!(stat >> pid_field >> comm >> state)) return false;
  return state != "Z" && state != "X";
}

TEST(ByteSize, ParsesBinarySuffixes) {
  EXPECT_EQ(*parse_byte_size("1G"), int64_t{1} << 30);
  EXPECT_EQ(*parse_byte_size("1g"), int64_t{1} << 30);
  EXPECT_EQ(*parse_byte_size("512M"), int64_t{512} << 20);
  EXPECT_EQ(*parse_byte_size("200MB"), int64_t{200} << 20);
  EXPECT_EQ(*parse_byte_size("64KiB"), int64_t{64} << 10);
  EXPECT_EQ(*parse_byte_size("1.5G"), int64_t{3} << 29);
  EXPECT_EQ(*parse_byte_size("1048576"), 1048576);
  EXPECT_EQ(*parse_byte_size("2 T"), int64_t{2} << 40);
  for (const char* bad : {"", "abc", "0", "-1G", "1X", "G", "1.2.3M", "0.1"}) {
    auto r = parse_byte_size(bad);
    EXPECT_FALSE(r.is_ok()) << bad;
    if (!r.is_ok()) {
      EXPECT_EQ(r.status().code(), ErrorCode::invalid_argument);
    }
  }
}

TEST(ByteSize, Formats) {
  EXPECT_EQ(format_byte_size(200 << 20), "200 MiB");
  EXPECT_EQ(format_byte_size(int64_t{3} << 29), "1.5 GiB");
  EXPECT_EQ(format_byte_size(100), "100 B");
}

TEST(Signals, AreNamed) {
  EXPECT_EQ(describe_signal(SIGSEGV), "SIGSEGV (Segmentation fault)");
  EXPECT_NE(describe_signal(SIGKILL).find("SIGKILL"), std::string::npos);
}

TEST_F(IsolationTest, ExitCodeAndOutputAreKept) {
  const ChildResult r = run_child(shell("echo to-stdout; echo to-stderr >&2; exit 3"));
  EXPECT_EQ(r.end, ChildEnd::exited);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.limit_method, LimitMethod::none);
  const std::string out = read_tail(dir_ / "output.log");
  EXPECT_NE(out.find("to-stdout"), std::string::npos);
  EXPECT_NE(out.find("to-stderr"), std::string::npos);
}

TEST_F(IsolationTest, DeathBySignalIsReported) {
  const ChildResult r = run_child(shell("kill -SEGV $$"));
  EXPECT_EQ(r.end, ChildEnd::signaled);
  EXPECT_EQ(r.signal, SIGSEGV);
}

TEST_F(IsolationTest, TimeoutKillsTheWholeProcessGroup) {
  const fs::path pid_file = dir_ / "grandchild.pid";
  ChildSpec spec = shell("sleep 30 & echo $! > " + pid_file.string() + "; wait");
  spec.timeout_secs = 0.3;
  const auto start = std::chrono::steady_clock::now();
  const ChildResult r = run_child(spec);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(r.end, ChildEnd::timed_out);
  EXPECT_GE(secs, 0.3);
  EXPECT_LT(secs, 5);
  pid_t grandchild = 0;
  std::ifstream(pid_file) >> grandchild;
  ASSERT_GT(grandchild, 0);
  for (int i = 0; i < 100 && process_alive(grandchild); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_FALSE(process_alive(grandchild)) << "the background sleep survived the timeout";
}

TEST_F(IsolationTest, ShouldStopKillsTheChild) {
  ChildSpec spec = shell("sleep 30");
  const auto start = std::chrono::steady_clock::now();
  spec.should_stop = [&] { return std::chrono::steady_clock::now() - start > std::chrono::milliseconds(200); };
  const ChildResult r = run_child(spec);
  EXPECT_EQ(r.end, ChildEnd::stopped);
  EXPECT_LT(r.wall_secs, 5);
}

TEST_F(IsolationTest, MemoryLimitIsApplied) {
  ChildSpec spec = shell("ulimit -v; cat /proc/self/cgroup");
  spec.memory_limit_bytes = int64_t{200} << 20;
  const ChildResult r = run_child(spec);
  EXPECT_EQ(r.end, ChildEnd::exited);
  EXPECT_FALSE(r.limit_note.empty());
  const std::string out = read_tail(dir_ / "output.log");
  if (r.limit_method == LimitMethod::rlimit_as) {
    EXPECT_EQ(out.substr(0, out.find('\n')), "204800");  // ulimit -v counts KiB
  } else {
    ASSERT_EQ(r.limit_method, LimitMethod::cgroup_v2);
    EXPECT_NE(out.find("edgebench-"), std::string::npos);
  }
}

// A fixture tree standing in for /proc and a cgroup v2 mount: without the
// memory controller delegated, or when its files cannot be written (a plain
// directory has no memory.max), the limit falls back to RLIMIT_AS, says why,
// and leaves no directory behind.
TEST_F(IsolationTest, CgroupV2FallsBackToRlimitAndSaysWhy) {
  const fs::path root = dir_ / "root";
  fs::create_directories(root / "proc/self");
  fs::create_directories(root / "cg/user.slice");
  std::ofstream(root / "proc/self/mountinfo") << "22 1 0:20 / / rw - ext4 /dev/sda1 rw\n"
                                                 "40 30 0:37 / /cg rw,relatime - cgroup2 cgroup2 rw\n";
  std::ofstream(root / "proc/self/cgroup") << "4:memory:/whatever\n0::/user.slice\n";
  std::ofstream(root / "cg/user.slice/cgroup.subtree_control") << "cpu io\n";

  ChildSpec spec = shell("ulimit -v");
  spec.root = root;
  spec.memory_limit_bytes = int64_t{64} << 20;
  ChildResult r = run_child(spec);
  EXPECT_EQ(r.limit_method, LimitMethod::rlimit_as);
  EXPECT_NE(r.limit_note.find("not delegated to " + (root / "cg/user.slice").string()), std::string::npos) << r.limit_note;
  EXPECT_EQ(read_tail(dir_ / "output.log"), "65536");

  std::ofstream(root / "cg/user.slice/cgroup.subtree_control") << "cpu memory io\n";
  r = run_child(spec);
  EXPECT_EQ(r.limit_method, LimitMethod::rlimit_as);
  EXPECT_NE(r.limit_note.find("memory.max"), std::string::npos) << r.limit_note;
  size_t entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(root / "cg/user.slice")) ++entries;
  EXPECT_EQ(entries, 1u) << "the attempted cgroup was not removed";
}

TEST_F(IsolationTest, AProgramThatCannotStartIsReported) {
  ChildSpec spec;
  spec.argv = {"/nonexistent/edgebench"};
  const ChildResult r = run_child(spec);
  EXPECT_EQ(r.end, ChildEnd::not_started);
  EXPECT_NE(r.error.find("/nonexistent/edgebench"), std::string::npos);
}

TEST(SelfExecutable, IsThisTest) {
  auto self = self_executable();
  ASSERT_TRUE(self.is_ok());
  EXPECT_TRUE(fs::exists(*self));
  EXPECT_NE(self->filename().string().find("harness_tests"), std::string::npos);
}

}  // namespace
}  // namespace eb::bench
