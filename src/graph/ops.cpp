// The op table (see op.h): one row per op with its shape and MAC rules.
#include <algorithm>
#include <array>
#include <string>

#include "graph/graph.h"
#include "graph/op.h"

namespace eb {
namespace {

std::string dims_str(const Shape& s) { return "[" + s.to_string() + "]"; }

Status expect_rank_at_least(const TensorDesc& d, std::size_t rank, const char* what) {
  if (d.shape.rank() < rank)
    return invalid_argument(std::string(what) + " must have rank >= " + std::to_string(rank) + ", got " + dims_str(d.shape));
  return Status::ok();
}

// Resolves per-spatial-dim vectors that may be left empty (defaults).
std::vector<int64_t> or_default(const std::vector<int64_t>& v, std::size_t n, int64_t fill) {
  return v.empty() ? std::vector<int64_t>(n, fill) : v;
}

Status check_spatial(const std::vector<int64_t>& v, std::size_t n, const char* what) {
  if (v.size() != n)
    return invalid_argument(std::string(what) + " has " + std::to_string(v.size()) + " entries, expected " + std::to_string(n));
  return Status::ok();
}

// ---- shape rules --------------------------------------------------------

Status infer_same(const Node&, std::span<const TensorDesc> in, std::vector<TensorDesc>& out) {
  out = {in[0]};
  return Status::ok();
}

Status infer_conv(const Node& node, std::span<const TensorDesc> in, std::vector<TensorDesc>& out) {
  const auto& a = node.get<ConvAttrs>();
  const Shape& x = in[0].shape;
  const Shape& w = in[1].shape;
  EB_RETURN_IF_ERROR(expect_rank_at_least(in[0], 3, "input X"));
  if (w.rank() != x.rank())
    return invalid_argument("weight W " + dims_str(w) + " must have the rank of input X " + dims_str(x));
  const std::size_t n = x.rank() - 2;
  const auto kernel = a.kernel.empty() ? std::vector<int64_t>(w.dims().begin() + 2, w.dims().end()) : a.kernel;
  const auto strides = or_default(a.strides, n, 1);
  const auto dil = or_default(a.dilations, n, 1);
  const auto pads = or_default(a.pads, 2 * n, 0);
  EB_RETURN_IF_ERROR(check_spatial(kernel, n, "kernel_shape"));
  EB_RETURN_IF_ERROR(check_spatial(strides, n, "strides"));
  EB_RETURN_IF_ERROR(check_spatial(dil, n, "dilations"));
  EB_RETURN_IF_ERROR(check_spatial(pads, 2 * n, "pads"));
  for (std::size_t i = 0; i < n; ++i)
    if (strides[i] < 1 || dil[i] < 1 || pads[i] < 0 || pads[n + i] < 0)
      return invalid_argument("strides and dilations must be >= 1 and pads >= 0");
  if (w[0] < 1) return invalid_argument("weight W " + dims_str(w) + " has no filters");
  if (a.group < 1 || x[1] % a.group != 0 || w[0] % a.group != 0)
    return invalid_argument("group " + std::to_string(a.group) + " does not divide channels " + std::to_string(x[1]) +
                            " and filters " + std::to_string(w[0]));
  if (w[1] != x[1] / a.group)
    return invalid_argument("weight W " + dims_str(w) + " expects " + std::to_string(w[1] * a.group) +
                            " input channels, input X " + dims_str(x) + " has " + std::to_string(x[1]));
  if (in.size() > 2 && in[2].shape != Shape{w[0]})
    return invalid_argument("bias B " + dims_str(in[2].shape) + " must be [" + std::to_string(w[0]) + "]");
  std::vector<int64_t> dims = {x[0], w[0]};
  for (std::size_t i = 0; i < n; ++i) {
    if (w[2 + i] != kernel[i]) return invalid_argument("kernel_shape disagrees with weight W " + dims_str(w));
    const int64_t span = (kernel[i] - 1) * dil[i] + 1;
    const int64_t padded = x[2 + i] + pads[i] + pads[n + i];
    if (strides[i] < 1 || padded < span)
      return invalid_argument("spatial dim " + std::to_string(i) + " of input X " + dims_str(x) + " is smaller than the kernel");
    dims.push_back((padded - span) / strides[i] + 1);
  }
  out = {TensorDesc{in[0].dtype, Shape(dims)}};
  return Status::ok();
}

int64_t pool_out(int64_t in, int64_t k, int64_t s, int64_t pb, int64_t pe, bool ceil_mode) {
  const int64_t padded = in + pb + pe - k;
  int64_t o = (ceil_mode ? (padded + s - 1) / s : padded / s) + 1;
  // A window may not start inside the end padding (PyTorch/ONNX Runtime rule).
  if (ceil_mode && (o - 1) * s >= in + pb) --o;
  return o;
}

Status infer_pool(const Node& node, std::span<const TensorDesc> in, std::vector<TensorDesc>& out) {
  const auto& a = node.get<PoolAttrs>();
  const Shape& x = in[0].shape;
  EB_RETURN_IF_ERROR(expect_rank_at_least(in[0], 3, "input X"));
  const std::size_t n = x.rank() - 2;
  const auto strides = or_default(a.strides, n, 1);
  const auto pads = or_default(a.pads, 2 * n, 0);
  EB_RETURN_IF_ERROR(check_spatial(a.kernel, n, "kernel_shape"));
  EB_RETURN_IF_ERROR(check_spatial(strides, n, "strides"));
  EB_RETURN_IF_ERROR(check_spatial(pads, 2 * n, "pads"));
  std::vector<int64_t> dims = {x[0], x[1]};
  for (std::size_t i = 0; i < n; ++i) {
    if (strides[i] < 1 || a.kernel[i] < 1 || x[2 + i] + pads[i] + pads[n + i] < a.kernel[i])
      return invalid_argument("spatial dim " + std::to_string(i) + " of input X " + dims_str(x) + " is smaller than the pooling window");
    if (pads[i] >= a.kernel[i] || pads[n + i] >= a.kernel[i])
      return invalid_argument("pads must be smaller than the pooling window");
    dims.push_back(pool_out(x[2 + i], a.kernel[i], strides[i], pads[i], pads[n + i], a.ceil_mode));
  }
  out = {TensorDesc{in[0].dtype, Shape(dims)}};
  return Status::ok();
}

Status infer_global_pool(const Node&, std::span<const TensorDesc> in, std::vector<TensorDesc>& out) {
  EB_RETURN_IF_ERROR(expect_rank_at_least(in[0], 3, "input X"));
  std::vector<int64_t> dims = in[0].shape.dims();
  std::fill(dims.begin() + 2, dims.end(), 1);
  out = {TensorDesc{in[0].dtype, Shape(dims)}};
  return Status::ok();
}

Status infer_batch_norm(const Node&, std::span<const TensorDesc> in, std::vector<TensorDesc>& out) {
  EB_RETURN_IF_ERROR(expect_rank_at_least(in[0], 2, "input X"));
  const Shape channel{in[0].shape[1]};
  for (std::size_t i = 1; i < 5; ++i)
    if (in[i].shape != channel)
      return invalid_argument("BatchNorm parameter " + std::to_string(i) + " " + dims_str(in[i].shape) + " must be " + dims_str(channel));
  out = {in[0]};
  return Status::ok();
}

Status infer_gemm(const Node&, std::span<const TensorDesc> in, std::vector<TensorDesc>& out) {
  const Shape& x = in[0].shape;
  const Shape& w = in[1].shape;
  if (x.rank() != 2) return invalid_argument("input X " + dims_str(x) + " must be 2-D (flatten first)");
  if (w.rank() != 2 || w[1] != x[1])
    return invalid_argument("weight W " + dims_str(w) + " must be [out, " + std::to_string(x[1]) + "]");
  if (in.size() > 2 && in[2].shape != Shape{w[0]})
    return invalid_argument("bias B " + dims_str(in[2].shape) + " must be [" + std::to_string(w[0]) + "]");
  out = {TensorDesc{in[0].dtype, Shape{x[0], w[0]}}};
  return Status::ok();
}

Status infer_add(const Node&, std::span<const TensorDesc> in, std::vector<TensorDesc>& out) {
  // Multidirectional (numpy) broadcasting.
  const Shape& a = in[0].shape;
  const Shape& b = in[1].shape;
  const std::size_t r = std::max(a.rank(), b.rank());
  std::vector<int64_t> dims(r);
  for (std::size_t i = 0; i < r; ++i) {
    const int64_t da = i < r - a.rank() ? 1 : a[i - (r - a.rank())];
    const int64_t db = i < r - b.rank() ? 1 : b[i - (r - b.rank())];
    if (da != db && da != 1 && db != 1)
      return invalid_argument("shapes " + dims_str(a) + " and " + dims_str(b) + " do not broadcast");
    dims[i] = std::max(da, db);
  }
  out = {TensorDesc{in[0].dtype, Shape(dims)}};
  return Status::ok();
}

Status infer_concat(const Node& node, std::span<const TensorDesc> in, std::vector<TensorDesc>& out) {
  const int64_t rank = static_cast<int64_t>(in[0].shape.rank());
  int64_t axis = node.get<AxisAttrs>().axis;
  if (axis < 0) axis += rank;
  if (axis < 0 || axis >= rank) return invalid_argument("axis " + std::to_string(node.get<AxisAttrs>().axis) + " out of range");
  std::vector<int64_t> dims = in[0].shape.dims();
  for (std::size_t i = 1; i < in.size(); ++i) {
    const Shape& s = in[i].shape;
    bool ok = static_cast<int64_t>(s.rank()) == rank;
    for (int64_t d = 0; ok && d < rank; ++d) ok = d == axis || s[d] == dims[d];
    if (!ok) return invalid_argument("input " + std::to_string(i) + " " + dims_str(s) + " does not match " + dims_str(in[0].shape) + " outside axis " + std::to_string(axis));
    dims[axis] += s[axis];
  }
  out = {TensorDesc{in[0].dtype, Shape(dims)}};
  return Status::ok();
}

Status infer_flatten(const Node& node, std::span<const TensorDesc> in, std::vector<TensorDesc>& out) {
  const Shape& x = in[0].shape;
  int64_t axis = node.get<AxisAttrs>().axis;
  if (axis < 0) axis += static_cast<int64_t>(x.rank());
  if (axis < 0 || axis > static_cast<int64_t>(x.rank())) return invalid_argument("axis out of range for " + dims_str(x));
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < static_cast<int64_t>(x.rank()); ++d) (d < axis ? outer : inner) *= x[d];
  out = {TensorDesc{in[0].dtype, Shape{outer, inner}}};
  return Status::ok();
}

Status infer_reshape(const Node& node, std::span<const TensorDesc> in, std::vector<TensorDesc>& out) {
  const Shape& x = in[0].shape;
  std::vector<int64_t> dims = node.get<ReshapeAttrs>().shape;
  int64_t known = 1;
  int infer_at = -1;
  for (std::size_t i = 0; i < dims.size(); ++i) {
    if (dims[i] == 0) {
      if (i >= x.rank()) return invalid_argument("0 in target shape at position " + std::to_string(i) + " beyond the input rank");
      dims[i] = x[i];
    }
    if (dims[i] == -1) {
      if (infer_at >= 0) return invalid_argument("more than one -1 in the target shape");
      infer_at = static_cast<int>(i);
    } else if (dims[i] < 0) {
      return invalid_argument("negative dim in the target shape");
    } else {
      known *= dims[i];
    }
  }
  if (infer_at >= 0) {
    if (known == 0 || x.numel() % known != 0) return invalid_argument("cannot infer -1 when reshaping " + dims_str(x));
    dims[infer_at] = x.numel() / known;
  }
  if (Shape(dims).numel() != x.numel())
    return invalid_argument("cannot reshape " + dims_str(x) + " to " + dims_str(Shape(dims)));
  out = {TensorDesc{in[0].dtype, Shape(dims)}};
  return Status::ok();
}

Status infer_softmax(const Node& node, std::span<const TensorDesc> in, std::vector<TensorDesc>& out) {
  const int64_t rank = static_cast<int64_t>(in[0].shape.rank());
  const int64_t axis = node.get<AxisAttrs>().axis;
  if (axis < -rank || axis >= rank) return invalid_argument("axis " + std::to_string(axis) + " out of range");
  out = {in[0]};
  return Status::ok();
}

Status infer_upsample(const Node& node, std::span<const TensorDesc> in, std::vector<TensorDesc>& out) {
  const auto& scales = node.get<UpsampleAttrs>().scales;
  const Shape& x = in[0].shape;
  if (scales.size() != x.rank()) return invalid_argument("scales need one entry per dim of " + dims_str(x));
  std::vector<int64_t> dims = x.dims();
  for (std::size_t i = 0; i < dims.size(); ++i) {
    if (scales[i] < 1) return invalid_argument("scales must be positive integers");
    dims[i] *= scales[i];
  }
  out = {TensorDesc{in[0].dtype, Shape(dims)}};
  return Status::ok();
}

Status infer_pad(const Node& node, std::span<const TensorDesc> in, std::vector<TensorDesc>& out) {
  const auto& pads = node.get<PadAttrs>().pads;
  const Shape& x = in[0].shape;
  if (pads.size() != 2 * x.rank()) return invalid_argument("pads need 2 entries per dim of " + dims_str(x));
  std::vector<int64_t> dims = x.dims();
  for (std::size_t i = 0; i < dims.size(); ++i) {
    if (pads[i] < 0 || pads[i + x.rank()] < 0) return invalid_argument("negative pads are not supported");
    dims[i] += pads[i] + pads[i + x.rank()];
  }
  out = {TensorDesc{in[0].dtype, Shape(dims)}};
  return Status::ok();
}

// ---- MAC rules ----------------------------------------------------------

int64_t no_macs(const Node&, std::span<const TensorDesc>, std::span<const TensorDesc>) { return 0; }

int64_t conv_macs(const Node&, std::span<const TensorDesc> in, std::span<const TensorDesc> out) {
  const Shape& w = in[1].shape;  // [M, C/g, k...]: each output element reads C/g * prod(k) inputs
  return out[0].shape.numel() * (w.numel() / w[0]);
}

int64_t gemm_macs(const Node&, std::span<const TensorDesc> in, std::span<const TensorDesc>) {
  return in[0].shape[0] * in[1].shape.numel();
}

using R = InputRole;
using C = OpCategory;

const std::array<OpSchema, kOpCount>& table() {
  static const std::array<OpSchema, kOpCount> rows = {{
      {OpKind::Conv, "Conv", 2, 3, {R::activation, R::weight, R::bias}, C::convolution, infer_conv, conv_macs},
      {OpKind::BatchNorm, "BatchNormalization", 5, 5, {R::activation, R::bn_scale, R::bn_bias, R::bn_mean, R::bn_var}, C::batch_norm, infer_batch_norm, no_macs},
      {OpKind::Relu, "Relu", 1, 1, {R::activation}, C::activation, infer_same, no_macs},
      {OpKind::Clip, "Clip", 1, 1, {R::activation}, C::activation, infer_same, no_macs},
      {OpKind::LeakyRelu, "LeakyRelu", 1, 1, {R::activation}, C::activation, infer_same, no_macs},
      {OpKind::Sigmoid, "Sigmoid", 1, 1, {R::activation}, C::activation, infer_same, no_macs},
      {OpKind::MaxPool, "MaxPool", 1, 1, {R::activation}, C::pooling, infer_pool, no_macs},
      {OpKind::AvgPool, "AveragePool", 1, 1, {R::activation}, C::pooling, infer_pool, no_macs},
      {OpKind::GlobalAvgPool, "GlobalAveragePool", 1, 1, {R::activation}, C::pooling, infer_global_pool, no_macs},
      {OpKind::GlobalMaxPool, "GlobalMaxPool", 1, 1, {R::activation}, C::pooling, infer_global_pool, no_macs},
      {OpKind::Gemm, "Gemm", 2, 3, {R::activation, R::weight, R::bias}, C::fully_connected, infer_gemm, gemm_macs},
      {OpKind::Add, "Add", 2, 2, {R::activation, R::activation}, C::elementwise, infer_add, no_macs},
      {OpKind::Concat, "Concat", 1, 64, {R::activation}, C::data_movement, infer_concat, no_macs},
      {OpKind::Flatten, "Flatten", 1, 1, {R::activation}, C::data_movement, infer_flatten, no_macs},
      {OpKind::Reshape, "Reshape", 1, 1, {R::activation}, C::data_movement, infer_reshape, no_macs},
      {OpKind::Softmax, "Softmax", 1, 1, {R::activation}, C::other, infer_softmax, no_macs},
      {OpKind::Lrn, "LRN", 1, 1, {R::activation}, C::other, infer_same, no_macs},
      {OpKind::Upsample, "Upsample", 1, 1, {R::activation}, C::data_movement, infer_upsample, no_macs},
      {OpKind::Pad, "Pad", 1, 1, {R::activation}, C::data_movement, infer_pad, no_macs},
  }};
  return rows;
}

}  // namespace

