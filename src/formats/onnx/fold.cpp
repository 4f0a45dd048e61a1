// Ops evaluated at import time. Exporters compute shapes in the graph
// (x.view(x.size(0), -1) becomes Shape-Gather-Unsqueeze-Concat-Reshape);
// with static input shapes every such chain is a constant, so it folds away
// and the Reshape gets a static target. Folded tensors are small by nature;
// kMaxFoldElements stops files that try to make them large.
#include <cmath>
#include <limits>

#include "formats/onnx/handlers.h"

namespace eb::onnx_format {
namespace {

using Type = Constant::Type;

// out[k] = in[from[k]]: gathers and slices share it.
Constant gathered(const Constant& in, std::vector<int64_t> dims, const std::vector<std::size_t>& from) {
  if (in.type == Type::f32) {
    std::vector<float> v(from.size());
    for (std::size_t k = 0; k < from.size(); ++k) v[k] = (*in.f)[from[k]];
    return Constant::floats(std::move(dims), std::move(v));
  }
  std::vector<int64_t> v(from.size());
  for (std::size_t k = 0; k < from.size(); ++k) v[k] = in.i[from[k]];
  return Constant::ints(std::move(dims), std::move(v));
}

Result<std::size_t> fold_size(NodeContext& c, const std::vector<int64_t>& dims) {
  auto n = checked_numel(dims, kMaxFoldElements, "folded tensor");
  if (!n.is_ok()) return n.status().with_context(c.where());
  return static_cast<std::size_t>(n.value());
}

std::vector<int64_t> strides_of(const std::vector<int64_t>& dims) {
  std::vector<int64_t> s(dims.size(), 1);
  for (std::size_t d = dims.size(); d-- > 1;) s[d - 1] = s[d] * dims[d];
  return s;
}

Result<int64_t> normalize_axis(NodeContext& c, int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank) return c.invalid("axis " + std::to_string(axis) + " is out of range for rank " + std::to_string(rank));
  return axis < 0 ? axis + rank : axis;
}

// Axes from the attribute (before opset 13) or the second input.
Result<std::vector<int64_t>> axes_of(NodeContext& c, bool required) {
  if (c.opset() < 13) return c.attr_ints("axes");
  if (c.has_input(1)) return c.int_values(1);
  if (required) return c.invalid("input 'axes' is required");
  return std::vector<int64_t>{};
}

// A constant with new dims, or for an activation a Reshape to them.
Status reshaped(NodeContext& c, std::vector<int64_t> dims) {
  EB_ASSIGN_OR_RETURN(Binding * b, c.binding(0));
  if (b->constant) {
    Constant out = *b->constant;
    out.dims = std::move(dims);
    return c.fold(std::move(out));
  }
  EB_ASSIGN_OR_RETURN(ValueId in, c.value(0));
  return c.emit(OpKind::Reshape, {in}, ReshapeAttrs{std::move(dims)}).status();
}

Result<int64_t> int_op(NodeContext& c, const std::string& op, int64_t a, int64_t b) {
  int64_t r = 0;
  bool overflow = false;
  if (op == "Add") overflow = __builtin_add_overflow(a, b, &r);
  else if (op == "Sub") overflow = __builtin_sub_overflow(a, b, &r);
  else if (op == "Mul") overflow = __builtin_mul_overflow(a, b, &r);
  else {
    if (b == 0) return c.invalid("integer division by zero");
    overflow = a == std::numeric_limits<int64_t>::min() && b == -1;
    r = overflow ? 0 : a / b;
  }
  if (overflow) return c.invalid("integer overflow while folding");
  return r;
}

float float_op(const std::string& op, float a, float b) {
  if (op == "Add") return a + b;
  if (op == "Sub") return a - b;
  if (op == "Mul") return a * b;
  return a / b;
}

}  // namespace

