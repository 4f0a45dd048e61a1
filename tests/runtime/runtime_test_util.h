// Helpers for the native-engine tests: random inputs, the relative L2
// error, and "run this graph on the native engine and on the reference
// kernels, and compare".
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "graph/builder.h"
#include "graph/rng.h"
#include "runtime/engine.h"
#include "runtime/reference/reference.h"

namespace eb::rt::testing {

inline std::vector<float> random_data(const Shape& shape, uint64_t seed, float lo = -1.0f, float hi = 1.0f) {
  Rng rng(seed);
  std::vector<float> v(static_cast<std::size_t>(shape.numel()));
  for (float& x : v) x = rng.uniform(lo, hi);
  return v;
}

// ||a - b|| / ||b|| (0 when both are zero).
inline double rel_l2(const std::vector<float>& a, const std::vector<float>& b) {
  double num = 0.0, den = 0.0;
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) {
    const double d = static_cast<double>(a[i]) - b[i];
    num += d * d;
    den += static_cast<double>(b[i]) * b[i];
  }
  if (den == 0.0) return std::sqrt(num);
  return std::sqrt(num / den);
}

// A registry holding only the oneDNN provider: a node it turns down fails
// prepare instead of silently running on the reference kernels.
inline std::shared_ptr<const KernelRegistry> onednn_only(OnednnOptions options = {}) {
  auto r = std::make_shared<KernelRegistry>();
  r->add(make_onednn_provider(options));
  return r;
}

inline std::shared_ptr<const KernelRegistry> reference_only() {
  auto r = std::make_shared<KernelRegistry>();
  r->add(make_reference_provider());
  return r;
}

inline EngineOptions options_with(std::shared_ptr<const KernelRegistry> registry, int threads = 2) {
  EngineOptions o;
  o.threads = threads;
  o.registry = std::move(registry);
  return o;
}

struct Comparison {
  double worst = 0.0;  // worst rel L2 over the outputs
  std::unique_ptr<Engine> engine;
};

// Prepares `graph`, runs it twice on the same input (a stale-state check)
// and compares each output with eb::ref::run_graph.
inline Result<Comparison> compare_with_reference(const Graph& graph, const EngineOptions& options, uint64_t seed = 7) {
  std::vector<std::vector<float>> inputs;
  for (std::size_t i = 0; i < graph.inputs.size(); ++i)
    inputs.push_back(random_data(graph.value(graph.inputs[i]).desc.shape, seed + i));
  EB_ASSIGN_OR_RETURN(auto expected, ref::run_graph(graph, inputs));
  EB_ASSIGN_OR_RETURN(auto engine, Engine::prepare(graph, options));
  for (std::size_t i = 0; i < inputs.size(); ++i) EB_RETURN_IF_ERROR(engine->set_input(i, inputs[i]));
  Comparison c;
  for (int run = 0; run < 2; ++run) {
    EB_RETURN_IF_ERROR(engine->invoke());
    for (std::size_t o = 0; o < expected.size(); ++o) {
      EB_ASSIGN_OR_RETURN(auto got, engine->output(o));
      if (got.size() != expected[o].size()) return internal_error("output " + std::to_string(o) + " has the wrong size");
      for (float v : got)
        if (!std::isfinite(v)) return internal_error("output " + std::to_string(o) + " holds a non-finite value");
      c.worst = std::max(c.worst, rel_l2(got, expected[o]));
    }
  }
  c.engine = std::move(engine);
  return c;
}

inline int steps_on(const Engine& e, const std::string& provider) {
  int n = 0;
  for (const StepInfo& s : e.steps()) n += s.provider == provider;
  return n;
}

inline constexpr double kTolerance = 1e-4;  // relative L2, FP32

// Asserts that `graph` matches the reference within kTolerance.
#define EB_EXPECT_MATCHES_REFERENCE(graph, options)                                                        \
  do {                                                                                                     \
    auto eb_cmp_ = ::eb::rt::testing::compare_with_reference((graph), (options));                          \
    ASSERT_TRUE(eb_cmp_.is_ok()) << eb_cmp_.status().message();                                            \
    EXPECT_LE(eb_cmp_->worst, ::eb::rt::testing::kTolerance) << "graph '" << (graph).name << "'";        \
  } while (0)

}  // namespace eb::rt::testing
