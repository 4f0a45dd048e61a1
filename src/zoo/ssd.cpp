// SSD (Liu et al. 2016) on a MobileNet-v1 feature extractor at 300x300, in
// its light form ("SSDLite", Sandler et al. 2018; TF object detection API's
// ssdlite_mobilenet_v1): the extra feature layers and the box/class
// predictors use 3x3 depthwise-separable convolutions instead of full 3x3
// convolutions. Why: full 3x3 predictors for 91 classes alone would hold
// ~12 M parameters, far from the study's 4.23 M; the separable form is the
// published mobile design closest to it (5.25 M; docs/zoo.md explains the
// rest of the gap: the study's figure is the MobileNet-v1 classifier's).
//
// Six feature maps, 19, 10, 5, 3, 2, 1 at 300x300: MobileNet's conv11 and
// conv13 outputs and four extra layers. Anchors per location: 3 on the
// first map, 6 on the others (TF's ssd_mobilenet_v1 anchor generator), 1917
// in all. 91 classes (90 COCO labels + background). The outputs are the
// raw predictor tensors, box then class for each map in order; anchor
// decoding and NMS are post-processing and are not in the graph.
#include <string>

#include "zoo/families.h"

namespace eb::zoo {
namespace {

constexpr float kEpsilon = 1e-3f;  // TF's batch-norm epsilon
constexpr int64_t kClasses = 91;
constexpr int64_t kBoxCode = 4;  // (ty, tx, th, tw)

// 3x3 depthwise + BN + ReLU6, TF "same" padding.
ValueId depthwise_bn_relu6(GraphBuilder& b, ValueId x, int64_t stride, const std::string& name) {
  const int64_t channels = b.shape(x)[1];
  x = b.conv2d(x, channels, 3, stride, kSamePadding, channels, false, name);
  return b.relu6(b.batch_norm(x, kEpsilon, name + ".bn"));
}

ValueId pointwise_bn_relu6(GraphBuilder& b, ValueId x, int64_t out, const std::string& name) {
  x = b.conv2d(x, out, 1, 1, 0, 1, false, name);
  return b.relu6(b.batch_norm(x, kEpsilon, name + ".bn"));
}

// Extra feature layer: 1x1 to half depth, then a separable 3x3/2 to full depth.
ValueId extra_layer(GraphBuilder& b, ValueId x, int64_t depth, int index) {
  const std::string n = "extra" + std::to_string(index);
  x = pointwise_bn_relu6(b, x, depth / 2, n + ".reduce");
  x = depthwise_bn_relu6(b, x, 2, n + ".depthwise");
  return pointwise_bn_relu6(b, x, depth, n + ".pointwise");
}

// Separable predictor: 3x3 depthwise (+BN, ReLU6), then a 1x1 with bias
// and no activation, giving outputs_per_anchor values for every anchor.
ValueId predictor(GraphBuilder& b, ValueId x, int64_t anchors, int64_t outputs_per_anchor, const std::string& name) {
  x = depthwise_bn_relu6(b, x, 1, name + ".depthwise");
  return b.conv2d(x, anchors * outputs_per_anchor, 1, 1, 0, 1, true, name + ".pointwise");
}

}  // namespace

Result<Graph> build_ssd_mobilenet_v1(const BuildOptions& options) {
  GraphBuilder b("ssd_mobilenet_v1", options.seed, options.weights);
  const int64_t side = input_side(options, 300);
  const ValueId input = b.input("input", Shape{1, 3, side, side});
  const MobileNetV1Features backbone = mobilenet_v1_features(b, input);

  ValueId maps[6] = {backbone.conv11, backbone.conv13};
  const int64_t extra_depths[4] = {512, 256, 256, 128};
  for (int i = 0; i < 4; ++i) maps[2 + i] = extra_layer(b, maps[1 + i], extra_depths[i], i + 1);

  for (int i = 0; i < 6; ++i) {
    const int64_t anchors = i == 0 ? 3 : 6;  // fewer boxes on the finest map
    const std::string n = "head" + std::to_string(i);
    b.output(predictor(b, maps[i], anchors, kBoxCode, n + ".box"));
    b.output(predictor(b, maps[i], anchors, kClasses, n + ".class"));
  }
  return std::move(b).finish();
}

}  // namespace eb::zoo