bool is_parameter(InputRole r) { return r == R::weight || r == R::bias || r == R::bn_scale || r == R::bn_bias; }
bool is_buffer(InputRole r) { return r == R::bn_mean || r == R::bn_var; }

const char* to_string(OpCategory c) {
  switch (c) {
    case C::convolution: return "convolution";
    case C::batch_norm: return "batch_norm";
    case C::activation: return "activation";
    case C::pooling: return "pooling";
    case C::fully_connected: return "fully_connected";
    case C::elementwise: return "elementwise";
    case C::data_movement: return "data_movement";
    case C::other: return "other";
  }
  return "other";
}

const OpSchema& schema(OpKind kind) { return table()[static_cast<std::size_t>(kind)]; }

bool attrs_fit(OpKind kind, const Attrs& attrs) {
  switch (kind) {
    case OpKind::Conv: return std::holds_alternative<ConvAttrs>(attrs);
    case OpKind::BatchNorm: return std::holds_alternative<BatchNormAttrs>(attrs);
    case OpKind::Clip: return std::holds_alternative<ClipAttrs>(attrs);
    case OpKind::LeakyRelu: return std::holds_alternative<LeakyReluAttrs>(attrs);
    case OpKind::MaxPool:
    case OpKind::AvgPool: return std::holds_alternative<PoolAttrs>(attrs);
    case OpKind::Concat:
    case OpKind::Flatten:
    case OpKind::Softmax: return std::holds_alternative<AxisAttrs>(attrs);
    case OpKind::Reshape: return std::holds_alternative<ReshapeAttrs>(attrs);
    case OpKind::Lrn: return std::holds_alternative<LrnAttrs>(attrs);
    case OpKind::Upsample: return std::holds_alternative<UpsampleAttrs>(attrs);
    case OpKind::Pad: return std::holds_alternative<PadAttrs>(attrs);
    case OpKind::Relu:
    case OpKind::Sigmoid:
    case OpKind::GlobalAvgPool:
    case OpKind::GlobalMaxPool:
    case OpKind::Gemm:
    case OpKind::Add: return std::holds_alternative<NoAttrs>(attrs);
  }
  return false;
}
std::string_view op_name(OpKind kind) { return schema(kind).name; }

std::optional<OpKind> op_from_name(std::string_view name) {
  for (const auto& row : table())
    if (row.name == name) return row.kind;
  return std::nullopt;
}

void same_pads(int64_t in, int64_t kernel, int64_t stride, int64_t dilation, int64_t& begin, int64_t& end) {
  const int64_t out = (in + stride - 1) / stride;
  const int64_t span = (kernel - 1) * dilation + 1;
  const int64_t total = std::max<int64_t>((out - 1) * stride + span - in, 0);
  begin = total / 2;
  end = total - begin;
}

}  // namespace eb
