// The two pages of a report: index.html (self-contained: inline CSS and SVG,
// no script, nothing fetched) and report.md (the same tables, the charts as
// the SVG files written beside it). Both read only a ReportData and its
// Figures.
#pragma once

#include <string>
#include <vector>

#include "report/figures.h"
#include "report/report_data.h"

namespace eb::report {

std::string render_html(const ReportData& data, const Figures& figures);
std::string render_markdown(const ReportData& data, const Figures& figures);

// The sections of both pages, in order: models, compatibility, time,
// speedup, breakdown, energy, power, power over time, temperature,
// environment.
struct PageSection {
  std::string id;  // the HTML anchor
  std::string title;
};
enum SectionIndex {
  kModels, kCompatibility, kTime, kSpeedup, kBreakdown, kEnergy, kPower, kPowerTrace, kTemperature, kEnvironment,
  kSectionCount
};
std::vector<PageSection> page_sections(const ReportData& data);

// Text both pages share.
std::string summary_line(const ReportData& data);  // runs stored, shown, superseded
const char* latest_run_rule();
// Where the matrix and the latency table would be, when there are no latency runs.
const char* no_latency_runs(const ReportData& data);
const char* table1_note();
const char* status_legend();  // "✓ ok · ✗ failed · ..."

}  // namespace eb::report
