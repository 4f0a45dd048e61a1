// edgebench results: the stored runs, as CSV (one flat row per run) or JSON
// (the full records), on stdout.
#include <CLI/CLI.hpp>
#include <iostream>

#include "bench/record.h"
#include "cli/cli_common.h"
#include "cli/commands.h"
#include "cli/db_open.h"
#include "store/results_db.h"

namespace eb::cli {
namespace {

struct ResultsArgs {
  std::string db = "results/edgebench.db";
  std::string format = "csv";
  std::string model;
  std::string backend;
};

int run_results(const ResultsArgs& a) {
  auto db = open_existing_db(a.db);
  if (!db.is_ok()) return report_error(db.status());
  store::RunFilter filter;
  if (!a.model.empty()) filter.model = a.model;
  if (!a.backend.empty()) {
    // "libtorch" is every mode of it; "libtorch:script" that mode only.
    const bench::BackendVariant variant = bench::parse_backend_variant(a.backend);
    filter.backend = variant.backend;
    if (a.backend.find(':') != std::string::npos) filter.mode = variant.mode;
  }
  auto text = a.format == "json" ? db->export_json(filter) : db->export_csv(filter);
  if (!text.is_ok()) return report_error(text.status());
  std::cout << *text;
  if (!text->empty() && text->back() != '\n') std::cout << "\n";
  return kExitOk;
}

}  // namespace

void add_results_command(CLI::App& app, CommandSet& set) {
  auto a = std::make_shared<ResultsArgs>();
  auto* cmd = app.add_subcommand("results", "Export the stored runs as CSV or JSON");
  cmd->add_option("--db", a->db, "results database")->capture_default_str();
  cmd->add_option("--format", a->format, "csv or json")->check(CLI::IsMember({"csv", "json"}))->capture_default_str();
  cmd->add_option("--model", a->model, "only this model");
  cmd->add_option("--backend", a->backend, "only this backend (every mode), or one variant of it as id:mode");
  cmd->callback([&set, a] { set.selected = [a] { return run_results(*a); }; });
}

}  // namespace eb::cli
