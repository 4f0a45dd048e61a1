// The libtorch backend. The only translation unit that includes torch headers.
//
// LibTorch reports errors by throwing c10::Error; every entry point catches
// at this boundary and returns a Status carrying torch's own message.
#include "backends/libtorch/libtorch_backend.h"

#include <dlfcn.h>
#include <sched.h>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <ATen/record_function.h>
#include <c10/core/InferenceMode.h>
#include <torch/csrc/autograd/profiler_legacy.h>
#include <torch/cuda.h>
#include <torch/csrc/jit/ir/constants.h>
#include <torch/csrc/jit/ir/ir.h>
#include <torch/script.h>
#include <torch/version.h>

#include <chrono>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "backends/libtorch/lowering.h"
#include "backends/libtorch/torchscript_codegen.h"

namespace eb {
namespace {

using namespace torch_lowering;

constexpr const char* kModes = "eager, script";

// ---- process-wide configuration ------------------------------------------

int available_cores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0) return CPU_COUNT(&set);
  return std::max(1u, std::thread::hardware_concurrency());
}

// OpenBLAS keeps its own thread pool, which at::set_num_threads does not
// reach; it is looked up at run time so that no BLAS is linked here.
void set_blas_threads(int threads) {
  using SetThreads = void (*)(int);
  if (auto* f = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"))) f(threads);
}

// Inter-op threads can be set once per process, before any inter-op work:
// the first prepare() sets 1 (single-batch inference has no inter-op
// parallelism to exploit); later calls keep what is there.
void set_interop_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    try {
      at::set_num_interop_threads(1);
    } catch (const c10::Error&) {
      // Already set or pool started elsewhere in this process; keep it.
    }
  });
}

void configure_threads(int threads) {
  set_interop_once();
  if (at::get_num_threads() != threads) at::set_num_threads(threads);
  set_blas_threads(threads);
}

// Which BLAS serves sgemm_ at run time. Debian's LibTorch is built against the
// generic libblas.so.3 (BLAS_INFO=generic), so the answer depends on the
// libblas.so.3 alternative: OpenBLAS or the reference implementation.
std::string blas_description() {
  std::string library = "not loaded";
  if (void* sgemm = dlsym(RTLD_DEFAULT, "sgemm_")) {
    Dl_info info;
    if (dladdr(sgemm, &info) && info.dli_fname) {
      library = info.dli_fname;
      if (char* real = realpath(info.dli_fname, nullptr)) {
        library = real;
        std::free(real);
      }
    }
  }
  using GetConfig = char* (*)();
  const bool openblas_lib = library.find("openblas") != std::string::npos;
  if (auto* f = reinterpret_cast<GetConfig>(dlsym(RTLD_DEFAULT, "openblas_get_config")); f && openblas_lib)
    return std::string(f()) + " (sgemm_ from " + library + ")";
  if (openblas_lib) return "OpenBLAS (sgemm_ from " + library + ")";
  if (library.find("mkl") != std::string::npos) return "MKL (sgemm_ from " + library + ")";
  return "reference or unknown BLAS (sgemm_ from " + library + ")";
}

// A "key=value" entry of at::show_config()'s build settings, or "".
std::string build_setting(const std::string& config, const std::string& key) {
  const auto pos = config.find(key + "=");
  if (pos == std::string::npos) return "";
  const auto start = pos + key.size() + 1;
  return config.substr(start, config.find_first_of(",\n", start) - start);
}

// The line of `text` that contains `part`, without its indentation and list dash; "" if none.
std::string line_containing(const std::string& text, const std::string& part) {
  const auto pos = text.find(part);
  if (pos == std::string::npos) return "";
  auto begin = text.rfind('\n', pos);
  begin = begin == std::string::npos ? 0 : begin + 1;
  auto end = text.find('\n', pos);
  std::string line = text.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
  const auto first = line.find_first_not_of(" \t-");
  return first == std::string::npos ? "" : line.substr(first);
}

// What follows `label` on its line of `text`; "" if absent.
std::string value_after(const std::string& text, const std::string& label) {
  const std::string line = line_containing(text, label);
  const auto pos = line.find(label);
  return pos == std::string::npos ? "" : line.substr(pos + label.size());
}

bool cuda_available() {
  try {
    return torch::cuda::is_available();
  } catch (const c10::Error&) {
    return false;
  }
}

