#include "bench/isolation.h"

#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <chrono>
#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>
#include <system_error>

namespace eb::bench {
namespace {

std::string errno_text(int err) { return std::generic_category().message(err); }

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

bool write_file(const std::filesystem::path& path, const std::string& text, int& err) {
  const int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) {
    err = errno;
    return false;
  }
  const ssize_t n = write(fd, text.data(), text.size());
  err = n < 0 ? errno : 0;
  close(fd);
  return n == static_cast<ssize_t>(text.size());
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A memory-capped cgroup v2 for one child, removed when the child is done.
class ChildCgroup {
 public:
  // Tries to set one up; on failure dir() is empty and note() says why.
  ChildCgroup(const std::filesystem::path& root, int64_t limit_bytes) {
    const auto mount = cgroup2_mount(root);
    if (!mount) {
      note_ = "no cgroup v2 hierarchy mounted";
      return;
    }
    const auto current = current_cgroup(root);
    if (!current) {
      note_ = "this process is in no cgroup v2 group";
      return;
    }
    const std::filesystem::path parent =
        current->relative_path().empty() ? *mount : *mount / current->relative_path();
    // A child cgroup has memory.max only if the parent enables the memory
    // controller for its children; a process can not enable it for the
    // group it lives in (cgroup v2's "no internal processes" rule), so it
    // must have been delegated that way.
    std::istringstream controllers(read_file(parent / "cgroup.subtree_control"));
    bool has_memory = false;
    for (std::string c; controllers >> c;) has_memory = has_memory || c == "memory";
    if (!has_memory) {
      note_ = "cgroup v2 memory controller not delegated to " + parent.string();
      return;
    }
    static int counter = 0;
    const auto dir = parent / ("edgebench-" + std::to_string(getpid()) + "-" + std::to_string(++counter));
    if (mkdir(dir.c_str(), 0755) != 0) {
      note_ = "cannot create cgroup " + dir.string() + ": " + errno_text(errno);
      return;
    }
    int err = 0;
    if (!write_file(dir / "memory.max", std::to_string(limit_bytes), err)) {
      note_ = "cannot write " + (dir / "memory.max").string() + ": " + errno_text(err);
      rmdir(dir.c_str());
      return;
    }
    // Without this, swap would absorb the overflow and the run would only
    // get slow instead of failing as it would on the emulated device.
    write_file(dir / "memory.swap.max", "0", err);
    dir_ = dir;
    procs_ = (dir / "cgroup.procs").string();
    note_ = "cgroup v2 memory.max in " + dir.string();
  }
  ChildCgroup(const ChildCgroup&) = delete;
  ChildCgroup& operator=(const ChildCgroup&) = delete;
  ~ChildCgroup() { remove(); }

  bool active() const { return !dir_.empty(); }
  const std::string& note() const { return note_; }
  const char* procs_path() const { return procs_.c_str(); }

  bool oom_killed() const {
    if (!active()) return false;
    std::istringstream events(read_file(dir_ / "memory.events"));
    std::string key;
    int64_t value = 0;
    while (events >> key >> value) {
      if (key == "oom_kill" && value > 0) return true;
    }
    return false;
  }

