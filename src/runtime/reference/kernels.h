// Internal to the reference kernels: one function per op family, each in its
// own file. run_node (reference.cpp) has already checked that the attrs match
// the op, that required inputs are present and that the output view has the
// inferred shape, so kernels may rely on consistent shapes.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "common/status.h"
#include "graph/graph.h"
#include "runtime/tensor_view.h"

namespace eb::ref::detail {

using Inputs = std::span<const ConstTensorView>;

Status conv(const Node& node, Inputs in, TensorView out);
Status batch_norm(const Node& node, Inputs in, TensorView out);
Status unary(const Node& node, Inputs in, TensorView out);  // Relu, Clip, LeakyRelu, Sigmoid
Status pool(const Node& node, Inputs in, TensorView out);   // MaxPool, AvgPool
Status global_pool(const Node& node, Inputs in, TensorView out);
Status gemm(const Node& node, Inputs in, TensorView out);
Status add(const Node& node, Inputs in, TensorView out);
Status concat(const Node& node, Inputs in, TensorView out);
Status copy(const Node& node, Inputs in, TensorView out);  // Flatten, Reshape
Status softmax(const Node& node, Inputs in, TensorView out);
Status lrn(const Node& node, Inputs in, TensorView out);
Status upsample(const Node& node, Inputs in, TensorView out);
Status pad(const Node& node, Inputs in, TensorView out);

// Product of dims [begin, end) of a shape.
inline int64_t product(const Shape& s, std::size_t begin, std::size_t end) {
  int64_t p = 1;
  for (std::size_t i = begin; i < end && i < s.rank(); ++i) p *= s[i];
  return p;
}

// A per-spatial-dim attribute vector, or `fill` repeated when left empty.
inline std::vector<int64_t> or_default(const std::vector<int64_t>& v, std::size_t n, int64_t fill) {
  return v.empty() ? std::vector<int64_t>(n, fill) : v;
}

}  // namespace eb::ref::detail
