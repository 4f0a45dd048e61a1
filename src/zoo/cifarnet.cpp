// CifarNet as the study wrote it (ZOO.md): two 5x5 "valid" convolutions
// with BatchNorm and 2x2 pools, then three FC layers. 32 -> 28 -> 14 -> 10
// -> 5, so fc3 reads 64x5x5 = 1600 features.
#include "zoo/families.h"

namespace eb::zoo {

Result<Graph> build_cifarnet(const BuildOptions& options) {
  GraphBuilder b("cifarnet", options.seed, options.weights);
  const int64_t side = input_side(options, 32);
  ValueId x = b.input("input", Shape{1, 3, side, side});
  x = b.conv2d(x, 64, 5, 1, 0, 1, true, "conv1");
  x = b.max_pool2d(b.relu(b.batch_norm(x, 1e-5f, "bn1")), 2, 2, 0, "pool1");
  x = b.conv2d(x, 64, 5, 1, 0, 1, true, "conv2");
  x = b.max_pool2d(b.relu(b.batch_norm(x, 1e-5f, "bn2")), 2, 2, 0, "pool2");
  x = b.flatten(x);
  x = b.relu(b.dense(x, 384, true, "fc3"));
  x = b.relu(b.dense(x, 192, true, "fc4"));
  b.output(b.dense(x, 10, true, "logits"));
  return std::move(b).finish();
}

}  // namespace eb::zoo
