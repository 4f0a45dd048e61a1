// edgebench export: a zoo model (or any model source) to ONNX or Darknet files.
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/cli_common.h"
#include "cli/commands.h"
#include "cli/model_source.h"
#include "formats/darknet/darknet.h"
#include "formats/onnx/onnx.h"

namespace eb::cli {
namespace {

struct ExportArgs {
  ModelSource source;
  std::string format;
  std::string output;
};

// Darknet writes two files: PATH.cfg and PATH.weights (a trailing .cfg is dropped).
std::string darknet_stem(std::string path) {
  if (path.size() > 4 && path.substr(path.size() - 4) == ".cfg") path.resize(path.size() - 4);
  return path;
}

int run_export(const ExportArgs& a) {
  auto graph = load_model(a.source);
  if (!graph) return report_error(graph.status());
  if (a.format == "onnx") {
    if (Status st = onnx_format::save_onnx(*graph, a.output); !st.is_ok()) return report_error(st);
    std::cout << "wrote " << a.output << "\n";
    return kExitOk;
  }
  const std::string stem = darknet_stem(a.output);
  if (Status st = darknet_format::export_darknet(*graph, stem + ".cfg", stem + ".weights"); !st.is_ok()) return report_error(st);
  std::cout << "wrote " << stem << ".cfg and " << stem << ".weights\n";
  return kExitOk;
}

}  // namespace

void add_export_command(CLI::App& app, CommandSet& set) {
  auto args = std::make_shared<ExportArgs>();
  auto* cmd = app.add_subcommand("export", "Write a model as ONNX (.onnx) or Darknet (.cfg + .weights)");
  add_model_source_options(*cmd, args->source);
  cmd->add_option("--format", args->format, "onnx or darknet")->required()->check(CLI::IsMember({"onnx", "darknet"}));
  cmd->add_option("-o,--output", args->output, "output path (Darknet: PATH.cfg and PATH.weights)")->required();
  cmd->callback([&set, args] { set.selected = [args] { return run_export(*args); }; });
}

}  // namespace eb::cli
