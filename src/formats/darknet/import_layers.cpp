// One function per Darknet layer type, each following its parse_*() and
// forward_*_layer() in Darknet (pjreddie, 2018), inference mode.
#include <numeric>

#include "formats/darknet/importer.h"

namespace eb::darknet_format::detail {
namespace {

Status must_be_off(const Options& o, std::string_view key, const std::string& why) {
  EB_ASSIGN_OR_RETURN(const int64_t v, o.integer(key, 0));
  if (v != 0)
    return unsupported(o.section().where() + ": " + std::string(key) + "=" + std::to_string(v) + " (" + why +
                       ") has no expression in the graph IR");
  return Status::ok();
}

Result<int64_t> required_integer(const Options& o, std::string_view key) {
  if (!o.has(key)) return o.error(key, "is required");
  return o.integer(key, 0);
}

// `m` is [rows][cols]; the result is [cols][rows] (Darknet's transpose_matrix).
std::vector<float> transposed(const std::vector<float>& m, int64_t rows, int64_t cols) {
  std::vector<float> t(m.size());
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) t[c * rows + r] = m[r * cols + c];
  return t;
}

// (An output too large to count is caught by the size check after the layer.)
LayerOut image_out(ValueId v, int64_t c, int64_t h, int64_t w) { return LayerOut{v, c, h, w, product({c, h, w}).value_or(-1), {}}; }

std::string dims(int64_t c, int64_t h, int64_t w) {
  return std::to_string(c) + "x" + std::to_string(h) + "x" + std::to_string(w);
}

}  // namespace

ValueId Importer::batch_norm(ValueId x, int64_t n, std::vector<float> scales, std::vector<float> biases,
                             std::vector<float> mean, std::vector<float> variance) {
  return b_.node(OpKind::BatchNorm,
                 {x, constant("bn.scale", Shape{n}, std::move(scales)), constant("bn.bias", Shape{n}, std::move(biases)),
                  constant("bn.mean", Shape{n}, std::move(mean)), constant("bn.var", Shape{n}, std::move(variance))},
                 BatchNormAttrs{kBatchNormEpsilon}, name("bn"));
}

Result<LayerOut> Importer::convolutional(const Options& o) {
  EB_ASSIGN_OR_RETURN(const int64_t n, o.integer_at_least("filters", 1, 1));
  EB_ASSIGN_OR_RETURN(const int64_t size, o.integer_at_least("size", 1, 1));
  EB_ASSIGN_OR_RETURN(const int64_t stride, o.integer_at_least("stride", 1, 1));
  EB_ASSIGN_OR_RETURN(const int64_t groups, o.integer_at_least("groups", 1, 1));
  EB_ASSIGN_OR_RETURN(const int64_t pad, o.integer("pad", 0));
  EB_ASSIGN_OR_RETURN(int64_t padding, o.integer_at_least("padding", 0, 0));
  if (pad != 0) padding = size / 2;  // pad=1 overrides padding=N
  // (size=1 with stride > 1 keeps its strided meaning here, as on Darknet's
  // GPU; its CPU code skips the stride of 1x1 kernels, see docs/formats.md.)
  EB_ASSIGN_OR_RETURN(const int64_t bn, o.integer("batch_normalize", 0));
  EB_ASSIGN_OR_RETURN(const int64_t flipped, o.integer("flipped", 0));
  EB_RETURN_IF_ERROR(must_be_off(o, "binary", "binarized weights"));
  EB_RETURN_IF_ERROR(must_be_off(o, "xnor", "XNOR inputs and weights"));
  EB_ASSIGN_OR_RETURN(const ValueId x, image(prev_, o));
  const int64_t c = prev_.c;
  if (c % groups != 0 || n % groups != 0)
    return o.error("groups", "must divide both the input channels (" + std::to_string(c) + ") and filters=" + std::to_string(n));
  EB_ASSIGN_OR_RETURN(const int64_t count, elements({n, c / groups, size, size}, o.section().where() + ": weights"));

  ValueId y;
  if (weights_given()) {
    // File order: biases, [scales, rolling_mean, rolling_variance], weights.
    EB_ASSIGN_OR_RETURN(std::vector<float> biases, take(n, "biases"));
    std::vector<float> scales, mean, variance;
    if (bn) {
      EB_ASSIGN_OR_RETURN(scales, take(n, "scales"));
      EB_ASSIGN_OR_RETURN(mean, take(n, "rolling_mean"));
      EB_ASSIGN_OR_RETURN(variance, take(n, "rolling_variance"));
    }
    EB_ASSIGN_OR_RETURN(std::vector<float> w, take(count, "weights"));
    if (flipped) {
      if (groups != 1) return unsupported(o.section().where() + ": flipped=1 with groups > 1 (Darknet transposes those inconsistently)");
      w = transposed(w, c * size * size, n);
    }
    std::vector<ValueId> inputs = {x, constant("conv.weight", Shape{n, c / groups, size, size}, std::move(w))};
    if (!bn) inputs.push_back(constant("conv.bias", Shape{n}, biases));
    const ConvAttrs a{{size, size}, {stride, stride}, {1, 1}, {padding, padding, padding, padding}, groups};
    y = b_.node(OpKind::Conv, std::move(inputs), a, name("conv"));
    if (bn) y = batch_norm(y, n, std::move(scales), std::move(biases), std::move(mean), std::move(variance));
  } else {
    EB_RETURN_IF_ERROR(charge(count + n * (bn ? 4 : 1), "layer " + std::to_string(index_) + " weights"));
    const ConvSpec spec{n, {size, size}, {stride, stride}, {padding, padding, padding, padding}, {}, groups, bn == 0};
    y = b_.conv(x, spec, name("conv"));
    if (bn) y = b_.batch_norm(y, kBatchNormEpsilon, name("bn"));
  }
  if (!b_.ok()) return builder_error(o);
  const Shape s = b_.shape(y);
  EB_ASSIGN_OR_RETURN(y, activate(y, o, "logistic"));
  return image_out(y, n, s[2], s[3]);
}

