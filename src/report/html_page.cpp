// index.html: one self-contained file. Inline CSS, inline SVG, hover text
// through title attributes; no script, no fonts or images fetched.
#include <string>

#include "report/format.h"
#include "report/pages.h"
#include "report/svg.h"
#include "report/tables.h"

namespace eb::report {
namespace {

constexpr const char* kCss = R"css(
:root { color-scheme: light; }
body { font: 15px/1.5 "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; color: #222; background: #fff;
       max-width: 1060px; margin: 24px auto 48px; padding: 0 20px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 34px 0 8px; padding-bottom: 3px; border-bottom: 1px solid #bbb; }
p { margin: 6px 0; }
.meta { color: #555; font-size: 13.5px; }
nav { font-size: 14px; margin: 14px 0; }
nav ol { columns: 3; margin: 4px 0; padding-left: 22px; }
.wrap { overflow-x: auto; }
table { border-collapse: collapse; font-size: 13px; margin: 8px 0 6px; }
th, td { padding: 3px 9px; border-bottom: 1px solid #e2e2e2; text-align: left; vertical-align: top; }
th { background: #f2f2f2; border-bottom: 1.5px solid #888; font-weight: 600; }
tr.groups th { text-align: center; border-bottom: none; padding-bottom: 1px; }
tr.groups th:not(:empty) { background: linear-gradient(#888, #888) center bottom / calc(100% - 14px) 1px no-repeat, #f2f2f2; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.nw { white-space: nowrap; }
tbody tr:nth-child(even) { background: #fafafa; }
figure { margin: 10px 0 16px; }
figure svg { display: block; width: 100%; max-width: 1000px; height: auto; }
figcaption { font-size: 13px; color: #444; margin-top: 6px; max-width: 1000px; }
.absent { color: #666; font-style: italic; }
.note { font-size: 13px; color: #444; }
table.matrix td.cell { text-align: center; min-width: 44px; font-size: 14px; }
table.matrix th.config { text-align: center; font-size: 12px; max-width: 120px; }
td.s-ok { background: #dcefe6; }
td.s-failed, td.s-crashed { background: #f7dccc; }
td.s-out_of_memory, td.s-timeout { background: #fbeac3; }
td.s-unsupported, td.s-not_built { background: #ececec; color: #555; }
sup { font-size: 9.5px; color: #444; }
ol.footnotes { font-size: 12.5px; color: #333; padding-left: 26px; }
ol.footnotes li { word-break: break-word; }
code { font-size: 12.5px; word-break: break-all; }
@media print { body { max-width: none; } h2 { break-after: avoid; } figure, table { break-inside: avoid; } }
)css";

std::string html_table(const Table& t, const char* css_class = "") {
  std::string out = "<div class=\"wrap\"><table";
  if (*css_class) out += std::string(" class=\"") + css_class + "\"";
  out += ">\n<thead>";
  if (!t.groups.empty()) {
    out += "<tr class=\"groups\">";
    for (const auto& [name, span] : t.groups)
      out += "<th colspan=\"" + std::to_string(span) + "\">" + escape(name) + "</th>";
    out += "</tr>";
  }
  out += "<tr>";
  for (std::size_t c = 0; c < t.header.size(); ++c)
    out += std::string(t.numeric[c] ? "<th class=\"num\">" : "<th>") + escape(t.header[c]) + "</th>";
  out += "</tr></thead>\n<tbody>\n";
  // Short text stays on one line; only long text (names, CPU models) wraps.
  std::vector<const char*> cell_open(t.header.size(), "<td class=\"nw\">");
  for (std::size_t c = 0; c < t.header.size(); ++c) {
    if (t.numeric[c]) cell_open[c] = "<td class=\"num\">";
    for (const auto& row : t.rows)
      if (!t.numeric[c] && c < row.size() && row[c].size() > 24) cell_open[c] = "<td>";
  }
  for (const auto& row : t.rows) {
    out += "<tr>";
    for (std::size_t c = 0; c < row.size() && c < cell_open.size(); ++c) out += cell_open[c] + escape(row[c]) + "</td>";
    out += "</tr>\n";
  }
  return out + "</tbody></table></div>\n";
}

std::string html_figure(const Figure& f, int number) {
  if (!f.present()) return "<p class=\"absent\">" + escape(f.absent) + "</p>\n";
  return "<figure id=\"fig-" + std::to_string(number) + "\">\n" + f.svg + "<figcaption><b>Figure " + std::to_string(number) +
         ".</b> " + escape(f.title) + ". " + escape(f.caption) + "</figcaption>\n</figure>\n";
}

std::string html_matrix(const ReportData& d) {
  std::string out = "<div class=\"wrap\"><table class=\"matrix\">\n<thead><tr><th>Model</th>";
  for (const Config& c : d.configs) out += "<th class=\"config\">" + escape(c.label) + "</th>";
  out += "</tr></thead>\n<tbody>\n";
  for (std::size_t m = 0; m < d.models.size(); ++m) {
    out += "<tr><td>" + escape(d.models[m]) + "</td>";
    for (std::size_t c = 0; c < d.configs.size(); ++c) {
      const MatrixCell& cell = d.matrix.cells[m][c];
      if (!cell.status) {
        out += "<td class=\"cell\" title=\"not run\"></td>";
        continue;
      }
      const std::string name = bench::to_string(*cell.status);
      std::string title = name;
      if (!cell.reason.empty()) title += ": " + cell.reason;
      out += "<td class=\"cell s-" + name + "\" title=\"" + escape(title) + "\">" + status_symbol(*cell.status);
      if (cell.footnote) out += "<sup>" + std::to_string(cell.footnote) + "</sup>";
      out += "</td>";
    }
    out += "</tr>\n";
  }
  out += "</tbody></table></div>\n<p class=\"note\">" + escape(status_legend()) +
         ". Hover a cell for its reason; numbered reasons are listed below.</p>\n";
  if (!d.matrix.footnotes.empty()) {
    out += "<ol class=\"footnotes\">\n";
    for (const auto& f : d.matrix.footnotes) out += "<li>" + escape(f) + "</li>\n";
    out += "</ol>\n";
  }
  return out;
}

}  // namespace

std::string render_html(const ReportData& d, const Figures& figs) {
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<title>edgebench report</title>\n<style>" +
      std::string(kCss) + "</style>\n</head>\n<body>\n";

  out += "<header>\n<h1>edgebench report</h1>\n<p class=\"meta\">";
  if (!d.source.empty()) out += "Results: <code>" + escape(d.source) + "</code>. ";
  if (!d.generated_at.empty()) out += "Generated " + escape(d.generated_at) + ". ";
  out += escape(summary_line(d)) + " Speedups are over <b>" + escape(d.baseline) + "</b>.</p>\n";
  out += "<p class=\"meta\">" + escape(latest_run_rule()) + "</p>\n</header>\n";

  const std::vector<PageSection> sections = page_sections(d);
  out += "<nav><b>Contents</b><ol>\n";
  for (const auto& s : sections) out += "<li><a href=\"#" + s.id + "\">" + escape(s.title) + "</a></li>\n";
  if (!d.notes.empty()) out += "<li><a href=\"#notes\">Notes on the data</a></li>\n";
  out += "</ol></nav>\n";

  int section = 0, figure = 0;
  const auto open = [&](const PageSection& s) {
    return "<section id=\"" + s.id + "\">\n<h2>" + std::to_string(++section) + ". " + escape(s.title) + "</h2>\n";
  };
  const auto fig = [&](const Figure& f) { return html_figure(f, f.present() ? ++figure : 0); };

  out += open(sections[kModels]);
  if (d.table1.empty()) out += "<p class=\"absent\">Table I was left out.</p>\n";
  else out += html_table(table1_table(d)) + "<p class=\"note\">" + escape(table1_note()) + "</p>\n";
  out += "</section>\n";

  out += open(sections[kCompatibility]);
  if (d.runs.empty()) out += "<p class=\"absent\">" + std::string(no_latency_runs(d)) + "</p>\n";
  else out += html_matrix(d);
  out += "</section>\n";

  out += open(sections[kTime]) + fig(figs.time);
  if (!d.runs.empty())
    out += "<p class=\"note\">Median / p90 in ms; a symbol where the run did not succeed.</p>\n" + html_table(time_table(d));
  out += "</section>\n";

  out += open(sections[kSpeedup]) + fig(figs.speedup);
  if (!d.speedup_summary.empty()) out += html_table(speedup_table(d));
  out += "</section>\n";

  out += open(sections[kBreakdown]) + fig(figs.breakdown);
  if (figs.breakdown.present()) out += "<p class=\"note\">Milliseconds in the profiled inference.</p>\n" + html_table(breakdown_table(d));
  out += "</section>\n";

  out += open(sections[kEnergy]) + fig(figs.energy);
  if (figs.energy.present()) out += html_table(energy_table(d));
  out += "</section>\n";

  out += open(sections[kPower]) + fig(figs.power) + "</section>\n";

  out += open(sections[kPowerTrace]) + fig(figs.power_trace) + "</section>\n";

  out += open(sections[kTemperature]) + fig(figs.temperature);
  if (figs.temperature.present()) out += html_table(temperature_table(d));
  out += "</section>\n";

  out += open(sections[kEnvironment]);
  if (d.environments.empty()) out += "<p class=\"absent\">No runs, no environments.</p>\n";
  else
    out += "<p class=\"note\">Each machine once, then each software stack measured on it.</p>\n" + html_table(machine_table(d)) +
           html_table(software_table(d));
  out += "</section>\n";

  if (!d.notes.empty()) {
    out += "<section id=\"notes\">\n<h2>" + std::to_string(++section) + ". Notes on the data</h2>\n<ul class=\"note\">\n";
    for (const auto& n : d.notes) out += "<li>" + escape(n) + "</li>\n";
    out += "</ul>\n</section>\n";
  }
  return out + "</body>\n</html>\n";
}

}  // namespace eb::report
