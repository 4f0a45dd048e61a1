// One function per node kind: which Darknet layer expresses it, and when
// none can. Weights are appended in the order Darknet's loader reads them.
#include <string>

#include "formats/darknet/exporter.h"

namespace eb::darknet_format::detail {
namespace {

std::vector<int64_t> or_default(const std::vector<int64_t>& v, std::size_t n, int64_t fill) {
  return v.empty() ? std::vector<int64_t>(n, fill) : v;
}

std::string join(const std::vector<int64_t>& v) {
  std::string s;
  for (int64_t x : v) {
    if (!s.empty()) s += ',';
    s += std::to_string(x);
  }
  return s;
}

int64_t normalized_axis(int64_t axis, std::size_t rank) { return axis < 0 ? axis + static_cast<int64_t>(rank) : axis; }

}  // namespace

Status Exporter::conv(const Node& node) {
  const auto& a = node.get<ConvAttrs>();
  const ValueId x = node.inputs[0];
  const Shape& ws = graph_.value(node.inputs[1]).desc.shape;
  if (ws.rank() != 4) return cannot(std::to_string(ws.rank() - 2) + "-D convolution (Darknet's are 2-D)", node);
  const int64_t filters = ws[0], size = ws[2];
  const auto strides = or_default(a.strides, 2, 1);
  const auto pads = or_default(a.pads, 4, 0);
  if (ws[3] != size) return cannot("a non-square kernel " + std::to_string(ws[2]) + "x" + std::to_string(ws[3]), node);
  if (strides[0] != strides[1]) return cannot("unequal strides " + join(strides), node);
  if (!all_equal(or_default(a.dilations, 2, 1), 1)) return cannot("a dilated convolution", node);
  if (!all_equal(pads, pads[0])) return cannot("asymmetric or unequal padding [" + join(pads) + "]", node);
  EB_RETURN_IF_ERROR(require_image(x, node));
  EB_RETURN_IF_ERROR(route_to(x, node));
  int64_t stride = strides[0];
  if (size == 1 && stride > 1) {
    // Darknet's CPU path skips im2col for 1x1 kernels and with it the stride
    // (it reads the first out_h*out_w pixels): subsample with a 1x1 [maxpool]
    // first, then convolve with stride 1.
    if (pads[0] != 0) return cannot("a padded 1x1 convolution with stride > 1", node);
    const Shape& in = graph_.value(x).desc.shape;
    add_layer("maxpool", {opt("size", 1), opt("stride", stride)}, kNoValue,  // padding defaults to size - 1 = 0
              Placed{0, in[1], (in[2] - 1) / stride + 1, (in[3] - 1) / stride + 1});
    stride = 1;
  }

  const std::vector<float>* bias = node.input(2) != kNoValue ? &data(node.inputs[2]) : nullptr;
  EB_ASSIGN_OR_RETURN(const Folded folded, fold_followers(node, bias));
  const std::optional<BnParams>& bn = folded.bn;
  const ValueId out = folded.out;
  const std::string& act = folded.activation;

  std::vector<CfgOption> o;
  if (bn) o.push_back(opt("batch_normalize", 1));
  o.push_back(opt("filters", filters));
  o.push_back(opt("size", size));
  o.push_back(opt("stride", stride));
  if (pads[0] > 0) o.push_back(pads[0] == size / 2 ? opt("pad", 1) : opt("padding", pads[0]));
  if (a.group != 1) o.push_back(opt("groups", a.group));
  o.push_back(opt("activation", act));
  if (bn) {
    for (const auto* part : {&bn->biases, &bn->scales, &bn->mean, &bn->variance}) weights_.append(*part);
  } else {
    weights_.append(bias ? *bias : std::vector<float>(static_cast<std::size_t>(filters), 0.0f));
  }
  weights_.append(data(node.inputs[1]));
  const Shape& os = graph_.value(out).desc.shape;
  add_layer("convolutional", std::move(o), out, Placed{0, filters, os[2], os[3]});
  return Status::ok();
}

Status Exporter::gemm(const Node& node) {
  const ValueId x = node.inputs[0];
  const int64_t outputs = graph_.value(node.inputs[1]).desc.shape[0];
  EB_RETURN_IF_ERROR(route_to(x, node));  // [connected] reads its input flat, whatever its dims
  const std::vector<float>* bias = node.input(2) != kNoValue ? &data(node.inputs[2]) : nullptr;
  EB_ASSIGN_OR_RETURN(const Folded folded, fold_followers(node, bias));
  const std::optional<BnParams>& bn = folded.bn;
  const ValueId out = folded.out;
  const std::string& act = folded.activation;

  std::vector<CfgOption> o;
  if (bn) o.push_back(opt("batch_normalize", 1));
  o.push_back(opt("output", outputs));
  o.push_back(opt("activation", act));
  if (bn) {
    weights_.append(bn->biases);
  } else {
    weights_.append(bias ? *bias : std::vector<float>(static_cast<std::size_t>(outputs), 0.0f));
  }
  weights_.append(data(node.inputs[1]));  // [out][in], as Darknet stores it
  if (bn)
    for (const auto* part : {&bn->scales, &bn->mean, &bn->variance}) weights_.append(*part);
  add_layer("connected", std::move(o), out, Placed{0, outputs, 1, 1});
  return Status::ok();
}

Status Exporter::batch_norm(const Node& node) {
  const ValueId x = node.inputs[0];
  const Shape& s = graph_.value(x).desc.shape;
  const Placed p = placed_.at(x);
  if (s.rank() == 4) {
    EB_RETURN_IF_ERROR(require_image(x, node));
  } else if (s.rank() != 2 || p.c != s[1] || p.h != 1 || p.w != 1) {
    return cannot("BatchNormalization over [" + s.to_string() + "] (Darknet normalizes the channels of an image)", node);
  }
  EB_RETURN_IF_ERROR(route_to(x, node));
  EB_ASSIGN_OR_RETURN(const BnParams bn, bn_params(node, nullptr));
  // Darknet's own [batchnorm] layer has no shift and crashes at inference in
  // this version (it normalizes through buffers only training allocates), so
  // a BatchNorm alone becomes an identity 1x1 depthwise convolution carrying it.
  ValueId out = node.outputs[0];
  const std::string act = fold_activation(&out);
  for (const auto* part : {&bn.biases, &bn.scales, &bn.mean, &bn.variance}) weights_.append(*part);
  weights_.append(std::vector<float>(static_cast<std::size_t>(p.c), 1.0f));
  add_layer("convolutional",
            {opt("batch_normalize", 1), opt("filters", p.c), opt("size", 1), opt("stride", 1), opt("groups", p.c),
             opt("activation", act)},
            out, p);
  return Status::ok();
}

Status Exporter::pool(const Node& node) {
  const ValueId x = node.inputs[0];
  EB_RETURN_IF_ERROR(require_image(x, node));
  const Shape& in = graph_.value(x).desc.shape;
  const Shape& out = graph_.value(node.outputs[0]).desc.shape;
  std::vector<CfgOption> o;
  std::string type = "maxpool";
  if (node.op == OpKind::GlobalAvgPool) {
    type = "avgpool";
  } else if (node.op == OpKind::AvgPool) {
    const auto& a = node.get<PoolAttrs>();
    if (a.kernel != std::vector<int64_t>{in[2], in[3]} || !all_equal(or_default(a.pads, 4, 0), 0))
      return cannot("an AveragePool that is not global (Darknet's [avgpool] always is)", node);
    type = "avgpool";
  } else if (node.op == OpKind::GlobalMaxPool) {
    if (in[2] != in[3]) return cannot("a GlobalMaxPool over a non-square input", node);
    o = {opt("size", in[2]), opt("stride", in[2]), opt("padding", 0)};
  } else {
    const auto& a = node.get<PoolAttrs>();
    const auto strides = or_default(a.strides, 2, 1);
    const auto pads = or_default(a.pads, 4, 0);
    const int64_t size = a.kernel[0];
    if (a.kernel[1] != size || strides[0] != strides[1])
      return cannot("a non-square MaxPool window or stride", node);
    if (pads[0] != pads[1]) return cannot("MaxPool pads [" + join(pads) + "] that differ between height and width", node);
    // Darknet pads padding/2 before and sizes the output as
    // (in + padding - size) / stride + 1: find a padding giving our shape,
    // preferring our own total so that imported models come back unchanged.
    std::optional<int64_t> padding;
    for (const int64_t p : {pads[0] + pads[2], 2 * pads[0], 2 * pads[0] + 1}) {
      bool same = p / 2 == pads[0];
      for (int d = 0; d < 2 && same; ++d) same = in[2 + d] + p >= size && (in[2 + d] + p - size) / strides[0] + 1 == out[2 + d];
      if (same) {
        padding = p;
        break;
      }
    }
    if (!padding) return cannot("MaxPool pads [" + join(pads) + "] (Darknet pads padding/2 before every window)", node);
    o = {opt("size", size), opt("stride", strides[0])};
    if (*padding != size - 1) o.push_back(opt("padding", *padding));
  }
  EB_RETURN_IF_ERROR(route_to(x, node));
  add_layer(type, std::move(o), node.outputs[0], Placed{0, out[1], out[2], out[3]});
  return Status::ok();
}

Status Exporter::add(const Node& node) {
  ValueId a = node.inputs[0], b = node.inputs[1];
  if (const auto it = adapters_.find(static_cast<int>(&node - graph_.nodes.data())); it != adapters_.end()) {
    // [shortcut] from= a larger or thinner layer: Darknet subsamples by the
    // integer ratio of the widths and adds into the first channels.
    const Adapter& adapter = it->second;
    const ValueId prev = node.inputs[1 - adapter.slot], from = adapter.from;
    EB_RETURN_IF_ERROR(require_image(prev, node));
    EB_RETURN_IF_ERROR(require_image(from, node));
    const Placed p = placed_.at(prev), f = placed_.at(from);
    if (graph_.value(node.inputs[adapter.slot]).desc.shape != graph_.value(prev).desc.shape || f.c > p.c ||
        f.w / p.w != adapter.stride || f.h / p.h != adapter.stride)
      return cannot("a subsampling/padding shortcut Darknet computes differently", node);
    EB_RETURN_IF_ERROR(route_to(prev, node));
    ValueId y = node.outputs[0];
    const std::string act = fold_activation(&y);
    add_layer("shortcut", {opt("from", f.layer), opt("activation", act)}, y, p);
    return Status::ok();
  }
  const Shape& out = graph_.value(node.outputs[0]).desc.shape;
  for (ValueId v : {a, b}) {
    EB_RETURN_IF_ERROR(require_image(v, node));
    if (graph_.value(v).desc.shape != out) return cannot("a broadcasting Add", node);
  }
  // [shortcut] adds from= to the previous layer's output.
  if (placed_.at(a).layer != last_usable_ && placed_.at(b).layer == last_usable_) std::swap(a, b);
  EB_RETURN_IF_ERROR(route_to(a, node));
  ValueId y = node.outputs[0];
  const std::string act = fold_activation(&y);
  add_layer("shortcut", {opt("from", placed_.at(b).layer), opt("activation", act)}, y, placed_.at(a));
  return Status::ok();
}

Status Exporter::concat(const Node& node) {
  const Shape& out = graph_.value(node.outputs[0]).desc.shape;
  if (normalized_axis(node.get<AxisAttrs>().axis, out.rank()) != 1 || out[0] != 1)
    return cannot("a Concat on an axis other than channels", node);
  std::vector<int64_t> layers;
  for (ValueId v : node.inputs) {
    if (out.rank() == 4) EB_RETURN_IF_ERROR(require_image(v, node));
    if (placed_.at(v).layer < 0) return cannot("a [route] to the network input", node);
    layers.push_back(placed_.at(v).layer);
  }
  // Darknet's route dims: the first layer's, channels adding up while w and h
  // match the first; any mismatch zeroes them (a flat concatenation).
  const Placed first = placed_.at(node.inputs[0]);
  Placed dims = first;
  for (std::size_t i = 1; i < node.inputs.size(); ++i) {
    const Placed p = placed_.at(node.inputs[i]);
    if (p.w == first.w && p.h == first.h) {
      dims.c += p.c;
    } else {
      dims.c = dims.h = dims.w = 0;
    }
  }
  add_layer("route", {opt("layers", join(layers))}, node.outputs[0], dims);
  return Status::ok();
}

Status Exporter::softmax(const Node& node) {
  const ValueId x = node.inputs[0];
  const Shape& s = graph_.value(x).desc.shape;
  const int64_t axis = normalized_axis(node.get<AxisAttrs>().axis, s.rank());
  bool whole = s[0] == 1;
  for (std::size_t d = 1; d < s.rank(); ++d) whole &= static_cast<int64_t>(d) == axis || s[d] == 1;
  if (!whole) return cannot("a Softmax over one axis of [" + s.to_string() + "] (Darknet's spans the whole vector)", node);
  EB_RETURN_IF_ERROR(route_to(x, node));
  add_layer("softmax", {opt("groups", 1)}, node.outputs[0], Placed{});
  return Status::ok();
}

Status Exporter::upsample(const Node& node) {
  const ValueId x = node.inputs[0];
  const auto& scales = node.get<UpsampleAttrs>().scales;
  EB_RETURN_IF_ERROR(require_image(x, node));
  if (scales.size() != 4 || scales[0] != 1 || scales[1] != 1 || scales[2] != scales[3])
    return cannot("Upsample scales [" + join(scales) + "] (Darknet upsamples h and w alike)", node);
  EB_RETURN_IF_ERROR(route_to(x, node));
  const Shape& out = graph_.value(node.outputs[0]).desc.shape;
  add_layer("upsample", {opt("stride", scales[2])}, node.outputs[0], Placed{0, out[1], out[2], out[3]});
  return Status::ok();
}

Status Exporter::activation(const Node& node) {
  const char* act = darknet_activation(node);
  if (!act) return cannot("LeakyRelu with alpha " + std::to_string(node.get<LeakyReluAttrs>().alpha) + " (Darknet's leaky is 0.1)", node);
  const ValueId x = node.inputs[0];
  EB_RETURN_IF_ERROR(route_to(x, node));
  add_layer("activation", {opt("activation", act)}, node.outputs[0], placed_.at(x));
  return Status::ok();
}

Status Exporter::alias(const Node& node) {
  // Darknet's buffers are flat: a reshape to [1, n], or to the image dims the
  // layer already has, is the same layer.
  const ValueId x = node.inputs[0];
  const Shape& out = graph_.value(node.outputs[0]).desc.shape;
  const Placed p = placed_.at(x);
  const bool flat = out.rank() == 2 && out[0] == 1;
  const bool as_image = p.is_image() && out == Shape{1, p.c, p.h, p.w};
  if (!flat && !as_image) return cannot("a Reshape to [" + out.to_string() + "] (only flattening is free in Darknet)", node);
  placed_[node.outputs[0]] = p;
  last_value_ = node.outputs[0];
  return Status::ok();
}

}  // namespace eb::darknet_format::detail
