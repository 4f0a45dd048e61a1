// ONNX convolution, pooling, normalization and activation ops. Each handler
// reads and range-checks the attributes it needs and maps opset differences
// (auto_pad, Clip bounds as attributes or inputs, legacy Softmax) onto the
// IR's single meaning.
#include <limits>

#include "formats/onnx/handlers.h"

namespace eb::onnx_format {
namespace {

Result<std::vector<int64_t>> spatial_input(NodeContext& c) {
  EB_ASSIGN_OR_RETURN(auto x, c.dims(0));
  if (x.size() < 3) return c.unsupported_("input has rank " + std::to_string(x.size()) + "; expected N, C and spatial dims");
  return x;
}

// Explicit pads from auto_pad (SAME_UPPER, SAME_LOWER, VALID) or `pads`.
Result<std::vector<int64_t>> resolve_pads(NodeContext& c, const std::vector<int64_t>& x, const std::vector<int64_t>& kernel,
                                          const std::vector<int64_t>& strides, const std::vector<int64_t>& dilations) {
  const std::size_t n = kernel.size();
  EB_ASSIGN_OR_RETURN(const std::string auto_pad, c.attr_string("auto_pad", "NOTSET"));
  std::vector<int64_t> pads(2 * n, 0);
  if (auto_pad == "NOTSET") {
    EB_ASSIGN_OR_RETURN(pads, c.attr_ints("pads", pads));
    EB_RETURN_IF_ERROR(check_size(c, pads, 2 * n, "pads"));
    EB_RETURN_IF_ERROR(check_range(c, pads, 0, kMaxAttrValue, "pads"));
  } else if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
    for (std::size_t i = 0; i < n; ++i) {
      same_pads(x[2 + i], kernel[i], strides[i], dilations[i], pads[i], pads[n + i]);
      if (auto_pad == "SAME_LOWER") std::swap(pads[i], pads[n + i]);
    }
  } else if (auto_pad != "VALID") {
    return c.invalid("auto_pad '" + auto_pad + "' is not NOTSET, SAME_UPPER, SAME_LOWER or VALID");
  }
  return pads;
}

Result<std::vector<int64_t>> spatial_attr(NodeContext& c, const char* name, std::size_t n) {
  EB_ASSIGN_OR_RETURN(auto v, c.attr_ints(name, std::vector<int64_t>(n, 1)));
  EB_RETURN_IF_ERROR(check_size(c, v, n, name));
  EB_RETURN_IF_ERROR(check_range(c, v, 1, kMaxAttrValue, name));
  return v;
}

}  // namespace

Status import_conv(NodeContext& c) {
  EB_RETURN_IF_ERROR(c.require_inputs(2, 3));
  EB_ASSIGN_OR_RETURN(auto x, spatial_input(c));
  EB_ASSIGN_OR_RETURN(auto w, c.float_constant(1));
  const std::size_t n = x.size() - 2;
  if (w->dims.size() != x.size()) return c.invalid("weight rank " + std::to_string(w->dims.size()) + " differs from input rank");
  ConvAttrs a;
  EB_ASSIGN_OR_RETURN(a.kernel, c.attr_ints("kernel_shape", std::vector<int64_t>(w->dims.begin() + 2, w->dims.end())));
  EB_RETURN_IF_ERROR(check_size(c, a.kernel, n, "kernel_shape"));
  EB_RETURN_IF_ERROR(check_range(c, a.kernel, 1, kMaxAttrValue, "kernel_shape"));
  EB_ASSIGN_OR_RETURN(a.strides, spatial_attr(c, "strides", n));
  EB_ASSIGN_OR_RETURN(a.dilations, spatial_attr(c, "dilations", n));
  EB_ASSIGN_OR_RETURN(a.group, c.attr_int("group", 1));
  EB_RETURN_IF_ERROR(check_range(c, {a.group}, 1, kMaxAttrValue, "group"));
  EB_ASSIGN_OR_RETURN(a.pads, resolve_pads(c, x, a.kernel, a.strides, a.dilations));
  std::vector<ValueId> inputs(2);
  EB_ASSIGN_OR_RETURN(inputs[0], c.value(0));
  EB_ASSIGN_OR_RETURN(inputs[1], c.value(1));
  if (c.has_input(2)) {
    EB_RETURN_IF_ERROR(c.float_constant(2).status());
    EB_ASSIGN_OR_RETURN(inputs.emplace_back(), c.value(2));
  }
  return c.emit(OpKind::Conv, std::move(inputs), std::move(a)).status();
}

