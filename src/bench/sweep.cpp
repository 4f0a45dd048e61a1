#include "bench/sweep.h"

#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <fstream>
#include <string_view>
#include <system_error>

namespace eb::bench {
namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::string seconds_text(double secs) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g", secs);
  return buf;
}

bool mentions_out_of_memory(const std::string& text) {
  return text.find("std::bad_alloc") != std::string::npos || text.find("out of memory") != std::string::npos ||
         text.find("Out of memory") != std::string::npos || text.find("Cannot allocate memory") != std::string::npos;
}

// The last non-empty line of a child's output: usually the message.
std::string last_line(const std::string& text) {
  const auto end = text.find_last_not_of("\r\n");
  if (end == std::string::npos) return {};
  const auto start = text.find_last_of('\n', end);
  return text.substr(start == std::string::npos ? 0 : start + 1, end - (start == std::string::npos ? 0 : start + 1) + 1);
}

std::string limit_text(std::optional<int64_t> limit, const ChildResult& child) {
  if (!limit) return {};
  return " (memory limit " + format_byte_size(*limit) + " via " + to_string(child.limit_method) + ")";
}

constexpr std::string_view kTempPrefix = "edgebench-sweep-";

// Scratch directories of sweeps that were killed (SIGKILL leaves no chance
// to clean up) are named after their dead process: remove them.
void remove_stale_temp_dirs(const std::filesystem::path& base) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(base, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(kTempPrefix, 0) != 0) continue;
    const std::string rest = name.substr(kTempPrefix.size());
    pid_t pid = 0;
    const auto [end, parse_ec] = std::from_chars(rest.data(), rest.data() + rest.size(), pid);
    if (parse_ec != std::errc() || end == rest.data() || *end != '-' || pid <= 0) continue;
    if (kill(pid, 0) != 0 && errno == ESRCH) std::filesystem::remove_all(entry.path(), ec);
  }
}

// A scratch directory removed with everything in it when the sweep ends.
class TempDir {
 public:
  static Result<TempDir> create() {
    std::error_code ec;
    auto base = std::filesystem::temp_directory_path(ec);
    if (ec) base = "/tmp";
    remove_stale_temp_dirs(base);
    std::string pattern = (base / (std::string(kTempPrefix) + std::to_string(getpid()) + "-XXXXXX")).string();
    if (!mkdtemp(pattern.data())) {
      return io_error("cannot create a temporary directory in " + base.string() + ": " + std::strerror(errno));
    }
    return TempDir(pattern);
  }
  TempDir(TempDir&& other) noexcept : path_(std::move(other.path_)) { other.path_.clear(); }
  TempDir(const TempDir&) = delete;
  ~TempDir() {
    if (path_.empty()) return;
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  explicit TempDir(std::filesystem::path p) : path_(std::move(p)) {}
  std::filesystem::path path_;
};

}  // namespace

std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> items;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t end = std::min(text.find(',', start), text.size());
    const std::string_view item = text.substr(start, end - start);
    const auto first = item.find_first_not_of(' ');
    if (first != std::string_view::npos) items.emplace_back(item.substr(first, item.find_last_not_of(' ') - first + 1));
    start = end + 1;
  }
  return items;
}

Result<std::vector<BackendVariant>> parse_backend_list(std::string_view text) {
  std::vector<BackendVariant> variants;
  for (const std::string& item : split_list(text)) {
    const BackendVariant v = parse_backend_variant(item);
    const std::string named = "--backends: '" + item + "'";
    if (v.backend.empty()) return invalid_argument(named + " names no backend");
    if (v.mode.empty() && item.find(':') != std::string::npos) {
      return invalid_argument(named + " names no mode (write id:mode, or the id alone)");
    }
    if (std::find(variants.begin(), variants.end(), v) != variants.end()) {
      return invalid_argument(named + " is listed twice");
    }
    variants.push_back(v);
  }
  if (variants.empty()) return invalid_argument("--backends is empty");
  return variants;
}

