// Graph -> .cfg + .weights; see exporter.h.
#include <cmath>
#include <fstream>

#include "formats/darknet/exporter.h"

namespace eb::darknet_format {
namespace detail {
namespace {

constexpr int kNothingReadable = -2;  // last_usable_ after a detection head

}  // namespace

Exporter::Exporter(const Graph& graph) : graph_(graph), producers_(graph.producers()), consumers_(graph.consumers()) {}

Result<DarknetExport> Exporter::run() {
  EB_RETURN_IF_ERROR(start());
  for (const Node& node : graph_.nodes) {
    const std::size_t i = static_cast<std::size_t>(&node - graph_.nodes.data());
    if (!live_[i] || done_[i]) continue;
    done_[i] = 1;
    EB_RETURN_IF_ERROR(emit(node));
    EB_RETURN_IF_ERROR(mark_output(last_value_, node));
  }
  // Darknet's network output is its last layer: make it hold the last output.
  const Node& last = graph_.nodes.back();
  if (placed_.at(final_value_).layer != last_usable_) EB_RETURN_IF_ERROR(route_to(final_value_, last));

  DarknetExport out;
  for (ValueId v : graph_.outputs) out.output_layers.push_back(placed_.at(v).layer);
  out.cfg = format_cfg(cfg_, "written by edgebench from graph '" + graph_.name + "'");
  out.weights = weights_.bytes();
  return out;
}

Status Exporter::start() {
  if (graph_.inputs.size() != 1) return unsupported("cannot express a graph with " + std::to_string(graph_.inputs.size()) + " inputs in Darknet");
  if (graph_.nodes.empty()) return unsupported("cannot express a graph without nodes in Darknet");
  const ValueId in = graph_.inputs[0];
  const Shape& s = graph_.value(in).desc.shape;
  CfgSection net{"net", 0, {opt("batch", 1), opt("subdivisions", 1)}};
  if (s.rank() == 4 && s[0] == 1) {
    net.options.push_back(opt("width", s[3]));
    net.options.push_back(opt("height", s[2]));
    net.options.push_back(opt("channels", s[1]));
    placed_[in] = Placed{-1, s[1], s[2], s[3]};
  } else if (s.rank() == 2 && s[0] == 1) {
    net.options.push_back(opt("inputs", s[1]));
    placed_[in] = Placed{-1, 0, 0, 0};
  } else {
    return unsupported("cannot express input '" + graph_.value(in).name + "' [" + s.to_string() +
                       "] in Darknet: it takes one [1,c,h,w] image or one [1,n] vector");
  }
  cfg_.sections.push_back(std::move(net));

  // Only nodes that lead to an output become layers.
  live_.assign(graph_.nodes.size(), 0);
  done_.assign(graph_.nodes.size(), 0);
  is_output_.assign(graph_.values.size(), 0);
  std::vector<char> needed(graph_.values.size(), 0);
  for (ValueId v : graph_.outputs) is_output_[v] = needed[v] = 1;
  for (std::size_t i = graph_.nodes.size(); i-- > 0;) {
    const Node& n = graph_.nodes[i];
    if (!needed[n.outputs[0]]) continue;
    live_[i] = 1;
    if (final_value_ == kNoValue) final_value_ = n.outputs[0];
    for (ValueId x : n.inputs)
      if (x != kNoValue) needed[x] = 1;
  }
  if (final_value_ == kNoValue) return unsupported("cannot express a graph whose outputs are its input in Darknet");
  // A [route] or [shortcut] cannot name the network input, so an input read
  // more than once, or by them, is first copied by an identity layer.
  int readers = 0;
  bool referenced = false;
  for (int c : consumers_[in])
    if (live_[c]) {
      ++readers;
      referenced |= graph_.nodes[c].op == OpKind::Add || graph_.nodes[c].op == OpKind::Concat;
    }
  if (readers > 1 || referenced) {
    const Placed p = placed_[in];
    add_layer("activation", {opt("activation", "linear")}, in, Placed{0, p.c, p.h, p.w});
  }
  for (std::size_t n = 0; n < graph_.nodes.size(); ++n) {
    if (!live_[n] || graph_.nodes[n].op != OpKind::Add) continue;
    for (int slot = 0; slot < 2; ++slot) {
      std::vector<int> chain;
      if (auto adapter = shortcut_adapter(graph_.nodes[n].inputs[slot], &chain)) {
        for (int c : chain) done_[c] = 1;  // folded into the [shortcut]
        adapter->slot = slot;
        adapters_[static_cast<int>(n)] = *adapter;
        break;
      }
    }
  }
  return Status::ok();
}

int Exporter::sole_live_consumer(ValueId v) const {
  int only = -1;
  for (int c : consumers_[v]) {
    if (!live_[c]) continue;
    if (only >= 0) return -1;
    only = c;
  }
  return only;
}

std::optional<Exporter::Adapter> Exporter::shortcut_adapter(ValueId v, std::vector<int>* chain) const {
  Adapter adapter;
  const auto step = [&](OpKind kind) -> const Node* {
    const int p = producers_[v];
    if (p < 0 || is_output_[v] || sole_live_consumer(v) < 0 || graph_.nodes[p].op != kind) return nullptr;
    return &graph_.nodes[p];
  };
  if (const Node* pad = step(OpKind::Pad)) {
    const auto& a = pad->get<PadAttrs>();
    if (a.value != 0.0f || a.pads.size() != 8 || a.pads[5] <= 0) return std::nullopt;
    for (int i : {0, 1, 2, 3, 4, 6, 7})
      if (a.pads[i] != 0) return std::nullopt;
    chain->push_back(static_cast<int>(pad - graph_.nodes.data()));
    v = pad->inputs[0];
  }
  if (const Node* pool = step(OpKind::MaxPool)) {
    const auto& a = pool->get<PoolAttrs>();
    if (a.kernel == std::vector<int64_t>{1, 1} && all_equal(a.pads, 0) && a.strides.size() == 2 && a.strides[0] == a.strides[1]) {
      chain->push_back(static_cast<int>(pool - graph_.nodes.data()));
      adapter.stride = a.strides[0];
      v = pool->inputs[0];
    }
  }
  if (chain->empty()) return std::nullopt;
  adapter.from = v;
  return adapter;
}

Status Exporter::emit(const Node& node) {
  // (An Add fed by a folded shortcut adapter reads the adapter's source.)
  const bool adapted = adapters_.count(static_cast<int>(&node - graph_.nodes.data())) > 0;
  for (std::size_t i = 0; i < node.inputs.size() && !adapted; ++i) {
    const ValueId x = node.inputs[i];
    if (x == kNoValue) continue;
    if (schema(node.op).roles[std::min(i, schema(node.op).roles.size() - 1)] != InputRole::activation) {
      if (!graph_.value(x).is_initializer()) return cannot("a weight that is not a constant", node);
    } else if (!placed_.count(x)) {
      return internal_error("darknet export: input '" + graph_.value(x).name + "' of node '" + node.name + "' was never placed");
    }
  }
  Status st;
  switch (node.op) {
    case OpKind::Conv: st = conv(node); break;
    case OpKind::Gemm: st = gemm(node); break;
    case OpKind::BatchNorm: st = batch_norm(node); break;
    case OpKind::MaxPool:
    case OpKind::AvgPool:
    case OpKind::GlobalAvgPool:
    case OpKind::GlobalMaxPool: st = pool(node); break;
    case OpKind::Add: st = add(node); break;
    case OpKind::Concat: st = concat(node); break;
    case OpKind::Softmax: st = softmax(node); break;
    case OpKind::Upsample: st = upsample(node); break;
    case OpKind::Relu:
    case OpKind::LeakyRelu:
    case OpKind::Sigmoid: st = activation(node); break;
    case OpKind::Flatten:
    case OpKind::Reshape: st = alias(node); break;
    case OpKind::Clip: return cannot("Clip (Darknet has no ReLU6 or clipping activation)", node);
    case OpKind::Lrn: return cannot("LRN (Darknet's [normalization] uses a different channel window)", node);
    case OpKind::Pad: return cannot("Pad (Darknet has no padding layer)", node);
  }
  return st;
}

Status Exporter::route_to(ValueId v, const Node& at) {
  const Placed p = placed_.at(v);
  if (p.layer == last_usable_) return Status::ok();
  if (p.layer < 0) return cannot("a second read of the network input", at);
  add_layer("route", {opt("layers", p.layer)}, kNoValue, p);  // a copy of that layer's output
  return Status::ok();
}

Status Exporter::require_image(ValueId v, const Node& at) const {
  const Shape& s = graph_.value(v).desc.shape;
  const Placed p = placed_.at(v);
  if (s.rank() != 4 || s[0] != 1) return cannot("input [" + s.to_string() + "] (Darknet layers here read one [1,c,h,w] image)", at);
  if (!p.is_image() || Shape{1, p.c, p.h, p.w} != s)
    return cannot("input [" + s.to_string() + "] held by a Darknet layer without those image dims", at);
  return Status::ok();
}

int Exporter::add_layer(std::string type, std::vector<CfgOption> options, ValueId out, Placed dims) {
  const int index = static_cast<int>(cfg_.sections.size()) - 1;  // [net] is not a layer
  cfg_.sections.push_back(CfgSection{std::move(type), 0, std::move(options)});
  dims.layer = index;
  if (out != kNoValue) {
    placed_[out] = dims;
    last_value_ = out;
  }
  last_usable_ = index;
  return index;
}

const Node* Exporter::fusable(ValueId v, std::initializer_list<OpKind> kinds) const {
  if (is_output_[v]) return nullptr;
  const Node* only = nullptr;
  for (int c : consumers_[v]) {
    if (!live_[c]) continue;
    if (only) return nullptr;
    only = &graph_.nodes[c];
  }
  if (!only) return nullptr;
  for (OpKind k : kinds)
    if (only->op == k) return only;
  return nullptr;
}

std::string Exporter::fold_activation(ValueId* v) {
  const Node* act = fusable(*v, {OpKind::Relu, OpKind::LeakyRelu, OpKind::Sigmoid});
  if (!act || !darknet_activation(*act)) return "linear";
  done_[static_cast<std::size_t>(act - graph_.nodes.data())] = 1;
  *v = act->outputs[0];
  return darknet_activation(*act);
}

Result<Exporter::Folded> Exporter::fold_followers(const Node& node, const std::vector<float>* bias) {
  Folded f;
  f.out = node.outputs[0];
  if (const Node* b = fusable(f.out, {OpKind::BatchNorm})) {
    EB_ASSIGN_OR_RETURN(f.bn, bn_params(*b, bias));
    done_[static_cast<std::size_t>(b - graph_.nodes.data())] = 1;
    f.out = b->outputs[0];
  }
  f.activation = fold_activation(&f.out);
  return f;
}

Result<Exporter::BnParams> Exporter::bn_params(const Node& bn, const std::vector<float>* folded_bias) const {
  for (int i = 1; i < 5; ++i)
    if (!graph_.value(bn.inputs[i]).is_initializer()) return cannot("BatchNormalization with non-constant parameters", bn);
  BnParams p{data(bn.inputs[1]), data(bn.inputs[2]), data(bn.inputs[3]), data(bn.inputs[4])};
  // A conv/FC bias b before the BN is the same as a mean of (mean - b).
  if (folded_bias)
    for (std::size_t k = 0; k < p.mean.size(); ++k) p.mean[k] -= (*folded_bias)[k];
  // Darknet divides by sqrt(var) + 1e-6; choose var so that this equals our
  // sqrt(var + eps). Darknet-born BNs (our import epsilon) stay bit-identical.
  const float eps = bn.get<BatchNormAttrs>().epsilon;
  if (eps != kBatchNormEpsilon)
    for (float& var : p.variance) {
      const double root = std::sqrt(static_cast<double>(var) + eps) - kDarknetVarianceShift;
      var = root > 0 ? static_cast<float>(root * root) : 0.0f;
    }
  return p;
}

Status Exporter::mark_output(ValueId v, const Node& at) {
  if (!is_output_[v] || v == final_value_) return Status::ok();
  const Placed p = placed_.at(v);
  // Darknet returns one output, its last layer; its detectors expose more
  // through [yolo] layers, whose input we read back as an output. A [yolo]
  // needs boxes * (classes + 5) channels.
  if (!p.is_image() || p.c < 5) return cannot("a second output with fewer than 5 channels (not a detection head)", at);
  const bool three = p.c % 3 == 0 && p.c / 3 >= 5;
  EB_RETURN_IF_ERROR(route_to(v, at));
  add_layer("yolo",
            {opt("mask", three ? "0,1,2" : "0"), opt("num", three ? 3 : 1), opt("classes", (three ? p.c / 3 : p.c) - 5)},
            kNoValue, p);
  last_usable_ = kNothingReadable;
  return Status::ok();
}

}  // namespace detail

Result<DarknetExport> export_darknet_model(const Graph& graph) {
  detail::Exporter exporter(graph);
  Result<DarknetExport> out = exporter.run();
  if (!out.is_ok()) return out.status().with_context("darknet export of graph '" + graph.name + "'");
  return out;
}

Status export_darknet(const Graph& graph, const std::string& cfg_path, const std::string& weights_path) {
  EB_ASSIGN_OR_RETURN(const DarknetExport out, export_darknet_model(graph));
  for (const auto& [path, bytes] : {std::pair{&cfg_path, &out.cfg}, std::pair{&weights_path, &out.weights}}) {
    std::ofstream file(*path, std::ios::binary | std::ios::trunc);
    file.write(bytes->data(), static_cast<std::streamsize>(bytes->size()));
    if (!file) return io_error("cannot write " + *path);
  }
  return Status::ok();
}

}  // namespace eb::darknet_format
