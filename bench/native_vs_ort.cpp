// native_vs_ort: edgebench's native runtime against ONNX Runtime, model by
// model, in one run, with the same weights, input shape and thread count.
//
// For each zoo model: build it, export it to ONNX, prepare the native
// backend and start bench/ort_runner.js (ONNX Runtime for Node: intra-op
// threads = --threads, all graph optimizations) on the exported file. Both
// get the same input; their outputs are compared (a wrong comparison would
// be worse than none). Then blocks of native runs and ORT runs alternate
// (A B B A A B ...), so that drifts of the machine (other jobs, clocks,
// heat) hit both alike and neither always runs first in a round. Reported: the median of all iterations of each, their
// ratio (native / ORT: below 1 is native faster), GFLOP/s and the share of
// the machine's FP32 peak, measured by an FMA loop on as many threads.
//
// ORT's times are taken inside Node around session.run(): they include the
// Node binding's per-call cost (about 20 us on the development machine for
// a one-op model), which matters only for the smallest models. The FP32
// peak is measured with an FMA loop under the same conditions as the
// models; on a machine shared with other work it is a loose bound (a model
// can catch a quieter moment than the loop did, and Winograd convolutions
// do fewer FLOPs than the direct count used here).
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include <immintrin.h>

#include <nlohmann/json.hpp>

#include "backends/native/native_backend.h"
#include "bench/cpu_times.h"
#include "bench/stats.h"
#include "formats/onnx/onnx.h"
#include "graph/analyzer.h"
#include "graph/rng.h"
#include "runtime/engine.h"
#include "zoo/zoo.h"

#ifndef EB_SOURCE_DIR
#define EB_SOURCE_DIR "."
#endif

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

double median(std::vector<double> v) {
  if (v.empty()) return NAN;
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// ---- FP32 peak: independent FMA chains, no memory traffic --------------

__attribute__((target("avx512f"))) double fma_loop_avx512(long iters) {
  __m512 acc[16];
  for (int i = 0; i < 16; ++i) acc[i] = _mm512_set1_ps(0.001f * static_cast<float>(i));
  const __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-7f);
  for (long it = 0; it < iters; ++it) {
#pragma GCC unroll 16
    for (int i = 0; i < 16; ++i) acc[i] = _mm512_fmadd_ps(acc[i], a, b);
  }
  __m512 s = acc[0];
  for (int i = 1; i < 16; ++i) s = _mm512_add_ps(s, acc[i]);
  return static_cast<double>(_mm512_reduce_add_ps(s));
}

__attribute__((target("avx2,fma"))) double fma_loop_avx2(long iters) {
  __m256 acc[12];
  for (int i = 0; i < 12; ++i) acc[i] = _mm256_set1_ps(0.001f * static_cast<float>(i));
  const __m256 a = _mm256_set1_ps(0.999999f), b = _mm256_set1_ps(1e-7f);
  for (long it = 0; it < iters; ++it) {
#pragma GCC unroll 12
    for (int i = 0; i < 12; ++i) acc[i] = _mm256_fmadd_ps(acc[i], a, b);
  }
  float out[8];
  __m256 s = acc[0];
  for (int i = 1; i < 12; ++i) s = _mm256_add_ps(s, acc[i]);
  _mm256_storeu_ps(out, s);
  double total = 0;
  for (float f : out) total += f;
  return total;
}

struct Peak {
  double gflops = 0;
  std::string isa;
};

// Best of a few tries of `threads` threads each running the FMA loop
// (about 0.1 s each). On a shared machine a try can lose its cores, so the
// program measures again between models and keeps the best.
Peak measure_peak(int threads) {
  const bool avx512 = __builtin_cpu_supports("avx512f");
  const long iters = 10'000'000;
  const double flop_per_iter = avx512 ? 16.0 * 16 * 2 : 12.0 * 8 * 2;
  Peak best{0, avx512 ? "avx512f" : "avx2+fma"};
  for (int attempt = 0; attempt < 3; ++attempt) {
    std::atomic<double> sink{0};
    const auto t0 = Clock::now();
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t)
      pool.emplace_back([&] {
        const double r = avx512 ? fma_loop_avx512(iters) : fma_loop_avx2(iters);
        double cur = sink.load();
        while (!sink.compare_exchange_weak(cur, cur + r)) {
        }
      });
    for (auto& th : pool) th.join();
    const double secs = ms_since(t0) / 1e3;
    best.gflops = std::max(best.gflops, flop_per_iter * static_cast<double>(iters) * threads / secs / 1e9);
    if (sink.load() == 12345.0) std::puts("");  // keeps the loops alive
  }
  return best;
}