Status write_child_result(const std::filesystem::path& path, const RunRecord& record,
                          std::span<const int64_t> samples_ns) {
  static_assert(std::endian::native == std::endian::little, "the child result format is little-endian");
  const std::filesystem::path tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return io_error("cannot write child result '" + tmp.string() + "': " + std::strerror(errno));
    nlohmann::json head = {{"record", to_json(record)}, {"samples", samples_ns.size()}};
    out << head.dump() << '\n';
    out.write(reinterpret_cast<const char*>(samples_ns.data()),
              static_cast<std::streamsize>(samples_ns.size_bytes()));
    out.flush();
    if (!out) return io_error("error writing child result '" + tmp.string() + "'");
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return io_error("cannot rename '" + tmp.string() + "' to '" + path.string() + "': " + ec.message());
  return Status::ok();
}

Result<ChildRunResult> read_child_result(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return not_found("no child result at '" + path.string() + "'");
  std::string line;
  if (!std::getline(in, line)) return invalid_argument("empty child result '" + path.string() + "'");
  const auto head = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (head.is_discarded() || !head.is_object() || !head.contains("record") || !head.contains("samples") ||
      !head["samples"].is_number_unsigned()) {
    return invalid_argument("malformed child result '" + path.string() + "'");
  }
  ChildRunResult result;
  EB_ASSIGN_OR_RETURN(result.record, record_from_json(head["record"]));
  const auto n = head["samples"].get<size_t>();
  result.samples_ns.resize(n);
  in.read(reinterpret_cast<char*>(result.samples_ns.data()), static_cast<std::streamsize>(n * sizeof(int64_t)));
  if (static_cast<size_t>(in.gcount()) != n * sizeof(int64_t)) {
    return invalid_argument("truncated child result '" + path.string() + "'");
  }
  return result;
}

ChildRunResult classify_child(const RunRecord& identity, const ChildResult& child,
                              Result<ChildRunResult> child_result, const std::string& output_tail,
                              double timeout_secs, std::optional<int64_t> memory_limit_bytes) {
  // A child that reported for itself is believed, whatever its exit code.
  if (child.end == ChildEnd::exited && child_result.is_ok()) {
    ChildRunResult out = std::move(child_result).value();
    if (out.record.status == RunStatus::out_of_memory && out.record.error) {
      *out.record.error += limit_text(memory_limit_bytes, child);
    }
    return out;
  }
  ChildRunResult out;
  out.record = identity;
  RunRecord& r = out.record;
  const std::string said = last_line(output_tail);
  const std::string with_output = said.empty() ? std::string() : ": " + said;
  switch (child.end) {
    case ChildEnd::timed_out:
      r.status = RunStatus::timeout;
      r.error = "no result after " + seconds_text(timeout_secs) + " s (--timeout); killed its process group";
      break;
    case ChildEnd::not_started:
      r.status = RunStatus::failed;
      r.error = "could not start the child run: " + child.error;
      break;
    case ChildEnd::stopped:
      r.status = RunStatus::failed;
      r.error = "interrupted";
      break;
    case ChildEnd::signaled:
      if (child.oom_killed) {
        r.status = RunStatus::out_of_memory;
        r.error = "killed by the OOM killer (" + describe_signal(child.signal) + ")" +
                  limit_text(memory_limit_bytes, child);
      } else if (mentions_out_of_memory(output_tail)) {
        r.status = RunStatus::out_of_memory;
        r.error = "out of memory, then killed by " + describe_signal(child.signal) + with_output +
                  limit_text(memory_limit_bytes, child);
      } else {
        r.status = RunStatus::crashed;
        r.error = "killed by signal " + describe_signal(child.signal) + with_output;
      }
      break;
    case ChildEnd::exited:
      if (child.oom_killed || mentions_out_of_memory(output_tail)) {
        r.status = RunStatus::out_of_memory;
        r.error = "out of memory (exit code " + std::to_string(child.exit_code) + ")" + with_output +
                  limit_text(memory_limit_bytes, child);
      } else {
        r.status = RunStatus::failed;
        r.error = "exited with code " + std::to_string(child.exit_code) + " without a result" + with_output;
      }
      break;
  }
  return out;
}

