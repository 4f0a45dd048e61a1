// conv_kernels: one convolution layer under each kind of oneDNN kernel the
// native engine chooses among, side by side in one run, with real weights,
// split across threads the way the engine splits them:
//
//   bands    direct, channels-last, one band of output rows per thread
//   chunks   direct, 16-channel blocks, one chunk of output channels per
//            thread (jit_1x1 for a 1x1, jit for larger windows)
//   wino2    Winograd F(2x2,3x3) in chunks (3x3 stride 1 only)
//   wino4    Winograd F(4x4,3x3) in chunks (3x3 stride 1 only)
//   pw512    the engine's own AVX-512 pointwise kernel (1x1 stride 1 only,
//            maps of up to 256 pixels, CPUs with AVX-512F): one range of
//            output blocks per thread, input in 16-channel blocks
//
// It backs the per-layer figures that the engine's kernel choices rest on
// (docs/runtime.md); whole models are measured by native_vs_ort. Each
// layer is Conv + bias + ReLU on a batch of one. Kernels alternate within
// each round (forward, then backward) so that the machine's drift hits all
// alike; reported is the median of all iterations, in microseconds and in
// GFLOP/s of the direct convolution's FLOPs (Winograd does fewer).
//
// --cold reads a buffer larger than the last-level cache before each
// iteration (not timed), so that weights and activations come from memory,
// as a layer's weights do inside a large network.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <oneapi/dnnl/dnnl.hpp>
#include <omp.h>

#include "runtime/avx512/small_map_conv.h"
#include "runtime/onednn/common.h"
#include "runtime/thread_pool.h"

namespace {

using Clock = std::chrono::steady_clock;
using tag = dnnl::memory::format_tag;
using dt = dnnl::memory::data_type;

struct Layer {
  int c = 0, m = 0, h = 0, k = 0, s = 1;
  std::string name() const {
    return std::to_string(c) + "->" + std::to_string(m) + " " + std::to_string(k) + "x" + std::to_string(k) + (s > 1 ? " s" + std::to_string(s) : "") +
           " @" + std::to_string(h) + "x" + std::to_string(h);
  }
  int pad() const { return k / 2; }
  int out() const { return (h + 2 * pad() - k) / s + 1; }
  double gflop() const { return 2.0 * m * c * k * k * out() * out() / 1e9; }
};

// "C:M:H:K[:S]" (square maps).
std::optional<Layer> parse_layer(const std::string& spec) {
  Layer l;
  if (std::sscanf(spec.c_str(), "%d:%d:%d:%d:%d", &l.c, &l.m, &l.h, &l.k, &l.s) < 4) return std::nullopt;
  if (l.c < 1 || l.m < 1 || l.h < 1 || l.k < 1 || l.s < 1 || l.k > l.h + 2 * l.pad()) return std::nullopt;
  return l;
}

// One primitive per thread with its arguments (or, for the engine's own
// kernels, a function); weights written (a buffer never written maps every
// page to the zero page and sits in L1).
struct Part {
  dnnl::primitive prim;
  std::unordered_map<int, dnnl::memory> args;
  std::function<void()> own;
};

struct Kernel {
  std::string kind, impl;
  std::vector<Part> parts;
  std::vector<double> us;
};

class Bench {
 public:
  Bench(const Layer& l, int threads, const dnnl::engine& engine) : l_(l), threads_(threads), engine_(engine), store_(true) {
    src_.assign(static_cast<std::size_t>(l.c) * l.h * l.h, 0.5f);
    dst_.assign(static_cast<std::size_t>(l.m) * l.out() * l.out(), 0.0f);
    bias_.assign(static_cast<std::size_t>(l.m), 0.1f);
    blocked_src_.assign(static_cast<std::size_t>((l.c + 15) / 16 * 16) * l.h * l.h, 0.5f);
    blocked_dst_.assign(static_cast<std::size_t>((l.m + 15) / 16 * 16) * l.out() * l.out(), 0.0f);
    dnnl::post_ops po;
    po.append_eltwise(1.0f, dnnl::algorithm::eltwise_relu, 0.0f, 0.0f);
    attr_.set_post_ops(po);
    attr_.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  }