  void remove() {
    if (!active()) return;
    // Anything the child left behind goes with the group.
    int err = 0;
    write_file(dir_ / "cgroup.kill", "1", err);
    for (int i = 0; i < 100 && rmdir(dir_.c_str()) != 0 && errno == EBUSY; ++i) usleep(10'000);
    dir_.clear();
  }

 private:
  static std::optional<std::filesystem::path> cgroup2_mount(const std::filesystem::path& root) {
    std::ifstream in(root / "proc/self/mountinfo");
    for (std::string line; std::getline(in, line);) {
      // id parent major:minor root mount-point options [optional...] - fstype source super-options
      const auto dash = line.find(" - ");
      if (dash == std::string::npos) continue;
      std::istringstream tail(line.substr(dash + 3));
      std::string fstype;
      tail >> fstype;
      if (fstype != "cgroup2") continue;
      std::istringstream head(line.substr(0, dash));
      std::string field, mount_point;
      for (int i = 0; i < 5 && head >> field; ++i) mount_point = field;
      return root / std::filesystem::path(mount_point).relative_path();
    }
    return std::nullopt;
  }
  static std::optional<std::filesystem::path> current_cgroup(const std::filesystem::path& root) {
    std::ifstream in(root / "proc/self/cgroup");
    for (std::string line; std::getline(in, line);) {
      if (line.rfind("0::", 0) == 0) return std::filesystem::path(line.substr(3));
    }
    return std::nullopt;
  }

  std::filesystem::path dir_;
  std::string procs_;
  std::string note_;
};

// Messages from the forked child to the parent, on a close-on-exec pipe:
// end of file without a message means exec succeeded.
constexpr char kUsedRlimit = 'R';  // could not join the cgroup: RLIMIT_AS instead
constexpr char kExecFailed = 'E';  // followed by errno

void write_all(int fd, const void* data, size_t size) {
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    const ssize_t n = write(fd, p, size);
    if (n <= 0) return;
    p += n;
    size -= static_cast<size_t>(n);
  }
}

// In the forked child: only async-signal-safe calls until exec.
// `fallback_envp`, when not null, replaces envp if the child cannot join
// its cgroup: it passes the limit for the child to apply (rlimit_env).
[[noreturn]] void exec_child(char* const* argv, char* const* envp, char* const* fallback_envp, const char* output,
                             const char* cgroup_procs, rlim_t limit, int report_fd, pid_t parent) {
  setpgid(0, 0);
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent) _exit(127);  // the parent died before prctl

  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  signal(SIGINT, SIG_DFL);
  signal(SIGPIPE, SIG_DFL);

  bool use_rlimit = limit != RLIM_INFINITY && cgroup_procs == nullptr;
  if (cgroup_procs) {
    const int fd = open(cgroup_procs, O_WRONLY | O_CLOEXEC);
    if (fd < 0 || write(fd, "0", 1) != 1) {
      if (fallback_envp) envp = fallback_envp;
      else use_rlimit = true;
      write_all(report_fd, &kUsedRlimit, 1);
    }
    if (fd >= 0) close(fd);
  }
  if (use_rlimit) {
    const rlimit as{limit, limit};
    setrlimit(RLIMIT_AS, &as);
  }

  const int in = open("/dev/null", O_RDONLY);
  if (in >= 0) dup2(in, STDIN_FILENO);
  const int out = output ? open(output, O_WRONLY | O_CREAT | O_TRUNC, 0644) : open("/dev/null", O_WRONLY);
  if (out >= 0) {
    dup2(out, STDOUT_FILENO);
    dup2(out, STDERR_FILENO);
  }
  execve(argv[0], argv, envp);
  const int err = errno;
  write_all(report_fd, &kExecFailed, 1);
  write_all(report_fd, &err, sizeof err);
  _exit(127);
}

}  // namespace

Result<int64_t> parse_byte_size(std::string_view text) {
  auto bad = [&] {
    return invalid_argument("bad size '" + std::string(text) + "' (expected a positive number of bytes, e.g. 200M, 1G, 1.5G, 1048576)");
  };
  size_t i = 0;
  while (i < text.size() && ((text[i] >= '0' && text[i] <= '9') || text[i] == '.')) ++i;
  double number = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + i, number);
  if (i == 0 || ec != std::errc() || end != text.data() + i) return bad();
  std::string unit(text.substr(i));
  if (!unit.empty() && unit.front() == ' ') unit.erase(0, 1);
  for (char& c : unit) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  double scale = 0;
  const std::pair<const char*, double> kUnits[] = {
      {"", 1.0},           {"b", 1.0},
      {"k", 1024.0},       {"kb", 1024.0},       {"kib", 1024.0},
      {"m", 1048576.0},    {"mb", 1048576.0},    {"mib", 1048576.0},
      {"g", 1073741824.0}, {"gb", 1073741824.0}, {"gib", 1073741824.0},
      {"t", 1099511627776.0}, {"tb", 1099511627776.0}, {"tib", 1099511627776.0}};
  for (const auto& [name, factor] : kUnits) {
    if (unit == name) scale = factor;
  }
  if (scale == 0) return bad();
  const double bytes = std::floor(number * scale);
  if (!(bytes >= 1) || bytes > 9.0e18) return bad();
  return static_cast<int64_t>(bytes);
}

std::string format_byte_size(int64_t bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double value = static_cast<double>(bytes);
  int u = 0;
  while (u < 4 && std::fabs(value) >= 1024.0) {
    value /= 1024.0;
    ++u;
  }
  char buf[48];
  if (value == std::floor(value)) std::snprintf(buf, sizeof buf, "%.0f %s", value, units[u]);
  else std::snprintf(buf, sizeof buf, "%.1f %s", value, units[u]);
  return buf;
}

