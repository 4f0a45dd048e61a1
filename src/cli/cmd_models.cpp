// edgebench models: the study's Table I beside ours.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/cli_common.h"
#include "cli/commands.h"
#include "cli/table.h"
#include "graph/analyzer.h"
#include "zoo/zoo.h"

namespace eb::cli {
namespace {

struct ModelRow {
  const zoo::ModelEntry* entry;
  ModelInfo info;
  double params_diff_pct;
  // The study's "FLOP (giga)" is mostly MACs but 2 x MACs for some models;
  // compare with whichever convention it matches and say which.
  std::string study_flop_convention;
  double flop_diff_pct;
};

double pct(double ours, double theirs) { return theirs ? 100.0 * (ours - theirs) / theirs : 0.0; }

Result<ModelRow> analyze_entry(const zoo::ModelEntry& e) {
  zoo::BuildOptions options;
  options.weights = WeightInit::zeros;  // structure only: counts do not need drawn weights
  auto graph = e.build(options);
  if (!graph) return graph.status();
  ModelRow row{&e, analyze(*graph), 0, "", 0};
  row.params_diff_pct = pct(row.info.params / 1e6, e.study.params_m);
  const double gmacs = row.info.macs / 1e9, gflops = row.info.flops() / 1e9;
  const bool as_macs = std::abs(gmacs - e.study.flop_giga) <= std::abs(gflops - e.study.flop_giga);
  row.study_flop_convention = as_macs ? "MAC" : "FLOP";
  row.flop_diff_pct = pct(as_macs ? gmacs : gflops, e.study.flop_giga);
  return row;
}

nlohmann::json to_json(const ModelRow& r) {
  const auto& i = r.info;
  return {{"id", r.entry->id},
          {"family", r.entry->family},
          {"description", r.entry->description},
          {"input", r.entry->input.to_string()},
          {"params", i.params},
          {"buffers", i.buffers},
          {"macs", i.macs},
          {"flops", i.flops()},
          {"flop_per_param", i.flop_per_param()},
          {"weight_bytes", i.weight_bytes},
          {"activation_bytes_total", i.activation_bytes_total},
          {"activation_bytes_peak", i.activation_bytes_peak},
          {"layers", i.layers.size()},
          {"study",
           {{"input", r.entry->study.input},
            {"params_m", r.entry->study.params_m},
            {"flop_giga", r.entry->study.flop_giga},
            {"flop_per_param", r.entry->study.flop_per_param},
            {"flop_convention", r.study_flop_convention}}},
          {"params_diff_pct", r.params_diff_pct},
          {"flop_diff_pct", r.flop_diff_pct}};
}

std::string signed_pct(double v) { return (v >= 0 ? "+" : "") + fixed(v, 2) + "%"; }

int run_models(const std::string& format, const std::string& sort) {
  std::vector<ModelRow> rows;
  for (const auto& e : zoo::models()) {
    auto row = analyze_entry(e);
    if (!row) return report_error(row.status());
    rows.push_back(std::move(*row));
  }
  if (sort == "intensity")
    std::stable_sort(rows.begin(), rows.end(), [](const ModelRow& a, const ModelRow& b) { return a.info.flop_per_param() < b.info.flop_per_param(); });

  if (format == "json") {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& r : rows) list.push_back(to_json(r));
    std::cout << list.dump(2) << "\n";
    return kExitOk;
  }
  if (format == "csv") {
    std::cout << "id,input,params,buffers,macs,flops,flop_per_param,weight_bytes,activation_bytes_peak,"
                 "study_params_m,study_flop_giga,study_flop_convention,params_diff_pct,flop_diff_pct\n";
    for (const auto& r : rows) {
      const auto& i = r.info;
      std::cout << r.entry->id << ',' << r.entry->input.to_string() << ',' << i.params << ',' << i.buffers << ',' << i.macs << ','
                << i.flops() << ',' << fixed(i.flop_per_param(), 3) << ',' << i.weight_bytes << ',' << i.activation_bytes_peak << ','
                << r.entry->study.params_m << ',' << r.entry->study.flop_giga << ',' << r.study_flop_convention << ','
                << fixed(r.params_diff_pct, 3) << ',' << fixed(r.flop_diff_pct, 3) << "\n";
    }
    return kExitOk;
  }
  TextTable t({"model", "input", "params", "study (M)", "diff", "GMACs", "GFLOPs", "study G", "as", "diff", "FLOP/param",
               "study F/P", "weights MB", "peak act. MB"});
  for (const auto& r : rows) {
    const auto& i = r.info;
    t.add({std::string(r.entry->id), r.entry->input.to_string(), with_commas(i.params), fixed(r.entry->study.params_m, 2),
           signed_pct(r.params_diff_pct), fixed(i.macs / 1e9, 3), fixed(i.flops() / 1e9, 3), fixed(r.entry->study.flop_giga, 2),
           r.study_flop_convention, signed_pct(r.flop_diff_pct), fixed(i.flop_per_param(), 1), fixed(r.entry->study.flop_per_param, 1),
           fixed(i.weight_bytes / 1048576.0, 1), fixed(i.activation_bytes_peak / 1048576.0, 1)});
  }
  t.print(std::cout, {false, false, true, true, true, true, true, true, false, true, true, true, true, true});
  std::cout << "\nparams: trainable weights (conv/FC weights and biases, BN scale and shift); BN running statistics are buffers.\n"
               "FLOPs = 2 x MACs. 'as': the convention the study's FLOP column matches for that model (see docs/zoo.md).\n";
  return kExitOk;
}

}  // namespace

void add_models_command(CLI::App& app, CommandSet& set) {
  auto* cmd = app.add_subcommand("models", "The zoo: the study's Table I beside ours (params, MACs, FLOP/param)");
  auto format = std::make_shared<std::string>("table");
  auto sort = std::make_shared<std::string>("table");
  cmd->add_option("--format", *format, "table, json or csv")->check(CLI::IsMember({"table", "json", "csv"}));
  cmd->add_option("--sort", *sort, "table (the study's order) or intensity (FLOP/param, the study's Figure 1)")
      ->check(CLI::IsMember({"table", "intensity"}));
  cmd->callback([&set, format, sort] { set.selected = [format, sort] { return run_models(*format, *sort); }; });
}

}  // namespace eb::cli
