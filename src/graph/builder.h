// GraphBuilder: writes a model top to bottom the way papers describe it,
// creating seeded weights (ZOO.md: He-normal conv/FC weights, small seeded
// biases, BatchNorm near identity with jitter so that folding is exercised).
//
// Shapes are inferred as layers are added, so each layer knows its input
// channels; the first error is kept and returned by finish(), naming the layer.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "graph/graph.h"
#include "graph/rng.h"

namespace eb {

inline constexpr int64_t kSamePadding = -1;

struct ConvSpec {
  int64_t out_channels = 0;
  std::vector<int64_t> kernel;          // one per spatial dim
  std::vector<int64_t> stride;          // empty: 1
  std::vector<int64_t> pads;            // empty: "same" (SAME_UPPER); else ONNX layout
  std::vector<int64_t> dilation;        // empty: 1
  int64_t group = 1;
  bool bias = true;
};

struct PoolSpec {
  std::vector<int64_t> kernel;
  std::vector<int64_t> stride;          // empty: = kernel
  std::vector<int64_t> pads;            // empty: 0
  bool ceil_mode = false;
  bool count_include_pad = false;
};

// How initializers are filled. `zeros` is for callers that need only the
// structure (shapes, parameter and MAC counts, e.g. listing models): drawing
// a VGG's 140M normals costs seconds, zero-filling it a fraction of that.
enum class WeightInit { random, zeros };

class GraphBuilder {
 public:
  GraphBuilder(std::string graph_name, uint64_t seed, WeightInit init = WeightInit::random);

  ValueId input(const std::string& name, Shape shape);
  void output(ValueId v);

  ValueId conv(ValueId x, const ConvSpec& spec, const std::string& name = {});
  // 2-D shorthand: square kernel, "same" padding when pad == kSamePadding.
  ValueId conv2d(ValueId x, int64_t out_channels, int64_t kernel, int64_t stride = 1, int64_t pad = kSamePadding,
                 int64_t group = 1, bool bias = true, const std::string& name = {});
  ValueId batch_norm(ValueId x, float epsilon = 1e-5f, const std::string& name = {});
  ValueId relu(ValueId x, const std::string& name = {});
  ValueId relu6(ValueId x, const std::string& name = {});
  ValueId leaky_relu(ValueId x, float alpha = 0.1f, const std::string& name = {});
  ValueId sigmoid(ValueId x, const std::string& name = {});
  ValueId max_pool(ValueId x, const PoolSpec& spec, const std::string& name = {});
  ValueId avg_pool(ValueId x, const PoolSpec& spec, const std::string& name = {});
  ValueId max_pool2d(ValueId x, int64_t kernel, int64_t stride, int64_t pad = 0, const std::string& name = {});
  ValueId avg_pool2d(ValueId x, int64_t kernel, int64_t stride, int64_t pad = 0, const std::string& name = {});
  ValueId global_avg_pool(ValueId x, const std::string& name = {});
  ValueId global_max_pool(ValueId x, const std::string& name = {});
  ValueId dense(ValueId x, int64_t out_features, bool bias = true, const std::string& name = {});  // Gemm
  ValueId add(ValueId a, ValueId b, const std::string& name = {});
  ValueId concat(const std::vector<ValueId>& xs, int64_t axis = 1, const std::string& name = {});
  ValueId flatten(ValueId x, int64_t axis = 1, const std::string& name = {});
  ValueId reshape(ValueId x, std::vector<int64_t> shape, const std::string& name = {});
  ValueId softmax(ValueId x, int64_t axis = -1, const std::string& name = {});
  ValueId lrn(ValueId x, int64_t size, float alpha, float beta, float bias, const std::string& name = {});
  ValueId upsample(ValueId x, int64_t factor, const std::string& name = {});  // nearest, spatial dims
  ValueId pad(ValueId x, std::vector<int64_t> pads, float value = 0.0f, const std::string& name = {});

  // Generic entry for importers: appends a node whose inputs already exist.
  ValueId node(OpKind op, std::vector<ValueId> inputs, Attrs attrs, const std::string& name = {});
  // An initializer holding the given data.
  ValueId constant(const std::string& name, Shape shape, std::vector<float> data);

  const Shape& shape(ValueId v) const { return graph_.value(v).desc.shape; }
  bool ok() const { return status_.is_ok(); }

  // Validates the whole graph and hands it over.
  Result<Graph> finish() &&;

 private:
  std::string unique_name(const std::string& wanted, std::string_view prefix);
  ValueId weight(const std::string& name, Shape shape, float stddev);
  ValueId filled(const std::string& name, Shape shape, float base, float jitter);

  Graph graph_;
  Rng rng_;
  WeightInit init_;
  Status status_;
  int counter_ = 0;
};

}  // namespace eb
