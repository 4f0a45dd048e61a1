#include "bench/runner.h"

#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <charconv>
#include <exception>
#include <fstream>
#include <memory>
#include <new>
#include <string>

#include "bench/cpu_times.h"
#include "bench/environment.h"
#include "graph/rng.h"

namespace eb::bench {
namespace {

double ms_between(int64_t start_ns, int64_t end_ns) { return ns_to_ms(static_cast<double>(end_ns - start_ns)); }

void fail(RunRecord& record, RunStatus status, const std::string& message) {
  record.status = status;
  record.error = message;
}

void fail(RunRecord& record, const Status& status) { fail(record, run_status_for(status), status.message()); }

// The injected faults behave like the real thing as seen from outside the
// process: a fatal signal, an allocation the memory limit refuses, a process
// that never returns.
void inject(Fault fault) {
  switch (fault) {
    case Fault::none:
      return;
    case Fault::crash: {
      // A deliberate crash must not leave a core file behind.
      const rlimit no_core{0, 0};
      setrlimit(RLIMIT_CORE, &no_core);
      signal(SIGSEGV, SIG_DFL);
      raise(SIGSEGV);
      return;
    }
    case Fault::oom: {
      // Touch every page, so that a cgroup limit (which counts resident
      // memory) is hit as surely as RLIMIT_AS (which counts address space).
      auto block = std::make_unique<char[]>(static_cast<size_t>(kOomFaultBytes));
      volatile char* p = block.get();
      for (int64_t i = 0; i < kOomFaultBytes; i += 4096) p[i] = 1;
      return;  // no limit stopped it: carry on with the run
    }
    case Fault::hang:
      for (;;) pause();
  }
}

}  // namespace

const char* to_string(Fault fault) {
  switch (fault) {
    case Fault::none: return "none";
    case Fault::crash: return "crash";
    case Fault::oom: return "oom";
    case Fault::hang: return "hang";
  }
  return "none";
}

Result<Fault> parse_fault(std::string_view text) {
  for (Fault f : {Fault::none, Fault::crash, Fault::oom, Fault::hang}) {
    if (text == to_string(f)) return f;
  }
  return invalid_argument("unknown test fault '" + std::string(text) + "' (expected crash, oom or hang)");
}

RunStatus run_status_for(const Status& status) {
  switch (status.code()) {
    case ErrorCode::ok: return RunStatus::ok;
    case ErrorCode::unsupported: return RunStatus::unsupported;
    case ErrorCode::out_of_memory: return RunStatus::out_of_memory;
    default: return RunStatus::failed;
  }
}

int resolve_threads(const Capabilities& caps, int requested) {
  if (requested > 0) return requested;
  // "default_threads": what the backend takes for 0, where its "threads"
  // shows a current state that may differ (libtorch).
  for (const char* key : {"default_threads", "threads"}) {
    const auto it = caps.config.find(key);
    if (it == caps.config.end()) continue;
    int n = 0;
    const auto& s = it->second;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (ec == std::errc() && end == s.data() + s.size() && n > 0) return n;
  }
  const Environment env = capture_environment();
  return env.cores_available > 0 ? env.cores_available : std::max(env.cores, 1);
}

RunRecord identity_record(const RunSpec& spec, const Capabilities& caps) {
  RunRecord r;
  r.model = spec.model;
  r.backend = spec.backend;
  r.mode = spec.backend_options.mode;
  r.device = spec.backend_options.device;
  r.precision = spec.backend_options.precision;
  r.threads = resolve_threads(caps, spec.backend_options.threads);
  r.options = spec.options;
  EnvironmentOptions env_options;
  env_options.seed = spec.seed;
  r.env = capture_environment(env_options);
  if (caps.built && !caps.version.empty()) r.env.backend_version = caps.version;
  r.timestamp = utc_timestamp_now();
  return r;
}

nlohmann::json model_info_json(const ModelInfo& info) {
  nlohmann::json inputs = nlohmann::json::array();
  nlohmann::json outputs = nlohmann::json::array();
  for (const Shape& s : info.inputs) inputs.push_back(s.to_string());
  for (const Shape& s : info.outputs) outputs.push_back(s.to_string());
  return {{"name", info.name},
          {"inputs", inputs},
          {"outputs", outputs},
          {"params", info.params},
          {"buffers", info.buffers},
          {"macs", info.macs},
          {"flops", info.flops()},
          {"flop_per_param", info.flop_per_param()},
          {"weight_bytes", info.weight_bytes},
          {"activation_bytes_total", info.activation_bytes_total},
          {"activation_bytes_peak", info.activation_bytes_peak},
          {"layers", info.layers.size()}};
}

std::vector<std::vector<float>> make_inputs(const Graph& graph, uint64_t seed) {
  // A stream of its own: the weights drawn from the same seed must not
  // repeat as the input.
  Rng rng(seed ^ 0x696e707574ULL);  // "input"
  std::vector<std::vector<float>> inputs;
  for (ValueId id : graph.inputs) {
    std::vector<float> data(static_cast<size_t>(graph.value(id).desc.shape.numel()));
    for (float& x : data) x = rng.normal();
    inputs.push_back(std::move(data));
  }
  return inputs;
}

std::optional<int64_t> peak_rss_bytes() {
  std::ifstream status("/proc/self/status");
  std::string key;
  while (status >> key) {
    if (key == "VmHWM:") {
      int64_t kib = 0;
      if (status >> kib) return kib * 1024;
      break;
    }
    status.ignore(std::numeric_limits<std::streamsize>::max(), '\n');
  }
  rusage usage{};
  if (getrusage(RUSAGE_SELF, &usage) == 0 && usage.ru_maxrss > 0) return static_cast<int64_t>(usage.ru_maxrss) * 1024;
  return std::nullopt;
}

RunOutcome run_on_backend(const RunSpec& spec, Backend& backend, Clock& clock) {
  RunOutcome out;
  RunRecord& rec = out.record;
  const Capabilities caps = backend.capabilities();
  rec = identity_record(spec, caps);
  // Names the phase in messages about exceptions, which carry no context.
  const char* phase = "load";
  try {
    // Phase 1: load.
    const int64_t load_start = clock.now_ns();
    std::optional<Graph> graph;
    {
      Result<Graph> loaded = spec.load ? spec.load() : Result<Graph>(internal_error("no model loader"));
      const int64_t load_end = clock.now_ns();
      rec.load_ms = ms_between(load_start, load_end);
      if (!loaded.is_ok()) {
        fail(rec, loaded.status().with_context("loading " + spec.model));
        rec.peak_rss_bytes = peak_rss_bytes();
        return out;
      }
      graph = std::move(loaded).value();
    }
    rec.model_info = model_info_json(analyze(*graph));

    // Phase 2: prepare (what the backend cannot take is unsupported, whatever code it used).
    phase = "prepare";
    std::unique_ptr<PreparedModel> prepared;
    {
      Status supported = backend.supports(*graph, spec.backend_options);
      if (!supported.is_ok()) {
        rec.init_ms = ms_between(load_start, clock.now_ns());
        fail(rec, RunStatus::unsupported, supported.message());
        rec.peak_rss_bytes = peak_rss_bytes();
        return out;
      }
      auto result = backend.prepare(*graph, spec.backend_options);
      rec.init_ms = ms_between(load_start, clock.now_ns());
      if (!result.is_ok()) {
        fail(rec, result.status().with_context("prepare"));
        rec.peak_rss_bytes = peak_rss_bytes();
        return out;
      }
      prepared = std::move(result).value();
    }

    // Bind: the input is drawn once, before anything is timed.
    phase = "set_input";
    const auto inputs = make_inputs(*graph, spec.seed);
    for (size_t i = 0; i < inputs.size(); ++i) {
      if (Status st = prepared->set_input(i, inputs[i]); !st.is_ok()) {
        fail(rec, st.with_context("set_input " + std::to_string(i)));
        rec.peak_rss_bytes = peak_rss_bytes();
        return out;
      }
    }
    graph.reset();  // the prepared model owns what it needs

    // Phases 3-6 (a test fault stands for something going wrong in them).
    phase = "inference";
    inject(spec.fault);
    PreparedModel* model = prepared.get();
    const Invoke invoke = [model] { return model->invoke(); };
    // The hypervisor's share of the measured window, read at its edges
    // around the caller's own hooks (sensors).
    std::optional<CpuTimes> cpu_at_start;
    WindowHooks hooks = spec.window_hooks;
    hooks.on_window_start = [&](int64_t ns) {
      cpu_at_start = read_cpu_times();
      if (spec.window_hooks.on_window_start) spec.window_hooks.on_window_start(ns);
    };
    hooks.on_window_end = [&](int64_t ns) {
      if (spec.window_hooks.on_window_end) spec.window_hooks.on_window_end(ns);
      const std::optional<CpuTimes> cpu_at_end = read_cpu_times();
      if (cpu_at_start && cpu_at_end) rec.cpu_steal = steal_fraction(*cpu_at_start, *cpu_at_end);
    };
    auto timings = run_measurement(spec.options, clock, invoke, hooks);
    rec.harness_overhead_ns = estimate_harness_overhead_ns(clock);
    if (!timings.is_ok()) {
      fail(rec, timings.status());
    } else {
      apply_timings(rec, *timings);
      out.stop_reason = timings->stop_reason;
      if (!timings->samples_ns.empty()) {
        out.loop_ns_per_iteration = static_cast<double>(timings->window_end_ns - timings->window_start_ns) /
                                    static_cast<double>(timings->samples_ns.size());
      }
      out.samples_ns = std::move(timings->samples_ns);
      if (spec.after_measurement) {
        phase = "after measurement";
        spec.after_measurement(*prepared, rec);
      }
    }
  } catch (const std::bad_alloc&) {
    fail(rec, RunStatus::out_of_memory, std::string("out of memory (std::bad_alloc) during ") + phase);
  } catch (const std::exception& e) {
    fail(rec, RunStatus::failed, std::string("exception during ") + phase + ": " + e.what());
  } catch (...) {
    fail(rec, RunStatus::failed, std::string("unknown exception during ") + phase);
  }
  rec.peak_rss_bytes = peak_rss_bytes();
  return out;
}

}  // namespace eb::bench
