#include "sensors/um_meter_frame.h"

#include <cmath>
#include <cstdio>

namespace eb::sensors {

namespace {

constexpr std::uint16_t kIdUm24c = 0x0963;
constexpr std::uint16_t kIdUm25c = 0x09C9;
constexpr std::uint16_t kIdUm34c = 0x0D4C;
constexpr std::uint16_t kEndMarker = 0xFFF1;

std::uint32_t be16(std::span<const std::uint8_t> b, std::size_t at) {
  return (std::uint32_t{b[at]} << 8) | b[at + 1];
}
std::uint32_t be32(std::span<const std::uint8_t> b, std::size_t at) {
  return (be16(b, at) << 16) | be16(b, at + 2);
}
void put16(std::span<std::uint8_t> b, std::size_t at, std::uint32_t v) {
  b[at] = static_cast<std::uint8_t>(v >> 8);
  b[at + 1] = static_cast<std::uint8_t>(v);
}
void put32(std::span<std::uint8_t> b, std::size_t at, std::uint32_t v) {
  put16(b, at, v >> 16);
  put16(b, at + 2, v & 0xFFFF);
}

// The UM25C reports one more decimal of volts and amps than the others.
struct Scale {
  double volts;
  double amps;
};
Scale scale_of(UmModel model) {
  return model == UmModel::um25c ? Scale{1e-3, 1e-4} : Scale{1e-2, 1e-3};
}

std::uint16_t id_of(UmModel model) {
  switch (model) {
    case UmModel::um24c: return kIdUm24c;
    case UmModel::um25c: return kIdUm25c;
    case UmModel::um34c: return kIdUm34c;
  }
  return 0;
}

}  // namespace

const char* to_string(UmModel model) {
  switch (model) {
    case UmModel::um24c: return "UM24C";
    case UmModel::um25c: return "UM25C";
    case UmModel::um34c: return "UM34C";
  }
  return "unknown";
}

Result<UmReading> decode_um_frame(std::span<const std::uint8_t> frame, std::optional<UmModel> hint) {
  if (frame.size() != kUmFrameSize) {
    return io_error("USB meter frame has " + std::to_string(frame.size()) + " bytes, expected " +
                    std::to_string(kUmFrameSize));
  }
  UmReading r;
  switch (be16(frame, 0)) {
    case kIdUm24c: r.model = UmModel::um24c; break;
    case kIdUm25c: r.model = UmModel::um25c; break;
    case kIdUm34c: r.model = UmModel::um34c; break;
    default: {
      if (!hint) {
        char id[8];
        std::snprintf(id, sizeof id, "0x%04X", be16(frame, 0));
        return io_error(std::string("USB meter frame has unknown model id ") + id +
                        " (not a UM24C/UM25C/UM34C reply, or the stream is out of step)");
      }
      r.model = *hint;
    }
  }
  const Scale s = scale_of(r.model);
  r.volts = be16(frame, 2) * s.volts;
  r.amps = be16(frame, 4) * s.amps;
  r.watts = be32(frame, 6) * 1e-3;
  r.temperature_c = be16(frame, 10);
  r.load_ohms = be32(frame, 122) * 0.1;
  return r;
}

std::array<std::uint8_t, kUmFrameSize> encode_um_frame(const UmReading& reading) {
  std::array<std::uint8_t, kUmFrameSize> frame{};
  std::span<std::uint8_t> b(frame);
  const Scale s = scale_of(reading.model);
  auto units = [](double value, double unit) { return static_cast<std::uint32_t>(std::lround(value / unit)); };
  put16(b, 0, id_of(reading.model));
  put16(b, 2, units(reading.volts, s.volts));
  put16(b, 4, units(reading.amps, s.amps));
  put32(b, 6, units(reading.watts, 1e-3));
  put16(b, 10, units(reading.temperature_c, 1.0));
  put16(b, 12, units(reading.temperature_c * 9.0 / 5.0 + 32.0, 1.0));
  put32(b, 122, units(reading.load_ohms, 0.1));
  put16(b, 128, kEndMarker);
  return frame;
}

}  // namespace eb::sensors
