// Kernels and kernel providers: the native engine's kernel-selection point.
//
// For each node of the PlanGraph, the engine asks the providers of a
// KernelRegistry in order (hand-written AVX-512 kernels, oneDNN, then the
// reference fallback). A provider
// either declines (supports() false, or create() returns `unsupported`) or
// builds a Kernel: it creates its primitives, reorders its weights and says
// which memory layout it reads each activation input in and writes its
// output in. The layout pass inserts reorders where a producer's layout and
// a consumer's differ; the memory plan then places every tensor in one arena
// and the kernel is bound to its addresses once. Invoke only calls run().
//
// To add a provider (XNNPACK, ...): implement KernelProvider in a folder of
// its own (runtime/avx512 is the smallest example), and insert it into
// default_registry where it should be asked.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <oneapi/dnnl/dnnl.hpp>

#include "common/status.h"
#include "runtime/plan_graph.h"
#include "runtime/weight_store.h"

namespace eb::rt {

// A memory layout: oneDNN's memory descriptor is the common currency
// (dims, element type, plain or blocked format). A zero descriptor means
// "as produced" where a layout is requested.
using Layout = dnnl::memory::desc;

// A core's L2 cache in bytes (sysconf; 1 MiB where it does not say): where
// kernels' weights stop being reread from cache.
std::size_t l2_cache_bytes();

// Plain (dense row-major, NCHW / NCDHW) f32 layout of a shape.
Layout plain_layout(const Shape& shape);
bool is_plain(const Layout& layout);

class Kernel {
 public:
  virtual ~Kernel() = default;
  // Temporary memory needed while running (one buffer, reused by every
  // kernel: they run one after another).
  virtual std::size_t scratch_bytes() const { return 0; }
  // Binds the kernel to its tensors' addresses (inputs line up with the
  // node's activation inputs). Called once, after memory planning.
  virtual Status bind(std::span<void* const> inputs, void* output, void* scratch) = 0;
  // The kernel's independent parts (row bands, channel chunks): run(t) for
  // different t may run at the same time on different threads.
  virtual int tasks() const { return 1; }
  // Runs part `task`. Must not allocate or create anything.
  virtual Status run(int task) = 0;
  // What runs underneath, e.g. oneDNN's implementation name.
  virtual std::string implementation() const { return {}; }
};

// How kernels split their work: into at most max_tasks parts (row bands,
// channel chunks), run by `threads` threads.
struct TaskSplit {
  int threads = 1;
  int max_tasks = 1;
};

// What a provider is asked to build.
struct KernelRequest {
  const PlanGraph& graph;
  const PlanNode& node;
  std::span<const Layout> inputs;  // layouts of the activation inputs as produced
  const dnnl::engine& engine;
  const dnnl::stream& stream;
  TaskSplit split;
  // Where prepared weights go: memory living as long as the engine.
  WeightStore& weights;
};

// How many parts a kernel producing `rows` rows (bands, channel blocks)
// for `work` units (MACs, elements, weights) splits into: at most
// request.split.max_tasks, at most one per row, at least `min_work` per
// part; 1 for batch > 1.
int parts_for(const KernelRequest& r, int64_t batch, int64_t rows, double work, double min_work);
// [begin, end) ranges splitting `n` into `parts` near-equal pieces.
std::vector<std::pair<int64_t, int64_t>> split_even(int64_t n, int parts);

// What a provider built.
struct KernelChoice {
  std::unique_ptr<Kernel> kernel;
  std::vector<Layout> inputs;  // the layout read for each activation input
  Layout output;               // the layout written
  // The output would like to live in the storage of this activation input
  // (sum post-op, in-place eltwise). The memory plan grants it only when
  // nothing reads that input later; the kernel must work either way.
  int inplace_input = -1;
  // The output is a view of input 0 (Reshape, Flatten): same storage, no work.
  bool view = false;
};

class KernelProvider {
 public:
  virtual ~KernelProvider() = default;
  virtual std::string_view name() const = 0;
  // Cheap structural check: the node's op, attributes and post-ops.
  virtual bool supports(const PlanGraph& graph, const PlanNode& node) const = 0;
  // Whether the kernel for `node` could apply `op` after its main op.
  virtual bool accepts_post_op(const PlanGraph& graph, const PlanNode& node, const PostOp& op) const = 0;
  // Builds the kernel; `unsupported` hands the node to the next provider.
  virtual Result<KernelChoice> create(const KernelRequest& request) const = 0;
};

class KernelRegistry {
 public:
  void add(std::unique_ptr<KernelProvider> provider) { providers_.push_back(std::move(provider)); }
  const std::vector<std::unique_ptr<KernelProvider>>& providers() const { return providers_; }

  // The first provider supporting `node` decides whether it takes a post-op.
  bool accepts_post_op(const PlanGraph& graph, const PlanNode& node, const PostOp& op) const;
  // Asks each provider in order; returns the kernel and the provider's name.
  Result<std::pair<KernelChoice, std::string_view>> create(const KernelRequest& request) const;
  // Whether some provider supports every node.
  Status supports(const PlanGraph& graph) const;

 private:
  std::vector<std::unique_ptr<KernelProvider>> providers_;
};

// Choices of the oneDNN provider a user may turn off, to see what each buys
// (the native backend's --mode, bench/native_vs_ort --vs).
struct OnednnOptions {
  bool winograd = true;      // Winograd 3x3 convolutions where they pay
  bool winograd_4x3 = true;  // ... as F(4x4,3x3) where that pays, else F(2x2,3x3)
};

std::unique_ptr<KernelProvider> make_onednn_provider(OnednnOptions options = {});
// What the hand-written AVX-512 kernels take (unset: their defaults).
struct Avx512Options {
  // Fully connected layers with batch 1 from this many bytes of weights
  // (default: a core's L2, beyond which they stream from memory).
  std::optional<std::size_t> min_gemv_bytes;
  // 1x1 convolutions (batch 1) on maps of at most this many pixels ...
  std::optional<int64_t> max_pointwise_pixels;
  // ... and with at least this many bytes of weights.
  std::optional<std::size_t> min_pointwise_bytes;
  // Other convolutions (batch 1, one group; windows, strides, padding,
  // gathered im2col) on maps of at most this many pixels ...
  std::optional<int64_t> max_im2col_pixels;
  // ... and with at least this many bytes of weights.
  std::optional<std::size_t> min_im2col_bytes;
};
// Hand-written AVX-512 kernels (runtime/avx512) for what they do better
// than oneDNN; declines everything on a CPU without AVX-512F.
std::unique_ptr<KernelProvider> make_avx512_provider(Avx512Options options = {});
std::unique_ptr<KernelProvider> make_reference_provider();
// The AVX-512 kernels (unless `avx512` is false), oneDNN, then the reference kernels.
KernelRegistry default_registry(OnednnOptions onednn = {}, bool avx512 = true, Avx512Options avx512_kernels = {});

}  // namespace eb::rt