Result<LayerOut> Importer::connected(const Options& o) {
  EB_ASSIGN_OR_RETURN(const int64_t out, o.integer_at_least("output", 1, 1));
  EB_ASSIGN_OR_RETURN(const int64_t bn, o.integer("batch_normalize", 0));
  EB_ASSIGN_OR_RETURN(const ValueId x, flat(prev_, o));
  const int64_t in = prev_.outputs;
  EB_ASSIGN_OR_RETURN(const int64_t count, elements({out, in}, o.section().where() + ": weights"));

  ValueId y;
  if (weights_given()) {
    // File order: biases, weights [out][in], [scales, rolling_mean, rolling_variance].
    EB_ASSIGN_OR_RETURN(std::vector<float> biases, take(out, "biases"));
    EB_ASSIGN_OR_RETURN(std::vector<float> w, take(count, "weights"));
    if (weights_ && weights_->header().transposed_connected()) w = transposed(w, in, out);
    std::vector<ValueId> inputs = {x, constant("fc.weight", Shape{out, in}, std::move(w))};
    if (!bn) inputs.push_back(constant("fc.bias", Shape{out}, biases));
    y = b_.node(OpKind::Gemm, std::move(inputs), NoAttrs{}, name("fc"));
    if (bn) {
      EB_ASSIGN_OR_RETURN(std::vector<float> scales, take(out, "scales"));
      EB_ASSIGN_OR_RETURN(std::vector<float> mean, take(out, "rolling_mean"));
      EB_ASSIGN_OR_RETURN(std::vector<float> variance, take(out, "rolling_variance"));
      y = batch_norm(y, out, std::move(scales), std::move(biases), std::move(mean), std::move(variance));
    }
  } else {
    EB_RETURN_IF_ERROR(charge(count + out * (bn ? 4 : 1), "layer " + std::to_string(index_) + " weights"));
    y = b_.dense(x, out, bn == 0, name("fc"));
    if (bn) y = b_.batch_norm(y, kBatchNormEpsilon, name("bn"));
  }
  EB_ASSIGN_OR_RETURN(y, activate(y, o, "logistic"));
  return LayerOut{y, out, 1, 1, out, {}};  // Darknet: out_c = outputs, out_h = out_w = 1
}

