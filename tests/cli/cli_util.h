// Running the built edgebench binary from tests: whole commands with their
// output and exit code, or a process to watch line by line and signal.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#ifndef EDGEBENCH_EXE
#error "EDGEBENCH_EXE must name the edgebench binary"
#endif

namespace eb::cli::testing {

namespace fs = std::filesystem;

inline std::string read_file(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct CommandResult {
  int exit_code = -1;  // -1 when killed by a signal
  int signal = 0;
  std::string out;
  std::string err;
  double secs = 0;
};

// Starts edgebench with `args`; stdout goes to `out_path`, stderr to a pipe
// (to be read line by line) or to `err_path`.
class Process {
 public:
  Process(const std::vector<std::string>& args, const fs::path& out_path, const std::optional<fs::path>& err_path) {
    std::vector<std::string> argv_storage = {EDGEBENCH_EXE};
    argv_storage.insert(argv_storage.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_storage) argv.push_back(a.data());
    argv.push_back(nullptr);
    int fds[2] = {-1, -1};
    if (!err_path && pipe(fds) != 0) return;
    start_ = std::chrono::steady_clock::now();
    pid_ = fork();
    if (pid_ == 0) {
      const int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      dup2(out, STDOUT_FILENO);
      if (err_path) {
        const int err = open(err_path->c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(err, STDERR_FILENO);
      } else {
        dup2(fds[1], STDERR_FILENO);
        close(fds[0]);
        close(fds[1]);
      }
      execv(argv[0], argv.data());
      _exit(127);
    }
    if (!err_path) {
      close(fds[1]);
      err_fd_ = fds[0];
    }
  }
  ~Process() {
    if (pid_ > 0 && !reaped_) {
      kill(pid_, SIGKILL);
      wait();
    }
    if (err_fd_ >= 0) close(err_fd_);
  }
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const { return pid_; }

  // The next line of stderr, or nullopt at end of file or after `timeout_secs`.
  std::optional<std::string> read_err_line(double timeout_secs) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_secs);
    for (;;) {
      if (const auto nl = buffer_.find('\n'); nl != std::string::npos) {
        std::string line = buffer_.substr(0, nl);
        buffer_.erase(0, nl + 1);
        err_seen_ += line + "\n";
        return line;
      }
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0 || err_fd_ < 0) return std::nullopt;
      pollfd p{err_fd_, POLLIN, 0};
      if (poll(&p, 1, static_cast<int>(left.count())) <= 0) return std::nullopt;
      char chunk[4096];
      const ssize_t n = read(err_fd_, chunk, sizeof chunk);
      if (n <= 0) return std::nullopt;
      buffer_.append(chunk, static_cast<size_t>(n));
    }
  }
  const std::string& err_seen() const { return err_seen_; }

  void signal(int sig) { kill(pid_, sig); }

  CommandResult wait() {
    CommandResult r;
    int ws = 0;
    while (waitpid(pid_, &ws, 0) < 0 && errno == EINTR) {
    }
    reaped_ = true;
    r.secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    if (WIFEXITED(ws)) r.exit_code = WEXITSTATUS(ws);
    if (WIFSIGNALED(ws)) r.signal = WTERMSIG(ws);
    // Drain what is left of stderr.
    while (read_err_line(0.5)) {
    }
    r.err = err_seen_ + buffer_;
    return r;
  }

 private:
  pid_t pid_ = -1;
  int err_fd_ = -1;
  bool reaped_ = false;
  std::string buffer_;
  std::string err_seen_;
  std::chrono::steady_clock::time_point start_;
};

// A fresh directory per test, with helpers to run edgebench in it.
class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("eb_cli_" + std::to_string(getpid()) + "_" + info->test_suite_name() + "_" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    if (!HasFailure()) fs::remove_all(dir_);
  }

  CommandResult run(const std::vector<std::string>& args) {
    const fs::path out = dir_ / "stdout.txt";
    const fs::path err = dir_ / "stderr.txt";
    CommandResult r;
    {
      Process p(args, out, err);
      r = p.wait();
    }
    r.out = read_file(out);
    r.err = read_file(err);
    return r;
  }

  // How long starting edgebench takes here and now (it links several
  // frameworks, and the machine may be loaded): timeouts scale with it.
  double startup_secs() {
    static double secs = -1;
    if (secs < 0) secs = run({"--version"}).secs;
    return secs;
  }

  // Short measurement flags: a run takes well under a second.
  static std::vector<std::string> quick() {
    return {"--runs", "3", "--warmup-runs", "1", "--warmup-secs", "0", "--min-secs", "0", "--max-secs", "0.2", "--target-ci", "50"};
  }
  static std::vector<std::string> concat(std::vector<std::string> a, const std::vector<std::string>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
  }

  fs::path dir_;
};

inline bool contains(const std::string& text, const std::string& what) { return text.find(what) != std::string::npos; }

}  // namespace eb::cli::testing
