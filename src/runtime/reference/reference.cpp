// run_node: checks a node's inputs and output against the op table, then
// dispatches to the op's kernel. run_graph: one buffer per value, nodes in
// order, every failure a Status naming the graph, node and tensor.
#include "runtime/reference/reference.h"

#include <new>
#include <string>
#include <variant>

#include "runtime/reference/kernels.h"

namespace eb::ref {
namespace {

using namespace detail;

std::string describe(const Node& node) { return "node '" + node.name + "' (" + std::string(op_name(node.op)) + ")"; }

// The attrs alternative each op reads; ops without attributes accept any.
Status check_attrs(const Node& node) {
  bool ok = true;
  switch (node.op) {
    case OpKind::Conv: ok = std::holds_alternative<ConvAttrs>(node.attrs); break;
    case OpKind::BatchNorm: ok = std::holds_alternative<BatchNormAttrs>(node.attrs); break;
    case OpKind::Clip: ok = std::holds_alternative<ClipAttrs>(node.attrs); break;
    case OpKind::LeakyRelu: ok = std::holds_alternative<LeakyReluAttrs>(node.attrs); break;
    case OpKind::MaxPool:
    case OpKind::AvgPool: ok = std::holds_alternative<PoolAttrs>(node.attrs); break;
    case OpKind::Concat:
    case OpKind::Flatten:
    case OpKind::Softmax: ok = std::holds_alternative<AxisAttrs>(node.attrs); break;
    case OpKind::Reshape: ok = std::holds_alternative<ReshapeAttrs>(node.attrs); break;
    case OpKind::Lrn: ok = std::holds_alternative<LrnAttrs>(node.attrs); break;
    case OpKind::Upsample: ok = std::holds_alternative<UpsampleAttrs>(node.attrs); break;
    case OpKind::Pad: ok = std::holds_alternative<PadAttrs>(node.attrs); break;
    case OpKind::Relu:
    case OpKind::Sigmoid:
    case OpKind::GlobalAvgPool:
    case OpKind::GlobalMaxPool:
    case OpKind::Gemm:
    case OpKind::Add: break;
  }
  if (!ok) return invalid_argument("attributes of the wrong kind for " + std::string(op_name(node.op)));
  return Status::ok();
}

Status dispatch(const Node& node, Inputs in, TensorView out) {
  switch (node.op) {
    case OpKind::Conv: return conv(node, in, out);
    case OpKind::BatchNorm: return batch_norm(node, in, out);
    case OpKind::Relu:
    case OpKind::Clip:
    case OpKind::LeakyRelu:
    case OpKind::Sigmoid: return unary(node, in, out);
    case OpKind::MaxPool:
    case OpKind::AvgPool: return pool(node, in, out);
    case OpKind::GlobalAvgPool:
    case OpKind::GlobalMaxPool: return global_pool(node, in, out);
    case OpKind::Gemm: return gemm(node, in, out);
    case OpKind::Add: return add(node, in, out);
    case OpKind::Concat: return concat(node, in, out);
    case OpKind::Flatten:
    case OpKind::Reshape: return copy(node, in, out);
    case OpKind::Softmax: return softmax(node, in, out);
    case OpKind::Lrn: return lrn(node, in, out);
    case OpKind::Upsample: return upsample(node, in, out);
    case OpKind::Pad: return pad(node, in, out);
  }
  return unsupported("no reference kernel for op " + std::to_string(static_cast<int>(node.op)));
}

// A slot is absent when the node marks it so, or when its view has no data
// but claims elements (a present empty tensor may have a null pointer).
bool is_absent(const Node& node, std::size_t slot, const ConstTensorView& view) {
  return node.input(slot) == kNoValue || (view.data == nullptr && view.shape.numel() != 0);
}

Status run_node_checked(const Node& node, std::span<const ConstTensorView> inputs, TensorView output) {
  EB_RETURN_IF_ERROR(check_attrs(node));
  const OpSchema& s = schema(node.op);
  if (inputs.size() != node.inputs.size())
    return invalid_argument("got " + std::to_string(inputs.size()) + " input views for " + std::to_string(node.inputs.size()) + " inputs");
  const int n_in = static_cast<int>(inputs.size());
  if (n_in < s.min_inputs || n_in > s.max_inputs)
    return invalid_argument("takes " + std::to_string(s.min_inputs) + ".." + std::to_string(s.max_inputs) + " inputs, got " +
                            std::to_string(n_in));

  // Our ops only have trailing optional inputs, so the present ones are a prefix.
  std::vector<ConstTensorView> present;
  std::vector<TensorDesc> descs;
  for (int i = 0; i < n_in; ++i) {
    if (is_absent(node, static_cast<std::size_t>(i), inputs[i])) {
      if (i < s.min_inputs) return invalid_argument("required input " + std::to_string(i) + " is missing");
      continue;
    }
    if (present.size() != static_cast<std::size_t>(i))
      return unsupported("input " + std::to_string(i) + " is present after an absent optional input");
    present.push_back(inputs[i]);
    descs.push_back(TensorDesc{DType::f32, inputs[i].shape});
  }

  std::vector<TensorDesc> expected;
  EB_RETURN_IF_ERROR(s.infer(node, descs, expected));
  if (expected.empty() || expected[0].shape != output.shape)
    return invalid_argument("output view is [" + output.shape.to_string() + "], the op produces [" +
                            (expected.empty() ? std::string("?") : expected[0].shape.to_string()) + "]");
  if (output.data == nullptr && output.shape.numel() != 0) return invalid_argument("output view has no data");
  return dispatch(node, present, output);
}

}  // namespace

Status run_node(const Node& node, std::span<const ConstTensorView> inputs, TensorView output) {
  return run_node_checked(node, inputs, std::move(output)).with_context(describe(node));
}

Result<std::vector<std::vector<float>>> run_graph(const Graph& graph, const std::vector<std::vector<float>>& inputs) {
  const std::string where = "graph '" + graph.name + "'";
  for (const Node& node : graph.nodes) EB_RETURN_IF_ERROR(check_attrs(node).with_context(where + ", " + describe(node)));

  // Work on a copy so that shapes are (re)inferred here; weights are shared, not copied.
  Graph g = graph;
  EB_RETURN_IF_ERROR(g.validate_and_infer());

  if (inputs.size() != g.inputs.size())
    return invalid_argument(where + ": expects " + std::to_string(g.inputs.size()) + " inputs, got " + std::to_string(inputs.size()));
  std::vector<const float*> data(g.values.size(), nullptr);
  for (const Value& v : g.values)
    if (v.is_initializer()) data[&v - g.values.data()] = v.data->data();
  for (std::size_t k = 0; k < g.inputs.size(); ++k) {
    const Value& v = g.value(g.inputs[k]);
    if (v.desc.dtype != DType::f32)
      return unsupported(where + ": input '" + v.name + "' is " + to_string(v.desc.dtype) + ", reference kernels run f32 only");
    if (static_cast<int64_t>(inputs[k].size()) != v.desc.shape.numel())
      return invalid_argument(where + ": input '" + v.name + "' [" + v.desc.shape.to_string() + "] needs " +
                              std::to_string(v.desc.shape.numel()) + " values, got " + std::to_string(inputs[k].size()));
    data[g.inputs[k]] = inputs[k].data();
  }

  // A value's buffer is released after its last consumer (graph outputs are kept).
  std::vector<int> last_use(g.values.size(), -1);
  for (std::size_t n = 0; n < g.nodes.size(); ++n)
    for (ValueId id : g.nodes[n].inputs)
      if (id != kNoValue) last_use[id] = static_cast<int>(n);
  for (ValueId id : g.outputs) last_use[id] = static_cast<int>(g.nodes.size());

  std::vector<std::vector<float>> owned(g.values.size());
  try {
    for (std::size_t n = 0; n < g.nodes.size(); ++n) {
      const Node& node = g.nodes[n];
      std::vector<ConstTensorView> views;
      for (ValueId id : node.inputs)
        views.push_back(id == kNoValue ? ConstTensorView{} : ConstTensorView{data[id], g.value(id).desc.shape});
      const ValueId out = node.outputs[0];
      const Shape& shape = g.value(out).desc.shape;
      owned[out].resize(static_cast<std::size_t>(shape.numel()));
      EB_RETURN_IF_ERROR(run_node(node, views, TensorView{owned[out].data(), shape}).with_context(where));
      data[out] = owned[out].data();
      for (ValueId id : node.inputs)
        if (id != kNoValue && last_use[id] == static_cast<int>(n)) std::vector<float>().swap(owned[id]);
    }

    std::vector<std::vector<float>> results;
    for (ValueId id : g.outputs) {
      const float* p = data[id];
      results.emplace_back(p, p + g.value(id).desc.shape.numel());
    }
    return results;
  } catch (const std::bad_alloc&) {
    return Status(ErrorCode::out_of_memory, where + ": out of memory allocating activation buffers");
  }
}

}  // namespace eb::ref