const char* to_string(LimitMethod method) {
  switch (method) {
    case LimitMethod::none: return "none";
    case LimitMethod::cgroup_v2: return "cgroup v2 memory.max";
    case LimitMethod::rlimit_as: return "setrlimit(RLIMIT_AS)";
  }
  return "none";
}

std::string describe_signal(int signal_number) {
  const char* abbrev = sigabbrev_np(signal_number);
  const char* description = sigdescr_np(signal_number);
  if (!abbrev) return "signal " + std::to_string(signal_number);
  std::string s = std::string("SIG") + abbrev;
  if (description) s += std::string(" (") + description + ")";
  return s;
}

std::string read_tail(const std::filesystem::path& path, size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  in.seekg(0, std::ios::end);
  const auto size = static_cast<size_t>(std::max<std::streamoff>(in.tellg(), 0));
  const size_t start = size > max_bytes ? size - max_bytes : 0;
  in.seekg(static_cast<std::streamoff>(start));
  std::string text(size - start, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  const auto b = text.find_first_not_of(" \t\r\n");
  const auto e = text.find_last_not_of(" \t\r\n");
  return b == std::string::npos ? std::string() : text.substr(b, e - b + 1);
}

Result<int64_t> apply_address_space_limit(int64_t extra_bytes) {
  std::ifstream status("/proc/self/status");
  std::string key;
  int64_t vm_size = -1;
  while (status >> key) {
    if (key == "VmSize:") {
      int64_t kib = 0;
      if (status >> kib) vm_size = kib * 1024;
      break;
    }
    status.ignore(std::numeric_limits<std::streamsize>::max(), '\n');
  }
  if (vm_size < 0) return io_error("cannot read VmSize from /proc/self/status");
  const auto limit = static_cast<rlim_t>(vm_size + extra_bytes);
  const rlimit as{limit, limit};
  if (setrlimit(RLIMIT_AS, &as) != 0) return io_error("setrlimit(RLIMIT_AS): " + errno_text(errno));
  return vm_size;
}

Result<std::filesystem::path> self_executable() {
  std::error_code ec;
  auto path = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return io_error("cannot resolve /proc/self/exe: " + ec.message());
  return path;
}

ChildResult run_child(const ChildSpec& spec) {
  ChildResult result;
  if (spec.argv.empty()) {
    result.error = "no program to run";
    return result;
  }
  // Everything the child needs is built before fork: after it, the child
  // may only make async-signal-safe calls.
  std::vector<std::string> args = spec.argv;
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const std::string output = spec.output_path.string();

  std::optional<ChildCgroup> cgroup;
  rlim_t limit = RLIM_INFINITY;
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) {
    if (spec.rlimit_env.empty() || std::string_view(*e).rfind(spec.rlimit_env + "=", 0) != 0) env.emplace_back(*e);
  }
  if (spec.memory_limit_bytes) {
    cgroup.emplace(spec.root, *spec.memory_limit_bytes);
    limit = static_cast<rlim_t>(*spec.memory_limit_bytes);
    const std::string size = format_byte_size(*spec.memory_limit_bytes);
    if (cgroup->active()) {
      result.limit_method = LimitMethod::cgroup_v2;
      result.limit_note = size + " via " + cgroup->note();
    } else {
      result.limit_method = LimitMethod::rlimit_as;
      result.limit_note = size + " via setrlimit(RLIMIT_AS)" +
                          (spec.rlimit_env.empty() ? "" : " on top of the address space the program maps at start") +
                          " (cgroup v2 not usable: " + cgroup->note() + ")";
      cgroup.reset();
      if (!spec.rlimit_env.empty()) {
        env.push_back(spec.rlimit_env + "=" + std::to_string(*spec.memory_limit_bytes));
        limit = RLIM_INFINITY;  // the child sets it
      }
    }
  }
  std::vector<char*> envp;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  // Should the child fail to join its cgroup, it falls back to RLIMIT_AS.
  std::vector<std::string> fallback_env;
  std::vector<char*> fallback_envp;
  if (cgroup && !spec.rlimit_env.empty()) {
    fallback_env = env;
    fallback_env.push_back(spec.rlimit_env + "=" + std::to_string(*spec.memory_limit_bytes));
    for (auto& e : fallback_env) fallback_envp.push_back(e.data());
    fallback_envp.push_back(nullptr);
  }

  int report[2];
  if (pipe2(report, O_CLOEXEC) != 0) {
    result.error = "pipe: " + errno_text(errno);
    return result;
  }
  const auto start = std::chrono::steady_clock::now();
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) {
    result.error = "fork: " + errno_text(errno);
    close(report[0]);
    close(report[1]);
    return result;
  }
  if (pid == 0) {
    close(report[0]);
    exec_child(argv.data(), envp.data(), fallback_envp.empty() ? nullptr : fallback_envp.data(),
               output.empty() ? nullptr : output.c_str(),
               cgroup ? cgroup->procs_path() : nullptr, limit, report[1], parent);
  }
  setpgid(pid, pid);  // also here, so that a kill before the child ran setpgid reaches it
  close(report[1]);

  // Until exec (or its failure) the child reports on the pipe; EOF means exec.
  char message = 0;
  for (;;) {
    const ssize_t n = read(report[0], &message, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      message = 0;
      break;
    }
    if (message == kUsedRlimit) {
      result.limit_method = LimitMethod::rlimit_as;
      result.limit_note = format_byte_size(*spec.memory_limit_bytes) +
                          " via setrlimit(RLIMIT_AS) (could not move the child into its cgroup)";
      continue;
    }
    break;
  }
  if (message == kExecFailed) {
    int err = 0;
    if (read(report[0], &err, sizeof err) != static_cast<ssize_t>(sizeof err)) err = 0;
    close(report[0]);
    int ws = 0;
    while (waitpid(pid, &ws, 0) < 0 && errno == EINTR) {
    }
    result.error = "cannot execute " + spec.argv[0] + ": " + errno_text(err);
    return result;
  }
  close(report[0]);

  int ws = 0;
  auto kill_and_reap = [&](ChildEnd why) {
    kill(-pid, SIGKILL);
    kill(pid, SIGKILL);
    while (waitpid(pid, &ws, 0) < 0 && errno == EINTR) {
    }
    result.end = why;
  };
  bool done = false;
  while (!done) {
    const pid_t r = waitpid(pid, &ws, WNOHANG);
    if (r == pid) {
      if (WIFEXITED(ws)) {
        result.end = ChildEnd::exited;
        result.exit_code = WEXITSTATUS(ws);
      } else {
        result.end = ChildEnd::signaled;
        result.signal = WIFSIGNALED(ws) ? WTERMSIG(ws) : 0;
      }
      break;
    }
    if (r < 0 && errno != EINTR) {
      result.end = ChildEnd::not_started;
      result.error = "waitpid: " + errno_text(errno);
      break;
    }
    if (spec.should_stop && spec.should_stop()) {
      kill_and_reap(ChildEnd::stopped);
      done = true;
    } else if (spec.timeout_secs > 0 && seconds_since(start) >= spec.timeout_secs) {
      kill_and_reap(ChildEnd::timed_out);
      done = true;
    } else {
      // Interrupted early by a signal (Ctrl-C), which is what we want.
      const timespec pause{0, 2'000'000};
      nanosleep(&pause, nullptr);
    }
  }
  result.wall_secs = seconds_since(start);
  if (cgroup) {
    result.oom_killed = cgroup->oom_killed();
    cgroup->remove();
  }
  return result;
}

}  // namespace eb::bench

namespace eb::bench {
namespace {

// Written by the signal handler, read by the polling loops: the one piece of
// global state a signal handler leaves no way around.
volatile sig_atomic_t g_interrupt_signal = 0;
struct sigaction g_previous_int {};
struct sigaction g_previous_term {};

extern "C" void on_interrupt(int signal_number) { g_interrupt_signal = signal_number; }

}  // namespace

InterruptGuard::InterruptGuard() {
  g_interrupt_signal = 0;
  struct sigaction action {};
  action.sa_handler = on_interrupt;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;  // no SA_RESTART: a sleep returns at once
  sigaction(SIGINT, &action, &g_previous_int);
  sigaction(SIGTERM, &action, &g_previous_term);
}

InterruptGuard::~InterruptGuard() {
  sigaction(SIGINT, &g_previous_int, nullptr);
  sigaction(SIGTERM, &g_previous_term, nullptr);
}

int InterruptGuard::signal() const { return g_interrupt_signal; }

}  // namespace eb::bench
