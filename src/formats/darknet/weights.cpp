#include "formats/darknet/weights.h"

#include <bit>
#include <cstring>

namespace eb::darknet_format {

// Darknet fwrite()s host memory; every platform edgebench targets is
// little-endian, which is how the published .weights files are laid out.
static_assert(std::endian::native == std::endian::little, "the .weights reader assumes a little-endian host");

Result<WeightsReader> WeightsReader::open(std::string bytes, std::string name) {
  WeightsReader r(std::move(bytes), std::move(name));
  const auto need = [&](std::size_t n) -> Status {
    if (r.bytes_.size() - r.pos_ < n)
      return invalid_argument("weights '" + r.name_ + "': file of " + std::to_string(r.bytes_.size()) +
                              " bytes is too short for the header");
    return Status::ok();
  };
  const auto read = [&](void* out, std::size_t n) {
    std::memcpy(out, r.bytes_.data() + r.pos_, n);
    r.pos_ += n;
  };
  EB_RETURN_IF_ERROR(need(12));
  read(&r.header_.major, 4);
  read(&r.header_.minor, 4);
  read(&r.header_.revision, 4);
  if (r.header_.seen_is_64bit()) {
    EB_RETURN_IF_ERROR(need(8));
    read(&r.header_.seen, 8);
  } else {
    EB_RETURN_IF_ERROR(need(4));
    int32_t seen = 0;
    read(&seen, 4);
    r.header_.seen = static_cast<uint64_t>(static_cast<uint32_t>(seen));
  }
  return r;
}

Result<std::vector<float>> WeightsReader::take(int64_t count, const std::string& what) {
  if (count < 0 || count > floats_left())
    return invalid_argument("weights '" + name_ + "' end early: " + what + " needs " + std::to_string(count) +
                            " floats at byte " + std::to_string(pos_) + ", only " + std::to_string(floats_left()) +
                            " left (truncated file, or weights for another cfg?)");
  std::vector<float> values(static_cast<std::size_t>(count));
  if (values.empty()) return values;  // memcpy with a null pointer is undefined even for 0 bytes
  std::memcpy(values.data(), bytes_.data() + pos_, values.size() * sizeof(float));
  pos_ += values.size() * sizeof(float);
  return values;
}

WeightsWriter::WeightsWriter(const WeightsHeader& header) {
  put(&header.major, 4);
  put(&header.minor, 4);
  put(&header.revision, 4);
  if (header.seen_is_64bit()) {
    put(&header.seen, 8);
  } else {
    const auto seen = static_cast<int32_t>(header.seen);
    put(&seen, 4);
  }
}

void WeightsWriter::append(const std::vector<float>& values) { put(values.data(), values.size() * sizeof(float)); }

void WeightsWriter::put(const void* data, std::size_t size) {
  if (size == 0) return;
  bytes_.append(static_cast<const char*>(data), size);
}

}  // namespace eb::darknet_format