// ---- the ORT runner, a child process spoken to over pipes ---------------

class OrtRunner {
 public:
  ~OrtRunner() { stop(); }

  eb::Status start(const std::vector<std::string>& argv) {
    int to_child[2], from_child[2];
    if (pipe(to_child) != 0 || pipe(from_child) != 0) return eb::io_error("pipe failed");
    pid_ = fork();
    if (pid_ < 0) return eb::io_error("fork failed");
    if (pid_ == 0) {
      dup2(to_child[0], 0);
      dup2(from_child[1], 1);
      close(to_child[1]);
      close(from_child[0]);
      std::vector<char*> args;
      for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
      args.push_back(nullptr);
      execvp(args[0], args.data());
      std::perror("exec node");
      _exit(127);
    }
    close(to_child[0]);
    close(from_child[1]);
    to_ = fdopen(to_child[1], "w");
    from_ = fdopen(from_child[0], "r");
    return eb::Status::ok();
  }

  eb::Result<nlohmann::json> read_json() {
    char* line = nullptr;
    std::size_t cap = 0;
    const ssize_t n = getline(&line, &cap, from_);
    std::string s = n > 0 ? std::string(line, static_cast<std::size_t>(n)) : std::string();
    std::free(line);
    if (n <= 0) return eb::io_error("the ORT runner ended without answering (see its stderr above)");
    try {
      return nlohmann::json::parse(s);
    } catch (const std::exception& e) {
      return eb::io_error("the ORT runner said something unexpected: " + s);
    }
  }

  eb::Result<std::vector<double>> run(int iters) {
    std::fprintf(to_, "run %d\n", iters);
    std::fflush(to_);
    EB_ASSIGN_OR_RETURN(auto j, read_json());
    if (!j.contains("ms")) return eb::io_error("the ORT runner answered without times");
    return j["ms"].get<std::vector<double>>();
  }

  void stop() {
    if (pid_ <= 0) return;
    if (to_) {
      std::fputs("quit\n", to_);
      std::fclose(to_);
    }
    if (from_) std::fclose(from_);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    to_ = from_ = nullptr;
  }

 private:
  pid_t pid_ = -1;
  FILE* to_ = nullptr;
  FILE* from_ = nullptr;
};

// ---- options -------------------------------------------------------------

struct Options {
  std::vector<std::string> models;
  int threads = 2;
  // Many short blocks: this kind of machine drifts by several percent within
  // seconds, and finer alternation spreads the drift evenly over both.
  int rounds = 8;
  double block_secs = 0.2;
  int min_iters = 3;
  int64_t input_size = 0;
  bool ort = true;
  bool profile = false;
  // --vs MODE: a second native engine in that --mode (e.g. winograd=off)
  // in ORT's place, to measure what one optimization buys, alternated the
  // same way.
  std::string vs;
  // --mode MODE: the first native engine in that --mode (with --vs, the
  // same pair in the other order: the engine prepared second measured 1-3%
  // faster even against an identical first one).
  std::string mode;
  std::string workdir = "/tmp/edgebench_native_vs_ort";
  std::string node = "node";
  std::string runner = std::string(EB_SOURCE_DIR) + "/bench/ort_runner.js";
};

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    const std::size_t end = s.find(',', start);
    const std::string part = s.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (!part.empty()) out.push_back(part);
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out;
}

void usage() {
  std::printf(
      "usage: native_vs_ort [--models a,b,...] [--threads N] [--rounds N] [--block-secs S]\n"
      "                     [--min-iters N] [--input-size N] [--no-ort] [--mode MODE] [--vs MODE] [--profile]\n"
      "                     [--workdir DIR] [--node PATH] [--runner bench/ort_runner.js]\n"
      "  --mode MODE  native in --mode MODE (default: none)\n"
      "  --vs MODE    time native against native in --mode MODE (e.g. winograd=off) instead of ORT\n");
}

