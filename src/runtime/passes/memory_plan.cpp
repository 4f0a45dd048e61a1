// Static memory plan: every tensor gets an offset in one arena, fixed at
// prepare time; invoke allocates nothing.
//
// 1. Views (Reshape, Flatten) share their input's storage.
// 2. A step that would like to write into an input's storage (sum post-op,
//    in-place activation) gets it when that storage is read by nothing
//    after this step, is not a graph input (set once, read by every
//    invoke) and is not read through another input of the same step.
// 3. Each storage lives from the step writing it first to the step reading
//    it last; graph inputs and outputs live throughout.
// 4. Greedy by size (TFLite's arena planner does the same): largest first,
//    each at the lowest offset clear of every placed storage whose lifetime
//    overlaps its own.
#include <algorithm>
#include <numeric>

#include "runtime/program.h"

namespace eb::rt {
namespace {

constexpr std::size_t kAlignment = 64;  // a cache line; also what AVX-512 loads like

std::size_t aligned(std::size_t bytes) { return (bytes + kAlignment - 1) / kAlignment * kAlignment; }

struct UnionFind {
  std::vector<int> parent;
  explicit UnionFind(std::size_t n) : parent(n) { std::iota(parent.begin(), parent.end(), 0); }
  int find(int x) {
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
  }
};

}  // namespace

MemoryPlan plan_memory(const Program& program) {
  const int n_steps = static_cast<int>(program.steps.size());
  const std::size_t n_tensors = program.tensors.size();

  // Lifetime per tensor: first write, last read; pinned ones span the run.
  std::vector<int> first(n_tensors, n_steps), last(n_tensors, -1);
  std::vector<char> pinned(n_tensors, 0);
  for (std::size_t t = 0; t < n_tensors; ++t) {
    const Tensor& tensor = program.tensors[t];
    if (tensor.graph_input) first[t] = -1;
    if (tensor.graph_input || tensor.graph_output) {
      last[t] = n_steps;
      pinned[t] = 1;
    }
  }
  for (int s = 0; s < n_steps; ++s) {
    const Step& step = program.steps[s];
    first[step.output] = std::min(first[step.output], s);
    last[step.output] = std::max(last[step.output], s);
    for (int t : step.inputs) last[t] = std::max(last[t], s);
  }

  UnionFind groups(n_tensors);
  std::vector<int> g_first = first, g_last = last;
  std::vector<char> g_pinned = pinned;
  const auto merge = [&](int into, int from) {
    into = groups.find(into);
    from = groups.find(from);
    if (into == from) return;
    groups.parent[from] = into;
    g_first[into] = std::min(g_first[into], g_first[from]);
    g_last[into] = std::max(g_last[into], g_last[from]);
    g_pinned[into] = g_pinned[into] || g_pinned[from];
  };
  std::vector<char> is_view_output(n_tensors, 0);
  for (const Step& step : program.steps)
    if (step.view) {
      merge(step.inputs[0], step.output);
      is_view_output[step.output] = 1;
    }
  for (int s = 0; s < n_steps; ++s) {
    const Step& step = program.steps[s];
    if (step.view || step.inplace_input < 0) continue;
    const int in = groups.find(step.inputs[step.inplace_input]);
    const bool sole_reader = g_last[in] == s && !g_pinned[in];
    bool read_elsewhere = false;
    for (std::size_t i = 0; i < step.inputs.size(); ++i)
      if (static_cast<int>(i) != step.inplace_input && groups.find(step.inputs[i]) == in) read_elsewhere = true;
    const bool same_size = program.tensors[step.output].bytes == program.tensors[step.inputs[step.inplace_input]].bytes;
    if (sole_reader && !read_elsewhere && same_size) merge(in, step.output);
  }

  // One storage per group.
  MemoryPlan plan;
  plan.storage_of.assign(n_tensors, -1);
  std::vector<int> storage_of_root(n_tensors, -1);
  for (std::size_t t = 0; t < n_tensors; ++t) {
    const int root = groups.find(static_cast<int>(t));
    if (storage_of_root[root] < 0) {
      storage_of_root[root] = static_cast<int>(plan.storages.size());
      MemoryPlan::Storage st;
      st.first = g_first[root];
      st.last = std::max(g_last[root], g_first[root]);  // written but never read: still needs its bytes
      plan.storages.push_back(st);
    }
    MemoryPlan::Storage& st = plan.storages[storage_of_root[root]];
    st.bytes = std::max(st.bytes, aligned(program.tensors[t].bytes));
    plan.storage_of[t] = storage_of_root[root];
    if (!is_view_output[t]) plan.naive_bytes += aligned(program.tensors[t].bytes);
  }

  // Greedy by size.
  std::vector<int> order(plan.storages.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return plan.storages[a].bytes > plan.storages[b].bytes; });
  std::vector<int> placed;
  std::vector<std::pair<std::size_t, std::size_t>> busy;  // [begin, end) of overlapping placed storages
  for (int id : order) {
    MemoryPlan::Storage& st = plan.storages[id];
    busy.clear();
    for (int other : placed) {
      const MemoryPlan::Storage& o = plan.storages[other];
      if (o.first <= st.last && st.first <= o.last) busy.emplace_back(o.offset, o.offset + o.bytes);
    }
    std::sort(busy.begin(), busy.end());
    std::size_t offset = 0;
    for (const auto& [begin, end] : busy) {
      if (begin >= offset + st.bytes) break;  // the gap before this one fits
      offset = std::max(offset, end);
    }
    st.offset = offset;
    plan.arena_bytes = std::max(plan.arena_bytes, offset + st.bytes);
    placed.push_back(id);
  }
  return plan;
}

