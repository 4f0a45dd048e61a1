// ONNX linear layers (Gemm, MatMul+Add), element-wise Add and data
// movement (Concat, Flatten, Reshape, Pad, Resize/Upsample, Dropout).
// Weights are normalized to the IR's W[out, in]; constant inputs fold.
#include <cmath>

#include "formats/onnx/handlers.h"

namespace eb::onnx_format {
namespace {

std::vector<float> scaled(const std::vector<float>& v, float k) {
  std::vector<float> out(v);
  if (k != 1.0f)
    for (float& x : out) x *= k;
  return out;
}

// Bias [N] from a constant C that broadcasts to [M, N] without varying by row.
Result<std::vector<float>> bias_vector(NodeContext& c, const Constant& k, int64_t n) {
  const auto& d = k.dims;
  if (k.size() == 1) return std::vector<float>(static_cast<std::size_t>(n), (*k.f)[0]);
  if (!d.empty() && d.back() == n && static_cast<int64_t>(k.size()) == n) return *k.f;
  return Result<std::vector<float>>(c.unsupported_("bias [" + Shape(d).to_string() + "] does not broadcast as a vector of " +
                                                   std::to_string(n)));
}

// Add(MatMul(x, W), b) with a constant vector b: the bias of that Gemm.
Result<bool> try_fuse_linear_bias(NodeContext& c) {
  ImportState& s = c.state();
  for (int side = 0; side < 2; ++side) {
    const int other = 1 - side;
    EB_ASSIGN_OR_RETURN(Binding * b, c.binding(side));
    auto it = s.linear.find(b->value);
    if (b->value == kNoValue || it == s.linear.end() || s.uses[c.input_name(side)] != 1 ||
        s.uses[it->second.matmul_output] != 1 || !c.is_constant(other))
      continue;
    EB_ASSIGN_OR_RETURN(auto k, c.constant(other));
    Node& gemm = s.graph.nodes[it->second.node];
    const int64_t n = s.graph.value(gemm.inputs[1]).desc.shape[0];
    if (k->type != Constant::Type::f32 || k->dims.size() > 2 || k->dims.empty() || k->dims.back() != n ||
        static_cast<int64_t>(k->size()) != n)
      continue;
    ValueId bias = kNoValue;
    if (k->dims.size() == 1) {
      EB_ASSIGN_OR_RETURN(bias, c.value(other));
    } else {
      bias = s.add_initializer(c.input_name(other), Shape{n}, k->f);
    }
    gemm.inputs.push_back(bias);
    s.linear.erase(it);
    // The fused tensor now carries the Add's name, which later nodes use.
    s.graph.value(b->value).name = s.unique_value_name(c.proto().output(0));
    EB_RETURN_IF_ERROR(c.alias(0, *b));
    return true;
  }
  return false;
}

// Whether Resize-11+ in nearest mode maps output o to input floor(o / s), i.e.
// repeats each pixel s times, for an integer scale s. half_pixel puts the
// source coordinate within 0.5 of that pixel (so rounding finds it, floor and
// ceil may not); asymmetric puts it at o / s (floor finds it; rounding only
// for s = 2, where ties go down).
bool repeats_pixels(const std::string& coords, const std::string& rounding, double s) {
  if (s == 1) return true;
  if (coords == "half_pixel" || coords == "pytorch_half_pixel") return rounding == "round_prefer_floor" || rounding == "round_prefer_ceil";
  if (coords == "asymmetric") return rounding == "floor" || (rounding == "round_prefer_floor" && s == 2);
  if (coords == "tf_half_pixel_for_nn") return rounding == "floor";
  return false;
}

}  // namespace

Status import_gemm(NodeContext& c) {
  EB_RETURN_IF_ERROR(c.require_inputs(2, 3));
  EB_ASSIGN_OR_RETURN(const int64_t trans_a, c.attr_int("transA", 0));
  EB_ASSIGN_OR_RETURN(const int64_t trans_b, c.attr_int("transB", 0));
  EB_ASSIGN_OR_RETURN(const float alpha, c.attr_float("alpha", 1.0f));
  EB_ASSIGN_OR_RETURN(const float beta, c.attr_float("beta", 1.0f));
  if (trans_a != 0) return c.unsupported_("transA=1 is not supported (the activation must be [batch, features])");
  EB_ASSIGN_OR_RETURN(auto x, c.dims(0));
  if (x.size() != 2) return c.unsupported_("input A must be 2-D, got rank " + std::to_string(x.size()));
  EB_ASSIGN_OR_RETURN(auto b, c.float_constant(1));
  if (b->dims.size() != 2) return c.invalid("input B must be 2-D");
  ImportState& s = c.state();
  std::vector<ValueId> inputs(2);
  EB_ASSIGN_OR_RETURN(inputs[0], c.value(0));
  int64_t n = 0;
  if (trans_b != 0 && alpha == 1.0f) {
    n = b->dims[0];
    EB_ASSIGN_OR_RETURN(inputs[1], c.value(1));  // already [out, in]: shared, bit-exact
  } else {
    const int64_t rows = b->dims[0], cols = b->dims[1];
    std::vector<float> w(b->f->size());
    if (trans_b != 0) {
      w = scaled(*b->f, alpha);
      n = rows;
    } else {  // B is [in, out]: transpose to [out, in]
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t k = 0; k < cols; ++k) w[k * rows + r] = alpha * (*b->f)[r * cols + k];
      n = cols;
    }
    const Shape shape = trans_b != 0 ? Shape{rows, cols} : Shape{cols, rows};
    inputs[1] = s.add_initializer(c.input_name(1) + (trans_b ? "_scaled" : "_transposed"), shape,
                                  std::make_shared<const std::vector<float>>(std::move(w)));
  }
  if (c.has_input(2) && beta != 0.0f) {
    EB_ASSIGN_OR_RETURN(auto k, c.float_constant(2));
    if (k->dims == std::vector<int64_t>{n} && beta == 1.0f) {
      EB_ASSIGN_OR_RETURN(inputs.emplace_back(), c.value(2));
    } else {
      EB_ASSIGN_OR_RETURN(auto v, bias_vector(c, *k, n));
      inputs.push_back(s.add_initializer(c.input_name(2) + "_bias", Shape{n},
                                         std::make_shared<const std::vector<float>>(scaled(v, beta))));
    }
  }
  return c.emit(OpKind::Gemm, std::move(inputs), NoAttrs{}).status();
}

