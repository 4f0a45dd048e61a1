#include "graph/builder.h"

#include <cmath>
#include <unordered_set>

namespace eb {

GraphBuilder::GraphBuilder(std::string graph_name, uint64_t seed, WeightInit init) : rng_(seed), init_(init) {
  graph_.name = std::move(graph_name);
}

std::string GraphBuilder::unique_name(const std::string& wanted, std::string_view prefix) {
  if (!wanted.empty()) return wanted;
  return std::string(prefix) + "_" + std::to_string(counter_++);
}

ValueId GraphBuilder::input(const std::string& name, Shape shape) {
  const ValueId id = graph_.add_value(name, TensorDesc{DType::f32, std::move(shape)});
  graph_.inputs.push_back(id);
  return id;
}

void GraphBuilder::output(ValueId v) { graph_.outputs.push_back(v); }

ValueId GraphBuilder::constant(const std::string& name, Shape shape, std::vector<float> data) {
  auto buffer = std::make_shared<const std::vector<float>>(std::move(data));
  return graph_.add_value(name, TensorDesc{DType::f32, std::move(shape)}, std::move(buffer));
}

ValueId GraphBuilder::weight(const std::string& name, Shape shape, float stddev) {
  std::vector<float> data(static_cast<std::size_t>(shape.numel()));
  if (init_ == WeightInit::random)
    for (float& w : data) w = stddev * rng_.normal();
  return constant(name, std::move(shape), std::move(data));
}

ValueId GraphBuilder::filled(const std::string& name, Shape shape, float base, float jitter) {
  std::vector<float> data(static_cast<std::size_t>(shape.numel()));
  if (init_ == WeightInit::random)
    for (float& w : data) w = base + jitter * rng_.uniform(-1.0f, 1.0f);
  return constant(name, std::move(shape), std::move(data));
}

ValueId GraphBuilder::node(OpKind op, std::vector<ValueId> inputs, Attrs attrs, const std::string& name) {
  if (!status_.is_ok()) return inputs.empty() ? 0 : inputs[0];
  Node n;
  n.name = unique_name(name, op_name(op));
  n.op = op;
  n.inputs = std::move(inputs);
  n.attrs = std::move(attrs);
  std::vector<TensorDesc> in_descs;
  for (ValueId id : n.inputs)
    if (id != kNoValue) in_descs.push_back(graph_.value(id).desc);
  std::vector<TensorDesc> out_descs;
  Status st = attrs_fit(op, n.attrs) ? schema(op).infer(n, in_descs, out_descs) : invalid_argument("attributes of another op");
  if (!st.is_ok()) {
    status_ = st.with_context("graph '" + graph_.name + "', layer '" + n.name + "' (" + std::string(op_name(op)) + ")");
    return n.inputs.empty() ? 0 : n.inputs[0];
  }
  const ValueId out = graph_.add_value(n.name, out_descs[0]);
  n.outputs = {out};
  graph_.nodes.push_back(std::move(n));
  return out;
}

ValueId GraphBuilder::conv(ValueId x, const ConvSpec& spec, const std::string& name) {
  if (!status_.is_ok()) return x;
  const std::string n = unique_name(name, "conv");
  const Shape& in = shape(x);
  const std::size_t dims = spec.kernel.size();
  if (in.rank() != dims + 2 || spec.out_channels < 1 || spec.group < 1 || in[1] % spec.group != 0) {
    status_ = invalid_argument("graph '" + graph_.name + "', layer '" + n + "': conv spec does not fit input [" + in.to_string() + "]");
    return x;
  }
  ConvAttrs a;
  a.kernel = spec.kernel;
  a.strides = spec.stride.empty() ? std::vector<int64_t>(dims, 1) : spec.stride;
  a.dilations = spec.dilation.empty() ? std::vector<int64_t>(dims, 1) : spec.dilation;
  a.group = spec.group;
  if (spec.pads.empty()) {
    a.pads.assign(2 * dims, 0);
    for (std::size_t i = 0; i < dims; ++i) same_pads(in[2 + i], a.kernel[i], a.strides[i], a.dilations[i], a.pads[i], a.pads[dims + i]);
  } else {
    a.pads = spec.pads;
  }
  std::vector<int64_t> wdims = {spec.out_channels, in[1] / spec.group};
  int64_t fan_in = in[1] / spec.group;
  for (int64_t k : spec.kernel) {
    wdims.push_back(k);
    fan_in *= k;
  }
  // He-normal: stddev = sqrt(2 / fan_in) keeps activations' scale through ReLU stacks.
  std::vector<ValueId> inputs = {x, weight(n + ".weight", Shape(wdims), std::sqrt(2.0f / static_cast<float>(fan_in)))};
  if (spec.bias) inputs.push_back(filled(n + ".bias", Shape{spec.out_channels}, 0.0f, 0.01f));
  return node(OpKind::Conv, std::move(inputs), a, n);
}

ValueId GraphBuilder::conv2d(ValueId x, int64_t out_channels, int64_t kernel, int64_t stride, int64_t pad, int64_t group,
                             bool bias, const std::string& name) {
  ConvSpec s;
  s.out_channels = out_channels;
  s.kernel = {kernel, kernel};
  s.stride = {stride, stride};
  if (pad != kSamePadding) s.pads = {pad, pad, pad, pad};
  s.group = group;
  s.bias = bias;
  return conv(x, s, name);
}

ValueId GraphBuilder::batch_norm(ValueId x, float epsilon, const std::string& name) {
  if (!status_.is_ok()) return x;
  const std::string n = unique_name(name, "bn");
  const Shape c{shape(x)[1]};
  // Near-identity statistics with jitter: folding them into the conv must matter.
  std::vector<ValueId> inputs = {x, filled(n + ".scale", c, 1.0f, 0.1f), filled(n + ".bias", c, 0.0f, 0.1f),
                                 filled(n + ".mean", c, 0.0f, 0.1f), filled(n + ".var", c, 1.0f, 0.1f)};
  return node(OpKind::BatchNorm, std::move(inputs), BatchNormAttrs{epsilon}, n);
}

ValueId GraphBuilder::relu(ValueId x, const std::string& name) { return node(OpKind::Relu, {x}, NoAttrs{}, name); }
ValueId GraphBuilder::relu6(ValueId x, const std::string& name) { return node(OpKind::Clip, {x}, ClipAttrs{0.0f, 6.0f}, name); }
ValueId GraphBuilder::leaky_relu(ValueId x, float alpha, const std::string& name) {
  return node(OpKind::LeakyRelu, {x}, LeakyReluAttrs{alpha}, name);
}
ValueId GraphBuilder::sigmoid(ValueId x, const std::string& name) { return node(OpKind::Sigmoid, {x}, NoAttrs{}, name); }

static PoolAttrs pool_attrs(const PoolSpec& spec) {
  const std::size_t dims = spec.kernel.size();
  PoolAttrs a;
  a.kernel = spec.kernel;
  a.strides = spec.stride.empty() ? spec.kernel : spec.stride;
  a.pads = spec.pads.empty() ? std::vector<int64_t>(2 * dims, 0) : spec.pads;
  a.ceil_mode = spec.ceil_mode;
  a.count_include_pad = spec.count_include_pad;
  return a;
}

ValueId GraphBuilder::max_pool(ValueId x, const PoolSpec& spec, const std::string& name) {
  return node(OpKind::MaxPool, {x}, pool_attrs(spec), name);
}
ValueId GraphBuilder::avg_pool(ValueId x, const PoolSpec& spec, const std::string& name) {
  return node(OpKind::AvgPool, {x}, pool_attrs(spec), name);
}
ValueId GraphBuilder::max_pool2d(ValueId x, int64_t kernel, int64_t stride, int64_t pad, const std::string& name) {
  return max_pool(x, PoolSpec{{kernel, kernel}, {stride, stride}, {pad, pad, pad, pad}}, name);
}
ValueId GraphBuilder::avg_pool2d(ValueId x, int64_t kernel, int64_t stride, int64_t pad, const std::string& name) {
  return avg_pool(x, PoolSpec{{kernel, kernel}, {stride, stride}, {pad, pad, pad, pad}}, name);
}
ValueId GraphBuilder::global_avg_pool(ValueId x, const std::string& name) { return node(OpKind::GlobalAvgPool, {x}, NoAttrs{}, name); }
ValueId GraphBuilder::global_max_pool(ValueId x, const std::string& name) { return node(OpKind::GlobalMaxPool, {x}, NoAttrs{}, name); }

ValueId GraphBuilder::dense(ValueId x, int64_t out_features, bool bias, const std::string& name) {
  if (!status_.is_ok()) return x;
  const std::string n = unique_name(name, "fc");
  const Shape& in = shape(x);
  if (in.rank() != 2) {
    status_ = invalid_argument("graph '" + graph_.name + "', layer '" + n + "': fully connected input [" + in.to_string() + "] must be 2-D");
    return x;
  }
  std::vector<ValueId> inputs = {x, weight(n + ".weight", Shape{out_features, in[1]}, std::sqrt(2.0f / static_cast<float>(in[1])))};
  if (bias) inputs.push_back(filled(n + ".bias", Shape{out_features}, 0.0f, 0.01f));
  return node(OpKind::Gemm, std::move(inputs), NoAttrs{}, n);
}

ValueId GraphBuilder::add(ValueId a, ValueId b, const std::string& name) { return node(OpKind::Add, {a, b}, NoAttrs{}, name); }
ValueId GraphBuilder::concat(const std::vector<ValueId>& xs, int64_t axis, const std::string& name) {
  return node(OpKind::Concat, xs, AxisAttrs{axis}, name);
}
ValueId GraphBuilder::flatten(ValueId x, int64_t axis, const std::string& name) { return node(OpKind::Flatten, {x}, AxisAttrs{axis}, name); }
ValueId GraphBuilder::reshape(ValueId x, std::vector<int64_t> s, const std::string& name) {
  return node(OpKind::Reshape, {x}, ReshapeAttrs{std::move(s)}, name);
}
ValueId GraphBuilder::softmax(ValueId x, int64_t axis, const std::string& name) { return node(OpKind::Softmax, {x}, AxisAttrs{axis}, name); }
ValueId GraphBuilder::lrn(ValueId x, int64_t size, float alpha, float beta, float bias, const std::string& name) {
  return node(OpKind::Lrn, {x}, LrnAttrs{size, alpha, beta, bias}, name);
}
ValueId GraphBuilder::upsample(ValueId x, int64_t factor, const std::string& name) {
  if (!status_.is_ok()) return x;
  std::vector<int64_t> scales(shape(x).rank(), factor);
  scales[0] = scales[1] = 1;
  return node(OpKind::Upsample, {x}, UpsampleAttrs{std::move(scales)}, name);
}
ValueId GraphBuilder::pad(ValueId x, std::vector<int64_t> pads, float value, const std::string& name) {
  return node(OpKind::Pad, {x}, PadAttrs{std::move(pads), value}, name);
}

Result<Graph> GraphBuilder::finish() && {
  if (!status_.is_ok()) return status_;
  EB_RETURN_IF_ERROR(graph_.validate_and_infer());
  return std::move(graph_);
}

}  // namespace eb