bool parse(int argc, char** argv, Options& o) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--models") o.models = split(next());
    else if (a == "--threads") o.threads = std::stoi(next());
    else if (a == "--rounds") o.rounds = std::stoi(next());
    else if (a == "--block-secs") o.block_secs = std::stod(next());
    else if (a == "--min-iters") o.min_iters = std::stoi(next());
    else if (a == "--input-size") o.input_size = std::stoll(next());
    else if (a == "--no-ort") o.ort = false;
    else if (a == "--profile") o.profile = true;
    else if (a == "--vs") o.vs = next();
    else if (a == "--mode") o.mode = next();
    else if (a == "--workdir") o.workdir = next();
    else if (a == "--node") o.node = next();
    else if (a == "--runner") o.runner = next();
    else return false;
  }
  return o.threads > 0 && o.rounds > 0 && (o.vs.empty() || o.ort);
}

// What the native engine is timed against: ORT, or native in another mode.
std::string other_name(const Options& o) { return o.vs.empty() ? "ORT" : "native[" + o.vs + "]"; }

double rel_l2(const std::vector<float>& a, const std::vector<float>& b) {
  double num = 0, den = 0;
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) {
    num += (static_cast<double>(a[i]) - b[i]) * (static_cast<double>(a[i]) - b[i]);
    den += static_cast<double>(b[i]) * b[i];
  }
  return a.size() != b.size() ? INFINITY : den > 0 ? std::sqrt(num / den) : std::sqrt(num);
}

struct Row {
  std::string model, input, note;
  double gflop = 0, native_ms = NAN, ort_ms = NAN, diff = NAN, native_init_ms = NAN, ort_init_ms = NAN;
  double steal = NAN;  // share of the machine's CPU time stolen by the hypervisor during the rounds
  std::size_t arena = 0, naive = 0;
  int iters_native = 0, iters_ort = 0;
  // Each round's ratio (the median of its native block over the median of
  // its other block) and the distribution-free 95% CI of their median
  // (order statistics, as the harness does for latencies): where it
  // straddles 1, the two are at parity within this run's noise.
  std::vector<double> round_ratios;
  double round_ratio = NAN, ci_low = NAN, ci_high = NAN;
};

// The 95% CI of the median of `v` by order statistics; NAN when there are
// too few values (under six).
std::pair<double, double> median_ci(std::vector<double> v) {
  const auto ranks = eb::bench::median_ci_ranks(v.size());
  if (!ranks) return {NAN, NAN};
  std::sort(v.begin(), v.end());
  return {v[ranks->lower - 1], v[ranks->upper - 1]};
}

// Times `iters` native invokes, one by one.
eb::Status time_native(eb::PreparedModel& m, int iters, std::vector<double>& out) {
  for (int i = 0; i < iters; ++i) {
    const auto t0 = Clock::now();
    EB_RETURN_IF_ERROR(m.invoke());
    out.push_back(ms_since(t0));
  }
  return eb::Status::ok();
}

// A native engine prepared (timed), given the input, run once and warmed up
// with two timed invokes (their times in `warm`).
struct NativeRun {
  std::unique_ptr<eb::PreparedModel> model;
  std::vector<float> output;
  double init_ms = NAN;
  std::vector<double> warm;
};

eb::Result<NativeRun> prepare_native(eb::Backend& backend, const eb::Graph& graph, const eb::BackendOptions& opts,
                                     const std::vector<float>& input) {
  NativeRun run;
  const auto t0 = Clock::now();
  EB_ASSIGN_OR_RETURN(run.model, backend.prepare(graph, opts));
  run.init_ms = ms_since(t0);
  EB_RETURN_IF_ERROR(run.model->set_input(0, input));
  EB_RETURN_IF_ERROR(run.model->invoke());
  EB_ASSIGN_OR_RETURN(run.output, run.model->output(0));
  EB_RETURN_IF_ERROR(time_native(*run.model, 2, run.warm));
  return run;
}

