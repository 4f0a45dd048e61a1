// ResNet (He et al. 2016) as torchvision builds it: bias-free convolutions
// followed by BatchNorm, a 1x1 projection shortcut where the shape changes,
// and in bottleneck blocks the stride on the 3x3 convolution ("v1.5").
// Layer names follow torchvision's state_dict so weights can be mapped.
#include <string>

#include "zoo/families.h"

namespace eb::zoo {
namespace {

ValueId conv_bn(GraphBuilder& b, ValueId x, int64_t out, int64_t kernel, int64_t stride, const std::string& conv_name,
                const std::string& bn_name) {
  x = b.conv2d(x, out, kernel, stride, kernel / 2, 1, /*bias=*/false, conv_name);
  return b.batch_norm(x, 1e-5f, bn_name);
}

// Projection shortcut: needed when the block changes resolution or width.
ValueId shortcut(GraphBuilder& b, ValueId x, int64_t out, int64_t stride, const std::string& p) {
  if (stride == 1 && b.shape(x)[1] == out) return x;
  return conv_bn(b, x, out, 1, stride, p + ".downsample.0", p + ".downsample.1");
}

ValueId basic_block(GraphBuilder& b, ValueId x, int64_t width, int64_t stride, const std::string& p) {
  const ValueId identity = shortcut(b, x, width, stride, p);
  ValueId y = b.relu(conv_bn(b, x, width, 3, stride, p + ".conv1", p + ".bn1"));
  y = conv_bn(b, y, width, 3, 1, p + ".conv2", p + ".bn2");
  return b.relu(b.add(y, identity, p + ".add"));
}

ValueId bottleneck(GraphBuilder& b, ValueId x, int64_t width, int64_t stride, const std::string& p) {
  constexpr int64_t kExpansion = 4;
  const ValueId identity = shortcut(b, x, width * kExpansion, stride, p);
  ValueId y = b.relu(conv_bn(b, x, width, 1, 1, p + ".conv1", p + ".bn1"));
  y = b.relu(conv_bn(b, y, width, 3, stride, p + ".conv2", p + ".bn2"));
  y = conv_bn(b, y, width * kExpansion, 1, 1, p + ".conv3", p + ".bn3");
  return b.relu(b.add(y, identity, p + ".add"));
}

enum class Block { basic, bottleneck };

Result<Graph> build_resnet(const char* name, Block block, const int (&blocks)[4], const BuildOptions& options) {
  GraphBuilder b(name, options.seed, options.weights);
  const int64_t side = input_side(options, 224);
  ValueId x = b.input("input", Shape{1, 3, side, side});
  x = b.relu(conv_bn(b, x, 64, 7, 2, "conv1", "bn1"));
  x = b.max_pool2d(x, 3, 2, 1, "maxpool");
  const int64_t widths[4] = {64, 128, 256, 512};
  for (int stage = 0; stage < 4; ++stage) {
    for (int i = 0; i < blocks[stage]; ++i) {
      const int64_t stride = (stage > 0 && i == 0) ? 2 : 1;
      const std::string p = "layer" + std::to_string(stage + 1) + "." + std::to_string(i);
      x = block == Block::basic ? basic_block(b, x, widths[stage], stride, p) : bottleneck(b, x, widths[stage], stride, p);
    }
  }
  x = b.flatten(b.global_avg_pool(x, "avgpool"));
  b.output(b.dense(x, 1000, true, "fc"));
  return std::move(b).finish();
}

}  // namespace

Result<Graph> build_resnet18(const BuildOptions& options) { return build_resnet("resnet18", Block::basic, {2, 2, 2, 2}, options); }
Result<Graph> build_resnet50(const BuildOptions& options) { return build_resnet("resnet50", Block::bottleneck, {3, 4, 6, 3}, options); }
Result<Graph> build_resnet101(const BuildOptions& options) { return build_resnet("resnet101", Block::bottleneck, {3, 4, 23, 3}, options); }

}  // namespace eb::zoo