  // Row bands of the output, channels-last (the engine's add_row_bands).
  std::optional<Kernel> bands() {
    Kernel k{"bands", "", {}, {}};
    const int oh = l_.out(), p = l_.pad();
    for (int t = 0; t < threads_; ++t) {
      const int o0 = oh * t / threads_, o1 = oh * (t + 1) / threads_;
      if (o1 <= o0) continue;
      const int first = o0 * l_.s - p, last = (o1 - 1) * l_.s - p + l_.k;
      const int i0 = std::max(0, first), i1 = std::min(l_.h, last);
      const dnnl::memory::desc src({1, l_.c, i1 - i0, l_.h}, dt::f32, tag::acdb), dst({1, l_.m, o1 - o0, oh}, dt::f32, tag::acdb);
      auto pd = make_pd(dnnl::algorithm::convolution_direct, src, dst, l_.m, {i0 - first, p}, {last - i1, p});
      if (!pd || pd->src_desc() != src || pd->dst_desc() != dst) return std::nullopt;
      k.impl = pd->impl_info_str();
      add_part(k, *pd, src_.data() + static_cast<std::size_t>(i0) * l_.h * l_.c, dst_.data() + static_cast<std::size_t>(o0) * oh * l_.m);
    }
    return k;
  }

  // The engine's AVX-512 pointwise kernel: a range of output blocks per
  // thread, blocked input, channels-last output, ReLU.
  std::optional<Kernel> pointwise() {
    namespace a5 = eb::rt::avx512;
    const int64_t pixels = static_cast<int64_t>(l_.h) * l_.h;
    if (l_.k != 1 || l_.s != 1 || pixels > 256 || !a5::available()) return std::nullopt;
    std::vector<float> w(static_cast<std::size_t>(l_.m) * l_.c);
    for (std::size_t i = 0; i < w.size(); ++i) w[i] = 0.001f * static_cast<float>((i * 7919) % 97) - 0.04f;
    packed_ = std::make_shared<const a5::PackedWeights>(w.data(), l_.m, l_.c, bias_, store_, a5::chunk_rows_for(pixels, l_.c));
    partials_.assign(static_cast<std::size_t>(packed_->blocks() * pixels * 16 + 16), 0.0f);
    Kernel k{"pw512", "pointwise:avx512", {}, {}};
    for (const auto& [b0, b1] : eb::rt::split_even(packed_->blocks(), threads_)) {
      Part part;
      part.own = [this, b0 = b0, b1 = b1, pixels] {
        static const std::vector<a5::Epilogue> relu = {{a5::Epilogue::Kind::relu}};
        // Each part's accumulators at its blocks' place in one buffer (64-byte aligned: 16 floats per block and pixel).
        float* partials = reinterpret_cast<float*>((reinterpret_cast<std::uintptr_t>(partials_.data()) + 63) / 64 * 64);
        a5::pointwise(*packed_, b0, b1, blocked_src_.data(), pixels, relu, nullptr, dst_.data(), partials + b0 * pixels * 16);
      };
      k.parts.push_back(std::move(part));
    }
    return k;
  }

  // Chunks of output channels in 16-channel blocks (the engine's blocked
  // and Winograd chunks); `prefer` picks an implementation by name.
  std::optional<Kernel> chunks(const std::string& kind, dnnl::algorithm alg, const std::string& prefer) {
    Kernel k{kind, "", {}, {}};
    const int blocks = (l_.m + 15) / 16, oh = l_.out(), p = l_.pad();
    for (int t = 0; t < threads_; ++t) {
      const int b0 = blocks * t / threads_, b1 = blocks * (t + 1) / threads_;
      if (b1 <= b0) continue;
      const int m = std::min(l_.m, b1 * 16) - b0 * 16;
      const dnnl::memory::desc src({1, l_.c, l_.h, l_.h}, dt::f32, tag::aBcd16b), dst({1, m, oh, oh}, dt::f32, tag::aBcd16b);
      auto pd = make_pd(alg, src, dst, m, {p, p}, {p, p}, prefer);
      if (!pd) return std::nullopt;
      k.impl = pd->impl_info_str();
      if (k.impl.rfind("ref", 0) == 0) return std::nullopt;  // not a kernel the engine would run
      add_part(k, *pd, blocked_src_.data(), blocked_dst_.data() + static_cast<std::size_t>(b0) * 16 * oh * oh);
    }
    return k;
  }

