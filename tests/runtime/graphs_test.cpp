// Small whole graphs, each shaped like a piece of a zoo model, on the
// native engine (default registry) against eb::ref::run_graph. Each must
// also run entirely on oneDNN kernels.
#include <gtest/gtest.h>

#include "runtime_test_util.h"

namespace eb::rt::testing {
namespace {

void check(GraphBuilder&& b, int max_reorders = -1) {
  auto g = std::move(b).finish();
  ASSERT_TRUE(g.is_ok()) << g.status().message();
  auto cmp = compare_with_reference(*g, options_with(std::make_shared<KernelRegistry>(default_registry())));
  ASSERT_TRUE(cmp.is_ok()) << g->name << ": " << cmp.status().message();
  EXPECT_LE(cmp->worst, kTolerance) << g->name;
  EXPECT_EQ(cmp->engine->stats().reference_steps, 0) << g->name;
  if (max_reorders >= 0) EXPECT_LE(cmp->engine->stats().reorders, max_reorders) << g->name;
  EXPECT_LE(cmp->engine->stats().arena_bytes, cmp->engine->stats().naive_bytes);
}

TEST(Graphs, ResnetLikeBlocks) {
  GraphBuilder b("resnet_like", 1);
  ValueId x = b.input("x", Shape{1, 3, 32, 32});
  x = b.max_pool2d(b.relu(b.batch_norm(b.conv2d(x, 16, 7, 2, 3, 1, false))), 3, 2, 1);
  for (int i = 0; i < 2; ++i) {
    ValueId y = b.relu(b.batch_norm(b.conv2d(x, 16, 3, 1, 1, 1, false)));
    y = b.batch_norm(b.conv2d(y, 16, 3, 1, 1, 1, false));
    x = b.relu(b.add(y, x));
  }
  ValueId y = b.relu(b.batch_norm(b.conv2d(x, 32, 3, 2, 1, 1, false)));
  y = b.batch_norm(b.conv2d(y, 32, 3, 1, 1, 1, false));
  x = b.relu(b.add(y, b.batch_norm(b.conv2d(x, 32, 1, 2, 0, 1, false))));
  b.output(b.softmax(b.dense(b.flatten(b.global_avg_pool(x)), 10)));
  // Reorders: into and out of channel blocks around the Winograd stretch
  // (the stem conv and the downsampling conv want channels-last), the input,
  // and the pooled vector to plain for Flatten.
  check(std::move(b), 5);
}

TEST(Graphs, InceptionLikeConcat) {
  GraphBuilder b("inception_like", 2);
  ValueId x = b.relu(b.conv2d(b.input("x", Shape{1, 3, 23, 23}), 32, 3, 2, 0));
  for (int i = 0; i < 2; ++i) {
    const ValueId b1 = b.relu(b.conv2d(x, 24, 1));
    const ValueId b2 = b.relu(b.conv2d(b.relu(b.conv2d(x, 16, 1)), 32, 3));
    ConvSpec s17{24, {1, 7}, {1, 1}, {}, {}, 1, true};
    ConvSpec s71{24, {7, 1}, {1, 1}, {}, {}, 1, true};
    const ValueId b3 = b.relu(b.conv(b.relu(b.conv(x, s17)), s71));
    const ValueId b4 = b.relu(b.conv2d(b.avg_pool(x, PoolSpec{{3, 3}, {1, 1}, {1, 1, 1, 1}, false, false}), 16, 1));
    x = b.concat({b1, b2, b3, b4});
  }
  x = b.max_pool(x, PoolSpec{{3, 3}, {2, 2}, {}, true, false});  // ceil mode
  b.output(x);
  check(std::move(b));
}

TEST(Graphs, DepthwiseReLU6InvertedResidual) {
  GraphBuilder b("mobilenet_like", 3);
  ValueId x = b.relu6(b.batch_norm(b.conv2d(b.input("x", Shape{1, 3, 24, 24}), 16, 3, 2, kSamePadding, 1, false)));
  for (int i = 0; i < 2; ++i) {
    ValueId y = b.relu6(b.batch_norm(b.conv2d(x, 96, 1, 1, 0, 1, false)));
    y = b.relu6(b.batch_norm(b.conv2d(y, 96, 3, 1, 1, /*group=*/96, false)));
    y = b.batch_norm(b.conv2d(y, 16, 1, 1, 0, 1, false));
    x = b.add(x, y);
  }
  b.output(b.global_avg_pool(x));
  check(std::move(b), 1);
}

TEST(Graphs, AlexnetLikeLrn) {
  GraphBuilder b("alexnet_like", 4);
  ValueId x = b.relu(b.conv2d(b.input("x", Shape{1, 3, 35, 35}), 24, 11, 4));
  x = b.max_pool2d(b.lrn(x, 5, 1e-4f, 0.75f, 1.0f), 2, 2);
  x = b.max_pool2d(b.lrn(b.relu(b.conv2d(x, 32, 5)), 5, 1e-4f, 0.75f, 1.0f), 2, 2);
  x = b.relu(b.dense(b.flatten(x), 64));
  b.output(b.softmax(b.dense(x, 10)));
  check(std::move(b));
}

TEST(Graphs, C3dLike) {
  GraphBuilder b("c3d_like", 5);
  ValueId x = b.input("x", Shape{1, 3, 8, 16, 16});
  ConvSpec c1{16, {3, 3, 3}, {1, 1, 1}, {1, 1, 1, 1, 1, 1}, {}, 1, true};
  x = b.max_pool(b.relu(b.conv(x, c1)), PoolSpec{{1, 2, 2}, {1, 2, 2}, {}, false, false});
  ConvSpec c2{32, {3, 3, 3}, {1, 1, 1}, {1, 1, 1, 1, 1, 1}, {}, 1, true};
  x = b.max_pool(b.relu(b.conv(x, c2)), PoolSpec{{2, 2, 2}, {2, 2, 2}, {}, false, false});
  b.output(b.dense(b.relu(b.dense(b.flatten(x), 32)), 5));
  check(std::move(b));
}

TEST(Graphs, YoloLikeUpsampleConcat) {
  GraphBuilder b("yolo_like", 6);
  ValueId x = b.leaky_relu(b.batch_norm(b.conv2d(b.input("x", Shape{1, 3, 32, 32}), 16, 3, 1, 1, 1, false)));
  const ValueId route = b.leaky_relu(b.batch_norm(b.conv2d(x, 32, 3, 2, 1, 1, false)));
  ValueId deep = b.leaky_relu(b.batch_norm(b.conv2d(route, 64, 3, 2, 1, 1, false)));
  b.output(b.conv2d(deep, 21, 1, 1, 0));  // head 1: linear 1x1 with bias
  ValueId up = b.upsample(b.leaky_relu(b.batch_norm(b.conv2d(deep, 16, 1, 1, 0, 1, false))), 2);
  ValueId y = b.concat({up, route});
  b.output(b.conv2d(b.leaky_relu(b.batch_norm(b.conv2d(y, 32, 3, 1, 1, 1, false))), 21, 1, 1, 0));
  check(std::move(b));
}

TEST(Graphs, TinyYoloStride1MaxPoolWithPad) {
  GraphBuilder b("tiny_yolo_like", 7);
  ValueId x = b.leaky_relu(b.conv2d(b.input("x", Shape{1, 3, 13, 13}), 16, 3));
  x = b.max_pool(x, PoolSpec{{2, 2}, {1, 1}, {0, 0, 1, 1}, false, false});
  b.output(b.conv2d(x, 8, 1, 1, 0));
  check(std::move(b));
}

TEST(Graphs, SoftmaxHeadOnSpatialMap) {
  GraphBuilder b("ssd_like_head", 8);
  const ValueId x = b.relu6(b.conv2d(b.input("x", Shape{1, 8, 10, 10}), 16, 3));
  const ValueId cls = b.reshape(b.conv2d(x, 12, 3), {1, -1, 4});
  const ValueId box = b.reshape(b.conv2d(x, 8, 3), {1, -1, 4});
  b.output(b.softmax(cls, -1));
  b.output(box);
  b.output(b.concat({cls, box}, 1));
  check(std::move(b));
}

TEST(Graphs, SameOutputTwiceAndInputAsOutput) {
  GraphBuilder b("odd_outputs", 9);
  const ValueId x = b.input("x", Shape{1, 4, 5, 5});
  const ValueId c = b.conv2d(x, 4, 3);
  b.output(c);
  b.output(c);
  b.output(x);
  check(std::move(b));
}

}  // namespace
}  // namespace eb::rt::testing
