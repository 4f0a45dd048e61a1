// MobileNets: v2 (Sandler et al. 2018) as torchvision builds it, and the v1
// feature extractor (Howard et al. 2017) as TF-slim builds it, which SSD
// reuses. Both are width 1.0 with ReLU6 (Clip 0..6) after every
// BatchNorm except the linear bottleneck projections of v2.
#include <string>

#include "zoo/families.h"

namespace eb::zoo {
namespace {

// torchvision: symmetric padding (k - 1) / 2, no conv bias, BN eps 1e-5.
ValueId conv_bn(GraphBuilder& b, ValueId x, int64_t out, int64_t kernel, int64_t stride, int64_t group,
                const std::string& name) {
  x = b.conv2d(x, out, kernel, stride, (kernel - 1) / 2, group, /*bias=*/false, name + ".conv");
  return b.batch_norm(x, 1e-5f, name + ".bn");
}

ValueId inverted_residual(GraphBuilder& b, ValueId x, int64_t expand, int64_t out, int64_t stride, const std::string& name) {
  const int64_t in = b.shape(x)[1];
  const int64_t hidden = in * expand;
  ValueId y = x;
  if (expand != 1) y = b.relu6(conv_bn(b, y, hidden, 1, 1, 1, name + ".expand"));
  y = b.relu6(conv_bn(b, y, hidden, 3, stride, hidden, name + ".depthwise"));
  y = conv_bn(b, y, out, 1, 1, 1, name + ".project");  // linear bottleneck: no activation
  // The residual only joins blocks that keep both resolution and width.
  if (stride == 1 && in == out) y = b.add(x, y, name + ".add");
  return y;
}

}  // namespace

Result<Graph> build_mobilenet_v2(const BuildOptions& options) {
  GraphBuilder b("mobilenet_v2", options.seed, options.weights);
  const int64_t side = input_side(options, 224);
  ValueId x = b.input("input", Shape{1, 3, side, side});
  x = b.relu6(conv_bn(b, x, 32, 3, 2, 1, "features.0"));
  struct Stage {
    int64_t expand, out, repeats, stride;
  };
  // Table 2 of the paper: expansion t, output channels c, repeats n, first stride s.
  const Stage stages[] = {{1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2},
                          {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};
  int block = 1;
  for (const Stage& s : stages)
    for (int64_t i = 0; i < s.repeats; ++i, ++block)
      x = inverted_residual(b, x, s.expand, s.out, i == 0 ? s.stride : 1, "features." + std::to_string(block));
  x = b.relu6(conv_bn(b, x, 1280, 1, 1, 1, "features." + std::to_string(block)));
  x = b.flatten(b.global_avg_pool(x, "avgpool"));
  b.output(b.dense(x, 1000, true, "classifier"));
  return std::move(b).finish();
}

MobileNetV1Features mobilenet_v1_features(GraphBuilder& b, ValueId x) {
  // TF-slim: "same" padding (the builder's default), no conv bias, BN eps 1e-3.
  const auto conv_bn_relu6 = [&b](ValueId v, int64_t out, int64_t kernel, int64_t stride, int64_t group, const std::string& name) {
    v = b.conv2d(v, out, kernel, stride, kSamePadding, group, /*bias=*/false, name);
    return b.relu6(b.batch_norm(v, 1e-3f, name + ".bn"));
  };
  x = conv_bn_relu6(x, 32, 3, 2, 1, "conv2d_0");
  // (output channels, stride) of the 13 depthwise-separable layers.
  const int64_t layers[13][2] = {{64, 1},  {128, 2}, {128, 1}, {256, 2}, {256, 1}, {512, 2},  {512, 1},
                                 {512, 1}, {512, 1}, {512, 1}, {512, 1}, {1024, 2}, {1024, 1}};
  MobileNetV1Features features{};
  for (int i = 0; i < 13; ++i) {
    const std::string p = "conv2d_" + std::to_string(i + 1);
    const int64_t channels = b.shape(x)[1];
    x = conv_bn_relu6(x, channels, 3, layers[i][1], channels, p + "_depthwise");
    x = conv_bn_relu6(x, layers[i][0], 1, 1, 1, p + "_pointwise");
    if (i + 1 == 11) features.conv11 = x;
  }
  features.conv13 = x;
  return features;
}

}  // namespace eb::zoo