eb::Status bench_model(const Options& o, const std::string& id, Row& row) {
  eb::zoo::BuildOptions bo;
  bo.input_size = o.input_size;
  EB_ASSIGN_OR_RETURN(eb::Graph graph, eb::zoo::build(id, bo));
  const eb::ModelInfo info = eb::analyze(graph);
  row.gflop = static_cast<double>(info.flops()) / 1e9;
  row.input = info.inputs.at(0).to_string();

  // Same input for both: uniform in [0, 1), seeded.
  const eb::Shape& in_shape = graph.value(graph.inputs.at(0)).desc.shape;
  std::vector<float> input(static_cast<std::size_t>(in_shape.numel()));
  eb::Rng rng(42);
  for (float& v : input) v = rng.uniform(0.0f, 1.0f);

  auto backend = eb::make_native_backend();
  eb::BackendOptions bopts;
  bopts.threads = o.threads;
  bopts.mode = o.mode;
  EB_ASSIGN_OR_RETURN(NativeRun a, prepare_native(*backend, graph, bopts, input));
  const std::unique_ptr<eb::PreparedModel>& model = a.model;
  const std::vector<float>& native_out = a.output;
  row.native_init_ms = a.init_ms;
  const auto caps = backend->capabilities();  // of the engine prepared last: this one
  row.arena = std::stoull(caps.config.at("arena_bytes"));
  row.naive = std::stoull(caps.config.at("naive_activation_bytes"));

  // Size the blocks from native's warm-up speed.
  const double est = std::max(median(a.warm), 1e-3);
  const int iters = std::max(o.min_iters, static_cast<int>(o.block_secs * 1e3 / est));

  std::unique_ptr<eb::PreparedModel> model_b;
  if (!o.vs.empty()) {
    eb::BackendOptions b_opts = bopts;
    b_opts.mode = o.vs;
    EB_ASSIGN_OR_RETURN(NativeRun b, prepare_native(*backend, graph, b_opts, input));
    row.ort_init_ms = b.init_ms;
    row.diff = rel_l2(native_out, b.output);
    model_b = std::move(b.model);
  }
  OrtRunner ort;
  if (o.ort && !model_b) {
    std::filesystem::create_directories(o.workdir);
    const std::string onnx = o.workdir + "/" + id + ".onnx";
    const std::string in_bin = o.workdir + "/" + id + ".input.bin";
    const std::string out_bin = o.workdir + "/" + id + ".ort_output.bin";
    EB_RETURN_IF_ERROR(eb::onnx_format::save_onnx(graph, onnx));
    {
      std::ofstream f(in_bin, std::ios::binary);
      f.write(reinterpret_cast<const char*>(input.data()), static_cast<std::streamsize>(input.size() * sizeof(float)));
      if (!f) return eb::io_error("cannot write " + in_bin);
    }
    EB_RETURN_IF_ERROR(ort.start({o.node, o.runner, onnx, std::to_string(o.threads), in_bin, out_bin}));
    EB_ASSIGN_OR_RETURN(auto hello, ort.read_json());
    row.ort_init_ms = hello.value("init_ms", NAN);
    std::ifstream f(out_bin, std::ios::binary);
    std::vector<float> ort_out(native_out.size());
    f.read(reinterpret_cast<char*>(ort_out.data()), static_cast<std::streamsize>(ort_out.size() * sizeof(float)));
    if (!f || f.peek() != EOF) return eb::internal_error("ORT's first output differs in size from native's");
    row.diff = rel_l2(native_out, ort_out);
    EB_RETURN_IF_ERROR(ort.run(2).status());  // ORT warm-up
    std::filesystem::remove(onnx);  // the big ones are hundreds of MB
  }

  std::vector<double> native_ms, ort_ms;
  // ABBA order (native first in even rounds, ORT first in odd ones): the
  // block that runs second in a round measured 1-2% faster than the first
  // even for two copies of the same engine, so each side gets both places.
  const auto time_ort = [&]() -> eb::Status {
    if (model_b) return time_native(*model_b, iters, ort_ms);
    if (!o.ort) return eb::Status::ok();
    EB_ASSIGN_OR_RETURN(auto t, ort.run(iters));
    ort_ms.insert(ort_ms.end(), t.begin(), t.end());
    return eb::Status::ok();
  };
  const std::optional<eb::bench::CpuTimes> cpu_before = eb::bench::read_cpu_times();
  for (int r = 0; r < o.rounds; ++r) {
    const std::size_t n0 = native_ms.size(), o0 = ort_ms.size();
    if (r % 2 == 1) EB_RETURN_IF_ERROR(time_ort());
    EB_RETURN_IF_ERROR(time_native(*model, iters, native_ms));
    if (r % 2 == 0) EB_RETURN_IF_ERROR(time_ort());
    if (ort_ms.size() > o0)
      row.round_ratios.push_back(median(std::vector<double>(native_ms.begin() + static_cast<std::ptrdiff_t>(n0), native_ms.end())) /
                                 median(std::vector<double>(ort_ms.begin() + static_cast<std::ptrdiff_t>(o0), ort_ms.end())));
  }
  row.round_ratio = median(row.round_ratios);
  std::tie(row.ci_low, row.ci_high) = median_ci(row.round_ratios);
  const std::optional<eb::bench::CpuTimes> cpu_after = eb::bench::read_cpu_times();
  if (cpu_before && cpu_after) row.steal = eb::bench::steal_fraction(*cpu_before, *cpu_after).value_or(NAN);
  row.native_ms = median(native_ms);
  row.ort_ms = median(ort_ms);
  row.iters_native = static_cast<int>(native_ms.size());
  row.iters_ort = static_cast<int>(ort_ms.size());
  return eb::Status::ok();
}

