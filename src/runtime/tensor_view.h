// Borrowed views of dense float32 tensors (row-major, NCHW / NCDHW).
// Views never own memory: the caller keeps the buffer alive while they are used.
#pragma once

#include "graph/types.h"

namespace eb {

struct TensorView {
  float* data = nullptr;
  Shape shape;
};

struct ConstTensorView {
  const float* data = nullptr;
  Shape shape;

  ConstTensorView() = default;
  ConstTensorView(const float* d, Shape s) : data(d), shape(std::move(s)) {}
  ConstTensorView(const TensorView& v) : data(v.data), shape(v.shape) {}  // NOLINT: views convert freely
};

}  // namespace eb
