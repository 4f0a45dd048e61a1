// Throughput of the reference conv on typical layer shapes (not a test).
// Usage: reference_conv_bench [repeats] [vgg16]
// With "vgg16", also times a whole VGG16 at 224x224 through run_graph.
// Reports the best of `repeats` in thread CPU time (the build machines are
// shared, so wall time mostly measures the neighbours) and in wall time.
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "graph/builder.h"
#include "graph/op.h"
#include "graph/rng.h"
#include "runtime/reference/reference.h"

namespace {

double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

struct Layer {
  const char* name;
  eb::Shape x, w;
  eb::ConvAttrs attrs;
};

// VGG16 (configuration D) at 224x224, built here so the bench needs no zoo.
int time_vgg16() {
  eb::GraphBuilder b("vgg16", 1);
  eb::ValueId x = b.input("image", eb::Shape{1, 3, 224, 224});
  const std::vector<std::vector<int64_t>> blocks = {{64, 64}, {128, 128}, {256, 256, 256}, {512, 512, 512}, {512, 512, 512}};
  for (const auto& block : blocks) {
    for (int64_t c : block) x = b.relu(b.conv2d(x, c, 3, 1, 1));
    x = b.max_pool2d(x, 2, 2);
  }
  x = b.flatten(x);
  x = b.relu(b.dense(x, 4096));
  x = b.relu(b.dense(x, 4096));
  x = b.softmax(b.dense(x, 1000));
  b.output(x);
  auto g = std::move(b).finish();
  if (!g.is_ok()) return 1;
  std::vector<float> image(3 * 224 * 224);
  eb::Rng rng(2);
  for (float& v : image) v = rng.uniform(-1, 1);
  const auto t0 = std::chrono::steady_clock::now();
  const double c0 = thread_cpu_seconds();
  auto out = eb::ref::run_graph(*g, {image});
  const double cpu = thread_cpu_seconds() - c0;
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!out.is_ok()) {
    std::fprintf(stderr, "%s\n", out.status().message().c_str());
    return 1;
  }
  std::printf("vgg16 224x224 run_graph: %.2f s cpu, %.2f s wall\n", cpu, wall);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const int repeats = argc > 1 ? std::atoi(argv[1]) : 3;
  const std::vector<Layer> layers = {
      {"3x3 64->64 56x56", {1, 64, 56, 56}, {64, 64, 3, 3}, {{3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}, 1}},
      {"3x3 128->128 28x28", {1, 128, 28, 28}, {128, 128, 3, 3}, {{3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}, 1}},
      {"1x1 256->64 56x56", {1, 256, 56, 56}, {64, 256, 1, 1}, {{1, 1}, {1, 1}, {1, 1}, {0, 0, 0, 0}, 1}},
      {"7x7/2 3->64 224x224", {1, 3, 224, 224}, {64, 3, 7, 7}, {{7, 7}, {2, 2}, {1, 1}, {3, 3, 3, 3}, 1}},
      {"3x3 dw 144 56x56", {1, 144, 56, 56}, {144, 1, 3, 3}, {{3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}, 144}},
      {"3x3x3 64->128 8x56x56", {1, 64, 8, 56, 56}, {128, 64, 3, 3, 3}, {{3, 3, 3}, {1, 1, 1}, {1, 1, 1}, {1, 1, 1, 1, 1, 1}, 1}},
  };
  eb::Rng rng(1);
  std::printf("%-24s %8s %10s %10s %10s\n", "layer", "GMACs", "cpu ms", "GFLOP/s", "wall ms");
  for (const Layer& l : layers) {
    eb::Node node;
    node.name = l.name;
    node.op = eb::OpKind::Conv;
    node.attrs = l.attrs;
    node.inputs = {0, 1};
    node.outputs = {2};
    std::vector<eb::TensorDesc> in = {{eb::DType::f32, l.x}, {eb::DType::f32, l.w}}, out;
    if (!eb::schema(eb::OpKind::Conv).infer(node, in, out).is_ok()) return 1;
    std::vector<float> x(static_cast<std::size_t>(l.x.numel())), w(static_cast<std::size_t>(l.w.numel()));
    std::vector<float> y(static_cast<std::size_t>(out[0].shape.numel()));
    for (float& v : x) v = rng.uniform(-1, 1);
    for (float& v : w) v = rng.uniform(-1, 1);
    const std::vector<eb::ConstTensorView> views = {{x.data(), l.x}, {w.data(), l.w}};
    const double macs = static_cast<double>(eb::schema(eb::OpKind::Conv).macs(node, in, out));
    double best = 1e30, best_wall = 1e30;
    for (int r = 0; r < repeats; ++r) {
      const auto t0 = std::chrono::steady_clock::now();
      const double c0 = thread_cpu_seconds();
      const eb::Status st = eb::ref::run_node(node, views, eb::TensorView{y.data(), out[0].shape});
      const double s = thread_cpu_seconds() - c0;
      best_wall = std::min(best_wall, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
      if (!st.is_ok()) {
        std::fprintf(stderr, "%s\n", st.message().c_str());
        return 1;
      }
      best = std::min(best, s);
    }
    std::printf("%-24s %8.3f %10.2f %10.2f %10.2f\n", l.name, macs * 1e-9, best * 1e3, 2 * macs / best * 1e-9, best_wall * 1e3);
  }
  if (argc > 2 && std::string(argv[2]) == "vgg16") return time_vgg16();
  return 0;
}
