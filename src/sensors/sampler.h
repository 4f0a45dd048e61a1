// A thread that polls sensor sources at a fixed period on the steady clock and
// keeps every (t_ns, value) sample.
//
// Counter sources are stored unwrapped (joules since the first reading), so a
// window's energy is a plain difference even across wrap-arounds; they are
// also polled so that a counter cannot wrap twice unseen. Log sources (a CSV
// meter log) are not polled: samples() reads their log.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "common/status.h"
#include "sensors/source.h"

namespace eb::sensors {

struct SamplerOptions {
  std::chrono::nanoseconds period = std::chrono::milliseconds(100);
};

struct SampleError {
  std::int64_t t_ns = 0;
  std::string message;
  bool counter_reset = false;  // energy before and after t_ns cannot be related
};

class Sampler {
 public:
  explicit Sampler(std::vector<std::unique_ptr<Source>> sources, SamplerOptions options = {});
  ~Sampler();
  Sampler(const Sampler&) = delete;
  Sampler& operator=(const Sampler&) = delete;

  // Reads every polled source once (so a broken source fails here, with its
  // reason) and starts the thread.
  Status start();
  void stop();
  bool running() const { return thread_.joinable(); }

  std::size_t size() const { return slots_.size(); }
  const SourceInfo& info(std::size_t i) const { return slots_[i]->source->info(); }
  // The period source i is actually polled at: the sampler's, or slower where
  // the device demands it.
  std::chrono::nanoseconds period(std::size_t i) const;

  // Reads source i now, outside the schedule (counters at window edges), and
  // records the sample; a failed read is also kept in errors().
  Result<Sample> read_now(std::size_t i);

  // Waits until every polled source has a sample later than t_ns, so that a
  // window ending at t_ns can be integrated up to its end.
  bool wait_for_samples_after(std::int64_t t_ns, std::chrono::nanoseconds timeout);

  Result<std::vector<Sample>> samples(std::size_t i) const;
  std::vector<SampleError> errors(std::size_t i) const;

 private:
  struct Slot {
    std::unique_ptr<Source> source;
    std::mutex io;  // one read at a time per device
    mutable std::mutex data;
    std::vector<Sample> samples;
    std::vector<SampleError> errors;
    std::size_t dropped_errors = 0;
    std::optional<double> last_raw_j;  // counters: previous raw reading
    double unwrapped_j = 0.0;
  };

  void run(std::stop_token stop);
  Result<Sample> poll(Slot& slot);
  void record_error(Slot& slot, std::int64_t t_ns, std::string message, bool counter_reset = false);

  SamplerOptions options_;
  std::vector<std::unique_ptr<Slot>> slots_;
  std::mutex wake_mutex_;
  std::condition_variable_any wake_;
  std::mutex progress_mutex_;
  std::condition_variable progress_;
  std::jthread thread_;
};

}  // namespace eb::sensors
