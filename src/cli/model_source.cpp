#include "cli/model_source.h"

#include <filesystem>
#include <string>
#include <system_error>
#include <utility>

#include <CLI/CLI.hpp>

#include "formats/darknet/darknet.h"
#include "formats/onnx/onnx.h"
#include "zoo/zoo.h"

namespace eb::cli {

std::string ModelSource::label() const {
  if (!model.empty()) return model;
  if (!onnx.empty()) return "onnx:" + onnx;
  return "darknet:" + darknet_cfg;
}

void add_model_source_options(CLI::App& cmd, ModelSource& source, bool zoo_only) {
  cmd.add_option("--model,-m", source.model, "zoo model id (see 'edgebench models')");
  if (!zoo_only) {
    cmd.add_option("--onnx", source.onnx, "an ONNX model file");
    cmd.add_option("--darknet-cfg", source.darknet_cfg, "a Darknet .cfg file");
    cmd.add_option("--darknet-weights", source.darknet_weights, "its .weights file (default: seeded weights)");
  }
  cmd.add_option("--input-size", source.input_size, "input height = width (default: the model's own)")->check(CLI::NonNegativeNumber);
  cmd.add_option("--seed", source.seed, "weight seed (default: the zoo's fixed seed)");
}

bool is_known_model(const std::string& id) { return zoo::find(id) != nullptr; }

std::string unknown_model_message(const std::string& id) {
  std::string known;
  for (const auto& e : zoo::models()) known += (known.empty() ? "" : ", ") + std::string(e.id);
  return "unknown model '" + id + "'; known models: " + known;
}

Status check_model_source(const ModelSource& s) {
  const int given = !s.model.empty() + !s.onnx.empty() + !s.darknet_cfg.empty();
  if (given != 1) return invalid_argument("give exactly one of --model, --onnx, --darknet-cfg");
  if (!s.model.empty() && !is_known_model(s.model)) return invalid_argument(unknown_model_message(s.model));
  for (const auto& [flag, path] : {std::pair{"--onnx", s.onnx}, std::pair{"--darknet-cfg", s.darknet_cfg},
                                   std::pair{"--darknet-weights", s.darknet_weights}}) {
    std::error_code ec;
    if (!path.empty() && !std::filesystem::is_regular_file(path, ec)) return not_found(std::string(flag) + ": no file '" + path + "'");
  }
  return Status::ok();
}

Result<Graph> load_model(const ModelSource& s) {
  const int given = !s.model.empty() + !s.onnx.empty() + !s.darknet_cfg.empty();
  if (given != 1) return invalid_argument("give exactly one of --model, --onnx, --darknet-cfg");
  if (!s.model.empty()) {
    zoo::BuildOptions options;
    if (s.seed) options.seed = s.seed;
    options.input_size = s.input_size;
    return zoo::build(s.model, options);
  }
  if (!s.onnx.empty()) {
    onnx_format::ImportOptions options;
    if (s.input_size) return invalid_argument("--input-size is not supported with --onnx (the file fixes its shapes)");
    return onnx_format::load_onnx(s.onnx, options);
  }
  darknet_format::DarknetOptions options;
  options.width = options.height = s.input_size;
  if (s.seed) options.seed = s.seed;
  return darknet_format::load_darknet(s.darknet_cfg, s.darknet_weights, options);
}

std::function<Result<Graph>()> loader_keeping_error(const ModelSource& source, Status* error) {
  return [&source, error]() -> Result<Graph> {
    auto graph = load_model(source);
    if (!graph.is_ok()) *error = graph.status();
    return graph;
  };
}

}  // namespace eb::cli
