// AlexNet as the study wrote it (ZOO.md), not Krizhevsky's exact layout:
// "same" convolutions, 2x2/2 max pools, an LRN after every convolution and
// five convolutions of 96, 256, 384, 384, 384 channels, so that fc6 reads
// 384x7x7 at 224x224. No grouped convolutions. Ends in a softmax.
#include <string>

#include "zoo/families.h"

namespace eb::zoo {
namespace {

// Caffe's bvlc_alexnet LRN (its alpha is divided by size, as in ONNX).
ValueId lrn(GraphBuilder& b, ValueId x, const std::string& name) { return b.lrn(x, 5, 1e-4f, 0.75f, 1.0f, name); }

ValueId conv_relu_lrn(GraphBuilder& b, ValueId x, int64_t out, int64_t kernel, int64_t stride, int index) {
  const std::string n = std::to_string(index);
  x = b.relu(b.conv2d(x, out, kernel, stride, kSamePadding, 1, true, "conv" + n));
  return lrn(b, x, "norm" + n);
}

}  // namespace

Result<Graph> build_alexnet(const BuildOptions& options) {
  GraphBuilder b("alexnet", options.seed, options.weights);
  const int64_t side = input_side(options, 224);
  ValueId x = b.input("input", Shape{1, 3, side, side});
  x = b.max_pool2d(conv_relu_lrn(b, x, 96, 11, 4, 1), 2, 2, 0, "pool1");   // 224 -> 56 -> 28
  x = b.max_pool2d(conv_relu_lrn(b, x, 256, 5, 1, 2), 2, 2, 0, "pool2");   // 28 -> 14
  x = conv_relu_lrn(b, x, 384, 3, 1, 3);
  x = conv_relu_lrn(b, x, 384, 3, 1, 4);
  x = b.max_pool2d(conv_relu_lrn(b, x, 384, 3, 1, 5), 2, 2, 0, "pool5");   // 14 -> 7
  x = b.flatten(x);
  x = b.relu(b.dense(x, 4096, true, "fc6"));
  x = b.relu(b.dense(x, 4096, true, "fc7"));
  x = b.dense(x, 1000, true, "fc8");
  b.output(b.softmax(x, -1, "prob"));
  return std::move(b).finish();
}

}  // namespace eb::zoo
