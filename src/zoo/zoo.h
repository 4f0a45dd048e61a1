// The model zoo: the 16 models of the study's Table I (see ZOO.md), written
// with GraphBuilder, one file per family, listed in one visible table.
//
//   auto g = eb::zoo::build("resnet50");            // default seed and size
//   auto small = eb::zoo::build("vgg16", {.input_size = 64});
//
// Every model is single-batch (N = 1) and deterministic: the same seed gives
// bit-identical weights.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "graph/builder.h"
#include "graph/graph.h"
#include "graph/types.h"

namespace eb::zoo {

inline constexpr uint64_t kDefaultSeed = 20190901;  // any fixed value; chosen once, never changed

struct BuildOptions {
  uint64_t seed = kDefaultSeed;
  // 0: the model's default spatial size; otherwise H = W = input_size (fully
  // connected layers follow the resulting feature map). Mainly for tests that
  // want small, fast graphs; too small a size is an invalid_argument error.
  int64_t input_size = 0;
  // zeros: structure only (shapes, params, MACs), without paying for drawing
  // the weights; the default draws seeded weights as ZOO.md describes.
  WeightInit weights = WeightInit::random;
};

// What the study's Table I prints for a model, verbatim. Its "FLOP (giga)"
// column mixes conventions: mostly multiply-accumulates, but 2 x MACs for the
// YOLOs (Darknet's published BFLOPs) and C3D; see docs/zoo.md.
struct StudyFigures {
  std::string_view input;  // "Input Size" as printed, e.g. "224x224", "12x112x112"
  double flop_giga;        // "FLOP (giga)"
  double params_m;         // "Number of Parameters", in millions
  double flop_per_param;   // "FLOP/Param.": flop_giga * 1000 / params_m
};

using BuildFn = Result<Graph> (*)(const BuildOptions&);

struct ModelEntry {
  std::string_view id;           // the model id used on the command line
  std::string_view family;       // the source file that builds it, e.g. "resnet"
  std::string_view description;  // one line: the variant built
  Shape input;                   // default input shape, N first: 1x3x224x224, 1x3x16x112x112
  StudyFigures study;
  BuildFn build;
};

// Every model, in the study's Table I order.
const std::vector<ModelEntry>& models();

// The entry for `id`, or nullptr.
const ModelEntry* find(std::string_view id);

// Builds model `id`. An unknown id is an invalid_argument error listing every
// known id; a bad input_size is an invalid_argument error naming the model.
Result<Graph> build(std::string_view id, const BuildOptions& options = {});

}  // namespace eb::zoo
