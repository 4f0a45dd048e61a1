// report.md: the HTML page's twin in GitHub-flavoured Markdown; charts are
// the SVG files written beside it.
#include <string>

#include "report/format.h"
#include "report/pages.h"
#include "report/svg.h"
#include "report/tables.h"

namespace eb::report {
namespace {

// Text that Markdown must not read as markup: inline punctuation escaped,
// line breaks folded (a table row is one line), invalid bytes replaced.
std::string md(std::string_view text) {
  std::string out;
  for (char c : sanitize(text)) {
    switch (c) {
      case '\\': case '`': case '*': case '_': case '[': case ']': case '<': case '>': case '|': case '&': case '~':
        out += '\\';
        out += c;
        break;
      case '\n': case '\r': case '\t': out += ' '; break;
      default: out += c;
    }
  }
  return out;
}

std::string md_table(const Table& t) {
  // No column groups in Markdown: "Params (M): ours".
  std::vector<std::string> header = t.header;
  std::size_t column = 0;
  for (const auto& [name, span] : t.groups)
    for (int i = 0; i < span && column < header.size(); ++i, ++column)
      if (!name.empty()) header[column] = name + ": " + header[column];
  std::string out = "|";
  for (const auto& h : header) out.append(" ").append(md(h)).append(" |");
  out += "\n|";
  for (std::size_t c = 0; c < t.header.size(); ++c) out += t.numeric[c] ? " ---: |" : " --- |";
  out += "\n";
  for (const auto& row : t.rows) {
    out += "|";
    for (const auto& cell : row) out.append(" ").append(md(cell)).append(" |");
    out += "\n";
  }
  return out + "\n";
}

std::string superscript(int n) {
  static const char* digits[] = {"\xE2\x81\xB0", "\xC2\xB9", "\xC2\xB2", "\xC2\xB3", "\xE2\x81\xB4",
                                 "\xE2\x81\xB5", "\xE2\x81\xB6", "\xE2\x81\xB7", "\xE2\x81\xB8", "\xE2\x81\xB9"};
  std::string out;
  for (char c : std::to_string(n)) out += digits[c - '0'];
  return out;
}

std::string md_matrix(const ReportData& d) {
  Table t;
  t.header.push_back("Model");
  t.numeric.push_back(false);
  for (const Config& c : d.configs) t.header.push_back(c.label), t.numeric.push_back(false);
  std::string out = md_table({t.header, t.numeric, {}});
  out.pop_back();  // the blank line after the header: rows follow
  // The symbols and superscripts are not Markdown; only model names need escaping.
  for (std::size_t m = 0; m < d.models.size(); ++m) {
    out += "| " + md(d.models[m]) + " |";
    for (const MatrixCell& cell : d.matrix.cells[m]) {
      std::string text = cell.status ? status_symbol(*cell.status) : "";
      if (cell.footnote) text += superscript(cell.footnote);
      out += " " + text + " |";
    }
    out += "\n";
  }
  out.append("\n").append(md(status_legend())).append(".\n\n");
  for (std::size_t i = 0; i < d.matrix.footnotes.size(); ++i)
    out += std::to_string(i + 1) + ". " + md(d.matrix.footnotes[i]) + "\n";
  return d.matrix.footnotes.empty() ? out : out + "\n";
}

std::string md_figure(const Figure& f, int number) {
  if (!f.present()) return std::string("*").append(md(f.absent)).append("*\n\n");
  const std::string label = "Figure " + std::to_string(number) + ". " + f.title;
  return "![" + md(label) + "](" + f.file + ")\n\n**Figure " + std::to_string(number) + ".** " + md(f.title) + ". " +
         md(f.caption) + "\n\n";
}

}  // namespace

std::string render_markdown(const ReportData& d, const Figures& figs) {
  std::string out = "# edgebench report\n\n";
  if (!d.source.empty()) out += "Results: " + md(d.source) + ". ";
  if (!d.generated_at.empty()) out += "Generated " + md(d.generated_at) + ". ";
  out += md(summary_line(d)) + " Speedups are over **" + md(d.baseline) + "**.\n\n" + md(latest_run_rule()) + "\n\n";

  const std::vector<PageSection> sections = page_sections(d);
  int section = 0, figure = 0;
  const auto open = [&](const PageSection& s) { return "## " + std::to_string(++section) + ". " + md(s.title) + "\n\n"; };
  const auto fig = [&](const Figure& f) { return md_figure(f, f.present() ? ++figure : 0); };

  out += open(sections[kModels]);
  out += d.table1.empty() ? "*Table I was left out.*\n\n" : md_table(table1_table(d)) + md(table1_note()) + "\n\n";

  out += open(sections[kCompatibility]);
  if (d.runs.empty()) out.append("*").append(md(no_latency_runs(d))).append("*\n\n");
  else out += md_matrix(d);

  out += open(sections[kTime]) + fig(figs.time);
  if (!d.runs.empty()) out += "Median / p90 in ms; a symbol where the run did not succeed.\n\n" + md_table(time_table(d));

  out += open(sections[kSpeedup]) + fig(figs.speedup);
  if (!d.speedup_summary.empty()) out += md_table(speedup_table(d));

  out += open(sections[kBreakdown]) + fig(figs.breakdown);
  if (figs.breakdown.present()) out += "Milliseconds in the profiled inference.\n\n" + md_table(breakdown_table(d));

  out += open(sections[kEnergy]) + fig(figs.energy);
  if (figs.energy.present()) out += md_table(energy_table(d));

  out += open(sections[kPower]) + fig(figs.power);

  out += open(sections[kPowerTrace]) + fig(figs.power_trace);

  out += open(sections[kTemperature]) + fig(figs.temperature);
  if (figs.temperature.present()) out += md_table(temperature_table(d));

  out += open(sections[kEnvironment]);
  out += d.environments.empty() ? "*No runs, no environments.*\n\n"
                                : "Each machine once, then each software stack measured on it.\n\n" + md_table(machine_table(d)) +
                                      md_table(software_table(d));

  if (!d.notes.empty()) {
    out += "## " + std::to_string(++section) + ". Notes on the data\n\n";
    for (const auto& n : d.notes) out += "- " + md(n) + "\n";
    out += "\n";
  }
  return out;
}

}  // namespace eb::report
