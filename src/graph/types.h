// Value types of the graph IR: element types, shapes, tensor descriptors.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

namespace eb {

enum class DType { f32, f16, bf16, i8, i32, i64 };

const char* to_string(DType t);
std::size_t size_of(DType t);

// A dense shape; dims are >= 0. Batch-first, channels-first (NCHW / NCDHW).
class Shape {
 public:
  Shape() = default;
  Shape(std::initializer_list<int64_t> dims) : dims_(dims) {}
  explicit Shape(std::vector<int64_t> dims) : dims_(std::move(dims)) {}

  std::size_t rank() const { return dims_.size(); }
  int64_t operator[](std::size_t i) const { return dims_[i]; }
  int64_t& operator[](std::size_t i) { return dims_[i]; }
  const std::vector<int64_t>& dims() const { return dims_; }
  int64_t numel() const;
  std::string to_string() const;  // "1x3x224x224"

  friend bool operator==(const Shape&, const Shape&) = default;

 private:
  std::vector<int64_t> dims_;
};

struct TensorDesc {
  DType dtype = DType::f32;
  Shape shape;

  std::size_t bytes() const { return static_cast<std::size_t>(shape.numel()) * size_of(dtype); }
  friend bool operator==(const TensorDesc&, const TensorDesc&) = default;
};

}  // namespace eb
