// Typed attributes, one struct per family of ops.
//
// Conventions follow ONNX so that import/export is a direct mapping:
// spatial vectors have one entry per spatial dim; pads are
// [begin_0, ..., begin_n-1, end_0, ..., end_n-1].
#pragma once

#include <cstdint>
#include <variant>
#include <vector>

namespace eb {

struct NoAttrs {
  friend bool operator==(const NoAttrs&, const NoAttrs&) = default;
};

// Conv: inputs X[N,C,spatial...], W[M, C/group, kernel...], optional B[M].
struct ConvAttrs {
  std::vector<int64_t> kernel;
  std::vector<int64_t> strides;
  std::vector<int64_t> dilations;
  std::vector<int64_t> pads;
  int64_t group = 1;
  friend bool operator==(const ConvAttrs&, const ConvAttrs&) = default;
};

struct PoolAttrs {
  std::vector<int64_t> kernel;
  std::vector<int64_t> strides;
  std::vector<int64_t> pads;
  bool ceil_mode = false;
  bool count_include_pad = false;  // AvgPool only
  friend bool operator==(const PoolAttrs&, const PoolAttrs&) = default;
};

struct BatchNormAttrs {
  float epsilon = 1e-5f;
  friend bool operator==(const BatchNormAttrs&, const BatchNormAttrs&) = default;
};

struct LeakyReluAttrs {
  float alpha = 0.1f;
  friend bool operator==(const LeakyReluAttrs&, const LeakyReluAttrs&) = default;
};

// Clip(min, max); ReLU6 is Clip(0, 6).
struct ClipAttrs {
  float min = 0.0f;
  float max = 6.0f;
  friend bool operator==(const ClipAttrs&, const ClipAttrs&) = default;
};

// Concat, Flatten, Softmax.
struct AxisAttrs {
  int64_t axis = 1;
  friend bool operator==(const AxisAttrs&, const AxisAttrs&) = default;
};

// Static target shape; 0 copies the input dim, -1 is inferred (ONNX rules).
struct ReshapeAttrs {
  std::vector<int64_t> shape;
  friend bool operator==(const ReshapeAttrs&, const ReshapeAttrs&) = default;
};

// Cross-channel LRN with ONNX semantics:
// y = x / (bias + alpha / size * sum_{window} x^2) ^ beta.
struct LrnAttrs {
  int64_t size = 5;
  float alpha = 1e-4f;
  float beta = 0.75f;
  float bias = 1.0f;
  friend bool operator==(const LrnAttrs&, const LrnAttrs&) = default;
};

// Nearest-neighbour upsampling by an integer factor per dim (all dims, N and C = 1).
struct UpsampleAttrs {
  std::vector<int64_t> scales;
  friend bool operator==(const UpsampleAttrs&, const UpsampleAttrs&) = default;
};

// Constant padding over all dims, ONNX pads layout.
struct PadAttrs {
  std::vector<int64_t> pads;
  float value = 0.0f;
  friend bool operator==(const PadAttrs&, const PadAttrs&) = default;
};

using Attrs = std::variant<NoAttrs, ConvAttrs, PoolAttrs, BatchNormAttrs, LeakyReluAttrs, ClipAttrs,
                           AxisAttrs, ReshapeAttrs, LrnAttrs, UpsampleAttrs, PadAttrs>;

}  // namespace eb
