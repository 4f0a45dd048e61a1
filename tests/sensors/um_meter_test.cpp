// The UM24C/UM25C decoder on hand-built frames, and the serial side over a
// pseudo-terminal with a thread playing the meter.
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <thread>

#include "sensors/um_meter.h"
#include "sensors/um_meter_frame.h"

namespace eb::sensors {
namespace {

using Frame = std::array<std::uint8_t, kUmFrameSize>;

// Frames laid out byte by byte as the meters send them, not via the encoder.
Frame um25c_frame() {
  Frame f{};
  f[0] = 0x09, f[1] = 0xC9;                          // UM25C
  f[2] = 0x14, f[3] = 0x03;                          // 5123 -> 5.123 V
  f[4] = 0x11, f[5] = 0xD7;                          // 4567 -> 0.4567 A
  f[6] = 0x00, f[7] = 0x00, f[8] = 0x09, f[9] = 0x23;  // 2339 mW
  f[10] = 0x00, f[11] = 0x1B;                        // 27 °C
  f[12] = 0x00, f[13] = 0x51;                        // 81 °F
  f[122] = 0x00, f[123] = 0x00, f[124] = 0x01, f[125] = 0xB4;  // 436 -> 43.6 Ω
  f[128] = 0xFF, f[129] = 0xF1;
  return f;
}

Frame um24c_frame() {
  Frame f{};
  f[0] = 0x09, f[1] = 0x63;                          // UM24C
  f[2] = 0x02, f[3] = 0x00;                          // 512 -> 5.12 V
  f[4] = 0x04, f[5] = 0xD2;                          // 1234 -> 1.234 A
  f[6] = 0x00, f[7] = 0x00, f[8] = 0x18, f[9] = 0xAE;  // 6318 mW
  f[10] = 0x00, f[11] = 0x22;                        // 34 °C
  f[128] = 0xFF, f[129] = 0xF1;
  return f;
}

TEST(SensorsUmFrame, DecodesUm25c) {
  auto r = decode_um_frame(um25c_frame());
  ASSERT_TRUE(r.is_ok()) << r.status().message();
  EXPECT_EQ(r->model, UmModel::um25c);
  EXPECT_NEAR(r->volts, 5.123, 1e-12);
  EXPECT_NEAR(r->amps, 0.4567, 1e-12);
  EXPECT_NEAR(r->watts, 2.339, 1e-12);
  EXPECT_DOUBLE_EQ(r->temperature_c, 27.0);
  EXPECT_NEAR(r->load_ohms, 43.6, 1e-12);
}

TEST(SensorsUmFrame, DecodesUm24cWithItsCoarserUnits) {
  auto r = decode_um_frame(um24c_frame());
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(r->model, UmModel::um24c);
  EXPECT_NEAR(r->volts, 5.12, 1e-12);
  EXPECT_NEAR(r->amps, 1.234, 1e-12);
  EXPECT_NEAR(r->watts, 6.318, 1e-12);
  EXPECT_DOUBLE_EQ(r->temperature_c, 34.0);
}

TEST(SensorsUmFrame, RejectsShortFramesAndUnknownModels) {
  Frame f = um25c_frame();
  auto shortened = decode_um_frame(std::span<const std::uint8_t>(f.data(), 129));
  ASSERT_FALSE(shortened.is_ok());
  EXPECT_NE(shortened.status().message().find("129 bytes"), std::string::npos);

  f[0] = 0x12, f[1] = 0x34;
  auto unknown = decode_um_frame(f);
  ASSERT_FALSE(unknown.is_ok());
  EXPECT_NE(unknown.status().message().find("0x1234"), std::string::npos);
  auto hinted = decode_um_frame(f, UmModel::um25c);
  ASSERT_TRUE(hinted.is_ok());
  EXPECT_NEAR(hinted->volts, 5.123, 1e-12);
}

TEST(SensorsUmFrame, EncoderMatchesHandBuiltFrame) {
  UmReading r{UmModel::um25c, 5.123, 0.4567, 2.339, 27.0, 43.6};
  EXPECT_EQ(encode_um_frame(r), um25c_frame());
}

// A pseudo-terminal whose master side plays the meter.
class FakeMeter {
 public:
  explicit FakeMeter(Frame frame, bool answer = true) : frame_(frame), answer_(answer) {
    master_ = ::posix_openpt(O_RDWR | O_NOCTTY);
    if (master_ < 0 || ::grantpt(master_) != 0 || ::unlockpt(master_) != 0) return;
    device_ = ::ptsname(master_);
    thread_ = std::thread([this] { serve(); });
  }
  ~FakeMeter() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    if (master_ >= 0) ::close(master_);
  }
  const std::string& device() const { return device_; }
  int requests() const { return requests_; }

