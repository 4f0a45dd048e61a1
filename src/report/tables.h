// The report's tables as plain text cells, rendered by both pages (HTML and
// Markdown). The compatibility matrix has richer cells and is rendered by
// each page itself.
#pragma once

#include <string>
#include <vector>

#include "report/report_data.h"

namespace eb::report {

struct Table {
  std::vector<std::string> header;
  std::vector<bool> numeric;  // per column: right-aligned
  std::vector<std::vector<std::string>> rows;
  // Optional header groups over consecutive columns, left to right: (name,
  // columns spanned); an empty name leaves its columns ungrouped.
  std::vector<std::pair<std::string, int>> groups = {};
};

Table table1_table(const ReportData& data);        // the study's Table I beside ours
Table time_table(const ReportData& data);          // median / p90 per model and configuration
Table speedup_table(const ReportData& data);       // geometric mean per configuration
Table breakdown_table(const ReportData& data);     // ms per category
Table energy_table(const ReportData& data);
Table temperature_table(const ReportData& data);
// The environments in two tables: each machine once (host, CPU, cores,
// memory, governor, kernel), then each software stack on it (backend and
// its version, compiler, edgebench build) with its runs.
Table machine_table(const ReportData& data);
Table software_table(const ReportData& data);

}  // namespace eb::report