Result<std::vector<int64_t>> resolve_reshape(const std::vector<int64_t>& in, std::vector<int64_t> target, bool allowzero) {
  EB_ASSIGN_OR_RETURN(const int64_t total, checked_numel(in, kMaxElements, "reshape input"));
  int64_t known = 1;
  int infer = -1;
  for (std::size_t i = 0; i < target.size(); ++i) {
    int64_t& d = target[i];
    if (d == 0 && !allowzero) {
      if (i >= in.size()) return invalid_argument("0 in the target shape at position " + std::to_string(i) + " is beyond the input rank");
      d = in[i];
    }
    if (d == -1) {
      if (infer >= 0) return invalid_argument("more than one -1 in the target shape");
      infer = static_cast<int>(i);
      continue;
    }
    if (d < 0) return invalid_argument("negative dim " + std::to_string(d) + " in the target shape");
    if (d != 0 && known > kMaxElements / d) return invalid_argument("target shape is too large");
    known *= d;
  }
  if (infer >= 0) {
    if (known == 0 || total % known != 0)
      return invalid_argument("cannot infer -1 when reshaping [" + Shape(in).to_string() + "]");
    target[infer] = total / known;
  } else if (known != total) {
    return invalid_argument("cannot reshape [" + Shape(in).to_string() + "] to [" + Shape(target).to_string() + "]");
  }
  return target;
}

Status import_constant(NodeContext& c) {
  EB_RETURN_IF_ERROR(c.require_inputs(0, 0));
  if (c.proto().attribute_size() != 1) return c.invalid("must have exactly one attribute");
  const onnx::AttributeProto& a = c.proto().attribute(0);
  if (a.name() == "value") {
    if (!a.has_t()) return c.invalid("attribute 'value' must be a TENSOR");
    // Decoded on first use, like an initializer: an unused constant of an
    // unsupported type does not stop the import.
    Binding b;
    b.proto = &a.t();
    b.origin = c.proto().output_size() ? c.proto().output(0) : std::string();
    return c.alias(0, b);
  }
  if (a.name() == "value_float") {
    EB_ASSIGN_OR_RETURN(float v, c.attr_float("value_float", 0.0f));
    return c.fold(Constant::floats({}, {v}));
  }
  if (a.name() == "value_floats") {
    EB_ASSIGN_OR_RETURN(auto v, c.attr_floats("value_floats"));
    const auto n = static_cast<int64_t>(v.size());
    return c.fold(Constant::floats({n}, std::move(v)));
  }
  if (a.name() == "value_int") {
    EB_ASSIGN_OR_RETURN(int64_t v, c.attr_int("value_int", 0));
    return c.fold(Constant::ints({}, {v}));
  }
  if (a.name() == "value_ints") {
    EB_ASSIGN_OR_RETURN(auto v, c.attr_ints("value_ints"));
    const auto n = static_cast<int64_t>(v.size());
    return c.fold(Constant::ints({n}, std::move(v)));
  }
  return c.unsupported_("attribute '" + a.name() + "' is not supported");
}

Status import_constant_of_shape(NodeContext& c) {
  EB_RETURN_IF_ERROR(c.require_inputs(1, 1));
  EB_ASSIGN_OR_RETURN(auto dims, c.int_values(0));
  EB_ASSIGN_OR_RETURN(const std::size_t n, fold_size(c, dims));
  Constant fill = Constant::floats({1}, {0.0f});
  if (const auto* a = c.attr("value")) {
    auto v = decode_tensor(a->t(), c.proto().output_size() ? c.proto().output(0) : std::string());
    if (!v.is_ok()) return v.status().with_context(c.where());
    if (v->size() != 1) return c.invalid("attribute 'value' must hold one element");
    fill = std::move(v).value();
  }
  if (fill.type == Type::f32) return c.fold(Constant::floats(std::move(dims), std::vector<float>(n, (*fill.f)[0])));
  return c.fold(Constant::ints(std::move(dims), std::vector<int64_t>(n, fill.i[0])));
}

