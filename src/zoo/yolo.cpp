// YOLOv3 and YOLOv2-tiny as Darknet describes them in yolov3.cfg and
// yolov2-tiny-voc.cfg (Debian's darknet package, /usr/share/darknet/cfg),
// written layer by layer in the cfg's order so that layer i here is
// section i there, and named "layer<i>" accordingly.
//
// Darknet conventions reproduced: a [convolutional] with batch_normalize
// has no bias (its "biases" are the BN shift), pad=1 means size/2 on every
// side, activation=leaky is LeakyReLU(0.1); [shortcut] is an add,
// [route] a concat, [upsample] nearest x2; a [maxpool] pads size-1 pixels
// at the bottom/right so that size=2 stride=1 keeps the map size.
// The [yolo]/[region] layers are decoding, not network: the outputs are the
// raw 1x1 head convolutions that feed them.
#include <string>
#include <vector>

#include "zoo/families.h"

namespace eb::zoo {
namespace {

// Appends cfg sections, remembering each section's output for routes.
class DarknetWriter {
 public:
  explicit DarknetWriter(GraphBuilder& b) : b_(b) {}

  // [convolutional] batch_normalize=1 activation=leaky
  ValueId conv_bn_leaky(ValueId x, int64_t filters, int64_t size, int64_t stride = 1) {
    const std::string n = next();
    x = b_.conv2d(x, filters, size, stride, size / 2, 1, /*bias=*/false, n + ".conv");
    x = b_.batch_norm(x, 1e-5f, n + ".bn");
    return push(b_.leaky_relu(x, 0.1f, n + ".leaky"));
  }
  // [convolutional] without batch norm, activation=linear: a detection head.
  ValueId conv_linear(ValueId x, int64_t filters, int64_t size) {
    return push(b_.conv2d(x, filters, size, 1, size / 2, 1, /*bias=*/true, next() + ".conv"));
  }
  // [maxpool]: Darknet's default padding is size - 1, all of it at the end.
  ValueId max_pool(ValueId x, int64_t size, int64_t stride) {
    PoolSpec p;
    p.kernel = {size, size};
    p.stride = {stride, stride};
    p.pads = {0, 0, size - 1, size - 1};
    return push(b_.max_pool(x, p, next() + ".maxpool"));
  }
  // [shortcut] from=-3 activation=linear
  ValueId shortcut(ValueId x, int from) { return push(b_.add(x, at(from), next() + ".shortcut")); }
  // [route] layers = ... (absolute or relative indices)
  ValueId route(const std::vector<int>& layers) {
    std::vector<ValueId> parts;
    for (int l : layers) parts.push_back(at(l));
    if (parts.size() == 1) {
      next();  // a single-layer route is only a reference: no node
      return push(parts[0]);
    }
    return push(b_.concat(parts, 1, next() + ".route"));
  }
  ValueId upsample(ValueId x) { return push(b_.upsample(x, 2, next() + ".upsample")); }
  // [yolo] / [region]: decoding only; occupies an index, passes its input on.
  ValueId detection(ValueId x) {
    next();
    return push(x);
  }

 private:
  std::string next() { return "layer" + std::to_string(index_++); }
  ValueId push(ValueId v) {
    outputs_.push_back(v);
    return v;
  }
  // Darknet indices: negative counts back from the layer being written.
  ValueId at(int layer) const {
    const int index = layer < 0 ? static_cast<int>(outputs_.size()) + layer : layer;
    return outputs_.at(static_cast<std::size_t>(index));
  }

  GraphBuilder& b_;
  std::vector<ValueId> outputs_;
  int index_ = 0;
};

// Darknet-53 residual unit: 1x1 halving, 3x3 restoring, add.
ValueId residual(DarknetWriter& d, ValueId x, int64_t filters) {
  ValueId y = d.conv_bn_leaky(x, filters / 2, 1);
  y = d.conv_bn_leaky(y, filters, 3);
  return d.shortcut(y, -3);
}

// Five alternating 1x1/3x3 convs, then a 3x3 and the 255-channel head.
// Returns the head; *branch receives the fifth conv, which feeds the next scale.
ValueId yolo_head(DarknetWriter& d, ValueId x, int64_t filters, ValueId* branch) {
  for (int i = 0; i < 2; ++i) {
    x = d.conv_bn_leaky(x, filters, 1);
    x = d.conv_bn_leaky(x, filters * 2, 3);
  }
  *branch = d.conv_bn_leaky(x, filters, 1);
  x = d.conv_bn_leaky(*branch, filters * 2, 3);
  constexpr int64_t kHeadChannels = 3 * (80 + 5);  // 3 anchors x (80 COCO classes + box + objectness)
  x = d.conv_linear(x, kHeadChannels, 1);
  d.detection(x);
  return x;
}

}  // namespace

Result<Graph> build_yolov3(const BuildOptions& options) {
  GraphBuilder b("yolov3", options.seed, options.weights);
  const int64_t side = input_side(options, 224);
  DarknetWriter d(b);
  ValueId x = b.input("input", Shape{1, 3, side, side});
  // Darknet-53 backbone, layers 0-74.
  x = d.conv_bn_leaky(x, 32, 3);
  const int repeats[5] = {1, 2, 8, 8, 4};
  for (int stage = 0; stage < 5; ++stage) {
    const int64_t filters = int64_t{64} << stage;
    x = d.conv_bn_leaky(x, filters, 3, 2);
    for (int i = 0; i < repeats[stage]; ++i) x = residual(d, x, filters);
  }
  // Three scales, coarse to fine; each upsamples the previous branch and
  // joins the backbone's map of the same stride (layers 61 and 36).
  ValueId branch = kNoValue;
  const ValueId head32 = yolo_head(d, x, 512, &branch);  // layers 75-82
  d.route({-4});
  x = d.upsample(d.conv_bn_leaky(branch, 256, 1));
  x = d.route({-1, 61});
  const ValueId head16 = yolo_head(d, x, 256, &branch);  // layers 87-94
  d.route({-4});
  x = d.upsample(d.conv_bn_leaky(branch, 128, 1));
  x = d.route({-1, 36});
  const ValueId head8 = yolo_head(d, x, 128, &branch);  // layers 99-106
  b.output(head32);
  b.output(head16);
  b.output(head8);
  return std::move(b).finish();
}

Result<Graph> build_tiny_yolo(const BuildOptions& options) {
  GraphBuilder b("tiny_yolo", options.seed, options.weights);
  const int64_t side = input_side(options, 224);
  DarknetWriter d(b);
  ValueId x = b.input("input", Shape{1, 3, side, side});
  for (int64_t filters = 16; filters <= 512; filters *= 2) {
    x = d.conv_bn_leaky(x, filters, 3);
    x = d.max_pool(x, 2, filters == 512 ? 1 : 2);  // the last pool keeps 7x7 (at 224)
  }
  x = d.conv_bn_leaky(x, 1024, 3);
  x = d.conv_bn_leaky(x, 1024, 3);
  constexpr int64_t kRegionChannels = 5 * (20 + 5);  // 5 anchors x (20 VOC classes + box + objectness)
  x = d.conv_linear(x, kRegionChannels, 1);
  d.detection(x);
  b.output(x);
  return std::move(b).finish();
}

}  // namespace eb::zoo
