#include "backends/libtorch/lowering.h"

#include <cmath>
#include <cstdio>
#include <limits>

namespace eb::torch_lowering {
namespace {

std::vector<int64_t> or_default(const std::vector<int64_t>& v, std::size_t n, int64_t fill) {
  return v.empty() ? std::vector<int64_t>(n, fill) : v;
}

bool contains(std::string_view s, std::string_view part) { return s.find(part) != std::string_view::npos; }

Status where(const Graph& graph, const Node& node, const std::string& what) {
  return unsupported("libtorch: node '" + node.name + "' (" + std::string(op_name(node.op)) + "): " + what);
}

Result<ConvPlan> plan_conv(const Graph& graph, const Node& node) {
  const auto& a = node.get<ConvAttrs>();
  const Shape& x = graph.value(node.inputs[0]).desc.shape;
  const std::size_t n = x.rank() - 2;
  if (n < 1 || n > 3) return where(graph, node, "torch has conv1d/2d/3d only, this is a " + std::to_string(n) + "-D convolution");
  ConvPlan p;
  p.spatial = static_cast<int>(n);
  p.stride = or_default(a.strides, n, 1);
  p.dilation = or_default(a.dilations, n, 1);
  const auto pads = or_default(a.pads, 2 * n, 0);
  p.groups = a.group;
  p.bias = node.input(2) != kNoValue;
  bool symmetric = true;
  for (std::size_t i = 0; i < n; ++i) symmetric = symmetric && pads[i] == pads[n + i];
  if (symmetric) {
    p.padding.assign(pads.begin(), pads.begin() + static_cast<std::ptrdiff_t>(n));
  } else {
    p.pre_pad = torch_pad_order(pads);
    p.padding.assign(n, 0);
  }
  return p;
}

Result<PoolPlan> plan_pool(const Graph& graph, const Node& node) {
  const auto& a = node.get<PoolAttrs>();
  const Shape& x = graph.value(node.inputs[0]).desc.shape;
  const Shape& y = graph.value(node.outputs[0]).desc.shape;
  const std::size_t n = x.rank() - 2;
  if (n < 1 || n > 3) return where(graph, node, "torch pools 1-3 spatial dims, this input has " + std::to_string(n));
  PoolPlan p;
  p.max = node.op == OpKind::MaxPool;
  p.spatial = static_cast<int>(n);
  p.kernel = a.kernel;
  p.stride = or_default(a.strides, n, 1);
  const auto pads = or_default(a.pads, 2 * n, 0);
  p.ceil_mode = a.ceil_mode;
  p.count_include_pad = a.count_include_pad;
  p.in_spatial.assign(x.dims().begin() + 2, x.dims().end());
  p.out_spatial.assign(y.dims().begin() + 2, y.dims().end());
  bool native = true;  // torch takes symmetric pads of at most half the kernel
  for (std::size_t i = 0; i < n; ++i) native = native && pads[i] == pads[n + i] && pads[i] <= p.kernel[i] / 2;
  std::vector<int64_t> torch_in = p.in_spatial;
  if (native) {
    p.padding.assign(pads.begin(), pads.begin() + static_cast<std::ptrdiff_t>(n));
  } else {
    bool any = false;
    for (int64_t v : pads) any = any || v != 0;
    if (any) p.pre_pad = torch_pad_order(pads);
    p.padding.assign(n, 0);
    for (std::size_t i = 0; i < n; ++i) torch_in[i] += pads[i] + pads[n + i];
    if (p.max) {
      p.pad_value = -std::numeric_limits<double>::infinity();
    } else {
      // Explicit zeros are counted by torch; without count_include_pad the
      // real-element count is divided out instead.
      p.divide_by_valid_count = !a.count_include_pad && any;
      p.count_include_pad = true;
    }
  }
  for (std::size_t i = 0; i < n; ++i) {
    const int64_t t = torch_pool_out(torch_in[i], p.kernel[i], p.padding[i], p.stride[i], p.ceil_mode);
    if (t < p.out_spatial[i])
      return Status(ErrorCode::internal, "libtorch: node '" + node.name + "': torch pooling yields " + std::to_string(t) +
                                             " along spatial dim " + std::to_string(i) + ", the graph expects " +
                                             std::to_string(p.out_spatial[i]));
    // ONNX drops a last window that starts in the end padding; once the pads
    // are explicit, torch keeps it.
    if (t > p.out_spatial[i]) p.narrow = true;
  }
  return p;
}

int64_t normalize_axis(int64_t axis, std::size_t rank) { return axis < 0 ? axis + static_cast<int64_t>(rank) : axis; }

}  // namespace

std::vector<int64_t> torch_pad_order(const std::vector<int64_t>& onnx_pads) {
  const std::size_t n = onnx_pads.size() / 2;
  std::vector<int64_t> out;
  out.reserve(2 * n);
  for (std::size_t i = n; i-- > 0;) {
    out.push_back(onnx_pads[i]);
    out.push_back(onnx_pads[n + i]);
  }
  return out;
}

int64_t torch_pool_out(int64_t in, int64_t kernel, int64_t pad, int64_t stride, bool ceil_mode) {
  const int64_t num = in + 2 * pad - kernel + (ceil_mode ? stride - 1 : 0);
  int64_t out = num / stride + 1;  // num >= 0 for valid graphs
  if (ceil_mode && (out - 1) * stride >= in + pad) --out;
  return out;
}

Result<NodePlan> plan_node(const Graph& graph, int index) {
  const Node& node = graph.nodes.at(static_cast<std::size_t>(index));
  NodePlan np;
  np.index = index;
  np.op = node.op;
  np.name = node.name;
  for (ValueId id : node.inputs)
    if (id != kNoValue) np.inputs.push_back(id);
  np.output = node.outputs.at(0);
  for (ValueId id : np.inputs)
    if (graph.value(id).desc.dtype != DType::f32)
      return where(graph, node, "input '" + graph.value(id).name + "' is " + to_string(graph.value(id).desc.dtype) + ", only f32 is supported");
  const Shape& x = graph.value(np.inputs[0]).desc.shape;
  const Shape& y = graph.value(np.output).desc.shape;

  switch (node.op) {
    case OpKind::Conv: {
      EB_ASSIGN_OR_RETURN(np.plan, plan_conv(graph, node));
      break;
    }
    case OpKind::BatchNorm:
      if (x.rank() < 2) return where(graph, node, "input must have a channel dim");
      np.plan = BatchNormPlan{static_cast<double>(node.get<BatchNormAttrs>().epsilon)};
      break;
    case OpKind::Relu:
    case OpKind::Sigmoid:
    case OpKind::Add:
      np.plan = PlainPlan{};
      break;
    case OpKind::Clip: {
      const auto& a = node.get<ClipAttrs>();
      np.plan = ClipPlan{a.min, a.max, a.min == 0.0f && a.max == 6.0f};
      break;
    }
    case OpKind::LeakyRelu:
      np.plan = LeakyReluPlan{static_cast<double>(node.get<LeakyReluAttrs>().alpha)};
      break;
    case OpKind::MaxPool:
    case OpKind::AvgPool: {
      EB_ASSIGN_OR_RETURN(np.plan, plan_pool(graph, node));
      break;
    }
    case OpKind::GlobalAvgPool:
    case OpKind::GlobalMaxPool: {
      GlobalPoolPlan p;
      p.max = node.op == OpKind::GlobalMaxPool;
      p.spatial = static_cast<int>(x.rank()) - 2;
      p.adaptive = !p.max && p.spatial >= 1 && p.spatial <= 3;
      for (int64_t d = 2; d < static_cast<int64_t>(x.rank()); ++d) p.dims.push_back(d);
      np.plan = p;
      break;
    }
    case OpKind::Gemm:
      np.plan = GemmPlan{node.input(2) != kNoValue};
      break;
    case OpKind::Concat:
    case OpKind::Softmax:
      np.plan = AxisPlan{normalize_axis(node.get<AxisAttrs>().axis, x.rank())};
      break;
    case OpKind::Flatten: {
      const int64_t axis = normalize_axis(node.get<AxisAttrs>().axis, x.rank());
      np.plan = ShapePlan{axis == 1 && x.rank() >= 2, y.dims()};
      break;
    }
    case OpKind::Reshape:
      np.plan = ShapePlan{false, y.dims()};
      break;
    case OpKind::Lrn: {
      const auto& a = node.get<LrnAttrs>();
      if (x.rank() < 2) return where(graph, node, "input must have a channel dim");
      if (a.size < 1) return where(graph, node, "size must be positive");
      LrnPlan p;
      p.size = a.size;
      p.front = (a.size - 1) / 2;          // ONNX: floor((size - 1) / 2) channels before
      p.back = a.size - 1 - p.front;       //       ceil((size - 1) / 2) after
      p.alpha = a.alpha;
      p.beta = a.beta;
      p.bias = a.bias;
      const int64_t rest = x[0] * x[1] == 0 ? 0 : x.numel() / (x[0] * x[1]);
      p.as4d = {x[0], 1, x[1], rest};
      p.shape = x.dims();
      np.plan = p;
      break;
    }
    case OpKind::Upsample: {
      const auto& scales = node.get<UpsampleAttrs>().scales;
      UpsamplePlan p;
      p.spatial = static_cast<int>(x.rank()) - 2;
      p.native = p.spatial >= 1 && p.spatial <= 3 && scales[0] == 1 && scales[1] == 1;
      if (p.native) {
        p.out_size.assign(y.dims().begin() + 2, y.dims().end());
      } else {
        for (std::size_t d = 0; d < scales.size(); ++d)
          if (scales[d] != 1) p.repeats.emplace_back(static_cast<int64_t>(d), scales[d]);
      }
      np.plan = p;
      break;
    }
    case OpKind::Pad: {
      const auto& a = node.get<PadAttrs>();
      PadPlan p;
      p.pads = torch_pad_order(a.pads);
      while (p.pads.size() >= 2 && p.pads[p.pads.size() - 1] == 0 && p.pads[p.pads.size() - 2] == 0) p.pads.resize(p.pads.size() - 2);
      p.value = a.value;
      np.plan = p;
      break;
    }
    default:
      return where(graph, node, "no torch mapping for this op");
  }
  return np;
}

Result<std::vector<NodePlan>> plan_graph(const Graph& graph) {
  std::vector<NodePlan> plans;
  plans.reserve(graph.nodes.size());
  for (std::size_t i = 0; i < graph.nodes.size(); ++i) {
    EB_ASSIGN_OR_RETURN(NodePlan p, plan_node(graph, static_cast<int>(i)));
    plans.push_back(std::move(p));
  }
  return plans;
}

const char* category_of_torch_op(std::string_view op) {
  // Order matters: fused kernels carry several names ("conv2d_clamp_run").
  if (contains(op, "conv")) return to_string(OpCategory::convolution);
  if (contains(op, "linear") || contains(op, "addmm") || contains(op, "matmul") || op == "aten::mm") return to_string(OpCategory::fully_connected);
  if (contains(op, "batch_norm")) return to_string(OpCategory::batch_norm);
  if (contains(op, "pool") || contains(op, "amax") || op == "aten::mean") return to_string(OpCategory::pooling);
  if (contains(op, "relu") || contains(op, "clamp") || contains(op, "hardtanh") || contains(op, "sigmoid") || contains(op, "tanh") ||
      contains(op, "elu"))
    return to_string(OpCategory::activation);
  if (contains(op, "softmax")) return to_string(OpCategory::other);
  if (contains(op, "cat") || contains(op, "flatten") || contains(op, "reshape") || contains(op, "view") || contains(op, "upsample") ||
      contains(op, "pad") || contains(op, "narrow") || contains(op, "slice") || contains(op, "repeat") || contains(op, "to_dense") ||
      contains(op, "to_mkldnn") || contains(op, "contiguous") || contains(op, "copy") || contains(op, "reorder"))
    return to_string(OpCategory::data_movement);
  if (contains(op, "add") || contains(op, "mul") || contains(op, "div") || contains(op, "sub") || contains(op, "pow"))
    return to_string(OpCategory::elementwise);
  return to_string(OpCategory::other);
}

std::string float_literal(double v) {
  if (std::isnan(v)) return "float(\"nan\")";
  if (std::isinf(v)) return v > 0 ? "float(\"inf\")" : "float(\"-inf\")";
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  std::string s = buf;
  if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
  return s;
}

}  // namespace eb::torch_lowering
