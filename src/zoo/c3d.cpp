// C3D (Tran et al. 2015) as in the study's code: eight 3x3x3 convolutions,
// five 3-D max pools (the first spatial only, to keep early temporal
// detail), and fc6/fc7/fc8 for the 487 Sports-1M classes.
//
// Input 1x3x16x112x112. The study lists 12 frames, but pools 2-4 halve the
// depth 12 -> 6 -> 3 -> 1 and pool5's 2-deep window then has nothing to
// read; the design needs 16 frames (16 -> 8 -> 4 -> 2 -> 1), its original
// clip length. pool5 pads H and W by one so that 7x7 becomes 4x4 and fc6
// reads 512x1x4x4 = 8192 features.
#include <string>

#include "zoo/families.h"

namespace eb::zoo {
namespace {

constexpr int64_t kFrames = 16;

ValueId conv3d_relu(GraphBuilder& b, ValueId x, int64_t out, const std::string& name) {
  ConvSpec c;
  c.out_channels = out;
  c.kernel = {3, 3, 3};
  c.pads = {1, 1, 1, 1, 1, 1};
  return b.relu(b.conv(x, c, name));
}

// kernel = stride = (depth, 2, 2); pad_hw pads H and W at both ends.
ValueId pool3d(GraphBuilder& b, ValueId x, int64_t depth, int64_t pad_hw, const std::string& name) {
  PoolSpec p;
  p.kernel = {depth, 2, 2};
  p.stride = {depth, 2, 2};
  p.pads = {0, pad_hw, pad_hw, 0, pad_hw, pad_hw};
  return b.max_pool(x, p, name);
}

}  // namespace

Result<Graph> build_c3d(const BuildOptions& options) {
  GraphBuilder b("c3d", options.seed, options.weights);
  const int64_t side = input_side(options, 112);
  ValueId x = b.input("input", Shape{1, 3, kFrames, side, side});
  x = pool3d(b, conv3d_relu(b, x, 64, "conv1a"), 1, 0, "pool1");
  x = pool3d(b, conv3d_relu(b, x, 128, "conv2a"), 2, 0, "pool2");
  x = conv3d_relu(b, x, 256, "conv3a");
  x = pool3d(b, conv3d_relu(b, x, 256, "conv3b"), 2, 0, "pool3");
  x = conv3d_relu(b, x, 512, "conv4a");
  x = pool3d(b, conv3d_relu(b, x, 512, "conv4b"), 2, 0, "pool4");
  x = conv3d_relu(b, x, 512, "conv5a");
  x = pool3d(b, conv3d_relu(b, x, 512, "conv5b"), 2, 1, "pool5");
  x = b.flatten(x);
  x = b.relu(b.dense(x, 4096, true, "fc6"));
  x = b.relu(b.dense(x, 4096, true, "fc7"));
  b.output(b.dense(x, 487, true, "fc8"));
  return std::move(b).finish();
}

}  // namespace eb::zoo