 private:
  void serve() {
    while (!stop_) {
      pollfd p{master_, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      if (!(p.revents & POLLIN)) {  // POLLHUP while no one holds the slave side
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
        continue;
      }
      std::uint8_t byte = 0;
      if (::read(master_, &byte, 1) != 1) continue;
      if (byte != kUmRequest) continue;  // the meter ignores other commands
      ++requests_;
      if (!answer_) continue;
      // Sent in two pieces, as a slow serial link would deliver it.
      (void)::write(master_, frame_.data(), 60);
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
      (void)::write(master_, frame_.data() + 60, frame_.size() - 60);
    }
  }

  Frame frame_;
  bool answer_;
  int master_ = -1;
  std::string device_;
  std::atomic<bool> stop_{false};
  std::atomic<int> requests_{0};
  std::thread thread_;
};

TEST(SensorsUmMeter, ReadsPowerOverSerial) {
  // Bytes that a cooked terminal would mangle (CR, LF, XON, XOFF) must survive.
  Frame frame = um25c_frame();
  frame[6] = 0x00, frame[7] = 0x0D, frame[8] = 0x11, frame[9] = 0x0A;  // 856330 mW
  frame[14] = 0x13;
  FakeMeter meter(frame);
  ASSERT_FALSE(meter.device().empty());
  auto source = open_um_meter("um25c:" + meter.device());
  ASSERT_TRUE(source.is_ok()) << source.status().message();
  EXPECT_EQ((*source)->info().kind, Kind::power);
  EXPECT_EQ((*source)->min_period(), std::chrono::milliseconds(100));
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 3; ++i) {
    auto watts = (*source)->read();
    ASSERT_TRUE(watts.is_ok()) << watts.status().message();
    EXPECT_NEAR(*watts, 856.330, 1e-9);
  }
  // Three requests at <= 10 Hz take at least two intervals.
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(195));
  EXPECT_EQ(meter.requests(), 3);
}

TEST(SensorsUmMeter, SilentMeterTimesOutWithReason) {
  FakeMeter meter(um25c_frame(), /*answer=*/false);
  auto source = open_um_meter("um25c:" + meter.device(), UmMeterOptions{std::chrono::milliseconds(150)});
  ASSERT_TRUE(source.is_ok());
  auto watts = (*source)->read();
  ASSERT_FALSE(watts.is_ok());
  EXPECT_NE(watts.status().message().find("sent 0 of 130 bytes within 150 ms"), std::string::npos)
      << watts.status().message();
}

TEST(SensorsUmMeter, BadDeviceOrIdIsExplained) {
  auto missing = open_um_meter("um25c:/nonexistent/ttyUSB9");
  ASSERT_FALSE(missing.is_ok());
  EXPECT_NE(missing.status().message().find("cannot open USB meter at /nonexistent/ttyUSB9"), std::string::npos);
  auto not_tty = open_um_meter("um25c:/dev/null");
  ASSERT_FALSE(not_tty.is_ok());
  EXPECT_NE(not_tty.status().message().find("not a serial device"), std::string::npos);
  EXPECT_EQ(open_um_meter("um25c:").status().code(), ErrorCode::invalid_argument);
  auto info = probe_um_meter("um25c:/nonexistent/ttyUSB9");
  EXPECT_FALSE(info.available);
  EXPECT_FALSE(info.reason.empty());
}

}  // namespace
}  // namespace eb::sensors
