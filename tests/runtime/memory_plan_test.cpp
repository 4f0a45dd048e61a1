// The static memory plan: no two live tensors share bytes (checked by the
// validator on real graphs and on random programs), the arena is never
// larger than one buffer per tensor, and in-place / view sharing follows
// its rules.
#include <gtest/gtest.h>

#include "runtime/program.h"
#include "runtime_test_util.h"

namespace eb::rt::testing {
namespace {

class NoKernel final : public Kernel {
 public:
  Status bind(std::span<void* const>, void*, void*) override { return Status::ok(); }
  Status run(int) override { return Status::ok(); }
};

Layout bytes_layout(int64_t floats) { return plain_layout(Shape{floats}); }

// A random program: each step reads 1-3 earlier tensors; some are views or
// want to write in place.
Program random_program(uint64_t seed, int n_steps) {
  Rng rng(seed);
  Program p;
  const auto add = [&](int64_t floats, bool in, bool out) {
    p.tensors.push_back(Tensor{"t" + std::to_string(p.tensors.size()), bytes_layout(floats), static_cast<std::size_t>(floats) * 4, in, out});
    return static_cast<int>(p.tensors.size() - 1);
  };
  p.inputs = {add(100, true, false)};
  for (int s = 0; s < n_steps; ++s) {
    Step step;
    step.kernel = std::make_unique<NoKernel>();
    const int n_in = 1 + static_cast<int>(rng.next_u64() % 3);
    for (int i = 0; i < n_in; ++i) step.inputs.push_back(static_cast<int>(rng.next_u64() % p.tensors.size()));
    const int kind = static_cast<int>(rng.next_u64() % 4);
    const int64_t floats = kind == 0 ? static_cast<int64_t>(p.tensors[step.inputs[0]].bytes / 4) : 1 + static_cast<int64_t>(rng.next_u64() % 5000);
    step.output = add(floats, false, false);
    if (kind == 0) {
      if (rng.next_u64() % 2) step.view = true;
      else step.inplace_input = 0;
    }
    step.name = "s" + std::to_string(s);
    p.steps.push_back(std::move(step));
  }
  for (int o = 0; o < 2; ++o) {
    const int t = static_cast<int>(p.tensors.size() - 1 - o * 3);
    p.tensors[t].graph_output = true;
    p.outputs.push_back(t);
  }
  return p;
}

TEST(MemoryPlan, RandomProgramsValidate) {
  for (uint64_t seed = 1; seed <= 200; ++seed) {
    const Program p = random_program(seed, 5 + static_cast<int>(seed % 40));
    const MemoryPlan plan = plan_memory(p);
    const Status st = validate_memory_plan(p, plan);
    ASSERT_TRUE(st.is_ok()) << "seed " << seed << ": " << st.message();
    EXPECT_LE(plan.arena_bytes, plan.naive_bytes) << "seed " << seed;
  }
}

TEST(MemoryPlan, ValidatorCatchesOverlap) {
  const Program p = random_program(3, 30);
  MemoryPlan plan = plan_memory(p);
  ASSERT_TRUE(validate_memory_plan(p, plan).is_ok());
  // Move every storage to offset 0: tensors alive together now collide.
  for (auto& s : plan.storages) s.offset = 0;
  EXPECT_FALSE(validate_memory_plan(p, plan).is_ok());
}

TEST(MemoryPlan, ChainReusesTwoBuffers) {
  // x -> conv -> conv -> ... : only a producer and its consumer are alive together.
  GraphBuilder b("chain", 1);
  ValueId y = b.input("x", Shape{1, 16, 16, 16});
  for (int i = 0; i < 8; ++i) y = b.conv2d(y, 16, 3);
  b.output(y);
  auto g = std::move(b).finish();
  ASSERT_TRUE(g.is_ok());
  auto e = Engine::prepare(*g, options_with(onednn_only()));
  ASSERT_TRUE(e.is_ok()) << e.status().message();
  const std::size_t tensor_bytes = 16 * 16 * 16 * 4;
  ASSERT_TRUE(validate_memory_plan((*e)->program(), (*e)->memory_plan()).is_ok());
  // Input (pinned) + two ping-pong buffers + the plain output.
  EXPECT_LE((*e)->stats().arena_bytes, 4 * tensor_bytes);
  EXPECT_GE((*e)->stats().naive_bytes, 9 * tensor_bytes);
}

TEST(MemoryPlan, InPlaceOnlyWhenNothingReadsTheInputLater) {
  GraphBuilder b("inplace", 1);
  const ValueId x = b.input("x", Shape{1, 20, 6, 6});
  const ValueId p1 = b.max_pool2d(b.conv2d(x, 20, 3), 2, 1);
  const ValueId r1 = b.sigmoid(p1);  // p1 dies here: in place
  const ValueId p2 = b.avg_pool2d(r1, 2, 1);
  const ValueId r2 = b.relu(p2);     // p2 is read again below: not in place
  b.output(b.add(r2, p2));
  auto g = std::move(b).finish();
  ASSERT_TRUE(g.is_ok());
  auto e = Engine::prepare(*g, options_with(onednn_only()));
  ASSERT_TRUE(e.is_ok()) << e.status().message();
  const Program& prog = (*e)->program();
  const MemoryPlan& plan = (*e)->memory_plan();
  ASSERT_TRUE(validate_memory_plan(prog, plan).is_ok());
  const auto storage_of_step = [&](const std::string& name, bool output, int input = 0) {
    for (const Step& s : prog.steps)
      if (s.name == name) return plan.storage_of[output ? s.output : s.inputs[input]];
    return -1;
  };
  EXPECT_EQ(storage_of_step(g->nodes[2].name, true), storage_of_step(g->nodes[2].name, false));  // sigmoid in place
  EXPECT_NE(storage_of_step(g->nodes[4].name, true), storage_of_step(g->nodes[4].name, false));  // relu not
  EB_EXPECT_MATCHES_REFERENCE(*g, options_with(onednn_only()));
}

TEST(MemoryPlan, GraphInputIsNeverOverwritten) {
  GraphBuilder b("input_kept", 1);
  const ValueId x = b.input("x", Shape{1, 8, 5, 5});
  b.output(b.relu(x));  // would like to run in place on x: must not
  auto g = std::move(b).finish();
  ASSERT_TRUE(g.is_ok());
  // compare_with_reference invokes twice: a clobbered input would fail the second run.
  EB_EXPECT_MATCHES_REFERENCE(*g, options_with(onednn_only()));
}

}  // namespace
}  // namespace eb::rt::testing
