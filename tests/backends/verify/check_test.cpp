// eb_verify_core: the error measure, the seeded input, and the outcome of
// checking backends that are right, slightly off, wrong, failing, throwing,
// unsupported (fake backends over the reference kernels).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>

#include "../backend_test_util.h"

namespace eb::verify {
namespace {

TEST(Compare, IdenticalIsZero) {
  const std::vector<float> r = {1, -2, 3, 0};
  auto s = compare(r, r);
  ASSERT_TRUE(s.is_ok());
  EXPECT_EQ(s->elements, 4);
  EXPECT_EQ(s->max_abs_error, 0.0);
  EXPECT_EQ(s->max_rel_error, 0.0);
  EXPECT_EQ(s->reference_scale, 3.0);
  EXPECT_EQ(s->worst_index, -1);
}

TEST(Compare, RelativeToTheOutputsLargestMagnitude) {
  const std::vector<float> r = {100, 0.001f, -50};
  const std::vector<float> a = {100, 0.002f, -50.5f};
  auto s = compare(a, r);
  ASSERT_TRUE(s.is_ok());
  EXPECT_NEAR(s->max_abs_error, 0.5, 1e-6);
  EXPECT_EQ(s->worst_index, 2);
  // Normwise: 0.5 / 100. The near-zero element's 100% error does not dominate.
  EXPECT_NEAR(s->max_rel_error, 0.005, 1e-8);
  EXPECT_TRUE(within(*s, 0.005 + 1e-9));
  EXPECT_FALSE(within(*s, 0.004));
}

TEST(Compare, AllZeroReferenceUsesTheFloor) {
  const std::vector<float> r = {0, 0};
  const std::vector<float> a = {0, 1e-9f};
  auto s = compare(a, r);
  ASSERT_TRUE(s.is_ok());
  EXPECT_NEAR(s->max_rel_error, 1e-9 / kScaleFloor, 1e-9);
}

TEST(Compare, NonFiniteIsAnInfiniteError) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  auto s = compare(std::vector<float>{1, nan}, std::vector<float>{1, 2});
  ASSERT_TRUE(s.is_ok());
  EXPECT_TRUE(std::isinf(s->max_rel_error));
  EXPECT_EQ(s->non_finite, 1);
  EXPECT_EQ(s->worst_index, 1);
  EXPECT_FALSE(within(*s, 1e30));
  // The same non-finite value on both sides agrees.
  auto same = compare(std::vector<float>{inf, nan, 1}, std::vector<float>{inf, nan, 1});
  ASSERT_TRUE(same.is_ok());
  EXPECT_EQ(same->max_abs_error, 0.0);
  EXPECT_EQ(same->non_finite, 0);
  auto flipped = compare(std::vector<float>{-inf}, std::vector<float>{inf});
  EXPECT_TRUE(std::isinf(flipped->max_abs_error));
}

TEST(Compare, SizesMustAgree) {
  auto s = compare(std::vector<float>{1, 2}, std::vector<float>{1, 2, 3});
  ASSERT_FALSE(s.is_ok());
  EXPECT_EQ(s.status().code(), ErrorCode::invalid_argument);
}

TEST(SeededInputs, DeterministicAndSeedDependent) {
  const Graph g = backend_test::small_cnn();
  const auto a = seeded_inputs(g, 5), b = seeded_inputs(g, 5), c = seeded_inputs(g, 6);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].size(), 3u * 16 * 16);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
}

// A backend that runs the reference kernels, then misbehaves as told.
enum class Fault { none, scale, nan, fail_invoke, throw_invoke, unsupported, wrong_size, drift };

