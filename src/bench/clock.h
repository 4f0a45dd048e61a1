// The harness's time source.
//
// The harness owns the clock: backends never time themselves. An interface
// (rather than calling std::chrono directly) lets tests drive the run policy
// with a clock they advance by hand, so stopping rules are checked
// deterministically and without sleeping.
#pragma once

#include <chrono>
#include <cstdint>

namespace eb::bench {

class Clock {
 public:
  virtual ~Clock() = default;
  // Monotonic nanoseconds from an arbitrary epoch. Only differences matter.
  virtual int64_t now_ns() = 0;
};

// Monotonic wall time: immune to NTP steps and to the user changing the date,
// which would otherwise corrupt a measurement taken across the change.
class SteadyClock final : public Clock {
 public:
  int64_t now_ns() override {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }
};

// A clock that moves only when told to: for tests, and for replaying logs.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t start_ns = 0) : now_(start_ns) {}
  int64_t now_ns() override { return now_; }
  void advance_ns(int64_t delta_ns) { now_ += delta_ns; }
  void set_ns(int64_t t_ns) { now_ = t_ns; }

 private:
  int64_t now_;
};

}  // namespace eb::bench
