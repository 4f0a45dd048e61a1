// UM24C / UM25C / UM34C USB power meters over a serial device (the meter's
// Bluetooth SPP as /dev/rfcommN, or a USB-serial adapter): 9600 baud 8N1,
// request 0xF0, reply 130 bytes (decoded by um_meter_frame.h).
// Ids: "um25c:<device>", "um24c:<device>", "um34c:<device>".
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "sensors/source.h"
#include "sensors/um_meter_frame.h"

namespace eb::sensors {

struct UmMeterOptions {
  std::chrono::milliseconds reply_timeout{1000};
  // The meters answer reliably at up to ~10 Hz; asking faster garbles replies.
  std::chrono::milliseconds min_interval{100};
};

// The serial side: owns the file descriptor and paces the requests.
class UmMeterPort {
 public:
  static Result<std::unique_ptr<UmMeterPort>> open(const std::string& device, UmMeterOptions options = {});
  ~UmMeterPort();
  UmMeterPort(const UmMeterPort&) = delete;
  UmMeterPort& operator=(const UmMeterPort&) = delete;

  // Sends 0xF0 (waiting first if the last request was under min_interval ago)
  // and reads one whole reply.
  Result<std::array<std::uint8_t, kUmFrameSize>> request_frame();

  const std::string& device() const { return device_; }

 private:
  UmMeterPort(int fd, std::string device, UmMeterOptions options);

  int fd_;
  std::string device_;
  UmMeterOptions options_;
  std::optional<std::chrono::steady_clock::time_point> last_request_;
};

// "um25c:/dev/rfcomm0" -> a power source (watts as the meter computes them).
Result<std::unique_ptr<Source>> open_um_meter(std::string_view id, UmMeterOptions options = {});

// A listing entry for that id: available when the meter answered one request.
SourceInfo probe_um_meter(std::string_view id, UmMeterOptions options = {});

}  // namespace eb::sensors
