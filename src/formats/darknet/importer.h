// Internal to the Darknet importer: the state of one import, walking the
// sections top to bottom the way Darknet's parse_network_cfg() does. Each
// layer sees what the layer before it left (Darknet's size_params) and
// leaves its own output for the next one and for later [route]/[shortcut].
#pragma once

#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "formats/darknet/darknet.h"
#include "graph/builder.h"

namespace eb::darknet_format::detail {

// A layer's output as later layers see it.
struct LayerOut {
  ValueId value = kNoValue;  // [1,c,h,w] for image outputs, [1,outputs] for flat ones
  int64_t c = 0, h = 0, w = 0;
  int64_t outputs = 0;
  // Non-empty when `value` must not be read: the output of a detection head,
  // which Darknet post-processes in ways the graph does not express.
  std::string unusable;

  bool is_image() const { return c > 0 && h > 0 && w > 0; }
};

// a * b * ..., or nullopt when it overflows int64 (dims come from user text).
inline std::optional<int64_t> product(std::initializer_list<int64_t> factors) {
  int64_t n = 1;
  for (int64_t f : factors)
    if (f < 0 || __builtin_mul_overflow(n, f, &n)) return std::nullopt;
  return n;
}

class Importer {
 public:
  Importer(std::string graph_name, WeightsReader* weights, const DarknetOptions& options);
  Result<DarknetModel> run(const CfgFile& cfg);

 private:
  Status read_net(const CfgSection& net);
  Result<LayerOut> read_layer(const Options& o);

  // One per supported section type (import_layers.cpp).
  Result<LayerOut> convolutional(const Options& o);
  Result<LayerOut> connected(const Options& o);
  Result<LayerOut> maxpool(const Options& o);
  Result<LayerOut> avgpool(const Options& o);
  Result<LayerOut> route(const Options& o);
  Result<LayerOut> shortcut(const Options& o);
  Result<LayerOut> softmax(const Options& o);
  Result<LayerOut> upsample(const Options& o);
  Result<LayerOut> reorg(const Options& o);
  Result<LayerOut> crop(const Options& o);
  Result<LayerOut> batchnorm(const Options& o);
  Result<LayerOut> activation(const Options& o);
  Result<LayerOut> head(const Options& o);  // [yolo], [region], [detection]

  // The previous layer's output as an image [1,c,h,w] or as a flat [1,n].
  Result<ValueId> image(const LayerOut& in, const Options& o);
  Result<ValueId> flat(const LayerOut& in, const Options& o);
  // Applies activation=... (or `fallback`, Darknet's per-layer default).
  Result<ValueId> activate(ValueId x, const Options& o, std::string_view fallback);
  // x * factor per element: a 1x1 depthwise convolution, our IR's only
  // exact per-channel multiply (reshaped around it for flat tensors).
  ValueId scale(ValueId x, float factor, const std::string& what);
  // A [route]/[shortcut] reference: negative counts back from this layer.
  Result<int> reference(const Options& o, std::string_view key, int64_t value);

  // Weights: taken from the .weights file, or zeros (zero_weights); with
  // neither, layers ask GraphBuilder for seeded weights instead.
  bool weights_given() const { return weights_ != nullptr || options_.zero_weights; }
  Result<std::vector<float>> take(int64_t count, const std::string& what);
  // Counts `count` more weight elements against the limits.
  Status charge(int64_t count, const std::string& what);
  // The product of dims, or invalid_argument past max_tensor_elements.
  Result<int64_t> elements(const std::vector<int64_t>& dims, const std::string& what) const;
  ValueId constant(const std::string& what, Shape shape, std::vector<float> data);
  // BatchNorm over the n channels of x with given parameters (Darknet order).
  ValueId batch_norm(ValueId x, int64_t n, std::vector<float> scales, std::vector<float> biases,
                     std::vector<float> mean, std::vector<float> variance);

  std::string name(std::string_view what) const { return "layer" + std::to_string(index_) + "." + std::string(what); }
  // name(what), then name(what_1), ... for helpers a layer may call repeatedly.
  std::string fresh(std::string_view what) {
    const int n = fresh_[std::string(what)]++;
    return name(n == 0 ? std::string(what) : std::string(what) + "_" + std::to_string(n));
  }
  Status builder_error(const Options& o);

  GraphBuilder b_;
  WeightsReader* weights_;
  const DarknetOptions& options_;
  LayerOut prev_;                 // what the current layer reads
  std::vector<LayerOut> layers_;  // every finished layer, for references
  std::vector<ValueId> heads_;    // inputs of detection heads: graph outputs
  int index_ = 0;                 // the current layer (0 = first after [net])
  int64_t total_weights_ = 0;
  std::map<std::string, int> fresh_;  // per layer
};

}  // namespace eb::darknet_format::detail