// --profile: the native engine's slowest steps (median of a few profiled invokes).
eb::Status print_profile(const Options& o, const std::string& id) {
  eb::zoo::BuildOptions bo;
  bo.input_size = o.input_size;
  EB_ASSIGN_OR_RETURN(eb::Graph graph, eb::zoo::build(id, bo));
  eb::rt::EngineOptions eo;
  eo.threads = o.threads;
  EB_ASSIGN_OR_RETURN(auto engine, eb::rt::Engine::prepare(graph, eo));
  std::vector<float> input(static_cast<std::size_t>(engine->input_shape(0).numel()), 0.5f);
  EB_RETURN_IF_ERROR(engine->set_input(0, input));
  std::vector<std::vector<double>> ms;
  std::vector<eb::rt::StepInfo> steps;
  for (int run = 0; run < 7; ++run) {
    EB_ASSIGN_OR_RETURN(auto t, engine->profile());
    if (ms.empty()) ms.resize(t.size());
    for (std::size_t i = 0; i < t.size(); ++i) ms[i].push_back(t[i].ms);
    if (steps.empty())
      for (const auto& s : t) steps.push_back(s.step);
  }
  std::vector<std::pair<double, std::size_t>> order;
  double total = 0;
  for (std::size_t i = 0; i < ms.size(); ++i) {
    order.emplace_back(median(ms[i]), i);
    total += order.back().first;
  }
  std::sort(order.rbegin(), order.rend());
  std::printf("  %s: %zu steps, %.3f ms in kernels (median per step); slowest:\n", id.c_str(), steps.size(), total);
  for (std::size_t k = 0; k < order.size() && k < 12; ++k) {
    const auto& s = steps[order[k].second];
    std::printf("    %8.3f ms  %-28s %-22s %-28s x%d\n", order[k].first, s.name.c_str(), s.op.c_str(), s.impl.c_str(), s.parts);
  }
  return eb::Status::ok();
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!parse(argc, argv, o)) {
    usage();
    return 2;
  }
  if (o.models.empty())
    for (const auto& m : eb::zoo::models()) o.models.emplace_back(m.id);

  Peak peak = measure_peak(o.threads);
  const auto caps = eb::make_native_backend()->capabilities();
  if (o.vs.empty())
    std::printf("native: %s, isa %s | ORT: onnxruntime-node, intra-op threads %d, all graph optimizations | threads %d\n",
                caps.version.c_str(), caps.config.at("isa").c_str(), o.threads, o.threads);
  else
    std::printf("native%s: %s, isa %s | against %s: the same engine in --mode %s | threads %d\n",
                o.mode.empty() ? "" : ("[" + o.mode + "]").c_str(), caps.version.c_str(), caps.config.at("isa").c_str(), other_name(o).c_str(),
                o.vs.c_str(), o.threads);
  std::fflush(stdout);

  int failures = 0;
  std::vector<Row> rows;
  for (const std::string& id : o.models) {
    Row row;
    row.model = id;
    const eb::Status st = bench_model(o, id, row);
    if (!st.is_ok()) {
      row.note = st.message();
      ++failures;
    }
    std::fprintf(stderr, "%-17s native %.3f ms, %s %.3f ms%s%s\n", id.c_str(), row.native_ms, other_name(o).c_str(), row.ort_ms,
                 st.is_ok() ? "" : ": ", row.note.c_str());
    if (o.profile && st.is_ok()) {
      const eb::Status pst = print_profile(o, id);
      if (!pst.is_ok()) std::printf("  profile failed: %s\n", pst.message().c_str());
      std::fflush(stdout);
    }
    rows.push_back(std::move(row));
    const Peak again = measure_peak(o.threads);
    if (again.gflops > peak.gflops) peak = again;
  }

  std::printf("\nFP32 peak (FMA loop, %s, %d threads, best of all tries): %.1f GFLOP/s\n", peak.isa.c_str(), o.threads, peak.gflops);
  const std::string other = other_name(o), b = o.vs.empty() ? "ORT" : "B";
  if (!o.vs.empty()) std::printf("B = %s\n", other.c_str());
  std::printf(
      "median of all iterations of %d alternating rounds; ratio = native / %s (< 1: native faster); rounds: the median of the\n"
      "rounds' own ratios (each round's native block median over its %s block median: steadier than the ratio of the pooled\n"
      "medians when the machine's speed changes between rounds); rounds CI: its 95%% CI (order statistics, 6 rounds or more;\n"
      "containing 1: parity within this run's noise)\n\n",
      o.rounds, b.c_str(), b.c_str());
  std::printf("%-17s %-14s %8s %10s %10s %7s %7s %11s %9s %6s %9s %6s %9s %15s %17s %6s\n", "model", "input", "GFLOP", "native ms",
              (b + " ms").c_str(), "ratio", "rounds", "rounds CI", "nat GF/s", "%peak", (b + " GF/s").c_str(), "%peak", "out diff", "arena/naive MB",
              ("init ms nat/" + b).c_str(), "steal");
  std::vector<double> ratios, round_ratios;
  for (const Row& row : rows) {
    if (!row.note.empty()) {
      std::printf("%-17s failed: %s\n", row.model.c_str(), row.note.c_str());
      continue;
    }
    const double ngf = row.gflop / (row.native_ms / 1e3);
    const double ogf = row.gflop / (row.ort_ms / 1e3);
    const double ratio = row.native_ms / row.ort_ms;
    if (std::isfinite(ratio)) ratios.push_back(ratio);
    if (std::isfinite(row.round_ratio)) round_ratios.push_back(row.round_ratio);
    char ci[32] = "-";
    if (std::isfinite(row.ci_low)) std::snprintf(ci, sizeof ci, "%.2f-%.2f", row.ci_low, row.ci_high);
    std::printf("%-17s %-14s %8.3f %10.3f %10.3f %7.3f %7.3f %11s %9.1f %5.1f%% %9.1f %5.1f%% %9.1e %7.1f/%-7.1f %8.0f/%-8.0f %5.1f%%\n",
                row.model.c_str(), row.input.c_str(), row.gflop, row.native_ms, row.ort_ms, ratio, row.round_ratio, ci, ngf, 100.0 * ngf / peak.gflops, ogf,
                100.0 * ogf / peak.gflops, row.diff, static_cast<double>(row.arena) / 1048576.0, static_cast<double>(row.naive) / 1048576.0,
                row.native_init_ms, row.ort_init_ms, 100.0 * row.steal);
  }
  const auto geomean = [](const std::vector<double>& v) {
    double log_sum = 0;
    for (double r : v) log_sum += std::log(r);
    return std::exp(log_sum / static_cast<double>(v.size()));
  };
  if (!ratios.empty()) {
    std::printf("\ngeometric mean ratio (native / %s) over %zu models: %.3f; worst %.3f\n", b.c_str(), ratios.size(), geomean(ratios),
                *std::max_element(ratios.begin(), ratios.end()));
    if (!round_ratios.empty())
      std::printf("geometric mean of the rounds' median ratios over %zu models: %.3f; worst %.3f\n", round_ratios.size(),
                  geomean(round_ratios), *std::max_element(round_ratios.begin(), round_ratios.end()));
    std::string slower, parity;
    for (const Row& row : rows) {
      if (!row.note.empty() || !std::isfinite(row.ci_low)) continue;
      if (row.ci_low > 1.0) slower += (slower.empty() ? "" : ", ") + row.model;
      else if (row.ci_high >= 1.0) parity += (parity.empty() ? "" : ", ") + row.model;
    }
    std::printf("native slower beyond this run's noise (rounds CI above 1): %s\n", slower.empty() ? "none" : slower.c_str());
    std::printf("at parity (rounds CI contains 1): %s\n", parity.empty() ? "none" : parity.c_str());
  }
  // Steal need not hit the two engines alike (on a 2-vCPU VM, during
  // minutes of heavy steal, native's ResNet-50 median doubled while ORT's
  // rose by a tenth): such rows say more about the host than the engines.
  std::string stolen;
  for (const Row& row : rows)
    if (row.steal > eb::bench::kStealWarning) stolen += (stolen.empty() ? "" : ", ") + row.model;
  if (!stolen.empty())
    std::printf("WARNING: the hypervisor stole more than %.0f%% of the CPU time while timing %s: repeat those rows\n",
                100.0 * eb::bench::kStealWarning, stolen.c_str());
  return failures ? 1 : 0;
}
