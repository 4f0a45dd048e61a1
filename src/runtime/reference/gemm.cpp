// Gemm (fully connected): Y[n, o] = sum_i X[n, i] * W[o, i] + B[o], W is [out, in].
// A plain dot product per output, accumulated in double.
#include "runtime/reference/kernels.h"

namespace eb::ref::detail {

Status gemm(const Node&, Inputs in, TensorView out) {
  const int64_t rows = in[0].shape[0];
  const int64_t depth = in[0].shape[1];
  const int64_t cols = in[1].shape[0];
  const float* bias = in.size() > 2 ? in[2].data : nullptr;
  for (int64_t n = 0; n < rows; ++n) {
    const float* x = in[0].data + n * depth;
    for (int64_t o = 0; o < cols; ++o) {
      const float* w = in[1].data + o * depth;
      double acc = bias ? bias[o] : 0.0;
      for (int64_t i = 0; i < depth; ++i) acc += static_cast<double>(x[i]) * static_cast<double>(w[i]);
      out.data[n * cols + o] = static_cast<float>(acc);
    }
  }
  return Status::ok();
}

}  // namespace eb::ref::detail