Result<LayerOut> Importer::maxpool(const Options& o) {
  EB_ASSIGN_OR_RETURN(const int64_t stride, o.integer_at_least("stride", 1, 1));
  EB_ASSIGN_OR_RETURN(const int64_t size, o.integer_at_least("size", stride, 1));
  EB_ASSIGN_OR_RETURN(const int64_t padding, o.integer_at_least("padding", size - 1, 0));
  EB_ASSIGN_OR_RETURN(const ValueId x, image(prev_, o));
  // Darknet: out = (in + padding - size) / stride + 1, windows start at
  // -padding/2. As pads: padding/2 before, the rest after (never read past
  // what Darknet reads, so the maxima agree).
  const int64_t begin = padding / 2, end = padding - begin;
  if (end >= size)
    return unsupported(o.section().where() + ": padding=" + std::to_string(padding) + " with size=" + std::to_string(size) +
                       " puts whole windows in the padding, which our MaxPool does not allow");
  const ValueId y = b_.max_pool(x, PoolSpec{{size, size}, {stride, stride}, {begin, begin, end, end}}, name("maxpool"));
  if (!b_.ok()) return builder_error(o);
  const Shape s = b_.shape(y);
  return image_out(y, prev_.c, s[2], s[3]);
}

Result<LayerOut> Importer::avgpool(const Options& o) {
  EB_ASSIGN_OR_RETURN(const ValueId x, image(prev_, o));  // Darknet's avgpool is always global
  return image_out(b_.global_avg_pool(x, name("avgpool")), prev_.c, 1, 1);
}

Result<LayerOut> Importer::route(const Options& o) {
  for (const char* key : {"groups", "group_id"})
    if (o.has(key))
      return unsupported(o.section().where() + ": " + key + "= (a channel split of newer Darknet forks; this Darknet ignores it)");
  EB_ASSIGN_OR_RETURN(const std::vector<int64_t> refs, o.integers("layers"));
  std::vector<int> from;
  for (int64_t r : refs) {
    EB_ASSIGN_OR_RETURN(const int i, reference(o, "layers", r));
    from.push_back(i);
  }
  // Darknet: the first layer's dims; channels add up while w and h agree with
  // the first, and a mismatch zeroes the dims (a flat concatenation).
  const LayerOut& first = layers_[from[0]];
  LayerOut out{kNoValue, first.c, first.h, first.w, first.outputs, {}};
  for (std::size_t k = 1; k < from.size(); ++k) {
    const LayerOut& next = layers_[from[k]];
    out.outputs += next.outputs;
    if (next.w == first.w && next.h == first.h) {
      out.c += next.c;
    } else {
      out.c = out.h = out.w = 0;
    }
  }
  if (from.size() == 1) {
    out.value = first.value;  // a plain jump back: no node
    return out;
  }
  std::vector<ValueId> parts;
  for (int i : from) {
    EB_ASSIGN_OR_RETURN(const ValueId v, out.is_image() ? image(layers_[i], o) : flat(layers_[i], o));
    parts.push_back(v);
  }
  out.value = b_.concat(parts, 1, name("route"));
  return out;
}

Result<LayerOut> Importer::shortcut(const Options& o) {
  EB_ASSIGN_OR_RETURN(const int64_t ref, required_integer(o, "from"));
  EB_ASSIGN_OR_RETURN(const int i, reference(o, "from", ref));
  EB_ASSIGN_OR_RETURN(const float alpha, o.real("alpha", 1.0f));
  EB_ASSIGN_OR_RETURN(const float beta, o.real("beta", 1.0f));
  if (alpha != 1.0f || beta != 1.0f)
    return unsupported(o.section().where() + ": alpha/beta other than 1 (a weighted sum) have no expression in the graph IR");
  const LayerOut& from = layers_[i];
  EB_ASSIGN_OR_RETURN(const ValueId x, image(prev_, o));
  EB_ASSIGN_OR_RETURN(ValueId f, image(from, o));
  // Darknet adds `from` subsampled by w_from / w (when larger) into the first
  // min(c_from, c) channels: ResNet's parameter-free "option A" shortcut. As
  // a 1x1 MaxPool with that stride, then zero channels (or, with more
  // channels than needed, a one-hot 1x1 convolution that keeps the first c).
  const int64_t stride = from.w / prev_.w;
  if (stride < 1 || from.w != stride * prev_.w || from.h != stride * prev_.h)
    return unsupported(o.section().where() + ": adds layer " + std::to_string(i) + " (" + dims(from.c, from.h, from.w) +
                       ") to " + dims(prev_.c, prev_.h, prev_.w) + ": only a whole-stride subsample of the larger input has an expression");
  if (from.c > prev_.c) {
    EB_ASSIGN_OR_RETURN(const int64_t count, elements({prev_.c, from.c}, o.section().where() + ": channel selection"));
    EB_RETURN_IF_ERROR(charge(count, "layer " + std::to_string(index_) + " channel selection"));
    std::vector<float> keep(static_cast<std::size_t>(count), 0.0f);
    for (int64_t k = 0; k < prev_.c; ++k) keep[static_cast<std::size_t>(k * from.c + k)] = 1.0f;
    const ValueId w = constant("shortcut.weight", Shape{prev_.c, from.c, 1, 1}, std::move(keep));
    f = b_.node(OpKind::Conv, {f, w}, ConvAttrs{{1, 1}, {stride, stride}, {1, 1}, {0, 0, 0, 0}, 1}, name("shortcut_select"));
  } else {
    if (stride > 1) f = b_.max_pool(f, PoolSpec{{1, 1}, {stride, stride}, {0, 0, 0, 0}}, name("shortcut_subsample"));
    if (from.c < prev_.c) f = b_.pad(f, {0, 0, 0, 0, 0, prev_.c - from.c, 0, 0}, 0.0f, name("shortcut_pad"));
  }
  EB_ASSIGN_OR_RETURN(const ValueId y, activate(b_.add(x, f, name("shortcut")), o, "linear"));
  return image_out(y, prev_.c, prev_.h, prev_.w);
}