 private:
  std::optional<dnnl::convolution_forward::primitive_desc> make_pd(dnnl::algorithm alg, const dnnl::memory::desc& src, const dnnl::memory::desc& dst,
                                                                   int m, dnnl::memory::dims pl, dnnl::memory::dims pr,
                                                                   const std::string& prefer = "") {
    try {
      const dnnl::memory::desc w({m, l_.c, l_.k, l_.k}, dt::f32, tag::any), b({m}, dt::f32, tag::a);
      const dnnl::convolution_forward::desc d(dnnl::prop_kind::forward_inference, alg, src, w, b, dst, {l_.s, l_.s}, pl, pr);
      dnnl::convolution_forward::primitive_desc pd(d, attr_, engine_);
      // The engine's own choice of a later implementation, searched where
      // the descriptor is made (one returned through std::optional stopped
      // iterating after its first implementation here).
      if (!prefer.empty() && !eb::rt::onednn::prefer_implementation(pd, prefer)) return std::nullopt;
      return pd;
    } catch (const dnnl::error&) {
      return std::nullopt;
    }
  }

  void add_part(Kernel& k, const dnnl::convolution_forward::primitive_desc& pd, float* src, float* dst) {
    dnnl::memory w(pd.weights_desc(), engine_);
    float* q = static_cast<float*>(w.get_data_handle());
    for (std::size_t i = 0; i < pd.weights_desc().get_size() / sizeof(float); ++i) q[i] = 0.001f * static_cast<float>((i * 7919) % 97) - 0.04f;
    const int m = static_cast<int>(pd.dst_desc().dims()[1]);
    Part part{dnnl::convolution_forward(pd), {}};
    part.args = {{DNNL_ARG_SRC, dnnl::memory(pd.src_desc(), engine_, src)},
                 {DNNL_ARG_WEIGHTS, w},
                 {DNNL_ARG_BIAS, dnnl::memory(dnnl::memory::desc({m}, dt::f32, tag::a), engine_, bias_.data())},
                 {DNNL_ARG_DST, dnnl::memory(pd.dst_desc(), engine_, dst)},
                 {DNNL_ARG_SCRATCHPAD, dnnl::memory(pd.scratchpad_desc(), engine_)}};
    k.parts.push_back(std::move(part));
  }

