// What every sensor source is: something that yields one number now.
//
// Three kinds, because they are used differently: an energy counter is read at
// the start and end of a window and differenced; a power source is sampled and
// integrated; a temperature source is sampled and recorded as a series.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"

namespace eb::sensors {

enum class Kind {
  energy_counter,  // read() returns joules (a running counter that may wrap)
  power,           // read() returns watts
  temperature,     // read() returns degrees Celsius
};

const char* to_string(Kind kind);
const char* unit_of(Kind kind);  // "J", "W", "C"

// One timed value. t_ns is std::chrono::steady_clock time since its epoch: the
// clock the harness times inferences with, so windows line up exactly.
struct Sample {
  std::int64_t t_ns = 0;
  double value = 0.0;
};

std::int64_t now_ns();

// What discovery reports about a source, usable or not.
struct SourceInfo {
  std::string id;           // e.g. "rapl:package-0", the string --power accepts
  Kind kind = Kind::power;
  std::string description;  // where it reads from, e.g. a sysfs path
  bool available = false;
  std::string reason;       // why it is unusable; empty when available
};

class Source {
 public:
  virtual ~Source() = default;

  virtual const SourceInfo& info() const = 0;

  // The current value in the unit of info().kind. Need not be thread-safe: the
  // sampler serializes calls.
  virtual Result<double> read() = 0;

  // For counters that wrap: the value (in joules) at which they restart at 0.
  virtual std::optional<double> wrap_range_j() const { return std::nullopt; }

  // Some devices must not be polled faster than this (a USB meter at <=10 Hz).
  virtual std::chrono::nanoseconds min_period() const { return std::chrono::nanoseconds{0}; }

  // A log written by an external meter is not polled: it carries its own
  // timestamps and is read whole once the window is over.
  virtual bool is_log() const { return false; }
  virtual Result<std::vector<Sample>> read_log() {
    return unsupported(info().id + " is not a log source");
  }
};

}  // namespace eb::sensors