Result<LayerOut> Importer::softmax(const Options& o) {
  EB_ASSIGN_OR_RETURN(const int64_t groups, o.integer_at_least("groups", 1, 1));
  EB_ASSIGN_OR_RETURN(const float temperature, o.real("temperature", 1.0f));
  EB_ASSIGN_OR_RETURN(const float spatial, o.real("spatial", 0.0f));
  if (o.has("tree")) return unsupported(o.section().where() + ": tree= (a hierarchical softmax over a label tree) has no expression in the graph IR");
  if (spatial != 0.0f) return unsupported(o.section().where() + ": spatial=1 (Darknet's CPU and GPU code disagree on its meaning)");
  if (temperature <= 0.0f) return o.error("temperature", "must be positive");
  // Darknet: exp(x/t - max/t) / sum, over each of `groups` equal slices.
  // Scaling before flattening keeps an image's scale a plain 1x1 convolution.
  LayerOut in = prev_;
  if (temperature != 1.0f && in.unusable.empty()) in.value = scale(in.value, 1.0f / temperature, "temperature");
  EB_ASSIGN_OR_RETURN(ValueId x, flat(in, o));
  const int64_t n = prev_.outputs;
  if (n % groups != 0) return o.error("groups", "must divide the " + std::to_string(n) + " inputs");
  ValueId y;
  if (groups == 1) {
    y = b_.softmax(x, 1, name("softmax"));
  } else {
    y = b_.reshape(x, {1, groups, n / groups}, name("softmax_groups"));
    y = b_.reshape(b_.softmax(y, 2, name("softmax")), {1, n}, name("softmax_flat"));
  }
  return LayerOut{y, 0, 0, 0, n, {}};
}

Result<LayerOut> Importer::upsample(const Options& o) {
  EB_ASSIGN_OR_RETURN(const int64_t stride, o.integer("stride", 2));
  EB_ASSIGN_OR_RETURN(const float factor, o.real("scale", 1.0f));
  if (stride < 0) return unsupported(o.section().where() + ": a negative stride (Darknet's summing downsample) has no expression");
  if (stride == 0) return o.error("stride", "must not be 0");
  EB_ASSIGN_OR_RETURN(const ValueId x, image(prev_, o));
  ValueId y = b_.upsample(x, stride, name("upsample"));  // nearest, times `scale`
  if (factor != 1.0f) y = scale(y, factor, "upsample_scale");
  return image_out(y, prev_.c, prev_.h * stride, prev_.w * stride);
}