Status import_pool(NodeContext& c) {
  EB_RETURN_IF_ERROR(c.require_inputs(1, 1));
  EB_ASSIGN_OR_RETURN(auto x, spatial_input(c));
  const std::size_t n = x.size() - 2;
  PoolAttrs a;
  if (!c.attr("kernel_shape")) return c.invalid("attribute 'kernel_shape' is required");
  EB_ASSIGN_OR_RETURN(a.kernel, c.attr_ints("kernel_shape"));
  EB_RETURN_IF_ERROR(check_size(c, a.kernel, n, "kernel_shape"));
  EB_RETURN_IF_ERROR(check_range(c, a.kernel, 1, kMaxAttrValue, "kernel_shape"));
  EB_ASSIGN_OR_RETURN(a.strides, spatial_attr(c, "strides", n));
  EB_ASSIGN_OR_RETURN(auto dilations, spatial_attr(c, "dilations", n));
  for (int64_t d : dilations)
    if (d != 1) return c.unsupported_("dilated pooling is not supported");
  EB_ASSIGN_OR_RETURN(a.pads, resolve_pads(c, x, a.kernel, a.strides, dilations));
  EB_ASSIGN_OR_RETURN(const int64_t ceil_mode, c.attr_int("ceil_mode", 0));
  EB_ASSIGN_OR_RETURN(const std::string auto_pad, c.attr_string("auto_pad", "NOTSET"));
  // SAME outputs are ceil(in / stride) whatever ceil_mode says; the pads
  // computed for them give exactly that with floor rounding.
  a.ceil_mode = ceil_mode != 0 && auto_pad.rfind("SAME", 0) != 0;
  const bool avg = c.op_type() == "AveragePool";
  if (avg) {
    EB_ASSIGN_OR_RETURN(const int64_t cip, c.attr_int("count_include_pad", 0));
    a.count_include_pad = cip != 0;
  }
  EB_ASSIGN_OR_RETURN(ValueId in, c.value(0));
  return c.emit(avg ? OpKind::AvgPool : OpKind::MaxPool, {in}, std::move(a)).status();
}

Status import_global_pool(NodeContext& c) {
  EB_RETURN_IF_ERROR(c.require_inputs(1, 1));
  EB_RETURN_IF_ERROR(spatial_input(c).status());
  EB_ASSIGN_OR_RETURN(ValueId in, c.value(0));
  return c.emit(c.op_type() == "GlobalAveragePool" ? OpKind::GlobalAvgPool : OpKind::GlobalMaxPool, {in}, NoAttrs{}).status();
}

Status import_batch_norm(NodeContext& c) {
  EB_RETURN_IF_ERROR(c.require_inputs(5, 5));
  EB_ASSIGN_OR_RETURN(const int64_t spatial, c.attr_int("spatial", 1));
  if (c.opset() < 9 && spatial != 1) return c.unsupported_("spatial=0 (per-activation statistics) is not supported");
  EB_ASSIGN_OR_RETURN(const int64_t training, c.attr_int("training_mode", 0));
  if (training != 0) return c.unsupported_("training_mode=1 is not supported; export the model in inference mode");
  BatchNormAttrs a;
  EB_ASSIGN_OR_RETURN(a.epsilon, c.attr_float("epsilon", 1e-5f));
  std::vector<ValueId> inputs(5);
  for (int i = 0; i < 5; ++i) {
    if (i > 0) EB_RETURN_IF_ERROR(c.float_constant(i).status());
    EB_ASSIGN_OR_RETURN(inputs[i], c.value(i));
  }
  return c.emit(OpKind::BatchNorm, std::move(inputs), a).status();
}

