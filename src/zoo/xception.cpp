// Xception (Chollet 2017) as Keras builds it: entry flow, 8 middle blocks,
// exit flow, built from depthwise-separable convolutions (a 3x3 depthwise
// followed by a 1x1 pointwise, neither with bias), each followed by
// BatchNorm (Keras epsilon 1e-3). Padding is TF "same" except the first two
// convolutions, which are "valid". Layer names follow Keras.
#include <string>

#include "zoo/families.h"

namespace eb::zoo {
namespace {

constexpr float kEpsilon = 1e-3f;

ValueId separable_bn(GraphBuilder& b, ValueId x, int64_t out, const std::string& name) {
  const int64_t channels = b.shape(x)[1];
  x = b.conv2d(x, channels, 3, 1, kSamePadding, channels, false, name + "_depthwise");
  x = b.conv2d(x, out, 1, 1, 0, 1, false, name + "_pointwise");
  return b.batch_norm(x, kEpsilon, name + "_bn");
}

// TF "same" max pool 3x3/2: the extra padding goes at the end.
ValueId same_max_pool(GraphBuilder& b, ValueId x, const std::string& name) {
  PoolSpec p;
  p.kernel = {3, 3};
  p.stride = {2, 2};
  p.pads.assign(4, 0);
  for (int d = 0; d < 2; ++d) same_pads(b.shape(x)[2 + d], 3, 2, 1, p.pads[d], p.pads[2 + d]);
  return b.max_pool(x, p, name);
}

// Entry/exit block: two separable convs and a strided pool, with a strided
// 1x1 projection on the shortcut. The first block starts without ReLU
// because its input has just been through one.
ValueId downsampling_block(GraphBuilder& b, ValueId x, int64_t mid, int64_t out, bool relu_first, const std::string& name) {
  ValueId residual = b.conv2d(x, out, 1, 2, kSamePadding, 1, false, name + "_shortcut");
  residual = b.batch_norm(residual, kEpsilon, name + "_shortcut_bn");
  if (relu_first) x = b.relu(x);
  x = b.relu(separable_bn(b, x, mid, name + "_sepconv1"));
  x = separable_bn(b, x, out, name + "_sepconv2");
  x = same_max_pool(b, x, name + "_pool");
  return b.add(x, residual, name + "_add");
}

ValueId middle_block(GraphBuilder& b, ValueId x, const std::string& name) {
  ValueId y = x;
  for (int i = 1; i <= 3; ++i) y = separable_bn(b, b.relu(y), 728, name + "_sepconv" + std::to_string(i));
  return b.add(y, x, name + "_add");
}

}  // namespace

Result<Graph> build_xception(const BuildOptions& options) {
  GraphBuilder b("xception", options.seed, options.weights);
  const int64_t side = input_side(options, 224);
  ValueId x = b.input("input", Shape{1, 3, side, side});
  x = b.relu(b.batch_norm(b.conv2d(x, 32, 3, 2, 0, 1, false, "block1_conv1"), kEpsilon, "block1_conv1_bn"));
  x = b.relu(b.batch_norm(b.conv2d(x, 64, 3, 1, 0, 1, false, "block1_conv2"), kEpsilon, "block1_conv2_bn"));
  x = downsampling_block(b, x, 128, 128, false, "block2");
  x = downsampling_block(b, x, 256, 256, true, "block3");
  x = downsampling_block(b, x, 728, 728, true, "block4");
  for (int i = 5; i <= 12; ++i) x = middle_block(b, x, "block" + std::to_string(i));
  x = downsampling_block(b, x, 728, 1024, true, "block13");
  x = b.relu(separable_bn(b, x, 1536, "block14_sepconv1"));
  x = b.relu(separable_bn(b, x, 2048, "block14_sepconv2"));
  x = b.flatten(b.global_avg_pool(x, "avg_pool"));
  b.output(b.dense(x, 1000, true, "predictions"));
  return std::move(b).finish();
}

}  // namespace eb::zoo