Result<LayerOut> Importer::reorg(const Options& o) {
  EB_ASSIGN_OR_RETURN(const int64_t s, o.integer_at_least("stride", 1, 1));
  EB_ASSIGN_OR_RETURN(const int64_t extra, o.integer_at_least("extra", 0, 0));
  EB_RETURN_IF_ERROR(must_be_off(o, "flatten", "a channels-last transpose"));
  if (extra > 0) {
    // Darknet copies the inputs and leaves `extra` zeros after them (the
    // "pass" move of its Go network); out_c/h/w stay 0. It counts its inputs
    // as c*h*w, so after a layer without image dims it would copy none.
    if (!prev_.is_image()) return unsupported(o.section().where() + ": extra= after a layer without image dims (Darknet copies nothing)");
    EB_ASSIGN_OR_RETURN(const ValueId x, flat(prev_, o));
    return LayerOut{b_.pad(x, {0, 0, 0, extra}, 0.0f, name("reorg_extra")), 0, 0, 0, prev_.outputs + extra, {}};
  }
  EB_RETURN_IF_ERROR(must_be_off(o, "reverse", "depth to space"));
  EB_ASSIGN_OR_RETURN(const ValueId x, image(prev_, o));
  const int64_t c = prev_.c, h = prev_.h, w = prev_.w;
  if (s == 1) return prev_;
  if (h % s != 0 || w % s != 0 || c % (s * s) != 0)
    return unsupported(o.section().where() + ": stride " + std::to_string(s) + " does not divide the " + dims(c, h, w) + " input");
  // Darknet's reorg is not a plain space-to-depth: it reads its input as if
  // it were [c/s², h*s, w*s] and writes the space-to-depth of that as
  // [c, h, w] (out channel k takes channel k % (c/s²) at offset k / (c/s²)),
  // then calls it [c*s², h/s, w/s]. A strided convolution with one-hot
  // weights performs that permutation exactly.
  const int64_t oc = c / (s * s);
  EB_ASSIGN_OR_RETURN(const int64_t count, elements({c, oc, s, s}, o.section().where() + ": permutation weights"));
  EB_RETURN_IF_ERROR(charge(count, "layer " + std::to_string(index_) + " permutation"));
  std::vector<float> onehot(static_cast<std::size_t>(count), 0.0f);
  for (int64_t k = 0; k < c; ++k) {
    const int64_t offset = k / oc;
    onehot[static_cast<std::size_t>(((k * oc + k % oc) * s + offset / s) * s + offset % s)] = 1.0f;
  }
  const ValueId as_read = b_.reshape(x, {1, oc, h * s, w * s}, name("reorg_view"));
  const ValueId weight = constant("reorg.weight", Shape{c, oc, s, s}, std::move(onehot));
  const ValueId moved = b_.node(OpKind::Conv, {as_read, weight}, ConvAttrs{{s, s}, {s, s}, {1, 1}, {0, 0, 0, 0}, 1}, name("reorg"));
  return image_out(b_.reshape(moved, {1, c * s * s, h / s, w / s}, name("reorg_out")), c * s * s, h / s, w / s);
}

Result<LayerOut> Importer::crop(const Options& o) {
  EB_ASSIGN_OR_RETURN(const int64_t out_h, o.integer_at_least("crop_height", 1, 1));
  EB_ASSIGN_OR_RETURN(const int64_t out_w, o.integer_at_least("crop_width", 1, 1));
  EB_ASSIGN_OR_RETURN(const int64_t noadjust, o.integer("noadjust", 0));
  EB_ASSIGN_OR_RETURN(const ValueId x, image(prev_, o));
  const int64_t c = prev_.c;
  if (out_h > prev_.h || out_w > prev_.w)
    return o.error(out_h > prev_.h ? "crop_height" : "crop_width",
                   "is larger than the " + dims(c, prev_.h, prev_.w) + " input");
  // At inference Darknet takes the centered crop (offset rounded down) and
  // maps it to x * 2 - 1 unless noadjust=1. As a depthwise convolution with a
  // single tap: a dilated kernel spans the cropped-away border exactly.
  std::vector<int64_t> kernel, dilation, tap;
  for (const int64_t border : {prev_.h - out_h, prev_.w - out_w}) {
    const int64_t offset = border / 2;
    const int64_t step = border == 0 ? 1 : std::gcd(border, offset);
    kernel.push_back(border / step + 1);
    dilation.push_back(step);
    tap.push_back(offset / step);
  }
  EB_ASSIGN_OR_RETURN(const int64_t count, elements({c, kernel[0], kernel[1]}, o.section().where() + ": crop weights"));
  EB_RETURN_IF_ERROR(charge(count + c, "layer " + std::to_string(index_) + " crop"));
  std::vector<float> w(static_cast<std::size_t>(count), 0.0f);
  for (int64_t k = 0; k < c; ++k) w[static_cast<std::size_t>((k * kernel[0] + tap[0]) * kernel[1] + tap[1])] = noadjust ? 1.0f : 2.0f;
  std::vector<ValueId> inputs = {x, constant("crop.weight", Shape{c, 1, kernel[0], kernel[1]}, std::move(w))};
  if (!noadjust) inputs.push_back(constant("crop.bias", Shape{c}, std::vector<float>(static_cast<std::size_t>(c), -1.0f)));
  const ConvAttrs a{kernel, {1, 1}, dilation, {0, 0, 0, 0}, c};
  return image_out(b_.node(OpKind::Conv, std::move(inputs), a, name("crop")), c, out_h, out_w);
}