// MatMul by a constant [in, out] matrix: a Gemm whose bias may follow as Add.
Status import_matmul(NodeContext& c) {
  EB_RETURN_IF_ERROR(c.require_inputs(2, 2));
  EB_ASSIGN_OR_RETURN(auto x, c.dims(0));
  if (x.size() != 2) return c.unsupported_("only 2-D MatMul (a linear layer) is supported, input A has rank " + std::to_string(x.size()));
  if (!c.is_constant(1)) return c.unsupported_("only MatMul by a constant matrix (a linear layer) is supported");
  EB_ASSIGN_OR_RETURN(auto b, c.float_constant(1));
  if (b->dims.size() != 2) return c.unsupported_("only 2-D MatMul (a linear layer) is supported");
  const int64_t rows = b->dims[0], cols = b->dims[1];
  std::vector<float> w(b->f->size());
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t k = 0; k < cols; ++k) w[k * rows + r] = (*b->f)[r * cols + k];
  ImportState& s = c.state();
  const ValueId wt = s.add_initializer(c.input_name(1) + "_transposed", Shape{cols, rows},
                                       std::make_shared<const std::vector<float>>(std::move(w)));
  EB_ASSIGN_OR_RETURN(ValueId in, c.value(0));
  EB_ASSIGN_OR_RETURN(ValueId out, c.emit(OpKind::Gemm, {in, wt}, NoAttrs{}));
  s.linear[out] = PendingLinear{s.graph.nodes.size() - 1, c.proto().output(0)};
  return Status::ok();
}

Status import_add(NodeContext& c) {
  EB_RETURN_IF_ERROR(c.require_inputs(2, 2));
  EB_ASSIGN_OR_RETURN(bool done, try_fold_elementwise(c));
  if (done) return Status::ok();
  EB_ASSIGN_OR_RETURN(done, try_fuse_linear_bias(c));
  if (done) return Status::ok();
  EB_ASSIGN_OR_RETURN(ValueId a, c.value(0));
  EB_ASSIGN_OR_RETURN(ValueId b, c.value(1));
  return c.emit(OpKind::Add, {a, b}, NoAttrs{}).status();
}

Status import_concat(NodeContext& c) {
  if (c.input_count() < 1) return c.invalid("needs at least one input");
  EB_RETURN_IF_ERROR(c.require_inputs(c.input_count(), c.input_count()));
  if (c.opset() >= 4 && !c.attr("axis")) return c.invalid("attribute 'axis' is required");
  EB_ASSIGN_OR_RETURN(const int64_t axis, c.attr_int("axis", 1));
  EB_ASSIGN_OR_RETURN(bool done, try_fold_concat(c, axis));
  if (done) return Status::ok();
  std::vector<ValueId> inputs(static_cast<std::size_t>(c.input_count()));
  for (int i = 0; i < c.input_count(); ++i) {
    EB_ASSIGN_OR_RETURN(inputs[i], c.value(i));
  }
  return c.emit(OpKind::Concat, std::move(inputs), AxisAttrs{axis}).status();
}

