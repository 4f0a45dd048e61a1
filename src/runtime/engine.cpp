#include "runtime/engine.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>

#include <omp.h>

namespace eb::rt {
namespace {

// Sets the OpenMP thread count of the calling thread; restores it on exit.
class ScopedThreads {
 public:
  explicit ScopedThreads(int n) : saved_(omp_get_max_threads()) {
    if (n != saved_) omp_set_num_threads(n);
  }
  ~ScopedThreads() {
    if (omp_get_max_threads() != saved_) omp_set_num_threads(saved_);
  }
  ScopedThreads(const ScopedThreads&) = delete;
  ScopedThreads& operator=(const ScopedThreads&) = delete;

 private:
  int saved_;
};

std::byte* allocate(std::size_t bytes) {
  if (bytes == 0) return nullptr;
  return static_cast<std::byte*>(std::aligned_alloc(64, (bytes + 63) / 64 * 64));
}

}  // namespace

std::string onednn_isa() {
  switch (dnnl::get_effective_cpu_isa()) {
    case dnnl::cpu_isa::sse41: return "sse41";
    case dnnl::cpu_isa::avx: return "avx";
    case dnnl::cpu_isa::avx2: return "avx2";
    case dnnl::cpu_isa::avx2_vnni: return "avx2_vnni";
    case dnnl::cpu_isa::avx512_mic: return "avx512_mic";
    case dnnl::cpu_isa::avx512_mic_4ops: return "avx512_mic_4ops";
    case dnnl::cpu_isa::avx512_core: return "avx512_core";
    case dnnl::cpu_isa::avx512_core_vnni: return "avx512_core_vnni";
    case dnnl::cpu_isa::avx512_core_bf16: return "avx512_core_bf16";
    case dnnl::cpu_isa::avx512_core_amx: return "avx512_core_amx";
    default: return "unknown";
  }
}

std::string onednn_version() {
  const dnnl_version_t* v = dnnl::version();
  const char* runtime = v->cpu_runtime == DNNL_RUNTIME_OMP ? "OpenMP" : v->cpu_runtime == DNNL_RUNTIME_TBB ? "TBB"
                        : v->cpu_runtime == DNNL_RUNTIME_THREADPOOL ? "threadpool" : "sequential";
  return std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch) + " (" + runtime + ")";
}

Engine::~Engine() {
  std::free(arena_);
  std::free(scratch_);
}

Result<std::unique_ptr<Engine>> Engine::prepare(const Graph& source, const EngineOptions& options) {
  Graph graph = source;  // cheap: weights are shared
  EB_RETURN_IF_ERROR(graph.validate_and_infer());
  for (const Value& v : graph.values)
    if (v.desc.dtype != DType::f32) return unsupported("native engine: tensor '" + v.name + "' is not float32");

  std::unique_ptr<Engine> e(new Engine());
  e->threads_ = options.threads > 0 ? options.threads : omp_get_num_procs();
  // oneDNN sizes its own work split when primitives are created: one thread, the pool splits.
  const ScopedThreads sequential(1);
  e->pool_ = std::make_unique<ThreadPool>(e->threads_, options.spin);

  const std::shared_ptr<const KernelRegistry> registry =
      options.registry ? options.registry : std::make_shared<const KernelRegistry>(default_registry(options.onednn, options.avx512, options.avx512_kernels));
  PlanGraph plan = PlanGraph::from(graph);
  const PostOpFilter accepts = [&](const PlanGraph& g, const PlanNode& n, const PostOp& p) { return registry->accepts_post_op(g, n, p); };
  e->stats_.passes = run_graph_passes(plan, accepts, options.fold, options.fuse);
  EB_RETURN_IF_ERROR(registry->supports(plan).with_context("graph '" + graph.name + "'"));

  try {
    e->engine_ = dnnl::engine(dnnl::engine::kind::cpu, 0);
    e->stream_ = dnnl::stream(e->engine_);
  } catch (const dnnl::error& err) {
    return internal_error(std::string("oneDNN CPU engine: ") + err.what());
  }
  const TaskSplit split{e->threads_, e->threads_ > 1 ? e->threads_ * std::max(1, options.parts_per_thread) : 1};
  EB_ASSIGN_OR_RETURN(e->program_, lower(plan, *registry, e->engine_, e->stream_, split, options.huge_pages));
  Program& prog = e->program_;
  e->plan_ = plan_memory(prog);
  EB_RETURN_IF_ERROR(validate_memory_plan(prog, e->plan_));

  // One arena for every tensor, one scratchpad shared by all kernels (they run one at a time).
  std::size_t scratch = 0;
  for (const Step& step : prog.steps) scratch = std::max(scratch, step.kernel->scratch_bytes());
  e->arena_ = allocate(e->plan_.arena_bytes);
  e->scratch_ = allocate(scratch);
  if ((e->plan_.arena_bytes && !e->arena_) || (scratch && !e->scratch_))
    return Status(ErrorCode::out_of_memory, "native engine: cannot allocate " + std::to_string(e->plan_.arena_bytes) + " bytes");
  // Touched once here, so that the first invoke pays no page faults (and
  // padded lanes of blocked layouts hold no garbage).
  if (e->arena_) std::memset(e->arena_, 0, e->plan_.arena_bytes);

  const auto address = [&](int tensor) -> void* { return e->arena_ + e->plan_.storages[e->plan_.storage_of[tensor]].offset; };
  std::vector<void*> inputs;
  for (Step& step : prog.steps) {
    inputs.clear();
    for (int t : step.inputs) inputs.push_back(address(t));
    EB_RETURN_IF_ERROR(step.kernel->bind(inputs, address(step.output), e->scratch_).with_context("binding '" + step.name + "'"));
    if (!step.view) e->active_.push_back(&step);
  }

  for (ValueId id : graph.inputs) e->input_shapes_.push_back(graph.value(id).desc.shape);
  for (ValueId id : graph.outputs) e->output_shapes_.push_back(graph.value(id).desc.shape);
  EngineStats& st = e->stats_;
  st.arena_bytes = e->plan_.arena_bytes;
  st.naive_bytes = e->plan_.naive_bytes;
  st.scratch_bytes = scratch;
  st.steps = static_cast<int>(e->active_.size());
  for (const Step* step : e->active_) {
    st.reorders += step->op == "Reorder";
    st.reference_steps += step->provider == "reference";
  }
  return e;
}

