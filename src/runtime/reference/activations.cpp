// The elementwise unary family: Relu, Clip, LeakyRelu, Sigmoid.
// Written so that a NaN input gives a NaN output (comparisons with NaN are
// false), as an oracle should.
#include <cmath>

#include "runtime/reference/kernels.h"

namespace eb::ref::detail {
namespace {

template <typename F>
void map(ConstTensorView x, TensorView y, F f) {
  const int64_t n = x.shape.numel();
  for (int64_t i = 0; i < n; ++i) y.data[i] = f(x.data[i]);
}

// Logistic function without overflow: exp() only ever sees a non-positive argument.
float sigmoid(float v) {
  const double x = v;
  if (x >= 0) return static_cast<float>(1.0 / (1.0 + std::exp(-x)));
  const double e = std::exp(x);
  return static_cast<float>(e / (1.0 + e));  // also NaN for NaN
}

}  // namespace

Status unary(const Node& node, Inputs in, TensorView out) {
  switch (node.op) {
    case OpKind::Relu:
      map(in[0], out, [](float x) { return x < 0.0f ? 0.0f : x; });
      return Status::ok();
    case OpKind::Clip: {
      const auto& a = node.get<ClipAttrs>();
      map(in[0], out, [lo = a.min, hi = a.max](float x) { return x < lo ? lo : (x > hi ? hi : x); });
      return Status::ok();
    }
    case OpKind::LeakyRelu: {
      const float alpha = node.get<LeakyReluAttrs>().alpha;
      map(in[0], out, [alpha](float x) { return x < 0.0f ? alpha * x : x; });
      return Status::ok();
    }
    case OpKind::Sigmoid:
      map(in[0], out, sigmoid);
      return Status::ok();
    default:
      return internal_error("op " + std::string(op_name(node.op)) + " is not an elementwise unary op");
  }
}

}  // namespace eb::ref::detail
