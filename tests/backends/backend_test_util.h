// Shared by the backend tests (opencv, darknet, verify): small graphs, zoo
// models at reduced sizes, and "verify this graph on that backend" against
// the reference kernels through eb_verify_core (check.h), the check
// `edgebench verify` makes. Needs eb_verify_core, eb_reference and eb_zoo.
#pragma once

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "backends/backend.h"
#include "graph/builder.h"
#include "runtime/reference/reference.h"
#include "verify/check.h"
#include "zoo/zoo.h"

namespace eb::backend_test {

// prepare, bind, invoke twice, compare every output with the reference.
inline verify::BackendCheck check(Backend& backend, const Graph& graph, double tolerance = 1e-4, BackendOptions options = {}) {
  const auto inputs = verify::seeded_inputs(graph, 7);
  auto reference = ref::run_graph(graph, inputs);
  if (!reference.is_ok()) {
    ADD_FAILURE() << "reference kernels: " << reference.status().message();
    return {};
  }
  verify::BackendCheckOptions o;
  o.tolerance = tolerance;
  o.backend_options = options;
  return verify::check_backend(backend, graph, inputs, *reference, o);
}

inline std::string describe(const verify::BackendCheck& c) {
  std::ostringstream os;
  os << verify::to_string(c.outcome);
  if (!c.message.empty()) os << ": " << c.message;
  for (const auto& o : c.outputs) os << "; " << o.name << " rel " << o.stats.max_rel_error << " abs " << o.stats.max_abs_error;
  return os.str();
}

inline Graph finish(GraphBuilder&& b) {
  auto g = std::move(b).finish();
  EXPECT_TRUE(g.is_ok()) << g.status().message();
  return g.is_ok() ? std::move(g).value() : Graph{};
}

inline Graph zoo_model(const std::string& id, int64_t input_size = 0) {
  zoo::BuildOptions options;
  options.input_size = input_size;
  auto g = zoo::build(id, options);
  EXPECT_TRUE(g.is_ok()) << id << ": " << g.status().message();
  return g.is_ok() ? std::move(g).value() : Graph{};
}

// conv + BN + leaky, max pool, conv + ReLU, global average pool, dense, softmax.
inline Graph small_cnn() {
  GraphBuilder b("small_cnn", 11);
  auto x = b.input("x", {1, 3, 16, 16});
  x = b.leaky_relu(b.batch_norm(b.conv2d(x, 8, 3, 1, 1, 1, /*bias=*/false)), 0.1f);
  x = b.max_pool2d(x, 2, 2);
  x = b.relu(b.conv2d(x, 16, 3, 1, 1));
  x = b.flatten(b.global_avg_pool(x));
  b.output(b.softmax(b.dense(x, 10)));
  return finish(std::move(b));
}

// The interface's misuse contract on small_cnn (3x16x16 in, 10 out): output
// before invoke, an input of the wrong size or index, an output index out of
// range are errors, not crashes; a correct call sequence works.
inline void expect_bad_calls_are_errors(Backend& backend) {
  auto model = backend.prepare(small_cnn(), {});
  ASSERT_TRUE(model.is_ok()) << model.status().message();
  EXPECT_FALSE((*model)->output(0).is_ok()) << "output before invoke";
  std::vector<float> too_short(10);
  EXPECT_EQ((*model)->set_input(0, too_short).code(), ErrorCode::invalid_argument);
  std::vector<float> x(3 * 16 * 16, 0.5f);
  EXPECT_EQ((*model)->set_input(1, x).code(), ErrorCode::invalid_argument);
  ASSERT_TRUE((*model)->set_input(0, x).is_ok());
  ASSERT_TRUE((*model)->invoke().is_ok());
  EXPECT_EQ((*model)->output(0)->size(), 10u);
  EXPECT_EQ((*model)->output(1).status().code(), ErrorCode::invalid_argument);
}

// Two branches joined by Add and by Concat (ResNet and YOLO route patterns),
// nearest upsampling, and two graph outputs.
inline Graph branches() {
  GraphBuilder b("branches", 12);
  auto x = b.input("x", {1, 4, 8, 8});
  auto a = b.leaky_relu(b.conv2d(x, 8, 3, 1, 1), 0.1f);
  auto c = b.leaky_relu(b.conv2d(a, 8, 3, 1, 1), 0.1f);
  auto sum = b.add(a, c);
  auto down = b.max_pool2d(sum, 2, 2);
  auto up = b.upsample(b.leaky_relu(b.conv2d(down, 4, 1, 1, 0), 0.1f), 2);
  auto cat = b.concat({up, sum});
  b.output(b.conv2d(cat, 6, 1, 1, 0));
  b.output(b.conv2d(down, 5, 1, 1, 0));
  return finish(std::move(b));
}

}  // namespace eb::backend_test