Status import_unary(NodeContext& c) {
  EB_RETURN_IF_ERROR(c.require_inputs(1, 1));
  EB_ASSIGN_OR_RETURN(ValueId in, c.value(0));
  if (c.op_type() == "Relu") return c.emit(OpKind::Relu, {in}, NoAttrs{}).status();
  if (c.op_type() == "Sigmoid") return c.emit(OpKind::Sigmoid, {in}, NoAttrs{}).status();
  LeakyReluAttrs a;
  EB_ASSIGN_OR_RETURN(a.alpha, c.attr_float("alpha", 0.01f));  // ONNX's default, not the IR's
  return c.emit(OpKind::LeakyRelu, {in}, a).status();
}

Status import_clip(NodeContext& c) {
  ClipAttrs a{std::numeric_limits<float>::lowest(), std::numeric_limits<float>::max()};
  if (c.opset() < 11) {
    EB_RETURN_IF_ERROR(c.require_inputs(1, 1));
    EB_ASSIGN_OR_RETURN(a.min, c.attr_float("min", a.min));
    EB_ASSIGN_OR_RETURN(a.max, c.attr_float("max", a.max));
  } else {
    EB_RETURN_IF_ERROR(c.require_inputs(1, 3));
    if (c.has_input(1)) {
      EB_ASSIGN_OR_RETURN(a.min, scalar_float(c, 1));
    }
    if (c.has_input(2)) {
      EB_ASSIGN_OR_RETURN(a.max, scalar_float(c, 2));
    }
  }
  EB_ASSIGN_OR_RETURN(ValueId in, c.value(0));
  return c.emit(OpKind::Clip, {in}, a).status();
}

// Softmax before opset 13 normalizes over all dims from `axis` on (the input
// coerced to 2-D); the IR's Softmax (opset 13) over one axis. They agree when
// at most one of those dims exceeds 1; otherwise Reshape-Softmax-Reshape.
Status import_softmax(NodeContext& c) {
  EB_RETURN_IF_ERROR(c.require_inputs(1, 1));
  EB_ASSIGN_OR_RETURN(auto x, c.dims(0));
  const int64_t rank = static_cast<int64_t>(x.size());
  EB_ASSIGN_OR_RETURN(const int64_t axis, c.attr_int("axis", c.opset() < 13 ? 1 : -1));
  if (axis < -rank || axis >= rank) return c.invalid("axis " + std::to_string(axis) + " is out of range for rank " + std::to_string(rank));
  EB_ASSIGN_OR_RETURN(ValueId in, c.value(0));
  if (c.opset() >= 13) return c.emit(OpKind::Softmax, {in}, AxisAttrs{axis}).status();
  const int64_t at = axis < 0 ? axis + rank : axis;
  std::vector<int64_t> wide;
  for (int64_t d = at; d < rank; ++d)
    if (x[d] > 1) wide.push_back(d);
  if (wide.size() <= 1) return c.emit(OpKind::Softmax, {in}, AxisAttrs{wide.empty() ? axis : wide[0]}).status();
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < rank; ++d) (d < at ? outer : inner) *= x[d];
  EB_ASSIGN_OR_RETURN(ValueId flat, c.emit(OpKind::Reshape, {in}, ReshapeAttrs{{outer, inner}}, "_2d"));
  EB_ASSIGN_OR_RETURN(ValueId soft, c.emit(OpKind::Softmax, {flat}, AxisAttrs{1}, "_softmax"));
  return c.emit(OpKind::Reshape, {soft}, ReshapeAttrs{x}).status();
}

Status import_lrn(NodeContext& c) {
  EB_RETURN_IF_ERROR(c.require_inputs(1, 1));
  if (!c.attr("size")) return c.invalid("attribute 'size' is required");
  LrnAttrs a;
  EB_ASSIGN_OR_RETURN(a.size, c.attr_int("size", 1));
  EB_RETURN_IF_ERROR(check_range(c, {a.size}, 1, kMaxAttrValue, "size"));
  EB_ASSIGN_OR_RETURN(a.alpha, c.attr_float("alpha", 1e-4f));
  EB_ASSIGN_OR_RETURN(a.beta, c.attr_float("beta", 0.75f));
  EB_ASSIGN_OR_RETURN(a.bias, c.attr_float("bias", 1.0f));
  EB_ASSIGN_OR_RETURN(ValueId in, c.value(0));
  return c.emit(OpKind::Lrn, {in}, a).status();
}

}  // namespace eb::onnx_format