Status Engine::set_input(std::size_t index, std::span<const float> data) {
  if (index >= program_.inputs.size())
    return invalid_argument("input " + std::to_string(index) + " out of range (" + std::to_string(program_.inputs.size()) + " inputs)");
  const int t = program_.inputs[index];
  const Tensor& tensor = program_.tensors[t];
  if (data.size_bytes() != tensor.bytes)
    return invalid_argument("input '" + tensor.name + "' takes " + std::to_string(tensor.bytes / sizeof(float)) + " floats [" +
                            input_shapes_[index].to_string() + "], got " + std::to_string(data.size()));
  std::memcpy(arena_ + plan_.storages[plan_.storage_of[t]].offset, data.data(), tensor.bytes);
  return Status::ok();
}

namespace {

StepInfo info_of(const Step& s) {
  return StepInfo{s.name, s.op, s.category, s.provider, s.kernel->implementation(), s.kernel->tasks()};
}

// Runs every part of one step on the pool; keeps the first failure.
Status run_step(ThreadPool& pool, Step& step) {
  Kernel& kernel = *step.kernel;
  const int tasks = kernel.tasks();
  if (tasks == 1) return kernel.run(0);
  std::atomic<bool> failed{false};
  Status first;
  auto part = [&](int t) {
    Status st = kernel.run(t);
    if (!st.is_ok() && !failed.exchange(true)) first = std::move(st);
  };
  pool.run(tasks, part);
  return first;
}

}  // namespace

Status Engine::run_steps(std::vector<StepTiming>* timings) {
  const ScopedThreads sequential(1);
  if (!timings) {
    for (Step* step : active_) EB_RETURN_IF_ERROR(run_step(*pool_, *step));
    return Status::ok();
  }
  using clock = std::chrono::steady_clock;
  for (Step* step : active_) {
    const auto t0 = clock::now();
    EB_RETURN_IF_ERROR(run_step(*pool_, *step).with_context("node '" + step->name + "'"));
    const auto t1 = clock::now();
    timings->push_back({info_of(*step), std::chrono::duration<double, std::milli>(t1 - t0).count()});
  }
  return Status::ok();
}

Status Engine::invoke() { return run_steps(nullptr); }

Result<std::vector<StepTiming>> Engine::profile() {
  std::vector<StepTiming> timings;
  timings.reserve(active_.size());
  EB_RETURN_IF_ERROR(run_steps(&timings));
  return timings;
}

Result<std::vector<float>> Engine::output(std::size_t index) const {
  if (index >= program_.outputs.size())
    return invalid_argument("output " + std::to_string(index) + " out of range (" + std::to_string(program_.outputs.size()) + " outputs)");
  const int t = program_.outputs[index];
  const float* data = reinterpret_cast<const float*>(arena_ + plan_.storages[plan_.storage_of[t]].offset);
  return std::vector<float>(data, data + program_.tensors[t].bytes / sizeof(float));
}

std::vector<StepInfo> Engine::steps() const {
  std::vector<StepInfo> out;
  for (const Step* step : active_) out.push_back(info_of(*step));
  return out;
}

}  // namespace eb::rt