Status validate_memory_plan(const Program& program, const MemoryPlan& plan) {
  if (plan.storage_of.size() != program.tensors.size()) return internal_error("memory plan: tensor count mismatch");
  for (std::size_t t = 0; t < program.tensors.size(); ++t) {
    const int s = plan.storage_of[t];
    if (s < 0 || static_cast<std::size_t>(s) >= plan.storages.size())
      return internal_error("memory plan: tensor '" + program.tensors[t].name + "' has no storage");
    if (program.tensors[t].bytes > plan.storages[s].bytes)
      return internal_error("memory plan: tensor '" + program.tensors[t].name + "' does not fit its storage");
  }
  // Every step's tensors must be alive (inside their storage's lifetime) when it runs.
  for (std::size_t s = 0; s < program.steps.size(); ++s) {
    const Step& step = program.steps[s];
    std::vector<int> used = step.inputs;
    used.push_back(step.output);
    for (int t : used) {
      const auto& st = plan.storages[plan.storage_of[t]];
      if (st.first > static_cast<int>(s) || st.last < static_cast<int>(s))
        return internal_error("memory plan: tensor '" + program.tensors[t].name + "' is used outside its storage's lifetime");
    }
  }
  for (std::size_t a = 0; a < plan.storages.size(); ++a) {
    const auto& sa = plan.storages[a];
    if (sa.offset % kAlignment != 0) return internal_error("memory plan: misaligned storage");
    if (sa.offset + sa.bytes > plan.arena_bytes) return internal_error("memory plan: storage beyond the arena");
    for (std::size_t b = a + 1; b < plan.storages.size(); ++b) {
      const auto& sb = plan.storages[b];
      const bool same_time = sa.first <= sb.last && sb.first <= sa.last;
      const bool same_bytes = sa.offset < sb.offset + sb.bytes && sb.offset < sa.offset + sa.bytes;
      if (same_time && same_bytes && sa.bytes > 0 && sb.bytes > 0)
        return internal_error("memory plan: storages " + std::to_string(a) + " and " + std::to_string(b) +
                              " overlap while both are alive");
    }
  }
  return Status::ok();
}

}  // namespace eb::rt