Status import_flatten(NodeContext& c) {
  EB_RETURN_IF_ERROR(c.require_inputs(1, 1));
  EB_ASSIGN_OR_RETURN(const int64_t axis, c.attr_int("axis", 1));
  EB_ASSIGN_OR_RETURN(auto x, c.dims(0));
  const int64_t rank = static_cast<int64_t>(x.size());
  if (axis < -rank || axis > rank) return c.invalid("axis " + std::to_string(axis) + " is out of range");
  if (c.is_constant(0)) {
    EB_ASSIGN_OR_RETURN(auto k, c.constant(0));
    const int64_t at = axis < 0 ? axis + rank : axis;
    int64_t outer = 1;
    for (int64_t d = 0; d < at; ++d) outer *= x[d];
    const int64_t total = static_cast<int64_t>(k->size());
    Constant out = *k;
    out.dims = {outer, outer ? total / outer : 0};
    return c.fold(std::move(out));
  }
  EB_ASSIGN_OR_RETURN(ValueId in, c.value(0));
  return c.emit(OpKind::Flatten, {in}, AxisAttrs{axis}).status();
}

Status import_reshape(NodeContext& c) {
  std::vector<int64_t> target;
  if (c.opset() < 5) {
    EB_RETURN_IF_ERROR(c.require_inputs(1, 1));
    EB_ASSIGN_OR_RETURN(target, c.attr_ints("shape"));
  } else {
    EB_RETURN_IF_ERROR(c.require_inputs(2, 2));
    EB_ASSIGN_OR_RETURN(target, c.int_values(1));
  }
  EB_ASSIGN_OR_RETURN(const int64_t allowzero, c.attr_int("allowzero", 0));
  EB_ASSIGN_OR_RETURN(auto x, c.dims(0));
  auto resolved = resolve_reshape(x, target, allowzero != 0);
  if (!resolved.is_ok()) return resolved.status().with_context(c.where());
  if (c.is_constant(0)) {
    EB_ASSIGN_OR_RETURN(auto k, c.constant(0));
    Constant out = *k;
    out.dims = std::move(resolved).value();
    return c.fold(std::move(out));
  }
  // allowzero only matters for a 0 in the target, which the IR reads as "copy".
  if (allowzero != 0) target = resolved.value();
  EB_ASSIGN_OR_RETURN(ValueId in, c.value(0));
  return c.emit(OpKind::Reshape, {in}, ReshapeAttrs{std::move(target)}).status();
}


Status import_pad(NodeContext& c) {
  EB_ASSIGN_OR_RETURN(const std::string mode, c.attr_string("mode", "constant"));
  if (mode != "constant") return c.unsupported_("mode '" + mode + "' is not supported (only constant padding)");
  EB_ASSIGN_OR_RETURN(auto x, c.dims(0));
  const std::size_t rank = x.size();
  PadAttrs a;
  if (c.opset() < 11) {
    EB_RETURN_IF_ERROR(c.require_inputs(1, 1));
    EB_ASSIGN_OR_RETURN(a.pads, c.attr_ints(c.opset() < 2 ? "paddings" : "pads"));
    EB_ASSIGN_OR_RETURN(a.value, c.attr_float("value", 0.0f));
  } else {
    EB_RETURN_IF_ERROR(c.require_inputs(2, 4));
    EB_ASSIGN_OR_RETURN(a.pads, c.int_values(1));
    if (c.has_input(2)) {
      EB_ASSIGN_OR_RETURN(a.value, scalar_float(c, 2));
    }
    if (c.has_input(3)) {  // opset 18: pads for the listed axes only
      EB_ASSIGN_OR_RETURN(auto axes, c.int_values(3));
      EB_RETURN_IF_ERROR(check_size(c, a.pads, 2 * axes.size(), "pads"));
      std::vector<int64_t> full(2 * rank, 0);
      for (std::size_t k = 0; k < axes.size(); ++k) {
        const int64_t ax = axes[k] < 0 ? axes[k] + static_cast<int64_t>(rank) : axes[k];
        if (ax < 0 || ax >= static_cast<int64_t>(rank)) return c.invalid("axis " + std::to_string(axes[k]) + " is out of range");
        full[ax] = a.pads[k];
        full[ax + rank] = a.pads[k + axes.size()];
      }
      a.pads = std::move(full);
    }
  }
  EB_RETURN_IF_ERROR(check_size(c, a.pads, 2 * rank, "pads"));
  EB_RETURN_IF_ERROR(check_range(c, a.pads, 0, kMaxAttrValue, "pads"));
  EB_ASSIGN_OR_RETURN(ValueId in, c.value(0));
  return c.emit(OpKind::Pad, {in}, std::move(a)).status();
}

