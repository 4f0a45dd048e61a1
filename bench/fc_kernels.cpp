// fc_kernels: batch-1 fully connected layers on the native engine with
// oneDNN's inner product and with the hand-written AVX-512 gemv
// (runtime/avx512/gemv.h), side by side in one run.
//
// Inside a network a large layer's weights come from memory, not from a
// cache: each layer here is a graph of several copies of it (each with its
// own weights, all reading one input), enough copies that their weights
// exceed --stream-mb, and a layer's time is the invoke's over the copies.
// The two engines alternate round by round (forward, then backward) so
// that the machine's drift hits both alike; reported is the median of all
// invokes, in microseconds and in GB/s of weights read.
//
//   fc_kernels [--layers OUT:IN,...] [--threads N] [--rounds N] [--stream-mb M]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "graph/builder.h"
#include "runtime/engine.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Layer {
  int64_t out = 0, in = 0;
  double mb() const { return static_cast<double>(out) * static_cast<double>(in) * 4.0 / 1e6; }
};

struct Options {
  std::vector<Layer> layers = {{4096, 25088}, {4096, 9216}, {4096, 4096}, {4096, 2048}, {1000, 4096}, {1000, 2048}, {1000, 1536}};
  int threads = 2;
  int rounds = 10;
  double stream_mb = 512;
};

std::optional<Options> parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const char* v = i + 1 < argc ? argv[i + 1] : nullptr;
    if (a == "--layers" && v) {
      o.layers.clear();
      std::string s = argv[++i];
      for (std::size_t b = 0; b <= s.size();) {
        std::size_t e = s.find(',', b);
        if (e == std::string::npos) e = s.size();
        Layer l;
        long long out = 0, in = 0;
        if (std::sscanf(s.substr(b, e - b).c_str(), "%lld:%lld", &out, &in) != 2 || out < 1 || in < 1) return std::nullopt;
        l.out = out;
        l.in = in;
        o.layers.push_back(l);
        b = e + 1;
      }
    } else if (a == "--threads" && v) {
      o.threads = std::atoi(argv[++i]);
    } else if (a == "--rounds" && v) {
      o.rounds = std::atoi(argv[++i]);
    } else if (a == "--stream-mb" && v) {
      o.stream_mb = std::atof(argv[++i]);
    } else {
      return std::nullopt;
    }
  }
  if (o.threads < 1 || o.rounds < 1 || o.stream_mb < 0) return std::nullopt;
  return o;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0.0 : v[v.size() / 2];
}

struct Side {
  std::string name;
  std::unique_ptr<eb::rt::Engine> engine;
  std::vector<double> us;  // per layer copy
};

int run(const Options& o) {
  std::printf("fully connected, batch 1, %d threads; us = median of %d rounds (per layer, weights streamed from memory)\n\n", o.threads,
              o.rounds);
  std::printf("%-14s %9s %6s %12s %12s %8s %11s %11s  %s\n", "layer out:in", "MB", "copies", "oneDNN us", "avx512 us", "ratio",
              "oneDNN GB/s", "avx512 GB/s", "kernels");
  for (const Layer& l : o.layers) {
    const int copies = std::max(1, static_cast<int>(o.stream_mb / l.mb() + 0.999));
    eb::GraphBuilder b("fc", 42);
    const eb::ValueId x = b.input("x", eb::Shape{1, l.in});
    for (int c = 0; c < copies; ++c) b.output(b.relu(b.dense(x, l.out, true, "fc" + std::to_string(c))));
    auto graph = std::move(b).finish();
    if (!graph.is_ok()) {
      std::fprintf(stderr, "fc_kernels: %s\n", graph.status().message().c_str());
      return 1;
    }
    std::vector<Side> sides(2);
    for (int s = 0; s < 2; ++s) {
      eb::rt::EngineOptions eo;
      eo.threads = o.threads;
      eo.avx512 = s == 1;
      auto e = eb::rt::Engine::prepare(*graph, eo);
      if (!e.is_ok()) {
        std::fprintf(stderr, "fc_kernels: %s\n", e.status().message().c_str());
        return 1;
      }
      sides[s].engine = std::move(e).value();
      sides[s].name = sides[s].engine->steps().front().impl;
      const std::vector<float> input(static_cast<std::size_t>(l.in), 0.5f);
      (void)sides[s].engine->set_input(0, input);
      (void)sides[s].engine->invoke();  // first touch
    }
    // Enough invokes per round for about 50 ms.
    const auto t0 = Clock::now();
    (void)sides[0].engine->invoke();
    const double est = std::chrono::duration<double>(Clock::now() - t0).count();
    const int iters = std::max(3, static_cast<int>(0.05 / std::max(est, 1e-6)));
    for (int r = 0; r < o.rounds; ++r) {
      for (int k = 0; k < 2; ++k) {
        Side& side = sides[r % 2 == 0 ? k : 1 - k];
        for (int i = 0; i < iters; ++i) {
          const auto a = Clock::now();
          const eb::Status st = side.engine->invoke();
          const double us = std::chrono::duration<double, std::micro>(Clock::now() - a).count();
          if (!st.is_ok()) {
            std::fprintf(stderr, "fc_kernels: %s\n", st.message().c_str());
            return 1;
          }
          side.us.push_back(us / copies);
        }
      }
    }
    const double a = median(sides[0].us), g = median(sides[1].us);
    char name[32];
    std::snprintf(name, sizeof name, "%lld:%lld", static_cast<long long>(l.out), static_cast<long long>(l.in));
    std::printf("%-14s %9.1f %6d %12.1f %12.1f %8.3f %11.1f %11.1f  %s / %s\n", name, l.mb(), copies, a, g, g / a, l.mb() * 1e3 / a,
                l.mb() * 1e3 / g, sides[0].name.c_str(), sides[1].name.c_str());
  }
  std::printf("\nratio = avx512 / oneDNN (< 1: the hand-written gemv is faster)\n");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const auto o = parse(argc, argv);
  if (!o) {
    std::fprintf(stderr, "usage: fc_kernels [--layers OUT:IN,...] [--threads N] [--rounds N] [--stream-mb M]\n");
    return 2;
  }
  return run(*o);
}