Status torch_failure(const char* during, const c10::Error& e) {
  return internal_error(std::string("libtorch: ") + during + ": " + e.what_without_backtrace());
}
Status std_failure(const char* during, const std::exception& e) {
  return internal_error(std::string("libtorch: ") + during + ": " + e.what());
}

// ---- running plans with torch ops ----------------------------------------

c10::optional<at::Tensor> optional_tensor(bool present, const at::Tensor& t) {
  return present ? c10::optional<at::Tensor>(t) : c10::nullopt;
}

// The pooling op itself (explicit pads, torch pooling, cut); no divisor.
at::Tensor run_pool(const PoolPlan& p, at::Tensor x) {
  if (!p.pre_pad.empty()) x = at::constant_pad_nd(x, p.pre_pad, p.pad_value);
  const std::vector<int64_t> dilation(p.kernel.size(), 1);
  at::Tensor y;
  if (p.max) {
    switch (p.spatial) {
      case 1: y = at::max_pool1d(x, p.kernel, p.stride, p.padding, dilation, p.ceil_mode); break;
      case 2: y = at::max_pool2d(x, p.kernel, p.stride, p.padding, dilation, p.ceil_mode); break;
      default: y = at::max_pool3d(x, p.kernel, p.stride, p.padding, dilation, p.ceil_mode); break;
    }
  } else {
    switch (p.spatial) {
      case 1: y = at::avg_pool1d(x, p.kernel, p.stride, p.padding, p.ceil_mode, p.count_include_pad); break;
      case 2: y = at::avg_pool2d(x, p.kernel, p.stride, p.padding, p.ceil_mode, p.count_include_pad); break;
      default: y = at::avg_pool3d(x, p.kernel, p.stride, p.padding, p.ceil_mode, p.count_include_pad); break;
    }
  }
  if (p.narrow)
    for (std::size_t i = 0; i < p.out_spatial.size(); ++i) y = y.narrow(static_cast<int64_t>(2 + i), 0, p.out_spatial[i]);
  return y;
}

// For AvgPool without count_include_pad over explicit pads: how many real
// elements each window covers, as a fraction of what torch divided by.
at::Tensor pool_divisor(const PoolPlan& p, const at::TensorOptions& options) {
  std::vector<int64_t> shape = {1, 1};
  shape.insert(shape.end(), p.in_spatial.begin(), p.in_spatial.end());
  return run_pool(p, at::ones(shape, options));
}