// Nearest upsampling by integer factors (Upsample-7/9, Resize-10/11/13/18).
// Before opset 11 the source coordinate is o / s, rounded down.
Status import_resize(NodeContext& c) {
  EB_ASSIGN_OR_RETURN(const std::string mode, c.attr_string("mode", "nearest"));
  if (mode != "nearest") return c.unsupported_("mode '" + mode + "' is not supported (only nearest)");
  EB_ASSIGN_OR_RETURN(ValueId in, c.value(0));  // first: its dims are then all >= 1
  EB_ASSIGN_OR_RETURN(auto x, c.dims(0));
  const bool resize = c.op_type() == "Resize";
  std::vector<double> scales;
  if (!resize && c.opset() < 9) {
    EB_RETURN_IF_ERROR(c.require_inputs(1, 1));
    EB_ASSIGN_OR_RETURN(auto f, c.attr_floats("scales"));
    scales.assign(f.begin(), f.end());
  } else if (!resize || c.opset() < 11) {
    EB_RETURN_IF_ERROR(c.require_inputs(2, 2));
    EB_ASSIGN_OR_RETURN(auto k, c.constant(1));
    for (std::size_t i = 0; i < k->size(); ++i) scales.push_back(k->at(i));
  } else {
    EB_RETURN_IF_ERROR(c.require_inputs(1, 4));
    bool have_scales = false;
    if (c.has_input(2)) {
      EB_ASSIGN_OR_RETURN(auto k, c.constant(2));
      for (std::size_t i = 0; i < k->size(); ++i) scales.push_back(k->at(i));
      have_scales = !scales.empty();
    }
    if (!have_scales) {
      if (!c.has_input(3)) return c.invalid("needs scales or sizes");
      EB_ASSIGN_OR_RETURN(auto sizes, c.int_values(3));
      EB_RETURN_IF_ERROR(check_size(c, sizes, x.size(), "sizes"));
      for (std::size_t i = 0; i < sizes.size(); ++i) {
        if (sizes[i] < x[i] || sizes[i] % x[i] != 0)
          return c.unsupported_("sizes do not upscale dim " + std::to_string(i) + " by an integer factor");
        scales.push_back(static_cast<double>(sizes[i] / x[i]));
      }
    }
    if (c.attr("axes")) return c.unsupported_("attribute 'axes' is not supported");
    EB_ASSIGN_OR_RETURN(const std::string coords, c.attr_string("coordinate_transformation_mode", "half_pixel"));
    EB_ASSIGN_OR_RETURN(const std::string rounding, c.attr_string("nearest_mode", "round_prefer_floor"));
    for (double s : scales)
      if (!repeats_pixels(coords, rounding, s))
        return c.unsupported_("coordinate_transformation_mode '" + coords + "' with nearest_mode '" + rounding + "' and scale " +
                              std::to_string(s) + " does not repeat pixels; only integer nearest upsampling is supported");
  }
  if (scales.size() != x.size())
    return c.invalid("has " + std::to_string(scales.size()) + " scales for an input of rank " + std::to_string(x.size()));
  UpsampleAttrs a;
  for (double s : scales) {
    if (!(s >= 1 && s <= 65536 && s == std::floor(s)))
      return c.unsupported_("scale " + std::to_string(s) + " is not an integer upscale factor");
    a.scales.push_back(static_cast<int64_t>(s));
  }
  return c.emit(OpKind::Upsample, {in}, std::move(a)).status();
}

// Dropout at inference is the identity; its mask output becomes unusable.
Status import_dropout(NodeContext& c) {
  EB_RETURN_IF_ERROR(c.require_inputs(1, 3));
  if (c.has_input(2)) {
    EB_ASSIGN_OR_RETURN(auto training, c.int_values(2));
    if (training.size() == 1 && training[0] != 0) return c.unsupported_("training_mode=true is not supported");
  }
  EB_ASSIGN_OR_RETURN(Binding * b, c.binding(0));
  return c.alias(0, *b);
}

}  // namespace eb::onnx_format
