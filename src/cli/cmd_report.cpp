// edgebench report: the results database as DIR/index.html (self-contained:
// inline CSS and SVG, no script) and DIR/report.md with the charts beside it.
#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>

#include "bench/record.h"
#include "cli/cli_common.h"
#include "cli/commands.h"
#include "cli/db_open.h"
#include "report/report.h"
#include "report/report_data.h"
#include "store/results_db.h"

namespace eb::cli {
namespace {

struct ReportArgs {
  std::string db = "results/edgebench.db";
  std::string out;
  std::string baseline = "native";
};

int run_report(const ReportArgs& a) {
  auto db = open_existing_db(a.db);
  if (!db.is_ok()) return report_error(db.status());
  auto data = report::gather(*db, {.baseline = a.baseline, .source = a.db, .generated_at = bench::utc_timestamp_now()});
  if (!data.is_ok()) return report_error(data.status());
  if (Status st = report::write_report(*data, a.out); !st.is_ok()) return report_error(st);

  for (const auto& note : data->notes) std::cerr << "edgebench: note: " << note << "\n";
  const std::filesystem::path dir(a.out);
  std::cout << "wrote " << (dir / "index.html").string() << " and " << (dir / "report.md").string() << ": "
            << data->runs.size() << " runs shown of " << data->runs_stored << " stored";
  if (data->runs_superseded > 0) std::cout << " (" << data->runs_superseded << " superseded: latest run wins)";
  std::cout << "\n";
  return kExitOk;
}

}  // namespace

void add_report_command(CLI::App& app, CommandSet& set) {
  auto a = std::make_shared<ReportArgs>();
  auto* cmd = app.add_subcommand("report", "Write an HTML report (and its Markdown twin) of the stored runs");
  cmd->add_option("--db", a->db, "results database")->capture_default_str();
  cmd->add_option("-o,--out", a->out, "output directory (index.html, report.md, *.svg)")->required();
  cmd->add_option("--baseline", a->baseline,
                  "backend that speedups are over, or one variant of it as id:mode (e.g. libtorch:script)")
      ->capture_default_str();
  cmd->callback([&set, a] { set.selected = [a] { return run_report(*a); }; });
}

}  // namespace eb::cli