// One node, as a PyTorch forward() would call it. `env` holds every live value.
at::Tensor run_node(const NodePlan& np, const std::vector<at::Tensor>& env, const at::Tensor& divisor) {
  const auto in = [&](std::size_t i) -> const at::Tensor& { return env[static_cast<std::size_t>(np.inputs[i])]; };
  switch (np.op) {
    case OpKind::Conv: {
      const auto& p = std::get<ConvPlan>(np.plan);
      at::Tensor x = p.pre_pad.empty() ? in(0) : at::constant_pad_nd(in(0), p.pre_pad, 0.0);
      const auto bias = optional_tensor(p.bias, p.bias ? in(2) : at::Tensor());
      switch (p.spatial) {
        case 1: return at::conv1d(x, in(1), bias, p.stride, p.padding, p.dilation, p.groups);
        case 2: return at::conv2d(x, in(1), bias, p.stride, p.padding, p.dilation, p.groups);
        default: return at::conv3d(x, in(1), bias, p.stride, p.padding, p.dilation, p.groups);
      }
    }
    case OpKind::BatchNorm:
      return at::batch_norm(in(0), in(1), in(2), in(3), in(4), /*training=*/false, /*momentum=*/0.1,
                            std::get<BatchNormPlan>(np.plan).eps, /*cudnn_enabled=*/true);
    case OpKind::Relu: return at::relu(in(0));
    case OpKind::Sigmoid: return at::sigmoid(in(0));
    case OpKind::Add: return at::add(in(0), in(1));
    case OpKind::Clip: {
      const auto& p = std::get<ClipPlan>(np.plan);
      return p.relu6 ? at::hardtanh(in(0), p.min, p.max) : at::clamp(in(0), p.min, p.max);
    }
    case OpKind::LeakyRelu: return at::leaky_relu(in(0), std::get<LeakyReluPlan>(np.plan).alpha);
    case OpKind::MaxPool:
    case OpKind::AvgPool: {
      const auto& p = std::get<PoolPlan>(np.plan);
      at::Tensor y = run_pool(p, in(0));
      return p.divide_by_valid_count ? at::div(y, divisor) : y;
    }
    case OpKind::GlobalAvgPool:
    case OpKind::GlobalMaxPool: {
      const auto& p = std::get<GlobalPoolPlan>(np.plan);
      if (p.max) return at::amax(in(0), p.dims, /*keepdim=*/true);
      if (!p.adaptive) return at::mean(in(0), p.dims, /*keepdim=*/true);
      switch (p.spatial) {
        case 1: return at::adaptive_avg_pool1d(in(0), {1});
        case 2: return at::adaptive_avg_pool2d(in(0), {1, 1});
        default: return at::adaptive_avg_pool3d(in(0), {1, 1, 1});
      }
    }
    case OpKind::Gemm: {
      const bool bias = std::get<GemmPlan>(np.plan).bias;
      return at::linear(in(0), in(1), optional_tensor(bias, bias ? in(2) : at::Tensor()));
    }
    case OpKind::Concat: {
      std::vector<at::Tensor> xs;
      xs.reserve(np.inputs.size());
      for (std::size_t i = 0; i < np.inputs.size(); ++i) xs.push_back(in(i));
      return at::cat(xs, std::get<AxisPlan>(np.plan).axis);
    }
    case OpKind::Softmax: return at::softmax(in(0), std::get<AxisPlan>(np.plan).axis);
    case OpKind::Flatten:
    case OpKind::Reshape: {
      const auto& p = std::get<ShapePlan>(np.plan);
      return p.torch_flatten ? at::flatten(in(0), 1) : at::reshape(in(0), p.shape);
    }
    case OpKind::Lrn: {
      // F.local_response_norm: average the squares over a channel window.
      const auto& p = std::get<LrnPlan>(np.plan);
      at::Tensor sq = at::mul(in(0), in(0)).reshape(p.as4d);
      sq = at::constant_pad_nd(sq, {0, 0, p.front, p.back}, 0.0);
      sq = at::avg_pool2d(sq, {p.size, 1}, {1, 1}, {0, 0}, /*ceil_mode=*/false, /*count_include_pad=*/true).reshape(p.shape);
      return at::div(in(0), sq.mul(p.alpha).add(p.bias).pow(p.beta));
    }
    case OpKind::Upsample: {
      const auto& p = std::get<UpsamplePlan>(np.plan);
      if (p.native) {
        switch (p.spatial) {
          case 1: return at::upsample_nearest1d(in(0), p.out_size);
          case 2: return at::upsample_nearest2d(in(0), p.out_size);
          default: return at::upsample_nearest3d(in(0), p.out_size);
        }
      }
      at::Tensor x = in(0);
      for (const auto& [dim, factor] : p.repeats) x = at::repeat_interleave(x, factor, dim);
      return x;
    }
    case OpKind::Pad: {
      const auto& p = std::get<PadPlan>(np.plan);
      return at::constant_pad_nd(in(0), p.pads, p.value);
    }
    default:
      TORCH_CHECK(false, "no torch mapping for op ", std::string(op_name(np.op)));
  }
}

// ---- profiling --------------------------------------------------------------

// LibTorch's own (legacy, CPU) profiler, on for the lifetime of the object.
class ProfilerSession {
 public:
  ProfilerSession() {
    torch::autograd::profiler::enableProfilerLegacy(
        torch::profiler::impl::ProfilerConfig(torch::profiler::impl::ProfilerState::CPU));
    active_ = true;
  }
  ~ProfilerSession() {
    if (active_) {
      try {
        (void)stop();
      } catch (...) {
      }
    }
  }
  torch::autograd::profiler::thread_event_lists stop() {
    active_ = false;
    return torch::autograd::profiler::disableProfilerLegacy();
  }

 private:
  bool active_ = false;
};

struct RangeTiming {
  std::string name;
  double ms = 0.0;
};