Status import_shape(NodeContext& c) {
  EB_RETURN_IF_ERROR(c.require_inputs(1, 1));
  EB_ASSIGN_OR_RETURN(auto dims, c.dims(0));
  const auto rank = static_cast<int64_t>(dims.size());
  EB_ASSIGN_OR_RETURN(int64_t start, c.attr_int("start", 0));  // opset 15
  EB_ASSIGN_OR_RETURN(int64_t end, c.attr_int("end", rank));
  const auto clamp = [rank](int64_t v) { return std::clamp(v < 0 ? v + rank : v, int64_t{0}, rank); };
  start = clamp(start);
  end = std::max(clamp(end), start);
  std::vector<int64_t> out(dims.begin() + start, dims.begin() + end);
  const auto n = static_cast<int64_t>(out.size());
  return c.fold(Constant::ints({n}, std::move(out)));
}

Status import_size(NodeContext& c) {
  EB_RETURN_IF_ERROR(c.require_inputs(1, 1));
  EB_ASSIGN_OR_RETURN(auto dims, c.dims(0));
  EB_ASSIGN_OR_RETURN(const int64_t n, checked_numel(dims, kMaxElements, "input"));
  return c.fold(Constant::ints({}, {n}));
}

Status import_gather(NodeContext& c) {
  EB_RETURN_IF_ERROR(c.require_inputs(2, 2));
  if (!c.is_constant(0) || !c.is_constant(1))
    return c.unsupported_("Gather is only supported on constants (shape computations)");
  EB_ASSIGN_OR_RETURN(auto data, c.constant(0));
  EB_ASSIGN_OR_RETURN(auto indices, c.int_values(1));
  EB_ASSIGN_OR_RETURN(auto index_dims, c.dims(1));
  const auto rank = static_cast<int64_t>(data->dims.size());
  if (rank == 0) return c.invalid("cannot gather from a scalar");
  EB_ASSIGN_OR_RETURN(int64_t attr_axis, c.attr_int("axis", 0));
  EB_ASSIGN_OR_RETURN(const int64_t axis, normalize_axis(c, attr_axis, rank));
  std::vector<int64_t> dims(data->dims.begin(), data->dims.begin() + axis);
  dims.insert(dims.end(), index_dims.begin(), index_dims.end());
  dims.insert(dims.end(), data->dims.begin() + axis + 1, data->dims.end());
  EB_ASSIGN_OR_RETURN(const std::size_t n, fold_size(c, dims));
  const int64_t len = data->dims[axis];
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < rank; ++d)
    if (d != axis) (d < axis ? outer : inner) *= data->dims[d];
  std::vector<std::size_t> from;
  from.reserve(n);
  for (int64_t o = 0; n > 0 && o < outer; ++o)
    for (int64_t idx : indices) {
      if (idx < -len || idx >= len) return c.invalid("index " + std::to_string(idx) + " is out of range [" + std::to_string(-len) + ", " + std::to_string(len) + ")");
      const int64_t at = idx < 0 ? idx + len : idx;
      for (int64_t k = 0; k < inner; ++k) from.push_back(static_cast<std::size_t>((o * len + at) * inner + k));
    }
  return c.fold(gathered(*data, std::move(dims), from));
}

Status import_unsqueeze(NodeContext& c) {
  EB_RETURN_IF_ERROR(c.require_inputs(1, c.opset() < 13 ? 1 : 2));
  EB_ASSIGN_OR_RETURN(auto in, c.dims(0));
  EB_ASSIGN_OR_RETURN(auto axes, axes_of(c, true));
  const auto rank = static_cast<int64_t>(in.size() + axes.size());
  std::vector<char> inserted(static_cast<std::size_t>(rank), 0);
  for (int64_t a : axes) {
    EB_ASSIGN_OR_RETURN(const int64_t at, normalize_axis(c, a, rank));
    if (inserted[at]) return c.invalid("axis " + std::to_string(a) + " is repeated");
    inserted[at] = 1;
  }
  std::vector<int64_t> dims;
  auto next = in.begin();
  for (int64_t d = 0; d < rank; ++d) dims.push_back(inserted[d] ? 1 : *next++);
  return reshaped(c, std::move(dims));
}

