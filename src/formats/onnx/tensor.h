// Tensors known at import time (initializers, Constant nodes, folded shape
// computations) and their conversion from/to onnx::TensorProto.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"
#include "graph/graph.h"
#include "onnx/onnx_pb.h"

namespace eb::onnx_format {

// Bounds that keep hostile files from overflowing int64 shape arithmetic
// (the graph's shape rules multiply dims freely) or allocating without bound.
inline constexpr int64_t kMaxElements = int64_t{1} << 40;  // per activation or tensor
inline constexpr int64_t kMaxFoldElements = int64_t{1} << 24;  // tensors we compute ourselves
inline constexpr int64_t kMaxAttrValue = int64_t{1} << 30;    // kernel, stride, pad, scale...

// Product of `dims`; an error when a dim is negative or the product exceeds `limit`.
Result<int64_t> checked_numel(std::span<const int64_t> dims, int64_t limit, const std::string& what);

struct Constant {
  enum class Type { f32, i64 };
  Type type = Type::f32;
  std::vector<int64_t> dims;
  WeightData f;             // Type::f32: shared so that graph initializers reuse it
  std::vector<int64_t> i;   // Type::i64 (INT32 and BOOL widen to it)

  static Constant floats(std::vector<int64_t> dims, std::vector<float> data);
  static Constant ints(std::vector<int64_t> dims, std::vector<int64_t> data);

  std::size_t size() const { return type == Type::f32 ? f->size() : i.size(); }
  double at(std::size_t k) const { return type == Type::f32 ? static_cast<double>((*f)[k]) : static_cast<double>(i[k]); }
};

const char* data_type_name(int32_t onnx_data_type);

// Decodes FLOAT, INT64, INT32 and BOOL tensors; any other type, external or
// segmented data, or a data size that disagrees with the dims is an error
// naming the tensor (`name`, or the proto's own name when empty).
Result<Constant> decode_tensor(const onnx::TensorProto& t, const std::string& name = {});

// raw_data little-endian encodings (bit-exact round trips).
void encode_floats(onnx::TensorProto& t, const std::string& name, std::span<const int64_t> dims, std::span<const float> data);
void encode_ints(onnx::TensorProto& t, const std::string& name, std::span<const int64_t> dims, std::span<const int64_t> data);

}  // namespace eb::onnx_format
