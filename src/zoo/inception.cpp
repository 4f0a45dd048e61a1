// Inception-v4 (Szegedy et al. 2017, Figure 9): stem, 4 x Inception-A,
// Reduction-A, 7 x Inception-B, Reduction-B, 3 x Inception-C, global
// average pool and FC1000; no auxiliary head. Every convolution is
// conv (no bias) + BatchNorm (eps 1e-3) + ReLU, as in the reference
// implementations. "valid" marks the paper's V-padded layers; every other
// convolution keeps the map size.
#include <string>
#include <vector>

#include "zoo/families.h"

namespace eb::zoo {
namespace {

// Writes one module's layers, naming them "<module>.conv<i>".
class Module {
 public:
  Module(GraphBuilder& b, std::string name) : b_(b), name_(std::move(name)) {}

  // kh x kw convolution; symmetric padding that keeps the size unless valid.
  ValueId conv(ValueId x, int64_t out, int64_t kh, int64_t kw, int64_t stride = 1, bool valid = false) {
    ConvSpec c;
    c.out_channels = out;
    c.kernel = {kh, kw};
    c.stride = {stride, stride};
    c.pads = valid ? std::vector<int64_t>{0, 0, 0, 0} : std::vector<int64_t>{kh / 2, kw / 2, kh / 2, kw / 2};
    c.bias = false;
    const std::string n = name_ + ".conv" + std::to_string(count_++);
    return b_.relu(b_.batch_norm(b_.conv(x, c, n), 1e-3f, n + ".bn"));
  }
  ValueId valid_conv(ValueId x, int64_t out, int64_t stride) { return conv(x, out, 3, 3, stride, true); }
  ValueId max_pool(ValueId x) { return b_.max_pool2d(x, 3, 2, 0, name_ + ".pool" + std::to_string(count_++)); }
  // 3x3/1 average pool that ignores the padding, then a 1x1 projection.
  ValueId pool_proj(ValueId x, int64_t out) {
    const ValueId p = b_.avg_pool2d(x, 3, 1, 1, name_ + ".pool" + std::to_string(count_++));
    return conv(p, out, 1, 1);
  }
  ValueId concat(const std::vector<ValueId>& branches) { return b_.concat(branches, 1, name_ + ".concat" + std::to_string(count_++)); }

 private:
  GraphBuilder& b_;
  std::string name_;
  int count_ = 0;
};

ValueId stem(GraphBuilder& b, ValueId x) {
  Module m(b, "stem");
  x = m.valid_conv(x, 32, 2);
  x = m.valid_conv(x, 32, 1);
  x = m.conv(x, 64, 3, 3);
  const ValueId p1 = m.max_pool(x);
  const ValueId c1 = m.valid_conv(x, 96, 2);
  x = m.concat({p1, c1});  // 160
  ValueId left = m.conv(x, 64, 1, 1);
  left = m.valid_conv(left, 96, 1);
  ValueId right = m.conv(x, 64, 1, 1);
  right = m.conv(right, 64, 1, 7);
  right = m.conv(right, 64, 7, 1);
  right = m.valid_conv(right, 96, 1);
  x = m.concat({left, right});  // 192
  const ValueId c2 = m.valid_conv(x, 192, 2);
  const ValueId p2 = m.max_pool(x);
  return m.concat({c2, p2});  // 384
}

ValueId inception_a(GraphBuilder& b, ValueId x, const std::string& name) {
  Module m(b, name);
  const ValueId b0 = m.conv(x, 96, 1, 1);
  const ValueId b1 = m.conv(m.conv(x, 64, 1, 1), 96, 3, 3);
  const ValueId b2 = m.conv(m.conv(m.conv(x, 64, 1, 1), 96, 3, 3), 96, 3, 3);
  const ValueId b3 = m.pool_proj(x, 96);
  return m.concat({b0, b1, b2, b3});  // 384
}

ValueId reduction_a(GraphBuilder& b, ValueId x) {
  Module m(b, "reduction_a");
  const ValueId b0 = m.valid_conv(x, 384, 2);
  const ValueId b1 = m.valid_conv(m.conv(m.conv(x, 192, 1, 1), 224, 3, 3), 256, 2);
  const ValueId b2 = m.max_pool(x);
  return m.concat({b0, b1, b2});  // 1024
}

ValueId inception_b(GraphBuilder& b, ValueId x, const std::string& name) {
  Module m(b, name);
  const ValueId b0 = m.conv(x, 384, 1, 1);
  ValueId b1 = m.conv(x, 192, 1, 1);
  b1 = m.conv(m.conv(b1, 224, 1, 7), 256, 7, 1);
  ValueId b2 = m.conv(x, 192, 1, 1);
  b2 = m.conv(m.conv(b2, 192, 7, 1), 224, 1, 7);
  b2 = m.conv(m.conv(b2, 224, 7, 1), 256, 1, 7);
  const ValueId b3 = m.pool_proj(x, 128);
  return m.concat({b0, b1, b2, b3});  // 1024
}

ValueId reduction_b(GraphBuilder& b, ValueId x) {
  Module m(b, "reduction_b");
  const ValueId b0 = m.valid_conv(m.conv(x, 192, 1, 1), 192, 2);
  ValueId b1 = m.conv(x, 256, 1, 1);
  b1 = m.conv(m.conv(b1, 256, 1, 7), 320, 7, 1);
  b1 = m.valid_conv(b1, 320, 2);
  const ValueId b2 = m.max_pool(x);
  return m.concat({b0, b1, b2});  // 1536
}

ValueId inception_c(GraphBuilder& b, ValueId x, const std::string& name) {
  Module m(b, name);
  const ValueId b0 = m.conv(x, 256, 1, 1);
  const ValueId t1 = m.conv(x, 384, 1, 1);
  const ValueId b1a = m.conv(t1, 256, 1, 3);
  const ValueId b1b = m.conv(t1, 256, 3, 1);
  ValueId t2 = m.conv(x, 384, 1, 1);
  t2 = m.conv(m.conv(t2, 448, 3, 1), 512, 1, 3);
  const ValueId b2a = m.conv(t2, 256, 1, 3);
  const ValueId b2b = m.conv(t2, 256, 3, 1);
  const ValueId b3 = m.pool_proj(x, 256);
  return m.concat({b0, b1a, b1b, b2a, b2b, b3});  // 1536
}

}  // namespace

Result<Graph> build_inception_v4(const BuildOptions& options) {
  GraphBuilder b("inception_v4", options.seed, options.weights);
  const int64_t side = input_side(options, 224);
  ValueId x = b.input("input", Shape{1, 3, side, side});
  x = stem(b, x);
  for (int i = 0; i < 4; ++i) x = inception_a(b, x, "inception_a" + std::to_string(i));
  x = reduction_a(b, x);
  for (int i = 0; i < 7; ++i) x = inception_b(b, x, "inception_b" + std::to_string(i));
  x = reduction_b(b, x);
  for (int i = 0; i < 3; ++i) x = inception_c(b, x, "inception_c" + std::to_string(i));
  x = b.flatten(b.global_avg_pool(x, "avg_pool"));
  b.output(b.dense(x, 1000, true, "last_linear"));
  return std::move(b).finish();
}

}  // namespace eb::zoo