Status import_squeeze(NodeContext& c) {
  EB_RETURN_IF_ERROR(c.require_inputs(1, c.opset() < 13 ? 1 : 2));
  EB_ASSIGN_OR_RETURN(auto in, c.dims(0));
  EB_ASSIGN_OR_RETURN(auto axes, axes_of(c, false));
  const auto rank = static_cast<int64_t>(in.size());
  std::vector<char> drop(in.size(), 0);
  for (int64_t a : axes) {
    EB_ASSIGN_OR_RETURN(const int64_t at, normalize_axis(c, a, rank));
    if (in[at] != 1) return c.invalid("cannot squeeze axis " + std::to_string(a) + " of size " + std::to_string(in[at]));
    drop[at] = 1;
  }
  std::vector<int64_t> dims;
  for (int64_t d = 0; d < rank; ++d)
    if (!(axes.empty() ? in[d] == 1 : drop[d])) dims.push_back(in[d]);
  return reshaped(c, std::move(dims));
}

Status import_cast(NodeContext& c) {
  EB_RETURN_IF_ERROR(c.require_inputs(1, 1));
  if (!c.attr("to")) return c.invalid("attribute 'to' is required");
  EB_ASSIGN_OR_RETURN(const int64_t to, c.attr_int("to", 0));
  EB_ASSIGN_OR_RETURN(Binding * b, c.binding(0));
  const bool to_float = to == onnx::TensorProto_DataType_FLOAT;
  const bool to_int = to == onnx::TensorProto_DataType_INT64 || to == onnx::TensorProto_DataType_INT32;
  if (!b->constant) {
    if (to_float) return c.alias(0, *b);  // activations are float already
    return c.unsupported_("Cast of an activation to " + std::string(data_type_name(static_cast<int32_t>(to))) + " is not supported");
  }
  const Constant& in = *b->constant;
  if (to_float) {
    if (in.type == Type::f32) return c.alias(0, *b);
    std::vector<float> v(in.i.begin(), in.i.end());
    return c.fold(Constant::floats(in.dims, std::move(v)));
  }
  if (!to_int) return c.unsupported_("Cast to " + std::string(data_type_name(static_cast<int32_t>(to))) + " is not supported");
  if (in.type == Type::i64) return c.alias(0, *b);
  std::vector<int64_t> v;
  for (float f : *in.f) {
    if (!(std::fabs(f) < 9.2e18f)) return c.invalid("cannot cast " + std::to_string(f) + " to an integer");
    v.push_back(static_cast<int64_t>(f));
  }
  return c.fold(Constant::ints(in.dims, std::move(v)));
}

