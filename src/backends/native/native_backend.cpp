#include "backends/native/native_backend.h"

#include <optional>

#include <omp.h>

#include "runtime/engine.h"

namespace eb {
namespace {

#ifndef EDGEBENCH_VERSION
#define EDGEBENCH_VERSION "0.1.0"
#endif

int resolve_threads(int threads) { return threads > 0 ? threads : omp_get_num_procs(); }

// A mode's value written as at most `max_digits` decimal digits; nullopt otherwise.
std::optional<int> decimal(const std::string& value, std::size_t max_digits) {
  if (value.empty() || value.size() > max_digits || value.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  return std::stoi(value);
}

// --mode: comma-separated switches that turn optimizations off, so that a
// user (or bench/native_vs_ort --vs) can see what each one buys:
//   unfused             no activation or residual fusion
//   plain               no folding and no fusion
//   winograd=off        direct convolutions only
//   winograd=2x3        Winograd only as F(2x2,3x3), never F(4x4,3x3)
//   avx512=off          no hand-written AVX-512 kernels (oneDNN's instead)
//   gemv=off            no AVX-512 gemv (fully connected layers to oneDNN)
//   pointwise=off       no AVX-512 pointwise kernel (1x1 convolutions to oneDNN)
//   im2col=off          no AVX-512 im2col kernel (larger windows to oneDNN)
//   hugepages=off       streamed (fully connected) weights on ordinary pages
//   parts_per_thread=N  split kernels into up to N parts per thread
//   spin_us=N           threads spin N microseconds waiting before they sleep
Status apply_mode(const std::string& mode, rt::EngineOptions& eo) {
  constexpr const char* kKnown = "unfused, plain, winograd=on|off|2x3, avx512=on|off, gemv=on|off, pointwise=on|off, im2col=on|off, hugepages=on|off, parts_per_thread=N, spin_us=N";
  if (mode.empty()) return Status::ok();
  for (std::size_t begin = 0; begin <= mode.size();) {
    std::size_t end = mode.find(',', begin);
    if (end == std::string::npos) end = mode.size();
    const std::string item = mode.substr(begin, end - begin);
    begin = end + 1;
    const std::size_t eq = item.find('=');
    const std::string key = item.substr(0, eq), value = eq == std::string::npos ? "" : item.substr(eq + 1);
    if (item == "unfused") {
      eo.fuse = false;
    } else if (item == "plain") {
      eo.fold = eo.fuse = false;
    } else if (key == "winograd" && (value == "on" || value == "off" || value == "2x3")) {
      eo.onednn.winograd = value != "off";
      eo.onednn.winograd_4x3 = value == "on";
    } else if (key == "avx512" && (value == "on" || value == "off")) {
      eo.avx512 = value == "on";
    } else if (key == "gemv" && (value == "on" || value == "off")) {
      eo.avx512_kernels.min_gemv_bytes = value == "on" ? std::nullopt : std::optional<std::size_t>(SIZE_MAX);
    } else if (key == "pointwise" && (value == "on" || value == "off")) {
      eo.avx512_kernels.max_pointwise_pixels = value == "on" ? std::nullopt : std::optional<int64_t>(0);
    } else if (key == "im2col" && (value == "on" || value == "off")) {
      eo.avx512_kernels.max_im2col_pixels = value == "on" ? std::nullopt : std::optional<int64_t>(0);
    } else if (key == "hugepages" && (value == "on" || value == "off")) {
      eo.huge_pages = value == "on";
    } else if (key == "parts_per_thread" && decimal(value, 2).value_or(0) >= 1) {
      eo.parts_per_thread = *decimal(value, 2);
    } else if (key == "spin_us" && decimal(value, 6)) {
      eo.spin = std::chrono::microseconds(*decimal(value, 6));
    } else {
      return invalid_argument("native: unknown mode '" + item + "' (" + kKnown + ", joined by commas)");
    }
  }
  return Status::ok();
}

class NativeModel final : public PreparedModel {
 public:
  explicit NativeModel(std::unique_ptr<rt::Engine> engine) : engine_(std::move(engine)) {}

  Status set_input(std::size_t index, std::span<const float> data) override { return engine_->set_input(index, data); }
  Status invoke() override { return engine_->invoke(); }
  Result<std::vector<float>> output(std::size_t index) override { return engine_->output(index); }

  Result<std::vector<NodeTiming>> profile() override {
    EB_ASSIGN_OR_RETURN(auto timings, engine_->profile());
    std::vector<NodeTiming> out;
    out.reserve(timings.size());
    for (const rt::StepTiming& t : timings) out.push_back(NodeTiming{t.step.name, t.step.op, to_string(t.step.category), t.ms});
    return out;
  }

  const rt::Engine& engine() const { return *engine_; }

 private:
  std::unique_ptr<rt::Engine> engine_;
};

class NativeBackend final : public Backend {
 public:
  std::string id() const override { return "native"; }

  Capabilities capabilities() const override {
    Capabilities c;
    c.version = std::string("edgebench ") + EDGEBENCH_VERSION + " + oneDNN " + rt::onednn_version();
    c.devices = {"cpu"};
    c.precisions = {"fp32"};
    c.config["threads"] = std::to_string(resolve_threads(0));
    c.config["isa"] = rt::onednn_isa();
    c.config["kernels"] = "onednn, reference";
    if (last_) {
      c.config["threads"] = std::to_string(last_->threads);
      c.config["arena_bytes"] = std::to_string(last_->arena_bytes);
      c.config["naive_activation_bytes"] = std::to_string(last_->naive_bytes);
      c.config["scratch_bytes"] = std::to_string(last_->scratch_bytes);
      c.config["steps"] = std::to_string(last_->steps);
      c.config["reorders"] = std::to_string(last_->reorders);
      c.config["reference_steps"] = std::to_string(last_->reference_steps);
    }
    return c;
  }

  Status supports(const Graph& graph, const BackendOptions& options) const override {
    if (options.device != "cpu") return unsupported("native runs on cpu only, not '" + options.device + "'");
    if (options.precision != "fp32") return unsupported("native runs fp32 only, not '" + options.precision + "'");
    for (const Value& v : graph.values)
      if (v.desc.dtype != DType::f32) return unsupported("native: tensor '" + v.name + "' is " + to_string(v.desc.dtype));
    return Status::ok();  // the reference kernels cover every op of the op table
  }

  Result<std::unique_ptr<PreparedModel>> prepare(const Graph& graph, const BackendOptions& options) override {
    EB_RETURN_IF_ERROR(supports(graph, options));
    rt::EngineOptions eo;
    eo.threads = options.threads;
    EB_RETURN_IF_ERROR(apply_mode(options.mode, eo));
    EB_ASSIGN_OR_RETURN(auto engine, rt::Engine::prepare(graph, eo));
    const rt::EngineStats& st = engine->stats();
    last_ = LastPrepared{engine->threads(), st.arena_bytes, st.naive_bytes, st.scratch_bytes, st.steps, st.reorders, st.reference_steps};
    return std::unique_ptr<PreparedModel>(std::make_unique<NativeModel>(std::move(engine)));
  }

 private:
  // What the last prepare() decided, reported by capabilities().
  struct LastPrepared {
    int threads;
    std::size_t arena_bytes, naive_bytes, scratch_bytes;
    int steps, reorders, reference_steps;
  };
  std::optional<LastPrepared> last_;
};

}  // namespace

std::unique_ptr<Backend> make_native_backend() { return std::make_unique<NativeBackend>(); }

}  // namespace eb
