// Darknet .cfg/.weights import and export for the graph IR.
//
// Semantics are those of the Darknet that Debian ships (pjreddie's, 2018),
// checked against its libdarknet in tests/formats/darknet. Import reads every
// layer that has an inference meaning we can express exactly; a layer we
// cannot express is `unsupported` naming it and its line, a malformed file is
// `invalid_argument` naming the key and line. Export writes a graph Darknet
// can express and is `unsupported("cannot express ... at node ...")` for
// anything else. docs/formats.md ("Darknet") has the mapping layer by layer.
//
//   auto g = load_darknet("/usr/share/darknet/cfg/yolov3.cfg", "", {.width = 416, .height = 416});
//   EB_RETURN_IF_ERROR(export_darknet(*g, "out.cfg", "out.weights"));
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "formats/darknet/cfg.h"
#include "formats/darknet/weights.h"
#include "graph/graph.h"

namespace eb::darknet_format {

// Darknet divides by sqrt(rolling_variance) + 1e-6, our BatchNorm by
// sqrt(var + epsilon). No epsilon makes the two agree for every variance;
// 1e-12 (= 1e-6 squared) is exact at var = 0 and within 1e-6 / sqrt(var)
// (relative) elsewhere, closer than any larger value. Export writes the
// variance of a BatchNorm with this epsilon unchanged (so imported models
// round-trip bit for bit) and adjusts it for any other epsilon so that
// Darknet computes the graph's sqrt(var + epsilon).
inline constexpr float kBatchNormEpsilon = 1e-12f;
inline constexpr float kDarknetVarianceShift = 1e-6f;  // Darknet's "+ .000001f" after the sqrt

struct DarknetOptions {
  // Override [net] width/height (0 keeps the cfg's), e.g. 224 for a study run.
  int64_t width = 0;
  int64_t height = 0;
  // Graph name; empty: the cfg file's stem (load_darknet) or "darknet".
  std::string name;
  // Without a .weights file, weights are drawn by GraphBuilder from this seed.
  uint64_t seed = 20190901;
  // Without a .weights file: all-zero weights instead of seeded ones. Much
  // faster for callers that only want shapes and counts (tests, analysis).
  bool zero_weights = false;
  // Darknet ignores bytes after the last layer; we call them an error (the
  // usual cause is a weights file for another cfg) unless this is set.
  bool allow_trailing_weights = false;
  // Guards against hostile or mistyped cfgs ("filters=1000000"): no tensor,
  // activation or weight, may exceed this many elements, and all weights
  // together not max_total_weights. Both are invalid_argument when exceeded.
  int64_t max_tensor_elements = int64_t{1} << 31;
  int64_t max_total_weights = int64_t{1} << 32;
};

// One Darknet layer (a section after [net]) as Darknet sees it, to compare
// with libdarknet's out_c/out_h/out_w/outputs and to name layers in reports.
struct LayerSummary {
  std::string type;  // section type, "convolutional"
  int line = 0;
  int64_t c = 0, h = 0, w = 0;  // Darknet's out_c/out_h/out_w (0 where Darknet leaves them 0)
  int64_t outputs = 0;          // Darknet's l.outputs
  ValueId value = kNoValue;     // the tensor holding the layer's output, if it has a usable one
};

struct DarknetModel {
  Graph graph;
  std::vector<LayerSummary> layers;
};

// cfg (+ weights, may be null) -> graph. `weights` is consumed as it is read.
Result<DarknetModel> import_darknet(const CfgFile& cfg, WeightsReader* weights, const DarknetOptions& options = {});
// cfg text, seeded (or zero) weights.
Result<Graph> import_darknet_cfg_text(std::string_view text, const DarknetOptions& options = {});
// Files; not_found if a path does not exist. An empty weights_path means seeded weights.
Result<DarknetModel> load_darknet_model(const std::string& cfg_path, const std::string& weights_path = "",
                                        const DarknetOptions& options = {});
Result<Graph> load_darknet(const std::string& cfg_path, const std::string& weights_path = "",
                           const DarknetOptions& options = {});

struct DarknetExport {
  std::string cfg;      // .cfg text
  std::string weights;  // .weights bytes
  // For each graph output, in order, the index of the Darknet layer (0 =
  // first section after [net]) whose output buffer holds it.
  std::vector<int> output_layers;
};

Result<DarknetExport> export_darknet_model(const Graph& graph);
// Writes both files; io_error if either cannot be written.
Status export_darknet(const Graph& graph, const std::string& cfg_path, const std::string& weights_path);

}  // namespace eb::darknet_format
