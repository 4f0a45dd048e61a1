// edgebench report: a results database as a self-contained HTML page and its
// Markdown twin.
//
//   auto data = report::gather(db, {.baseline = "native", .source = "results.db"});
//   report::write_report(*data, "out/");   // out/index.html, out/report.md, out/*.svg
#pragma once

#include <filesystem>

#include "common/status.h"
#include "report/report_data.h"

namespace eb::report {

// Writes DIR/index.html, DIR/report.md and each chart as DIR/<name>.svg,
// creating DIR. Chart files of sections that now have no data are removed,
// so report.md never sits beside a stale chart. Errors name the file.
Status write_report(const ReportData& data, const std::filesystem::path& dir);

}  // namespace eb::report
