// Helpers for the reference-kernel tests: run one op on small tensors, and
// compare results with a tolerance.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "graph/graph.h"
#include "graph/op.h"
#include "graph/rng.h"
#include "runtime/reference/reference.h"

namespace eb::ref::testing {

struct Tensor {
  Shape shape;
  std::vector<float> data;
};

inline Tensor iota(Shape shape, float start = 0.0f, float step = 1.0f) {
  Tensor t{shape, std::vector<float>(static_cast<std::size_t>(shape.numel()))};
  for (std::size_t i = 0; i < t.data.size(); ++i) t.data[i] = start + step * static_cast<float>(i);
  return t;
}

inline Tensor random(Shape shape, Rng& rng) {
  Tensor t{shape, std::vector<float>(static_cast<std::size_t>(shape.numel()))};
  for (float& v : t.data) v = rng.uniform(-1.0f, 1.0f);
  return t;
}

inline Node make_node(OpKind op, Attrs attrs, std::size_t n_inputs) {
  Node node;
  node.name = std::string(op_name(op)) + "_test";
  node.op = op;
  node.attrs = std::move(attrs);
  for (std::size_t i = 0; i < n_inputs; ++i) node.inputs.push_back(static_cast<ValueId>(i));
  node.outputs = {static_cast<ValueId>(n_inputs)};
  return node;
}

// Runs one op through eb::ref::run_node; the output shape comes from the op table.
inline Result<Tensor> run_op(OpKind op, Attrs attrs, const std::vector<Tensor>& inputs) {
  const Node node = make_node(op, std::move(attrs), inputs.size());
  std::vector<TensorDesc> descs;
  std::vector<ConstTensorView> views;
  for (const Tensor& t : inputs) {
    descs.push_back(TensorDesc{DType::f32, t.shape});
    views.emplace_back(t.data.data(), t.shape);
  }
  std::vector<TensorDesc> out_descs;
  EB_RETURN_IF_ERROR(schema(op).infer(node, descs, out_descs));
  Tensor out{out_descs[0].shape, std::vector<float>(static_cast<std::size_t>(out_descs[0].shape.numel()), NAN)};
  EB_RETURN_IF_ERROR(run_node(node, views, TensorView{out.data.data(), out.shape}));
  return out;
}

// |actual - expected| <= atol + rtol * |expected|, elementwise; NaN matches NaN.
inline ::testing::AssertionResult near(const std::vector<float>& actual, const std::vector<float>& expected, double rtol = 1e-5,
                                       double atol = 1e-6) {
  if (actual.size() != expected.size())
    return ::testing::AssertionFailure() << "size " << actual.size() << " != expected " << expected.size();
  int bad = 0;
  std::string detail;
  for (std::size_t i = 0; i < actual.size(); ++i) {
    const double a = actual[i], e = expected[i];
    const bool ok = (std::isnan(a) && std::isnan(e)) || a == e || std::abs(a - e) <= atol + rtol * std::abs(e);
    if (!ok && ++bad <= 5) detail += " [" + std::to_string(i) + "] " + std::to_string(a) + " vs " + std::to_string(e) + ";";
  }
  if (bad) return ::testing::AssertionFailure() << bad << " of " << actual.size() << " elements differ:" << detail;
  return ::testing::AssertionSuccess();
}

// Runs an op that must succeed and returns its output.
#define EB_RUN_OP(var, ...)                                      \
  auto var##_result = ::eb::ref::testing::run_op(__VA_ARGS__);   \
  ASSERT_TRUE(var##_result.is_ok()) << var##_result.status().message(); \
  const ::eb::ref::testing::Tensor& var = var##_result.value()

}  // namespace eb::ref::testing
