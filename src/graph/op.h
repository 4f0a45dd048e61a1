// The op list: the one place that says which ops exist, their names, arity,
// the role of each input, their category, and how to infer shapes and count
// MACs. Importers, exporters, the analyzer and every backend read it.
//
// To add an op: add an OpKind, an attrs struct in attrs.h if it needs one,
// one row in ops.cpp (with its shape and MAC rules), a reference kernel in
// src/runtime/reference/, and the mapping in the formats that can express it.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "graph/attrs.h"
#include "graph/types.h"

namespace eb {

enum class OpKind {
  Conv,
  BatchNorm,
  Relu,
  Clip,
  LeakyRelu,
  Sigmoid,
  MaxPool,
  AvgPool,
  GlobalAvgPool,
  GlobalMaxPool,
  Gemm,  // fully connected: Y = X * W^T + B, W is [out, in]
  Add,
  Concat,
  Flatten,
  Reshape,
  Softmax,
  Lrn,
  Upsample,
  Pad,
};

inline constexpr int kOpCount = static_cast<int>(OpKind::Pad) + 1;

// What an input slot holds. Initializer roles decide what counts as a
// trainable parameter (weights, biases, BN scale/shift) and what as a
// buffer (BN running statistics).
enum class InputRole { activation, weight, bias, bn_scale, bn_bias, bn_mean, bn_var };

bool is_parameter(InputRole r);
bool is_buffer(InputRole r);

// Categories of the latency breakdown (METHOD.md).
enum class OpCategory { convolution, batch_norm, activation, pooling, fully_connected, elementwise, data_movement, other };
const char* to_string(OpCategory c);

class Node;

struct OpSchema {
  OpKind kind;
  std::string_view name;  // the ONNX op_type where one exists
  int min_inputs;
  int max_inputs;
  std::vector<InputRole> roles;  // one per input slot
  OpCategory category;
  // Computes output descriptors from input descriptors; the message names
  // the offending dimension (the caller adds the node name).
  Status (*infer)(const Node& node, std::span<const TensorDesc> inputs, std::vector<TensorDesc>& outputs);
  // Multiply-accumulates for one execution.
  int64_t (*macs)(const Node& node, std::span<const TensorDesc> inputs, std::span<const TensorDesc> outputs);
};

const OpSchema& schema(OpKind kind);
std::string_view op_name(OpKind kind);
// Whether `attrs` holds the attribute struct that `kind` reads.
bool attrs_fit(OpKind kind, const Attrs& attrs);
std::optional<OpKind> op_from_name(std::string_view name);

// "Same" padding (SAME_UPPER: the extra pixel goes at the end) for one dim.
void same_pads(int64_t in, int64_t kernel, int64_t stride, int64_t dilation, int64_t& begin, int64_t& end);

}  // namespace eb