Result<SweepSummary> run_sweep(std::span<const SweepEntry> plan, const SweepOptions& options,
                               const SweepHooks& hooks) {
  SweepSummary summary;
  std::optional<TempDir> temp;
  std::filesystem::path work_dir = options.work_dir;
  if (work_dir.empty()) {
    EB_ASSIGN_OR_RETURN(auto dir, TempDir::create());
    temp.emplace(std::move(dir));
    work_dir = temp->path();
  } else {
    std::error_code ec;
    std::filesystem::create_directories(work_dir, ec);
    if (ec) return io_error("cannot create '" + work_dir.string() + "': " + ec.message());
  }

  const auto sweep_start = std::chrono::steady_clock::now();
  double run_secs_total = 0;
  size_t runs_timed = 0;
  auto stop_requested = [&] { return hooks.should_stop && hooks.should_stop(); };
  auto event = [&](SweepEvent::Kind kind, size_t index) {
    SweepEvent e;
    e.kind = kind;
    e.index = index;
    e.total = plan.size();
    e.entry = &plan[index];
    e.elapsed_secs = seconds_since(sweep_start);
    if (runs_timed > 0) {
      const size_t remaining = plan.size() - index - (kind == SweepEvent::Kind::started ? 0 : 1);
      e.eta_secs = run_secs_total / static_cast<double>(runs_timed) * static_cast<double>(remaining);
    }
    return e;
  };

  for (size_t i = 0; i < plan.size(); ++i) {
    if (stop_requested()) {
      summary.stopped = true;
      break;
    }
    const SweepEntry& entry = plan[i];
    if (options.resume && hooks.already_done) {
      EB_ASSIGN_OR_RETURN(const bool done, hooks.already_done(key_of(entry.identity)));
      if (done) {
        ++summary.skipped;
        if (hooks.progress) hooks.progress(event(SweepEvent::Kind::skipped, i));
        continue;
      }
    }

    ChildRunResult outcome;
    ChildResult child;
    if (entry.identity.status != RunStatus::ok) {
      outcome.record = entry.identity;  // decided without running (e.g. not_built)
    } else {
      if (hooks.progress) hooks.progress(event(SweepEvent::Kind::started, i));
      const auto result_path = work_dir / ("run-" + std::to_string(i) + ".result");
      const auto output_path = work_dir / ("run-" + std::to_string(i) + ".log");
      std::error_code ec;
      std::filesystem::remove(result_path, ec);
      ChildSpec spec;
      spec.argv = entry.child_argv;
      spec.argv.push_back(options.result_flag);
      spec.argv.push_back(result_path.string());
      spec.timeout_secs = options.timeout_secs;
      spec.memory_limit_bytes = options.memory_limit_bytes;
      spec.rlimit_env = options.rlimit_env;
      spec.output_path = output_path;
      const auto child_start = std::chrono::steady_clock::now();
      auto last_tick = child_start;
      spec.should_stop = [&] {
        if (hooks.progress && std::chrono::steady_clock::now() - last_tick >= std::chrono::seconds(1)) {
          last_tick = std::chrono::steady_clock::now();
          SweepEvent e = event(SweepEvent::Kind::running, i);
          e.run_secs = seconds_since(child_start);
          if (runs_timed > 0) {
            // The mean time per run, less what this one has used already.
            const double mean = run_secs_total / static_cast<double>(runs_timed);
            e.eta_secs = std::max(0.0, mean - e.run_secs) + mean * static_cast<double>(plan.size() - i - 1);
          }
          hooks.progress(e);
        }
        return stop_requested();
      };
      child = run_child(spec);
      if (child.end == ChildEnd::stopped) {
        summary.stopped = true;  // nothing is recorded for the run cut short
        break;
      }
      run_secs_total += child.wall_secs;
      ++runs_timed;
      auto from_child = child.end == ChildEnd::exited ? read_child_result(result_path)
                                                      : Result<ChildRunResult>(not_found("no result"));
      outcome = classify_child(entry.identity, child, std::move(from_child), read_tail(output_path),
                               options.timeout_secs, options.memory_limit_bytes);
      std::filesystem::remove(result_path, ec);
      std::filesystem::remove(output_path, ec);
    }
    if (hooks.record) EB_RETURN_IF_ERROR(hooks.record(outcome.record, outcome.samples_ns));
    ++summary.recorded;
    ++summary.by_status[outcome.record.status];
    if (hooks.progress) {
      SweepEvent e = event(SweepEvent::Kind::finished, i);
      e.record = &outcome.record;
      e.run_secs = child.wall_secs;
      e.limit_note = child.limit_note;
      if (child.end == ChildEnd::exited) e.exit_code = child.exit_code;
      hooks.progress(e);
    }
  }
  return summary;
}

}  // namespace eb::bench