// Ranges recorded on this thread that are not nested inside another accepted
// range, in order. Ranges that are not accepted (e.g. a "forward" scope) are
// transparent.
template <typename Accept>
std::vector<RangeTiming> outermost_ranges(const torch::autograd::profiler::thread_event_lists& lists, uint64_t thread,
                                          Accept accept) {
  using torch::autograd::profiler::EventKind;
  using torch::autograd::profiler::LegacyEvent;
  std::vector<RangeTiming> out;
  for (const auto& list : lists) {
    struct Open {
      const LegacyEvent* event;
      bool accepted;
      std::size_t slot;  // index in `out` when recorded
    };
    std::vector<Open> stack;
    int accepted_depth = 0;
    for (const LegacyEvent& e : list) {
      if (e.threadId() != thread) continue;
      if (e.kind() == EventKind::PushRange) {
        const bool ok = accept(e.name());
        Open open{&e, ok, 0};
        if (ok && accepted_depth == 0) {
          open.slot = out.size();
          out.push_back({e.name(), 0.0});
        }
        stack.push_back(open);
        if (ok) ++accepted_depth;
      } else if (e.kind() == EventKind::PopRange && !stack.empty()) {
        const Open open = stack.back();
        stack.pop_back();
        if (!open.accepted) continue;
        if (--accepted_depth == 0) out[open.slot].ms = open.event->cpuElapsedUs(e) / 1000.0;
      }
    }
  }
  return out;
}

// ---- prepared models ---------------------------------------------------------

struct Io {
  std::vector<ValueId> input_ids;
  std::vector<at::Tensor> inputs;
  std::vector<Shape> input_shapes;
  std::vector<Shape> output_shapes;
  std::vector<ValueId> output_ids;
};

class TorchModel : public PreparedModel {
 public:
  TorchModel(Io io, int threads, at::Device device) : io_(std::move(io)), threads_(threads), device_(device) {}

  Status set_input(std::size_t index, std::span<const float> data) override {
    if (index >= io_.inputs.size())
      return invalid_argument("libtorch: input " + std::to_string(index) + " does not exist (the model has " +
                              std::to_string(io_.inputs.size()) + ")");
    const Shape& shape = io_.input_shapes[index];
    if (static_cast<int64_t>(data.size()) != shape.numel())
      return invalid_argument("libtorch: input " + std::to_string(index) + " has " + std::to_string(data.size()) +
                              " values, its shape [" + shape.to_string() + "] needs " + std::to_string(shape.numel()));
    try {
      at::NoGradGuard no_grad;
      const at::Tensor src = at::from_blob(const_cast<float*>(data.data()), shape.dims(), at::kFloat);
      io_.inputs[index].copy_(src);
    } catch (const c10::Error& e) {
      return torch_failure("set_input", e);
    }
    return Status::ok();
  }

  Status invoke() override {
    invoked_ = false;
    try {
      configure();
      c10::InferenceMode guard;
      run(false);
      if (device_.is_cuda()) torch::cuda::synchronize();
    } catch (const c10::Error& e) {
      return torch_failure("invoke", e);
    } catch (const std::exception& e) {
      return std_failure("invoke", e);
    }
    invoked_ = true;
    return Status::ok();
  }

  Result<std::vector<float>> output(std::size_t index) override {
    if (index >= io_.output_shapes.size())
      return invalid_argument("libtorch: output " + std::to_string(index) + " does not exist (the model has " +
                              std::to_string(io_.output_shapes.size()) + ")");
    if (!invoked_ || index >= outputs_.size()) return invalid_argument("libtorch: output read before a successful invoke()");
    try {
      const at::Tensor t = outputs_[index].to(at::kCPU).contiguous();
      const Shape& want = io_.output_shapes[index];
      if (t.sizes().vec() != want.dims())
        return internal_error("libtorch: output " + std::to_string(index) + " has shape " + c10::str(t.sizes()) +
                              ", the graph says [" + want.to_string() + "]");
      const float* p = t.data_ptr<float>();
      return std::vector<float>(p, p + t.numel());
    } catch (const c10::Error& e) {
      return torch_failure("output", e);
    }
  }

 protected:
  // Threads are process-wide in torch: re-applied if another model changed them.
  void configure() {
    if (at::get_num_threads() != threads_) configure_threads(threads_);
  }
  virtual void run(bool profiling) = 0;

  Io io_;
  int threads_;
  at::Device device_;
  std::vector<at::Tensor> outputs_;
  bool invoked_ = false;
};

// Eager: an interpreter over the plans, calling torch ops per node, freeing
// each activation after its last use (as Python's reference counting does).
class EagerModel final : public TorchModel {
 public:
  EagerModel(Io io, int threads, at::Device device, std::vector<NodePlan> plans, std::vector<at::Tensor> env,
             std::vector<at::Tensor> divisors, std::vector<std::vector<ValueId>> release)
      : TorchModel(std::move(io), threads, device),
        plans_(std::move(plans)),
        env_(std::move(env)),
        divisors_(std::move(divisors)),
        release_(std::move(release)) {}

