// The UM24C / UM25C / UM34C USB meters' status frame, decoded without any I/O.
//
// Asked with the single byte 0xF0, the meter answers 130 big-endian bytes:
//   0-1   model id: 0x0963 UM24C, 0x09C9 UM25C, 0x0D4C UM34C
//   2-3   voltage   (UM25C: 0.001 V; UM24C/UM34C: 0.01 V)
//   4-5   current   (UM25C: 0.0001 A; UM24C/UM34C: 0.001 A)
//   6-9   power     (0.001 W)
//   10-11 temperature (°C), 12-13 (°F)
//   14-15 selected data group; 16-95 ten groups of (mAh u32, mWh u32)
//   96-99 D+ / D- (0.01 V); 100-101 charging mode; 102-117 recording state
//   118-121 screen timeout / brightness; 122-125 load resistance (0.1 Ω)
//   126-127 current screen; 128-129 end marker 0xFFF1
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "common/status.h"

namespace eb::sensors {

enum class UmModel { um24c, um25c, um34c };

const char* to_string(UmModel model);

constexpr std::size_t kUmFrameSize = 130;
constexpr std::uint8_t kUmRequest = 0xF0;

struct UmReading {
  UmModel model = UmModel::um25c;
  double volts = 0.0;
  double amps = 0.0;
  double watts = 0.0;  // as the meter computes it (bytes 6-9)
  double temperature_c = 0.0;
  double load_ohms = 0.0;
};

// Decodes one frame. The model id in the frame decides the scaling; `hint`
// is used only when the id is not one of the three known models.
Result<UmReading> decode_um_frame(std::span<const std::uint8_t> frame,
                                  std::optional<UmModel> hint = std::nullopt);

// The inverse, for tests and simulators: a well-formed frame for a reading.
std::array<std::uint8_t, kUmFrameSize> encode_um_frame(const UmReading& reading);

}  // namespace eb::sensors
