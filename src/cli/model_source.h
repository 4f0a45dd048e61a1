// Where a command's model comes from: a zoo id, an ONNX file or a Darknet cfg.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "common/status.h"
#include "graph/graph.h"

namespace CLI {
class App;
}

namespace eb::cli {

struct ModelSource {
  std::string model;        // zoo id
  std::string onnx;         // path
  std::string darknet_cfg;  // path
  std::string darknet_weights;
  int64_t input_size = 0;   // 0: the model's own
  uint64_t seed = 0;        // 0: the zoo's default seed

  // "resnet18", "onnx:path", "darknet:path": names the model in records.
  std::string label() const;
};

// Adds --model / --onnx / --darknet-cfg / --darknet-weights / --input-size / --seed.
void add_model_source_options(CLI::App& cmd, ModelSource& source, bool zoo_only = false);

// Bad usage found before anything runs (the command exits 2): not exactly
// one of --model / --onnx / --darknet-cfg, an unknown zoo id, a file that is
// not there.
Status check_model_source(const ModelSource& source);

// Whether `id` is a zoo model; the bad-usage message naming an unknown id
// and listing the known ones.
bool is_known_model(const std::string& id);
std::string unknown_model_message(const std::string& id);

// Exactly one of model / onnx / darknet_cfg must be set (invalid_argument otherwise).
Result<Graph> load_model(const ModelSource& source);

// A RunSpec::load for `source` that also keeps its error in *error: a
// malformed model file is bad input (exit 2), not a failed measurement, and
// the command must be able to tell. `source` and `error` must outlive it.
std::function<Result<Graph>()> loader_keeping_error(const ModelSource& source, Status* error);

}  // namespace eb::cli
