#include "sensors/um_meter.h"

#include <fcntl.h>
#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

namespace eb::sensors {

namespace {

std::string errno_text() { return std::strerror(errno); }

Result<std::pair<UmModel, std::string>> parse_id(std::string_view id) {
  auto colon = id.find(':');
  std::string_view scheme = id.substr(0, colon);
  UmModel model;
  if (scheme == "um25c") {
    model = UmModel::um25c;
  } else if (scheme == "um24c") {
    model = UmModel::um24c;
  } else if (scheme == "um34c") {
    model = UmModel::um34c;
  } else {
    return invalid_argument("bad USB meter source '" + std::string(id) + "': expected um25c:DEVICE");
  }
  if (colon == std::string_view::npos || colon + 1 == id.size()) {
    return invalid_argument("USB meter source '" + std::string(id) + "' names no device, e.g. " +
                            std::string(scheme) + ":/dev/rfcomm0");
  }
  return std::pair{model, std::string(id.substr(colon + 1))};
}

class UmMeterSource final : public Source {
 public:
  UmMeterSource(std::unique_ptr<UmMeterPort> port, UmModel model, SourceInfo info,
                std::chrono::nanoseconds min_period)
      : port_(std::move(port)), model_(model), info_(std::move(info)), min_period_(min_period) {}

  const SourceInfo& info() const override { return info_; }
  std::chrono::nanoseconds min_period() const override { return min_period_; }

  Result<double> read() override {
    EB_ASSIGN_OR_RETURN(auto frame, port_->request_frame());
    EB_ASSIGN_OR_RETURN(UmReading reading, decode_um_frame(frame, model_));
    return reading.watts;
  }

 private:
  std::unique_ptr<UmMeterPort> port_;
  UmModel model_;
  SourceInfo info_;
  std::chrono::nanoseconds min_period_;
};

}  // namespace

Result<std::unique_ptr<UmMeterPort>> UmMeterPort::open(const std::string& device, UmMeterOptions options) {
  int fd = ::open(device.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return io_error("cannot open USB meter at " + device + ": " + errno_text());
  termios tty{};
  if (::tcgetattr(fd, &tty) != 0) {
    std::string why = errno_text();
    ::close(fd);
    return io_error(device + " is not a serial device: " + why);
  }
  // Raw 9600 8N1: no echo, no line editing, no CR/LF translation of the
  // binary reply, no flow control.
  ::cfmakeraw(&tty);
  ::cfsetispeed(&tty, B9600);
  ::cfsetospeed(&tty, B9600);
  tty.c_cflag &= ~(PARENB | CSTOPB | CSIZE | CRTSCTS);
  tty.c_cflag |= CS8 | CLOCAL | CREAD;
  tty.c_iflag &= ~(IXON | IXOFF | IXANY);
  tty.c_cc[VMIN] = 0;
  tty.c_cc[VTIME] = 0;
  if (::tcsetattr(fd, TCSANOW, &tty) != 0) {
    std::string why = errno_text();
    ::close(fd);
    return io_error("cannot configure " + device + " as 9600 8N1: " + why);
  }
  return std::unique_ptr<UmMeterPort>(new UmMeterPort(fd, device, options));
}

UmMeterPort::UmMeterPort(int fd, std::string device, UmMeterOptions options)
    : fd_(fd), device_(std::move(device)), options_(options) {}

UmMeterPort::~UmMeterPort() { ::close(fd_); }

Result<std::array<std::uint8_t, kUmFrameSize>> UmMeterPort::request_frame() {
  using clock = std::chrono::steady_clock;
  if (last_request_) std::this_thread::sleep_until(*last_request_ + options_.min_interval);
  last_request_ = clock::now();

  // A late reply to an earlier, timed-out request would put the stream out of step.
  ::tcflush(fd_, TCIFLUSH);
  const std::uint8_t request = kUmRequest;
  for (;;) {
    ssize_t n = ::write(fd_, &request, 1);
    if (n == 1) break;
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    return io_error("cannot write to USB meter at " + device_ + ": " + errno_text());
  }

  std::array<std::uint8_t, kUmFrameSize> frame{};
  std::size_t got = 0;
  const auto deadline = clock::now() + options_.reply_timeout;
  while (got < frame.size()) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
    if (left.count() <= 0) {
      return io_error("USB meter at " + device_ + " sent " + std::to_string(got) + " of " +
                      std::to_string(kUmFrameSize) + " bytes within " +
                      std::to_string(options_.reply_timeout.count()) + " ms (is it on and paired?)");
    }
    pollfd p{fd_, POLLIN, 0};
    int ready = ::poll(&p, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno != EINTR) return io_error("poll on " + device_ + ": " + errno_text());
    if (ready <= 0) continue;
    ssize_t n = ::read(fd_, frame.data() + got, frame.size() - got);
    if (n > 0) {
      got += static_cast<std::size_t>(n);
    } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
      return io_error("cannot read from USB meter at " + device_ + ": " + errno_text());
    } else if (n == 0 || (p.revents & POLLHUP)) {
      // A closed peer reports readable-at-EOF forever; do not spin on it.
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  return frame;
}

Result<std::unique_ptr<Source>> open_um_meter(std::string_view id, UmMeterOptions options) {
  EB_ASSIGN_OR_RETURN(auto parsed, parse_id(id));
  auto [model, device] = std::move(parsed);
  EB_ASSIGN_OR_RETURN(std::unique_ptr<UmMeterPort> port, UmMeterPort::open(device, options));
  SourceInfo info{std::string(id), Kind::power,
                  std::string(to_string(model)) + " USB meter at " + device, true, ""};
  return std::unique_ptr<Source>(
      std::make_unique<UmMeterSource>(std::move(port), model, std::move(info), options.min_interval));
}

SourceInfo probe_um_meter(std::string_view id, UmMeterOptions options) {
  SourceInfo info{std::string(id), Kind::power, "USB meter", false, ""};
  auto source = open_um_meter(id, options);
  if (!source) {
    info.reason = source.status().message();
    return info;
  }
  info.description = (*source)->info().description;
  if (auto watts = (*source)->read(); watts) {
    info.available = true;
  } else {
    info.reason = watts.status().message();
  }
  return info;
}

}  // namespace eb::sensors