Result<LayerOut> Importer::batchnorm(const Options& o) {
  EB_ASSIGN_OR_RETURN(const ValueId x, image(prev_, o));
  const int64_t c = prev_.c;
  // Darknet's [batchnorm] reads scales and statistics but never its biases,
  // which stay 0. Seeded weights are the identity here, since GraphBuilder's
  // seeded BatchNorm would invent a shift this layer cannot have.
  std::vector<float> scales(c, 1.0f), mean(c, 0.0f), variance(c, 1.0f);
  if (weights_given()) {
    EB_ASSIGN_OR_RETURN(scales, take(c, "scales"));
    EB_ASSIGN_OR_RETURN(mean, take(c, "rolling_mean"));
    EB_ASSIGN_OR_RETURN(variance, take(c, "rolling_variance"));
  } else {
    EB_RETURN_IF_ERROR(charge(4 * c, "layer " + std::to_string(index_) + " batchnorm"));
  }
  const ValueId y = batch_norm(x, c, std::move(scales), std::vector<float>(c, 0.0f), std::move(mean), std::move(variance));
  return image_out(y, c, prev_.h, prev_.w);
}

Result<LayerOut> Importer::activation(const Options& o) {
  if (!prev_.unusable.empty()) return unsupported(o.section().where() + " reads " + prev_.unusable);
  LayerOut out = prev_;
  EB_ASSIGN_OR_RETURN(out.value, activate(prev_.value, o, "linear"));
  return out;
}

Result<LayerOut> Importer::head(const Options& o) {
  const std::string& type = o.section().type;
  if (!prev_.unusable.empty()) return unsupported(o.section().where() + " reads " + prev_.unusable);
  LayerOut out = prev_;
  out.unusable = "the output of the [" + type + "] layer " + std::to_string(index_) + " (decoded detections)";
  std::optional<int64_t> expected;
  if (type == "detection") {
    // Darknet: side*side*((1 + coords)*num + classes) == inputs; no image dims.
    EB_ASSIGN_OR_RETURN(const int64_t classes, o.integer_at_least("classes", 1, 0));
    EB_ASSIGN_OR_RETURN(const int64_t coords, o.integer_at_least("coords", 1, 0));
    EB_ASSIGN_OR_RETURN(const int64_t num, o.integer_at_least("num", 1, 1));
    EB_ASSIGN_OR_RETURN(const int64_t side, o.integer_at_least("side", 7, 1));
    const auto boxes = product({1 + coords, num});
    int64_t per_cell = 0;
    if (boxes && !__builtin_add_overflow(*boxes, classes, &per_cell)) expected = product({side, side, per_cell});
    out.c = out.h = out.w = 0;
  } else {
    EB_ASSIGN_OR_RETURN(const int64_t classes, o.integer_at_least("classes", 20, 0));
    EB_ASSIGN_OR_RETURN(const int64_t num, o.integer_at_least("num", 1, 1));
    EB_ASSIGN_OR_RETURN(const int64_t coords, o.integer_at_least("coords", 4, 0));
    int64_t boxes = num;
    if (type == "yolo" && o.has("mask")) {  // the anchors this scale uses
      EB_ASSIGN_OR_RETURN(const std::vector<int64_t> mask, o.integers("mask"));
      for (int64_t m : mask)
        if (m < 0 || m >= num) return o.error("mask", "has entries outside 0..num-1 (num=" + std::to_string(num) + ")");
      boxes = static_cast<int64_t>(mask.size());
    }
    EB_RETURN_IF_ERROR(image(prev_, o).status());
    // [yolo] always has 4 coordinates; [region] reads coords=.
    out.c = product({boxes, (type == "yolo" ? 4 : coords) + 1 + classes}).value_or(-1);
    if (out.c >= 0) expected = product({out.c, prev_.h, prev_.w});
  }
  if (!expected || *expected != prev_.outputs)
    return invalid_argument(o.section().where() + ": its options describe " + (expected ? std::to_string(*expected) : "too many") +
                            " inputs, the layer before gives " + std::to_string(prev_.outputs) +
                            " (filters= of the convolution before it must match classes/num/mask)");
  heads_.push_back(prev_.value);
  return out;
}

}  // namespace eb::darknet_format::detail
