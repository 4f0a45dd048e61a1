// The .weights layout: a header, then raw little-endian float32 arrays in
// layer order, nothing else (no names, no shapes: the cfg gives them).
//
//   int32 major, minor, revision
//   seen: uint64 if major*10 + minor >= 2 (and major, minor < 1000), else int32
//   per [convolutional]: biases[n], (scales[n], rolling_mean[n], rolling_variance[n] if batch_normalize), weights
//   per [connected]:     biases[out], weights[out*in], (scales, rolling_mean, rolling_variance if batch_normalize)
//   per [batchnorm]:     scales[c], rolling_mean[c], rolling_variance[c]
//
// A major or minor above 1000 marks files whose connected weights are stored
// transposed ([in][out]); Darknet's loader transposes them back, as we do.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace eb::darknet_format {

struct WeightsHeader {
  int32_t major = 0;
  int32_t minor = 2;
  int32_t revision = 0;
  uint64_t seen = 0;

  bool seen_is_64bit() const { return major * 10 + minor >= 2 && major < 1000 && minor < 1000; }
  bool transposed_connected() const { return major > 1000 || minor > 1000; }
};

// Reads the float arrays of a .weights file in order.
class WeightsReader {
 public:
  // Parses the header; invalid_argument when the data is shorter than it.
  static Result<WeightsReader> open(std::string bytes, std::string name);

  const WeightsHeader& header() const { return header_; }
  // The next `count` floats; `what` names them in the error for a file that
  // ends early ("layer 3 [convolutional] weights").
  Result<std::vector<float>> take(int64_t count, const std::string& what);
  int64_t floats_left() const { return static_cast<int64_t>((bytes_.size() - pos_) / sizeof(float)); }
  std::size_t bytes_left() const { return bytes_.size() - pos_; }
  const std::string& name() const { return name_; }

 private:
  WeightsReader(std::string bytes, std::string name) : bytes_(std::move(bytes)), name_(std::move(name)) {}

  std::string bytes_;
  std::string name_;
  std::size_t pos_ = 0;
  WeightsHeader header_;
};

// Builds a .weights file: header first, then arrays in layer order.
class WeightsWriter {
 public:
  explicit WeightsWriter(const WeightsHeader& header = {});
  void append(const std::vector<float>& values);
  const std::string& bytes() const { return bytes_; }

 private:
  void put(const void* data, std::size_t size);
  std::string bytes_;
};

}  // namespace eb::darknet_format