Status import_slice(NodeContext& c) {
  std::vector<int64_t> starts, ends, axes, steps;
  if (c.opset() < 10) {
    EB_RETURN_IF_ERROR(c.require_inputs(1, 1));
    EB_ASSIGN_OR_RETURN(starts, c.attr_ints("starts"));
    EB_ASSIGN_OR_RETURN(ends, c.attr_ints("ends"));
    EB_ASSIGN_OR_RETURN(axes, c.attr_ints("axes"));
  } else {
    EB_RETURN_IF_ERROR(c.require_inputs(3, 5));
    EB_ASSIGN_OR_RETURN(starts, c.int_values(1));
    EB_ASSIGN_OR_RETURN(ends, c.int_values(2));
    if (c.has_input(3)) {
      EB_ASSIGN_OR_RETURN(axes, c.int_values(3));
    }
    if (c.has_input(4)) {
      EB_ASSIGN_OR_RETURN(steps, c.int_values(4));
    }
  }
  if (!c.is_constant(0)) return c.unsupported_("Slice is only supported on constants (shape computations)");
  EB_ASSIGN_OR_RETURN(auto data, c.constant(0));
  const auto rank = static_cast<int64_t>(data->dims.size());
  if (axes.empty())
    for (std::size_t k = 0; k < starts.size(); ++k) axes.push_back(static_cast<int64_t>(k));
  if (steps.empty()) steps.assign(starts.size(), 1);
  if (ends.size() != starts.size() || axes.size() != starts.size() || steps.size() != starts.size())
    return c.invalid("starts, ends, axes and steps differ in length");
  std::vector<int64_t> first(rank, 0), step(rank, 1), dims = data->dims;
  std::vector<char> seen(rank, 0);
  for (std::size_t k = 0; k < starts.size(); ++k) {
    EB_ASSIGN_OR_RETURN(const int64_t ax, normalize_axis(c, axes[k], rank));
    if (seen[ax]) return c.invalid("axis " + std::to_string(axes[k]) + " is repeated");
    seen[ax] = 1;
    const int64_t len = dims[ax], s = steps[k];
    if (s == 0) return c.invalid("step 0");
    // ONNX clamping: [0, len] for positive steps, [-1, len-1] for negative.
    const auto clamp = [&](int64_t v) {
      if (v < 0) v = v < -len ? (s > 0 ? 0 : -1) : v + len;
      return s > 0 ? std::min(v, len) : std::min(v, len - 1);
    };
    const int64_t b = clamp(starts[k]), e = clamp(ends[k]);
    const int64_t count = s > 0 ? (e > b ? (e - b + s - 1) / s : 0) : (b > e ? (b - e - s - 1) / -s : 0);
    first[ax] = b;
    step[ax] = s;
    dims[ax] = count;
  }
  EB_ASSIGN_OR_RETURN(const std::size_t n, fold_size(c, dims));
  const auto in_strides = strides_of(data->dims);
  std::vector<std::size_t> from(n);
  std::vector<int64_t> idx(rank, 0);
  for (std::size_t k = 0; k < n; ++k) {
    int64_t off = 0;
    for (int64_t d = 0; d < rank; ++d) off += (first[d] + idx[d] * step[d]) * in_strides[d];
    from[k] = static_cast<std::size_t>(off);
    for (int64_t d = rank - 1; d >= 0 && ++idx[d] == dims[d]; --d) idx[d] = 0;
  }
  return c.fold(gathered(*data, std::move(dims), from));
}

Result<bool> try_fold_elementwise(NodeContext& c) {
  if (!c.is_constant(0) || !c.is_constant(1)) return false;
  EB_ASSIGN_OR_RETURN(auto a, c.constant(0));
  EB_ASSIGN_OR_RETURN(auto b, c.constant(1));
  // Numpy broadcasting.
  const std::size_t rank = std::max(a->dims.size(), b->dims.size());
  std::vector<int64_t> dims(rank);
  const auto dim = [rank](const Constant& k, std::size_t d) {
    const std::size_t pad = rank - k.dims.size();
    return d < pad ? int64_t{1} : k.dims[d - pad];
  };
  for (std::size_t d = 0; d < rank; ++d) {
    const int64_t x = dim(*a, d), y = dim(*b, d);
    if (x != y && x != 1 && y != 1) return Result<bool>(c.invalid("shapes do not broadcast"));
    dims[d] = x == 1 ? y : x;
  }
  EB_ASSIGN_OR_RETURN(const std::size_t n, fold_size(c, dims));
  // Element k of the output reads element from_a[k] of a and from_b[k] of b.
  const auto out_strides = strides_of(dims);
  const auto sources = [&](const Constant& k) {
    const std::size_t pad = rank - k.dims.size();
    std::vector<int64_t> ks(rank, 0);  // 0 along broadcast dims
    const auto own = strides_of(k.dims);
    for (std::size_t d = pad; d < rank; ++d) ks[d] = k.dims[d - pad] == 1 ? 0 : own[d - pad];
    std::vector<std::size_t> from(n);
    for (std::size_t flat = 0; flat < n; ++flat) {
      int64_t off = 0;
      for (std::size_t d = 0; d < rank; ++d) off += static_cast<int64_t>(flat) / out_strides[d] % dims[d] * ks[d];
      from[flat] = static_cast<std::size_t>(off);
    }
    return from;
  };
  const auto from_a = sources(*a), from_b = sources(*b);
  const std::string& op = c.op_type();
  if (a->type == Type::i64 && b->type == Type::i64) {
    std::vector<int64_t> v(n);
    for (std::size_t k = 0; k < n; ++k) {
      EB_ASSIGN_OR_RETURN(v[k], int_op(c, op, a->i[from_a[k]], b->i[from_b[k]]));
    }
    EB_RETURN_IF_ERROR(c.fold(Constant::ints(std::move(dims), std::move(v))));
  } else {
    std::vector<float> v(n);
    for (std::size_t k = 0; k < n; ++k)
      v[k] = float_op(op, static_cast<float>(a->at(from_a[k])), static_cast<float>(b->at(from_b[k])));
    EB_RETURN_IF_ERROR(c.fold(Constant::floats(std::move(dims), std::move(v))));
  }
  return true;
}