  Result<std::vector<NodeTiming>> profile() override {
    try {
      configure();
      c10::InferenceMode guard;
      ProfilerSession session;
      run(true);
      const auto lists = session.stop();
      invoked_ = true;
      std::unordered_set<std::string> names;
      for (const NodePlan& np : plans_) names.insert(np.name);
      const auto ranges = outermost_ranges(lists, at::RecordFunction::currentThreadId(),
                                           [&](const char* n) { return names.count(n) > 0; });
      if (ranges.size() != plans_.size())
        return internal_error("libtorch: the profiler recorded " + std::to_string(ranges.size()) + " of " +
                              std::to_string(plans_.size()) + " nodes");
      std::vector<NodeTiming> out;
      for (std::size_t i = 0; i < plans_.size(); ++i) {
        const NodePlan& np = plans_[i];
        out.push_back({np.name, std::string(op_name(np.op)), to_string(schema(np.op).category), ranges[i].ms});
      }
      return out;
    } catch (const c10::Error& e) {
      return torch_failure("profile", e);
    }
  }

 private:
  void run(bool profiling) override {
    for (std::size_t i = 0; i < io_.inputs.size(); ++i) env_[static_cast<std::size_t>(io_.input_ids[i])] = io_.inputs[i];
    for (std::size_t k = 0; k < plans_.size(); ++k) {
      const NodePlan& np = plans_[k];
      if (profiling) {
        // A user scope per node, as torch.profiler.record_function marks one.
        at::RecordFunction scope(at::RecordScope::USER_SCOPE);
        if (scope.isActive()) scope.before(np.name);
        env_[static_cast<std::size_t>(np.output)] = run_node(np, env_, divisors_[k]);
      } else {
        env_[static_cast<std::size_t>(np.output)] = run_node(np, env_, divisors_[k]);
      }
      for (ValueId id : release_[k]) env_[static_cast<std::size_t>(id)] = at::Tensor();
    }
    outputs_.resize(io_.output_ids.size());
    for (std::size_t i = 0; i < io_.output_ids.size(); ++i) outputs_[i] = env_[static_cast<std::size_t>(io_.output_ids[i])];
  }

  std::vector<NodePlan> plans_;
  std::vector<at::Tensor> env_;
  std::vector<at::Tensor> divisors_;
  std::vector<std::vector<ValueId>> release_;
};

// Script: the frozen, inference-optimized TorchScript module.
class ScriptModel final : public TorchModel {
 public:
  struct NodeInfo {
    std::string name;
    OpKind op;
  };

  ScriptModel(Io io, int threads, at::Device device, torch::jit::Module module, std::vector<int> line_node, std::vector<NodeInfo> nodes)
      : TorchModel(std::move(io), threads, device),
        module_(std::move(module)),
        forward_(module_.get_method("forward")),
        line_node_(std::move(line_node)),
        nodes_(std::move(nodes)) {}

