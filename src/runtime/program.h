// The lowered form of a PlanGraph: tensors (a value in one layout) and the
// steps that run kernels on them, in order. Built by lower() (the layout
// pass, passes/layout.cpp), placed in memory by plan_memory().
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "runtime/kernel.h"

namespace eb::rt {

struct Tensor {
  std::string name;
  Layout layout;
  std::size_t bytes = 0;
  bool graph_input = false;   // written by set_input, read by every invoke: never reused
  bool graph_output = false;  // read after invoke: lives to the end
};

struct Step {
  std::unique_ptr<Kernel> kernel;
  std::vector<int> inputs;  // tensor ids, lined up with the kernel's inputs
  int output = -1;
  int inplace_input = -1;   // index into inputs: the output would like that storage
  bool view = false;        // the output is inputs[0]'s storage; nothing to run
  std::string name;         // the graph node's name, or "reorder(<value>)"
  std::string op;           // e.g. "Conv+Relu", "Reorder"
  OpCategory category = OpCategory::other;
  std::string provider;     // "onednn", "reference"
};

struct Program {
  // The kernels' prepared weights; first, so that it outlives the steps.
  std::unique_ptr<WeightStore> weights;
  std::vector<Tensor> tensors;
  std::vector<Step> steps;
  std::vector<int> inputs;   // per graph input: its tensor (plain)
  std::vector<int> outputs;  // per graph output: its tensor (plain)
};

// Layout pass: asks the registry for a kernel per node, in order, and
// inserts a reorder wherever a kernel wants a tensor in another layout than
// its producer wrote (only at graph boundaries and around kernels that need
// plain data: consecutive oneDNN kernels keep their blocked layouts). A
// value reordered once is reused by every reader wanting that layout.
// Streamed weights go on huge pages unless `huge_page_weights` is false.
Result<Program> lower(const PlanGraph& graph, const KernelRegistry& registry, const dnnl::engine& engine,
                      const dnnl::stream& stream, const TaskSplit& split, bool huge_page_weights = true);

// Static placement of every tensor in one arena.
struct MemoryPlan {
  struct Storage {
    std::size_t offset = 0;
    std::size_t bytes = 0;
    int first = 0;  // first step writing it (-1: before the first step, i.e. bound inputs)
    int last = 0;   // last step reading it (steps.size(): read after invoke)
  };
  std::vector<int> storage_of;  // per tensor
  std::vector<Storage> storages;
  std::size_t arena_bytes = 0;
  std::size_t naive_bytes = 0;  // one buffer per tensor, no reuse (views excepted)
};

// Liveness-based buffer sharing: views and granted in-place outputs share
// their input's storage; storages are then placed greedily, largest first,
// at the lowest offset clear of every storage alive at the same time.
MemoryPlan plan_memory(const Program& program);

// Checks a plan: every tensor fits its storage, the arena holds every
// storage, and no two storages alive at the same step overlap in memory.
Status validate_memory_plan(const Program& program, const MemoryPlan& plan);

}  // namespace eb::rt
