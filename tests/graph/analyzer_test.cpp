#include <gtest/gtest.h>

#include "graph/analyzer.h"
#include "graph/builder.h"

namespace eb {
namespace {

TEST(Analyzer, CountsParamsBuffersAndMacs) {
  GraphBuilder b("a", 3);
  auto x = b.input("x", Shape{1, 3, 32, 32});
  x = b.conv2d(x, 8, 3, 1, 1, 1, false);  // 8*3*9 = 216 params, 32*32*8*27 MACs
  x = b.batch_norm(x);                    // 16 params, 16 buffers
  x = b.relu(x);
  x = b.flatten(b.global_avg_pool(x));
  x = b.dense(x, 10);  // 80 + 10 params, 80 MACs
  b.output(x);
  Graph g = std::move(b).finish().value();
  ModelInfo info = analyze(g);
  EXPECT_EQ(info.params, 216 + 16 + 90);
  EXPECT_EQ(info.buffers, 16);
  EXPECT_EQ(info.macs, 32 * 32 * 8 * 27 + 80);
  EXPECT_EQ(info.flops(), 2 * info.macs);
  EXPECT_EQ(info.weight_bytes, 4 * (216 + 32 + 90));
  ASSERT_EQ(info.layers.size(), g.nodes.size());
  EXPECT_EQ(info.layers[0].macs, 32 * 32 * 8 * 27);
  EXPECT_EQ(info.layers[0].output, (Shape{1, 8, 32, 32}));
}

TEST(Analyzer, PeakActivationUnderInOrderLiveness) {
  // x(1 KiB) -> a(4 KiB) -> b(4 KiB) -> c(1 KiB).
  GraphBuilder g0("live", 3);
  auto x = g0.input("x", Shape{1, 1, 16, 16});        // 1 KiB
  auto a = g0.upsample(x, 2);                          // 4 KiB, alive with x
  auto bb = g0.relu(a);                                // 4 KiB, alive with a
  auto c = g0.max_pool2d(bb, 2, 2);                    // 1 KiB
  g0.output(c);
  ModelInfo info = analyze(std::move(g0).finish().value());
  // Live per step: upsample x+a = 5 KiB; relu a+b = 8 KiB; pool b+c = 5 KiB.
  EXPECT_EQ(info.activation_bytes_peak, 4096 + 4096);
  EXPECT_EQ(info.activation_bytes_total, 1024 + 4096 + 4096 + 1024);
}

}  // namespace
}  // namespace eb