  Layer l_;
  int threads_;
  dnnl::engine engine_;
  dnnl::primitive_attr attr_;
  std::vector<float> src_, dst_, bias_, blocked_src_, blocked_dst_;
  eb::rt::WeightStore store_;
  std::shared_ptr<const eb::rt::avx512::PackedWeights> packed_;
  std::vector<float> partials_;
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0.0 : v[v.size() / 2];
}

void usage() {
  std::printf(
      "usage: conv_kernels [--layers C:M:H:K[:S],...] [--threads N] [--rounds N] [--iters N] [--cold]\n"
      "  one convolution layer (Conv + bias + ReLU, batch 1, square maps) under each oneDNN kernel kind\n"
      "  the native engine chooses among (and its own AVX-512 pointwise kernel for 1x1s on small maps);\n"
      "  default layers: the shapes its Winograd rule was measured on\n");
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> specs = {"64:64:56:3", "64:128:56:3", "128:128:28:3", "256:256:14:3", "256:512:14:3",
                                    "512:512:7:3", "1024:256:14:1", "256:1024:14:1", "728:728:14:1"};
  int threads = 2, rounds = 6, iters = 8;
  bool cold = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--layers") {
      specs.clear();
      std::string list = next();
      for (std::size_t b = 0, e; b <= list.size(); b = e + 1) {
        e = list.find(',', b);
        if (e == std::string::npos) e = list.size();
        specs.push_back(list.substr(b, e - b));
      }
    } else if (a == "--threads") threads = std::atoi(next().c_str());
    else if (a == "--rounds") rounds = std::atoi(next().c_str());
    else if (a == "--iters") iters = std::atoi(next().c_str());
    else if (a == "--cold") cold = true;
    else {
      usage();
      return 2;
    }
  }
  std::vector<Layer> layers;
  for (const std::string& s : specs) {
    const auto l = parse_layer(s);
    if (!l) {
      std::fprintf(stderr, "conv_kernels: bad layer '%s' (want C:M:H:K[:S], e.g. 64:128:56:3)\n", s.c_str());
      return 2;
    }
    layers.push_back(*l);
  }
  if (threads < 1 || rounds < 1 || iters < 1) {
    usage();
    return 2;
  }

  omp_set_num_threads(1);  // as in the engine: oneDNN runs sequentially in each thread
  eb::rt::ThreadPool pool(threads);
  const dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  dnnl::stream stream(engine);
  // Larger than the last-level cache of the development machine (48 MB).
  std::vector<char> junk(cold ? std::size_t{128} << 20 : 0, 1);
  const auto flush = [&] {
    auto read = [&](int t) {
      const std::size_t n = junk.size() / static_cast<std::size_t>(threads);
      volatile char sink = 0;
      for (std::size_t i = n * static_cast<std::size_t>(t); i < n * static_cast<std::size_t>(t + 1); i += 64) sink = sink + junk[i];
    };
    pool.run(threads, read);
  };

  std::printf("oneDNN %d.%d.%d, %d threads, %s caches; us = median of %d rounds x %d iterations; GF/s of direct FLOPs\n\n",
              dnnl_version()->major, dnnl_version()->minor, dnnl_version()->patch, threads, cold ? "cold (flushed)" : "hot", rounds, iters);
  std::printf("%-22s %-7s %10s %8s %9s  %s\n", "layer", "kernel", "us", "GF/s", "vs bands", "oneDNN implementation");
  for (const Layer& l : layers) {
    Bench bench(l, threads, engine);
    std::vector<Kernel> kernels;
    if (auto k = bench.bands()) kernels.push_back(std::move(*k));
    if (auto k = bench.chunks("chunks", dnnl::algorithm::convolution_direct, "")) kernels.push_back(std::move(*k));
    if (l.k == 3 && l.s == 1) {
      if (auto k = bench.chunks("wino2", dnnl::algorithm::convolution_winograd, "wino_2x3")) kernels.push_back(std::move(*k));
      if (auto k = bench.chunks("wino4", dnnl::algorithm::convolution_winograd, "wino_4x3")) kernels.push_back(std::move(*k));
    }
    if (auto k = bench.pointwise()) kernels.push_back(std::move(*k));
    for (int r = 0; r < rounds; ++r)
      for (std::size_t j = 0; j < kernels.size(); ++j) {
        Kernel& k = kernels[r % 2 ? kernels.size() - 1 - j : j];
        for (int it = 0; it < iters; ++it) {
          if (cold) flush();
          const auto t0 = Clock::now();
          auto run = [&](int t) {
            if (static_cast<std::size_t>(t) >= k.parts.size()) return;
            if (k.parts[t].own) k.parts[t].own();
            else k.parts[t].prim.execute(stream, k.parts[t].args);
          };
          pool.run(threads, run);
          k.us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
        }
      }
    const double base = kernels.empty() || kernels[0].kind != "bands" ? 0.0 : median(kernels[0].us);
    for (const Kernel& k : kernels) {
      const double us = median(k.us);
      std::printf("%-22s %-7s %10.1f %8.1f %9s  %s\n", l.name().c_str(), k.kind.c_str(), us, l.gflop() / us * 1e6,
                  base > 0 ? (std::to_string(us / base).substr(0, 5)).c_str() : "-", k.impl.c_str());
    }
    if (kernels.empty()) std::printf("%-22s no kernel\n", l.name().c_str());
    std::fflush(stdout);
  }
  return 0;
}
