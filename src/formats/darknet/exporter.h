// Internal to the Darknet exporter: walks the graph's nodes in order and
// writes one Darknet layer per node, folding Conv/Gemm + BatchNorm +
// activation chains into one [convolutional]/[connected] the way Darknet
// models are written. Darknet layers read the previous layer's output; a
// node reading anything else gets a [route] to it first.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "formats/darknet/darknet.h"

namespace eb::darknet_format::detail {

inline Status cannot(const std::string& what, const Node& at) {
  return unsupported("cannot express " + what + " at node '" + at.name + "' (" + std::string(op_name(at.op)) + ")");
}

inline CfgOption opt(std::string key, int64_t value) { return CfgOption{std::move(key), std::to_string(value), 0}; }
inline CfgOption opt(std::string key, std::string value) { return CfgOption{std::move(key), std::move(value), 0}; }

inline bool all_equal(const std::vector<int64_t>& v, int64_t x) {
  for (int64_t e : v)
    if (e != x) return false;
  return true;
}

inline const char* darknet_activation(const Node& n) {
  if (n.op == OpKind::Relu) return "relu";
  if (n.op == OpKind::Sigmoid) return "logistic";
  if (n.op == OpKind::LeakyRelu && n.get<LeakyReluAttrs>().alpha == 0.1f) return "leaky";
  return nullptr;
}

// Where a value lives in the Darknet network: the layer whose output buffer
// holds it (-1: the network input), and that layer's out_c/out_h/out_w.
struct Placed {
  int layer = -1;
  int64_t c = 0, h = 0, w = 0;
  bool is_image() const { return c > 0 && h > 0 && w > 0; }
};

class Exporter {
 public:
  explicit Exporter(const Graph& graph);
  Result<DarknetExport> run();

 private:
  Status start();
  Status emit(const Node& node);
  Status conv(const Node& node);
  Status gemm(const Node& node);
  Status batch_norm(const Node& node);
  Status pool(const Node& node);
  Status add(const Node& node);
  Status concat(const Node& node);
  Status softmax(const Node& node);
  Status upsample(const Node& node);
  Status activation(const Node& node);
  Status alias(const Node& node);  // Flatten: Darknet buffers are flat already

  // Makes `v` the previous layer's output, with a [route] if it is not.
  Status route_to(ValueId v, const Node& at);
  // The value as a Darknet image: rank 4 and held by an image layer.
  Status require_image(ValueId v, const Node& at) const;
  // Appends a layer holding `out`; returns its index.
  int add_layer(std::string type, std::vector<CfgOption> options, ValueId out, Placed dims);
  // A graph output that Darknet would not return gets a [yolo] marker.
  Status mark_output(ValueId v, const Node& at);

  // Darknet's [shortcut] subsamples and zero-pads its from= input itself
  // (ResNet's "option A"); the importer writes that as [MaxPool 1x1/s] ->
  // [Pad channels] -> Add. Finds such a chain ending in v; returns its start.
  struct Adapter {
    int slot = 0;           // the Add input it feeds
    ValueId from = kNoValue;
    int64_t stride = 1;     // of the 1x1 MaxPool, 1 without one
  };
  std::optional<Adapter> shortcut_adapter(ValueId v, std::vector<int>* chain) const;
  int sole_live_consumer(ValueId v) const;  // -1 if none or several

  // The single live consumer of v if it is one of `kinds` and v is no graph
  // output, i.e. a node that can be folded into v's layer.
  const Node* fusable(ValueId v, std::initializer_list<OpKind> kinds) const;
  // Folds an activation consumer of *v if there is one: Darknet's name for it
  // ("linear" if none) and *v moved to its output.
  std::string fold_activation(ValueId* v);
  // BN parameters in Darknet's order, the variance adjusted for our epsilon
  // and the mean for a bias folded into it.
  struct BnParams {
    std::vector<float> scales, biases, mean, variance;
  };
  Result<BnParams> bn_params(const Node& bn, const std::vector<float>* folded_bias) const;
  // What a [convolutional] or [connected] layer folds in after `node` (whose
  // own bias, if any, is `bias`): a BatchNorm consumer, then an activation.
  // Both are marked done; `out` is the last folded value, the layer's output.
  struct Folded {
    std::optional<BnParams> bn;
    std::string activation;  // Darknet's name, "linear" if none
    ValueId out = kNoValue;
  };
  Result<Folded> fold_followers(const Node& node, const std::vector<float>* bias);
  const std::vector<float>& data(ValueId v) const { return *graph_.value(v).data; }

  const Graph& graph_;
  std::vector<int> producers_;
  std::vector<std::vector<int>> consumers_;
  std::vector<char> live_, done_, is_output_;
  std::map<ValueId, Placed> placed_;
  std::map<int, Adapter> adapters_;  // by Add node index
  int last_usable_ = -1;  // index of the last layer if later layers may read it
  ValueId last_value_ = kNoValue;  // the value the last node left
  ValueId final_value_ = kNoValue;
  CfgFile cfg_;
  WeightsWriter weights_;
};

}  // namespace eb::darknet_format::detail