  // The optimized graph's prim::mkldnn_convolution is a JIT operator that
  // never reaches the dispatcher, so torch's profiler does not see it. This
  // pass runs the frozen graph's operations one by one instead, as the JIT
  // interpreter does, with a steady clock around each; the source line each
  // one came from names the graph node (BatchNorm folded into a conv shows
  // under the conv; to_mkldnn / to_dense layout changes under their own name).
  Result<std::vector<NodeTiming>> profile() override {
    using torch::jit::Node;
    using torch::jit::Value;
    try {
      configure();
      c10::InferenceMode guard;
      const std::shared_ptr<torch::jit::Graph> graph = forward_.graph();
      std::unordered_map<const Value*, c10::IValue> env;
      const auto inputs = graph->inputs();
      if (inputs.size() != io_.inputs.size() + 1) return internal_error("libtorch script: forward() takes an unexpected number of inputs");
      env[inputs[0]] = module_._ivalue();
      for (std::size_t i = 0; i < io_.inputs.size(); ++i) env[inputs[i + 1]] = io_.inputs[i];
      std::unordered_map<const Value*, const Node*> last_use;
      for (const Node* n : graph->nodes())
        for (const Value* v : n->inputs()) last_use[v] = n;
      for (const Value* v : graph->outputs()) last_use[v] = nullptr;

      std::vector<NodeTiming> out;
      for (const Node* n : graph->nodes()) {
        const std::string kind = n->kind().toQualString();
        if (!n->blocks().empty()) return unsupported("libtorch script profile: control flow (" + kind + ") in the optimized graph");
        if (n->kind() == c10::prim::Constant) {
          env[n->output()] = *torch::jit::toIValue(n->output());
          continue;
        }
        torch::jit::Stack stack;
        stack.reserve(n->inputs().size());
        for (const Value* v : n->inputs()) stack.push_back(env.at(v));
        auto t0 = std::chrono::steady_clock::now();
        if (n->kind() == c10::prim::TupleConstruct || n->kind() == c10::prim::ListConstruct) {
          // Interpreter instructions rather than operators.
          if (n->kind() == c10::prim::TupleConstruct) {
            c10::IValue tuple = c10::ivalue::Tuple::create(std::move(stack));
            stack = {std::move(tuple)};
          } else {
            c10::impl::GenericList list(n->output()->type()->expectRef<c10::ListType>().getElementType());
            list.reserve(stack.size());
            for (c10::IValue& v : stack) list.push_back(std::move(v));
            stack = {c10::IValue(std::move(list))};
          }
        } else {
          if (!n->maybeOperator()) return unsupported("libtorch script profile: no operator for " + kind + " in the optimized graph");
          torch::jit::Operation op = n->getOperation();
          t0 = std::chrono::steady_clock::now();
          op(stack);
        }
        const auto t1 = std::chrono::steady_clock::now();
        const auto outs = n->outputs();
        if (stack.size() != outs.size()) return internal_error("libtorch script profile: " + kind + " left an unexpected stack");
        for (std::size_t i = 0; i < outs.size(); ++i) env[outs[i]] = std::move(stack[i]);
        for (const Value* v : n->inputs())
          if (last_use[v] == n) env.erase(v);
        if (kind.rfind("prim::Constant", 0) == 0) continue;  // e.g. prim::ConstantMKLDNNTensor: a constant, not work

        NodeTiming t;
        t.op = kind;
        t.ms = std::chrono::duration<double, std::milli>(t1 - t0).count();
        const int index = node_of(*n);
        if (index >= 0) {
          t.node = nodes_[static_cast<std::size_t>(index)].name;
          t.category = to_string(schema(nodes_[static_cast<std::size_t>(index)].op).category);
        } else {
          t.node = kind;
          t.category = category_of_torch_op(kind);
        }
        out.push_back(std::move(t));
      }
      const auto& elements = env.at(graph->outputs()[0]).toTupleRef().elements();
      outputs_.assign(elements.size(), at::Tensor());
      for (std::size_t i = 0; i < elements.size(); ++i) outputs_[i] = elements[i].toTensor();
      invoked_ = true;
      return out;
    } catch (const c10::Error& e) {
      return torch_failure("profile", e);
    } catch (const std::exception& e) {
      return std_failure("profile", e);
    }
  }

  // The JIT's profiling executor specializes the graph over its first runs;
  // done here so that prepare (init) carries the compilation.
  Status warm_up(int runs) {
    for (int i = 0; i < runs; ++i) EB_RETURN_IF_ERROR(invoke());
    invoked_ = false;  // outputs of zeros are not results
    outputs_.clear();
    return Status::ok();
  }

 private:
  void run(bool) override {
    std::vector<c10::IValue> args(io_.inputs.begin(), io_.inputs.end());
    const c10::IValue result = forward_(std::move(args));
    const auto& elements = result.toTupleRef().elements();
    outputs_.resize(elements.size());
    for (std::size_t i = 0; i < elements.size(); ++i) outputs_[i] = elements[i].toTensor();
  }

  // The graph node a JIT node was generated for, from its source line; -1 if none.
  int node_of(const torch::jit::Node& n) const {
    const auto& range = n.sourceRange();
    if (!range.source()) return -1;
    const std::size_t line = range.source()->lineno_for_offset(range.start());
    return line < line_node_.size() ? line_node_[line] : -1;
  }

  torch::jit::Module module_;
  torch::jit::Method forward_;
  std::vector<int> line_node_;
  std::vector<NodeInfo> nodes_;
};

// ---- the backend ---------------------------------------------------------------

enum class Mode { eager, script };

Result<Mode> parse_mode(const std::string& mode) {
  if (mode.empty() || mode == "eager") return Mode::eager;
  if (mode == "script") return Mode::script;
  return invalid_argument("libtorch: unknown mode '" + mode + "' (modes: " + kModes + ")");
}

