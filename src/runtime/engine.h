// The native engine: edgebench's own CPU runtime.
//
// Phases (nothing of an earlier phase is redone by a later one):
//   Engine::prepare(graph, options)  graph passes (fold BatchNorm and Pad,
//       fuse activations and residual adds), kernel selection (AVX-512,
//       oneDNN, then the reference kernels), layouts and reorders, the static memory
//       plan, primitive creation and weight reorders, binding every kernel
//       to its arena addresses.
//   set_input(i, data)               copies one input into the arena.
//   invoke()                         runs the steps; allocates and creates nothing.
//   output(i)                        a copy of output i, dense NCHW.
//
// Threads: the engine's own pool (runtime/thread_pool.h): the invoking
// thread plus threads - 1 workers take the parts of each kernel. oneDNN
// (OpenMP in Debian's build) runs sequentially inside each of them: the
// engine sets the calling thread's OpenMP thread count to 1 for prepare and
// invoke and puts the caller's value back afterwards.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"
#include "graph/graph.h"
#include "runtime/kernel.h"
#include "runtime/passes/passes.h"
#include "runtime/program.h"
#include "runtime/thread_pool.h"

namespace eb::rt {

struct EngineOptions {
  int threads = 0;     // 0: every core
  bool fold = true;    // fold BatchNorm and Pad
  bool fuse = true;    // fuse activations and residual adds
  // How many parts (row bands, channel chunks) a kernel splits into per
  // thread, at most. One: each thread computes the same rows layer after
  // layer and finds them in its own cache, and reads each weight once. Two
  // let an idle thread take half of a late one's share, but a part taken
  // moves its rows to the other core's cache for the layers after; on a
  // 2-vCPU Ice Lake VM one per thread measured 2% faster over the zoo
  // (geometric mean of two in-process A/B runs of two native engines, via
  // bench/native_vs_ort, as --vs parts_per_thread=2 now does).
  int parts_per_thread = 1;
  // How long the engine's threads spin waiting for the next kernel (a
  // worker) or for the other threads' parts (the invoking thread) before
  // they sleep. Unset: the pool's default (thread_pool.h), shorter when
  // there are more threads than cores.
  std::optional<std::chrono::microseconds> spin;
  // Providers asked in order; null: default_registry(onednn, avx512, avx512_kernels)
  // (hand-written AVX-512, oneDNN, reference).
  std::shared_ptr<const KernelRegistry> registry;
  OnednnOptions onednn;
  bool avx512 = true;      // the hand-written AVX-512 kernels where they pay (runtime/avx512)
  Avx512Options avx512_kernels;  // which nodes they take (unset: their defaults)
  bool huge_pages = true;  // streamed weights on transparent huge pages (runtime/weight_store.h)
};

struct EngineStats {
  std::size_t arena_bytes = 0;    // activations, after buffer reuse
  std::size_t naive_bytes = 0;    // one buffer per tensor
  std::size_t scratch_bytes = 0;  // shared kernel scratchpad
  int steps = 0;                  // kernels run per invoke (views excluded)
  int reorders = 0;               // layout conversions among them
  int reference_steps = 0;        // nodes left to the reference kernels
  PassCounts passes;
};

struct StepInfo {
  std::string name;      // graph node name, or reorder(<tensor>)
  std::string op;        // e.g. Conv+Relu
  OpCategory category;
  std::string provider;  // avx512 | onednn | reference
  std::string impl;      // e.g. brgconv:avx512_core (oneDNN's implementation)
  int parts = 1;         // how many pieces the kernel runs in
};

struct StepTiming {
  StepInfo step;
  double ms = 0.0;
};

class Engine {
 public:
  static Result<std::unique_ptr<Engine>> prepare(const Graph& graph, const EngineOptions& options = {});
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  std::size_t input_count() const { return program_.inputs.size(); }
  std::size_t output_count() const { return program_.outputs.size(); }
  const Shape& input_shape(std::size_t i) const { return input_shapes_[i]; }
  const Shape& output_shape(std::size_t i) const { return output_shapes_[i]; }

  Status set_input(std::size_t index, std::span<const float> data);
  Status invoke();
  Result<std::vector<float>> output(std::size_t index) const;
  // One invoke with a steady-clock timer around every kernel.
  Result<std::vector<StepTiming>> profile();

  int threads() const { return threads_; }
  const EngineStats& stats() const { return stats_; }
  std::vector<StepInfo> steps() const;
  // For tests: the lowered program and its memory plan.
  const Program& program() const { return program_; }
  const MemoryPlan& memory_plan() const { return plan_; }

 private:
  Engine() = default;
  Status run_steps(std::vector<StepTiming>* timings);

  int threads_ = 1;
  std::unique_ptr<ThreadPool> pool_;
  dnnl::engine engine_;
  dnnl::stream stream_;
  Program program_;
  MemoryPlan plan_;
  std::byte* arena_ = nullptr;
  std::byte* scratch_ = nullptr;
  std::vector<Step*> active_;  // the steps that do work, in order
  std::vector<Shape> input_shapes_, output_shapes_;
  EngineStats stats_;
};

// "avx512_core", "avx2", ...: the instruction set oneDNN dispatches to here.
std::string onednn_isa();
// "2.6.3 (OpenMP)"
std::string onednn_version();

}  // namespace eb::rt