Status import_arith(NodeContext& c) {
  EB_RETURN_IF_ERROR(c.require_inputs(2, 2));
  EB_ASSIGN_OR_RETURN(bool done, try_fold_elementwise(c));
  if (!done) return c.unsupported_(c.op_type() + " on activations is not supported (only on constants)");
  return Status::ok();
}

Result<bool> try_fold_concat(NodeContext& c, int64_t axis) {
  for (int i = 0; i < c.input_count(); ++i)
    if (!c.is_constant(i)) return false;
  std::vector<std::shared_ptr<const Constant>> parts;
  for (int i = 0; i < c.input_count(); ++i) {
    EB_ASSIGN_OR_RETURN(parts.emplace_back(), c.constant(i));
  }
  const Constant& first = *parts[0];
  const auto rank = static_cast<int64_t>(first.dims.size());
  EB_ASSIGN_OR_RETURN(const int64_t at, normalize_axis(c, axis, rank));
  std::vector<int64_t> dims = first.dims;
  dims[at] = 0;
  for (const auto& p : parts) {
    if (p->type != first.type || p->dims.size() != first.dims.size()) return Result<bool>(c.invalid("inputs differ in type or rank"));
    for (int64_t d = 0; d < rank; ++d)
      if (d != at && p->dims[d] != first.dims[d]) return Result<bool>(c.invalid("inputs differ outside the concat axis"));
    dims[at] += p->dims[at];
  }
  EB_ASSIGN_OR_RETURN(const std::size_t n, fold_size(c, dims));
  std::vector<float> f;
  std::vector<int64_t> i;
  if (n > 0) {
    int64_t outer = 1;
    for (int64_t d = 0; d < at; ++d) outer *= dims[d];
    // Row o of the output is row o of each part in turn.
    for (int64_t o = 0; o < outer; ++o)
      for (const auto& p : parts) {
        const std::size_t chunk = p->size() / static_cast<std::size_t>(outer);
        const std::size_t begin = static_cast<std::size_t>(o) * chunk;
        if (first.type == Type::f32) f.insert(f.end(), p->f->begin() + begin, p->f->begin() + begin + chunk);
        else i.insert(i.end(), p->i.begin() + begin, p->i.begin() + begin + chunk);
      }
  }
  EB_RETURN_IF_ERROR(c.fold(first.type == Type::f32 ? Constant::floats(std::move(dims), std::move(f))
                                                    : Constant::ints(std::move(dims), std::move(i))));
  return true;
}

Status import_identity(NodeContext& c) {
  EB_RETURN_IF_ERROR(c.require_inputs(1, 1));
  EB_ASSIGN_OR_RETURN(Binding * b, c.binding(0));
  return c.alias(0, *b);
}

}  // namespace eb::onnx_format