Status check_options(const BackendOptions& options) {
  EB_RETURN_IF_ERROR(parse_mode(options.mode).status());
  if (options.device == "cuda") {
    if (!cuda_available()) return unsupported("libtorch: device cuda: this LibTorch has no usable CUDA device");
  } else if (options.device != "cpu") {
    return unsupported("libtorch: unknown device '" + options.device + "' (devices: cpu" + (cuda_available() ? ", cuda" : "") + ")");
  }
  if (options.precision != "fp32")
    return unsupported("libtorch: precision " + options.precision + " is not supported (precisions: fp32)");
  if (options.threads < 0) return invalid_argument("libtorch: threads must be >= 0");
  return Status::ok();
}

at::Tensor weight_tensor(const Value& v, const at::Device& device) {
  // The graph's own buffer, copied: every backend computes with the same weights.
  const at::Tensor view = at::from_blob(const_cast<float*>(v.data->data()), v.desc.shape.dims(), at::kFloat);
  return view.clone().to(device);
}

class LibTorchBackend final : public Backend {
 public:
  std::string id() const override { return "libtorch"; }

  Capabilities capabilities() const override {
    Capabilities c;
    c.version = TORCH_VERSION;
    c.devices = {"cpu"};
    if (cuda_available()) c.devices.push_back("cuda");
    c.precisions = {"fp32"};
    try {
      const std::string config = at::show_config();
      const std::string parallel = at::get_parallel_info();
      c.config["threads"] = std::to_string(at::get_num_threads());  // torch's state now
      // What a prepare with threads = 0 uses; at::get_num_threads() may be
      // anything until then (another OpenMP user in the process sets it).
      c.config["default_threads"] = std::to_string(available_cores());
      c.config["interop_threads"] = std::to_string(at::get_num_interop_threads());
      c.config["blas"] = blas_description();
      c.config["blas_build"] = build_setting(config, "BLAS_INFO");
      const std::string dnnl = line_containing(config, "MKL-DNN");
      c.config["mkldnn"] = at::hasMKLDNN() && at::globalContext().userEnabledMkldnn()
                               ? "enabled" + (dnnl.empty() ? std::string() : " (" + dnnl + ")")
                               : "disabled";
      c.config["parallel_backend"] = value_after(parallel, "parallel backend: ");
      c.config["cpu_capability"] = value_after(config, "CPU capability usage: ");
      c.config["modes"] = kModes;
      c.config["profiler"] =
          "eager: torch::autograd::profiler (legacy CPU), one user scope per node; "
          "script: steady clock around each operation of the frozen graph";
    } catch (const c10::Error& e) {
      c.config["error"] = e.what_without_backtrace();
    } catch (const std::exception& e) {
      c.config["error"] = e.what();
    }
    return c;
  }

  Status supports(const Graph& graph, const BackendOptions& options) const override { return check(graph, options).status(); }

  Result<std::unique_ptr<PreparedModel>> prepare(const Graph& graph, const BackendOptions& options) override {
    EB_ASSIGN_OR_RETURN(Checked checked, check(graph, options));
    const Graph& g = checked.graph;
    const Mode mode = checked.mode;
    std::vector<NodePlan> plans = std::move(checked.plans);
    const int threads = options.threads > 0 ? options.threads : available_cores();
    const at::Device device = options.device == "cuda" ? at::Device(at::kCUDA) : at::Device(at::kCPU);
    try {
      configure_threads(threads);
      at::NoGradGuard no_grad;  // not InferenceMode: freezing must be able to read and fold these tensors
      const auto options_f32 = at::TensorOptions().dtype(at::kFloat).device(device);

      Io io;
      io.input_ids = g.inputs;
      for (ValueId id : g.inputs) {
        io.input_shapes.push_back(g.value(id).desc.shape);
        io.inputs.push_back(at::zeros(g.value(id).desc.shape.dims(), options_f32));
      }
      for (ValueId id : g.outputs) {
        io.output_ids.push_back(id);
        io.output_shapes.push_back(g.value(id).desc.shape);
      }
      std::vector<at::Tensor> divisors(plans.size());
      for (std::size_t k = 0; k < plans.size(); ++k)
        if (const auto* p = std::get_if<PoolPlan>(&plans[k].plan); p && p->divide_by_valid_count)
          divisors[k] = pool_divisor(*p, options_f32);

      if (mode == Mode::eager) return prepare_eager(g, std::move(io), threads, device, std::move(plans), std::move(divisors));
      return prepare_script(g, std::move(io), threads, device, plans, divisors);
    } catch (const c10::Error& e) {
      return torch_failure("prepare", e);
    } catch (const std::exception& e) {
      return std_failure("prepare", e);
    }
  }

