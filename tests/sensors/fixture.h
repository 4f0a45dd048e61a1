// Helpers for building sysfs-like fixture trees in a fresh temp directory.
#pragma once

#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <thread>

#include "sensors/source.h"

namespace eb::sensors::testing {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "eb-sensors-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
    // Readable by others so a test can drop privileges and still traverse it.
    fs::permissions(path_, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                               fs::perms::others_read | fs::perms::others_exec);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const fs::path& path() const { return path_; }

  // Writes root/relative (creating directories), content + "\n" like sysfs.
  fs::path write(const std::string& relative, const std::string& content) const {
    fs::path file = path_ / relative;
    fs::create_directories(file.parent_path());
    std::ofstream(file) << content << "\n";
    return file;
  }

 private:
  fs::path path_;
};

// Replaces a file atomically (write a temporary, rename over): a reader never
// sees it half written, as with a real sysfs attribute.
// Sysfs spells values in integer micro- (µW, µJ) and milli-units (m°C).
inline std::string microunits(double value) { return std::to_string(std::llround(value * 1e6)); }
inline std::string milliunits(double value) { return std::to_string(std::llround(value * 1e3)); }

inline void write_atomically(const fs::path& file, const std::string& content) {
  fs::path tmp = file;
  tmp += ".tmp";
  std::ofstream(tmp) << content << "\n";
  fs::rename(tmp, file);
}

// Rewrites a file every `step` with value_at(t_s), t_s measured from the
// writer's start on the steady clock, until destroyed.
class AdvancingFile {
 public:
  AdvancingFile(fs::path file, std::function<std::string(double)> value_at,
                std::chrono::microseconds step = std::chrono::microseconds(500))
      : file_(std::move(file)), value_at_(std::move(value_at)), start_ns_(now_ns()) {
    write_atomically(file_, value_at_(0.0));
    thread_ = std::thread([this, step] {
      std::int64_t last = now_ns();
      while (!stop_) {
        write_atomically(file_, value_at_(seconds_since_start(now_ns())));
        const std::int64_t t = now_ns();
        max_gap_ns_ = std::max<std::int64_t>(max_gap_ns_, t - last);
        last = t;
        std::this_thread::sleep_for(step);
      }
    });
  }
  ~AdvancingFile() {
    stop_ = true;
    thread_.join();
  }

  double seconds_since_start(std::int64_t t_ns) const { return static_cast<double>(t_ns - start_ns_) * 1e-9; }

  // The file lags the truth by up to this much: a loaded machine can stall
  // the writer, which failure messages report.
  double max_gap_ms() const { return static_cast<double>(max_gap_ns_.load()) * 1e-6; }
  void reset_max_gap() { max_gap_ns_ = 0; }

 private:
  fs::path file_;
  std::function<std::string(double)> value_at_;
  std::int64_t start_ns_;
  std::atomic<bool> stop_{false};
  std::atomic<std::int64_t> max_gap_ns_{0};
  std::thread thread_;
};

}  // namespace eb::sensors::testing