class FakeModel final : public PreparedModel {
 public:
  FakeModel(Graph graph, Fault fault) : graph_(std::move(graph)), fault_(fault) {}
  Status set_input(std::size_t i, std::span<const float> d) override {
    inputs_.resize(graph_.inputs.size());
    inputs_.at(i).assign(d.begin(), d.end());
    return Status::ok();
  }
  Status invoke() override {
    if (fault_ == Fault::fail_invoke) return internal_error("the device fell over");
    if (fault_ == Fault::throw_invoke) throw std::runtime_error("framework exception");
    EB_ASSIGN_OR_RETURN(outputs_, ref::run_graph(graph_, inputs_));
    ++runs_;
    for (auto& o : outputs_) {
      if (fault_ == Fault::scale) for (float& v : o) v *= 1.01f;
      if (fault_ == Fault::nan) o[0] = std::numeric_limits<float>::quiet_NaN();
      if (fault_ == Fault::wrong_size) o.push_back(0);
      if (fault_ == Fault::drift && runs_ > 1) o[0] += 1.0f;  // e.g. a clobbered input
    }
    return Status::ok();
  }
  Result<std::vector<float>> output(std::size_t i) override { return outputs_.at(i); }

 private:
  Graph graph_;
  Fault fault_;
  std::vector<std::vector<float>> inputs_, outputs_;
  int runs_ = 0;
};

class FakeBackend final : public Backend {
 public:
  explicit FakeBackend(Fault fault) : fault_(fault) {}
  std::string id() const override { return "fake"; }
  Capabilities capabilities() const override {
    Capabilities c;
    c.version = "fake 1.0";
    return c;
  }
  Status supports(const Graph&, const BackendOptions&) const override {
    return fault_ == Fault::unsupported ? unsupported("fake cannot take this") : Status::ok();
  }
  Result<std::unique_ptr<PreparedModel>> prepare(const Graph& g, const BackendOptions&) override {
    return std::unique_ptr<PreparedModel>(std::make_unique<FakeModel>(g, fault_));
  }

 private:
  Fault fault_;
};

BackendCheck check_fake(Fault fault, double tolerance = kDefaultTolerance) {
  FakeBackend backend(fault);
  return backend_test::check(backend, backend_test::small_cnn(), tolerance);
}

TEST(CheckBackend, Outcomes) {
  const auto exact = check_fake(Fault::none);
  EXPECT_EQ(exact.outcome, Outcome::pass) << backend_test::describe(exact);
  EXPECT_EQ(exact.version, "fake 1.0");
  ASSERT_EQ(exact.outputs.size(), 1u);
  EXPECT_EQ(exact.outputs[0].stats.max_abs_error, 0.0);
  EXPECT_TRUE(exact.outputs[0].within_tolerance);

  const auto off = check_fake(Fault::scale);  // 1% everywhere
  EXPECT_EQ(off.outcome, Outcome::mismatch);
  EXPECT_NEAR(off.outputs[0].stats.max_rel_error, 0.01, 1e-4);
  EXPECT_NE(off.message.find("beyond the tolerance"), std::string::npos) << off.message;
  EXPECT_EQ(check_fake(Fault::scale, 0.02).outcome, Outcome::pass);

  const auto nan = check_fake(Fault::nan);
  EXPECT_EQ(nan.outcome, Outcome::mismatch);
  EXPECT_EQ(nan.outputs[0].stats.non_finite, 1);

  const auto failed = check_fake(Fault::fail_invoke);
  EXPECT_EQ(failed.outcome, Outcome::failed);
  EXPECT_EQ(failed.message, "invoke: the device fell over");

  const auto threw = check_fake(Fault::throw_invoke);
  EXPECT_EQ(threw.outcome, Outcome::failed);
  EXPECT_NE(threw.message.find("framework exception"), std::string::npos) << threw.message;

  const auto refused = check_fake(Fault::unsupported);
  EXPECT_EQ(refused.outcome, Outcome::unsupported);
  EXPECT_EQ(refused.message, "fake cannot take this");

  const auto sized = check_fake(Fault::wrong_size);
  EXPECT_EQ(sized.outcome, Outcome::mismatch);
  EXPECT_NE(sized.message.find("elements"), std::string::npos) << sized.message;

  // Right once, wrong on the second invoke over the same bound input.
  const auto drift = check_fake(Fault::drift);
  EXPECT_EQ(drift.outcome, Outcome::mismatch) << backend_test::describe(drift);
  EXPECT_NE(drift.message.find("changed between invokes"), std::string::npos) << drift.message;
}

}  // namespace
}  // namespace eb::verify