 private:
  struct Checked {
    Graph graph;  // validated copy, shapes inferred
    Mode mode;
    std::vector<NodePlan> plans;
  };

  static Result<Checked> check(const Graph& graph, const BackendOptions& options) {
    EB_RETURN_IF_ERROR(check_options(options));
    EB_ASSIGN_OR_RETURN(Mode mode, parse_mode(options.mode));
    Graph g = graph;
    EB_RETURN_IF_ERROR(g.validate_and_infer());
    for (ValueId id : g.inputs)
      if (g.value(id).desc.dtype != DType::f32)
        return unsupported("libtorch: input '" + g.value(id).name + "' is " + to_string(g.value(id).desc.dtype) + ", only f32 is supported");
    EB_ASSIGN_OR_RETURN(std::vector<NodePlan> plans, plan_graph(g));
    return Checked{std::move(g), mode, std::move(plans)};
  }

  static Result<std::unique_ptr<PreparedModel>> prepare_eager(const Graph& g, Io io, int threads, at::Device device,
                                                              std::vector<NodePlan> plans, std::vector<at::Tensor> divisors) {
    std::vector<at::Tensor> env(g.values.size());
    for (std::size_t i = 0; i < g.values.size(); ++i)
      if (g.values[i].is_initializer()) env[i] = weight_tensor(g.values[i], device);
    // Free each activation after its last reader, unless it is a graph output.
    std::vector<int> last_use(g.values.size(), -1);
    for (std::size_t k = 0; k < plans.size(); ++k) {
      for (ValueId id : plans[k].inputs) last_use[static_cast<std::size_t>(id)] = static_cast<int>(k);
      auto& own = last_use[static_cast<std::size_t>(plans[k].output)];
      own = std::max(own, static_cast<int>(k));
    }
    std::vector<char> keep(g.values.size(), 0);
    for (ValueId id : g.outputs) keep[static_cast<std::size_t>(id)] = 1;
    for (ValueId id : g.inputs) keep[static_cast<std::size_t>(id)] = 1;
    std::vector<std::vector<ValueId>> release(plans.size());
    for (std::size_t i = 0; i < g.values.size(); ++i)
      if (!keep[i] && !g.values[i].is_initializer() && last_use[i] >= 0) release[static_cast<std::size_t>(last_use[i])].push_back(static_cast<ValueId>(i));
    auto model = std::make_unique<EagerModel>(std::move(io), threads, device, std::move(plans), std::move(env), std::move(divisors),
                                              std::move(release));
    return std::unique_ptr<PreparedModel>(std::move(model));
  }

  static Result<std::unique_ptr<PreparedModel>> prepare_script(const Graph& g, Io io, int threads, at::Device device,
                                                               const std::vector<NodePlan>& plans, const std::vector<at::Tensor>& divisors) {
    EB_ASSIGN_OR_RETURN(ScriptSource src, generate_torchscript(g, plans));
    torch::jit::Module module("edgebench.Model");
    for (const auto& [name, id] : src.parameters) module.register_parameter(name, weight_tensor(g.value(id), device), /*is_buffer=*/false);
    for (const auto& [name, id] : src.buffers) module.register_buffer(name, weight_tensor(g.value(id), device));
    for (const auto& [name, index] : src.divisors) module.register_buffer(name, divisors[static_cast<std::size_t>(index)]);
    module.define(src.text);
    module.eval();
    torch::jit::Module frozen = torch::jit::freeze(module);
    if (device.is_cpu()) frozen = torch::jit::optimize_for_inference(frozen);
    std::vector<ScriptModel::NodeInfo> nodes;
    for (const Node& n : g.nodes) nodes.push_back({n.name, n.op});
    auto model = std::make_unique<ScriptModel>(std::move(io), threads, device, std::move(frozen), std::move(src.line_node), std::move(nodes));
    EB_RETURN_IF_ERROR(model->warm_up(2).with_context("libtorch script: warm-up"));
    return std::unique_ptr<PreparedModel>(std::move(model));
  }
};

}  // namespace

std::unique_ptr<Backend> make_libtorch_backend() { return std::make_unique<LibTorchBackend>(); }

}  // namespace eb
