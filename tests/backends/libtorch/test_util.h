// Helpers for the libtorch backend tests: run a graph in one mode, compare
// with the reference kernels or with hand-computed values.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "backends/libtorch/libtorch_backend.h"
#include "graph/builder.h"
#include "graph/rng.h"
#ifdef EB_TEST_HAVE_REFERENCE
#include "runtime/reference/reference.h"
#endif

namespace eb::torch_test {

using Tensors = std::vector<std::vector<float>>;

inline std::vector<float> random_data(const Shape& shape, uint64_t seed) {
  Rng rng(seed);
  std::vector<float> v(static_cast<std::size_t>(shape.numel()));
  for (float& x : v) x = rng.uniform(-1.0f, 1.0f);
  return v;
}

inline Tensors random_inputs(const Graph& g, uint64_t seed = 7) {
  Tensors in;
  for (ValueId id : g.inputs) in.push_back(random_data(g.value(id).desc.shape, seed++));
  return in;
}

inline BackendOptions options(const std::string& mode, int threads = 2) {
  BackendOptions o;
  o.mode = mode;
  o.threads = threads;
  return o;
}

// prepare -> set_input -> invoke -> output, every step checked.
inline Result<Tensors> run(const Graph& g, const std::string& mode, const Tensors& inputs, int threads = 2) {
  auto backend = make_libtorch_backend();
  EB_ASSIGN_OR_RETURN(auto model, backend->prepare(g, options(mode, threads)));
  for (std::size_t i = 0; i < inputs.size(); ++i) EB_RETURN_IF_ERROR(model->set_input(i, inputs[i]));
  EB_RETURN_IF_ERROR(model->invoke());
  Tensors out;
  for (std::size_t i = 0; i < g.outputs.size(); ++i) {
    EB_ASSIGN_OR_RETURN(auto o, model->output(i));
    out.push_back(std::move(o));
  }
  return out;
}

// Relative L-inf error: max |a - e| over max |e| (the tensor's own scale).
inline double rel_err(const std::vector<float>& actual, const std::vector<float>& expected) {
  double diff = 0.0, scale = 0.0;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    diff = std::max(diff, std::abs(static_cast<double>(actual[i]) - expected[i]));
    scale = std::max(scale, std::abs(static_cast<double>(expected[i])));
  }
  return diff / std::max(scale, 1e-30);
}

inline ::testing::AssertionResult close(const Tensors& actual, const Tensors& expected, double tolerance = 1e-4) {
  if (actual.size() != expected.size())
    return ::testing::AssertionFailure() << actual.size() << " outputs, expected " << expected.size();
  for (std::size_t i = 0; i < actual.size(); ++i) {
    if (actual[i].size() != expected[i].size())
      return ::testing::AssertionFailure() << "output " << i << " has " << actual[i].size() << " values, expected " << expected[i].size();
    for (std::size_t k = 0; k < actual[i].size(); ++k)
      if (std::isnan(actual[i][k]) != std::isnan(expected[i][k]))
        return ::testing::AssertionFailure() << "output " << i << " [" << k << "]: " << actual[i][k] << " vs " << expected[i][k];
    const double e = rel_err(actual[i], expected[i]);
    if (!(e <= tolerance)) return ::testing::AssertionFailure() << "output " << i << ": relative error " << e << " > " << tolerance;
  }
  return ::testing::AssertionSuccess();
}

inline const char* const kModes[] = {"eager", "script"};

inline ConvSpec conv_spec(int64_t out_channels, std::vector<int64_t> kernel, std::vector<int64_t> stride = {}, std::vector<int64_t> pads = {},
                          std::vector<int64_t> dilation = {}, int64_t group = 1, bool bias = true) {
  ConvSpec s;
  s.out_channels = out_channels;
  s.kernel = std::move(kernel);
  s.stride = std::move(stride);
  s.pads = std::move(pads);
  s.dilation = std::move(dilation);
  s.group = group;
  s.bias = bias;
  return s;
}

inline PoolSpec pool_spec(std::vector<int64_t> kernel, std::vector<int64_t> stride = {}, std::vector<int64_t> pads = {}, bool ceil_mode = false,
                          bool count_include_pad = false) {
  PoolSpec s;
  s.kernel = std::move(kernel);
  s.stride = std::move(stride);
  s.pads = std::move(pads);
  s.ceil_mode = ceil_mode;
  s.count_include_pad = count_include_pad;
  return s;
}

}  // namespace eb::torch_test

#define EB_ASSERT_OK(expr)                                     \
  do {                                                         \
    const ::eb::Status eb_st_ = (expr);                        \
    ASSERT_TRUE(eb_st_.is_ok()) << eb_st_.message();           \
  } while (0)

#define EB_ASSERT_OK_AND_ASSIGN(lhs, expr)                               \
  auto EB_CONCAT(eb_r_, __LINE__) = (expr);                              \
  ASSERT_TRUE(EB_CONCAT(eb_r_, __LINE__).is_ok()) << EB_CONCAT(eb_r_, __LINE__).status().message(); \
  lhs = std::move(EB_CONCAT(eb_r_, __LINE__)).value()
