#include "sensors/source.h"

namespace eb::sensors {

const char* to_string(Kind kind) {
  switch (kind) {
    case Kind::energy_counter: return "energy_counter";
    case Kind::power: return "power";
    case Kind::temperature: return "temperature";
  }
  return "unknown";
}

const char* unit_of(Kind kind) {
  switch (kind) {
    case Kind::energy_counter: return "J";
    case Kind::power: return "W";
    case Kind::temperature: return "C";
  }
  return "";
}

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace eb::sensors
