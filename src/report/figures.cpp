#include "report/figures.h"

#include <algorithm>
#include <map>
#include <set>

#include "report/bar_chart.h"
#include "report/chart_common.h"
#include "report/format.h"
#include "report/line_chart.h"
#include "report/scatter.h"
#include "report/stacked_bar.h"

namespace eb::report {
namespace {

std::string latency_tooltip(const ReportData& d, const ReportRun& r) {
  const auto& l = *r.latency;
  std::string tip = d.run_label(r) + ": median " + format_sig(l.median) + " ms, p90 " + format_sig(l.p90) + " ms";
  if (l.ci95_low && l.ci95_high) tip += ", 95% CI of the median " + format_sig(*l.ci95_low) + "\xE2\x80\x93" + format_sig(*l.ci95_high) + " ms";
  return tip;
}

std::string failure_tooltip(const ReportData& d, const ReportRun& r) {
  std::string tip = d.run_label(r) + ": " + bench::to_string(r.status);
  if (!r.error.empty()) tip += " \xE2\x80\x94 " + r.error;
  return tip;
}

Figure time_figure(const ReportData& d) {
  Figure f{"time_per_inference.svg", "Time per inference", "", "", ""};
  BarChart chart;
  chart.title = f.title;
  chart.y_title = "Time per inference (ms, log scale)";
  chart.categories = d.models;
  for (std::size_t c = 0; c < d.configs.size(); ++c) {
    BarSeries series{d.configs[c].label, {}, series_color(c)};
    bool any = false;
    for (const std::string& model : d.models) {
      BarCell cell;
      if (const ReportRun* r = d.find(model, c)) {
        if (r->timed()) {
          cell.value = r->latency->median;
          cell.whisker_high = r->latency->p90;
          cell.tooltip = latency_tooltip(d, *r);
          any = true;
        } else if (r->status != bench::RunStatus::ok) {
          cell.mark = status_symbol(r->status);
          cell.tooltip = failure_tooltip(d, *r);
        }
      }
      series.cells.push_back(std::move(cell));
    }
    if (any) chart.series.push_back(std::move(series));
  }
  if (chart.series.empty()) {
    f.absent = "No run finished with a measured latency, so there is nothing to plot (see the compatibility matrix).";
    return f;
  }
  f.caption = "Median time per single-batch inference, by model and backend (log scale). Whiskers reach the 90th "
              "percentile. A symbol at the foot of a slot marks a run that did not succeed (as in the matrix); an "
              "empty slot, one that was not run.";
  f.svg = render_bar_chart(chart);
  return f;
}

Figure speedup_figure(const ReportData& d) {
  Figure f{"speedup.svg", "Speedup over " + d.baseline, "", "", ""};
  if (d.speedups.empty()) {
    f.absent = "No speedup to show: it needs a successful '" + d.baseline +
               "' run and a successful run of another backend on the same model (choose the baseline with --baseline, "
               "e.g. --baseline libtorch:script).";
    return f;
  }
  std::vector<std::string> models;
  std::vector<std::size_t> configs;
  for (const auto& s : d.speedups) {
    if (std::find(models.begin(), models.end(), s.model) == models.end()) models.push_back(s.model);
    if (std::find(configs.begin(), configs.end(), s.config) == configs.end()) configs.push_back(s.config);
  }
  std::sort(configs.begin(), configs.end());  // models are in order already: speedups follow the runs
  BarChart chart;
  chart.title = f.title;
  chart.y_title = "Speedup over " + d.baseline + " (\xC3\x97, log scale)";
  chart.tick_suffix = "\xC3\x97";
  chart.reference = 1.0;
  chart.bar_base = 1.0;
  chart.reference_label = "1\xC3\x97 = " + d.baseline;
  chart.categories = models;
  for (std::size_t c : configs) {
    BarSeries series{d.configs[c].label, std::vector<BarCell>(models.size()), series_color(c)};
    for (const auto& s : d.speedups) {
      if (s.config != c) continue;
      const auto m = static_cast<std::size_t>(std::find(models.begin(), models.end(), s.model) - models.begin());
      series.cells[m].value = s.speedup;
      series.cells[m].tooltip = s.model + kSeparator + d.configs[c].label + ": " + format_sig(s.speedup) + "\xC3\x97 over " +
                                d.configs[s.baseline_config].label;
    }
    chart.series.push_back(std::move(series));
  }
  f.caption = "Median time of " + d.baseline + " divided by the median time of each backend, per model (log scale; bars "
              "rising above the dashed 1\xC3\x97 line are faster than " + d.baseline + ", falling below it slower). Each run is compared with the " + d.baseline +
              " run on the same host with the most settings in common (threads, device, precision).";
  f.svg = render_bar_chart(chart);
  return f;
}

Figure breakdown_figure(const ReportData& d) {
  Figure f{"latency_breakdown.svg", "Latency breakdown", "", "", ""};
  const std::vector<std::string>& categories = d.profile_categories;
  if (categories.empty()) {
    f.absent = "No run recorded a per-node profile (run with --profile), so there is no latency breakdown.";
    return f;
  }
  StackedBarChart chart;
  chart.title = f.title;
  for (const auto& c : categories) chart.segments.push_back(category_label(c));
  if (d.profile_overhead) chart.segments.push_back(kOverheadCategory);
  for (std::size_t i = 0; i < categories.size(); ++i) chart.segment_colors.push_back(category_color(categories[i], i));
  if (d.profile_overhead) chart.segment_colors.push_back(category_color(kOverheadCategory, 0));
  for (const ReportRun& r : d.runs) {
    if (!r.profile) continue;
    StackedBar bar{d.run_label(r), std::vector<double>(chart.segments.size(), 0.0)};
    for (const auto& [c, ms] : r.profile->categories)
      bar.values[std::find(categories.begin(), categories.end(), c) - categories.begin()] = ms;
    if (r.profile->overhead_ms) bar.values.back() = *r.profile->overhead_ms;
    chart.bars.push_back(std::move(bar));
  }
  f.caption = "Share of one profiled inference spent in each op category; framework overhead is the profiled wall time "
              "minus the sum of the nodes. Totals (right) are of the profiling pass, which runs apart from the timed "
              "runs and so may differ from their median.";
  f.svg = render_stacked_bar(chart);
  return f;
}

Figure energy_figure(const ReportData& d) {
  Figure f{"energy_per_inference.svg", "Energy per inference", "", "", ""};
  BarChart chart;
  chart.title = f.title;
  chart.y_title = "Energy per inference (mJ, log scale)";
  std::vector<std::size_t> configs;
  for (const std::string& model : d.models)
    for (std::size_t c = 0; c < d.configs.size(); ++c)
      if (const ReportRun* r = d.find(model, c); r && r->energy && r->energy->mj_per_inference) {
        if (std::find(chart.categories.begin(), chart.categories.end(), model) == chart.categories.end()) chart.categories.push_back(model);
        if (std::find(configs.begin(), configs.end(), c) == configs.end()) configs.push_back(c);
      }
  if (configs.empty()) {
    f.absent = "No run recorded energy (run with --power SOURCE), so there is no energy per inference.";
    return f;
  }
  std::sort(configs.begin(), configs.end());
  for (std::size_t c : configs) {
    BarSeries series{d.configs[c].label, {}, series_color(c)};
    for (const std::string& model : chart.categories) {
      BarCell cell;
      if (const ReportRun* r = d.find(model, c); r && r->energy && r->energy->mj_per_inference) {
        const bench::Energy& e = *r->energy;
        cell.value = *e.mj_per_inference;
        cell.tooltip = d.run_label(*r) + ": " + format_sig(*e.mj_per_inference) + " mJ per inference";
        if (e.net_mj_per_inference) cell.tooltip += " (net of idle: " + format_sig(*e.net_mj_per_inference) + " mJ)";
        if (!e.source.empty()) cell.tooltip += ", source " + e.source;
      }
      series.cells.push_back(std::move(cell));
    }
    chart.series.push_back(std::move(series));
  }
  f.caption = "Gross energy per inference (all the power the source measured during the timed runs, divided by the "
              "inferences, as MLPerf Power reports it); net energy (less idle power) is in the table.";
  f.svg = render_bar_chart(chart);
  return f;
}

Figure power_figure(const ReportData& d) {
  Figure f{"time_vs_power.svg", "Time per inference vs power", "", "", ""};
  ScatterChart chart;
  chart.title = f.title;
  chart.x_title = "Time per inference (ms, log scale)";
  chart.y_title = "Average power while inferring (W)";
  for (std::size_t c = 0; c < d.configs.size(); ++c) {
    ScatterSeries series{d.configs[c].label, {}, series_color(c), series_marker(c)};
    for (const ReportRun& r : d.runs)
      if (r.config == c && r.timed() && r.energy && r.energy->avg_power_w) {
        std::string tip = d.run_label(r) + ": " + format_sig(r.latency->median) + " ms, " + format_sig(*r.energy->avg_power_w) + " W";
        if (r.energy->idle_power_w) tip += " (idle " + format_sig(*r.energy->idle_power_w) + " W)";
        series.points.push_back({r.latency->median, *r.energy->avg_power_w, tip});
      }
    if (!series.points.empty()) chart.series.push_back(std::move(series));
  }
  if (chart.series.empty()) {
    f.absent = "No successful run recorded its average power, so there is no time-versus-power plot.";
    return f;
  }
  f.caption = "One point per model, grouped by backend: median time per inference against the average power over the "
              "timed runs. Lower left is fast and frugal; hover a point for its model.";
  f.svg = render_scatter(chart);
  return f;
}

// A 1000-pixel-wide chart shows no more than this many points of one line;
// the record keeps up to 10,000 (bench::kMaxPowerSamples).
constexpr std::size_t kMaxPointsPerLine = 1000;

Figure power_trace_figure(const ReportData& d) {
  Figure f{"power_over_time.svg", "Power over time", "", "", ""};
  LineChart chart;
  chart.title = f.title;
  chart.x_title = "Time since the start of the measured window (s)";
  chart.y_title = "Power (W)";
  std::vector<const ReportRun*> drawn;
  std::set<std::string> sources;
  for (const auto* runs : {&d.runs, &d.thermal_runs})
    for (const ReportRun& r : *runs)
      if (r.energy && !r.energy->samples.empty()) {
        drawn.push_back(&r);
        sources.insert(r.energy->source);
      }
  // Colour by configuration (as in every chart), dash by line within it;
  // the meter is named where they differ.
  std::vector<int> lines_of(d.configs.size(), 0);
  for (const ReportRun* r : drawn) {
    std::vector<Point> points;
    for (const bench::PowerSample& s : bench::thin_evenly(r->energy->samples, kMaxPointsPerLine)) points.push_back({s.t_s, s.watts});
    std::string name = d.run_label(*r);
    if (sources.size() > 1 && !r->energy->source.empty()) name += " (" + r->energy->source + ")";
    chart.series.push_back({name, std::move(points), series_color(r->config), series_dash(lines_of[r->config]++)});
  }
  if (chart.series.empty()) {
    f.absent = "No run kept power samples (they come with a power source such as hwmon or INA3221 in --power; an "
               "energy counter such as RAPL gives energy only), so there is no power-over-time plot.";
    return f;
  }
  f.caption = "Power the source measured while inferring, over the timed runs, one line per run. The axis does not start "
              "at zero: it shows how power moves, the energy section how much it is.";
  f.svg = render_line_chart(chart);
  return f;
}

Figure temperature_figure(const ReportData& d) {
  Figure f{"temperature.svg", "Temperature over time", "", "", ""};
  LineChart chart;
  chart.title = f.title;
  chart.x_title = "Time since the start of sampling (s)";
  chart.y_title = "Temperature (\xC2\xB0""C)";
  // Colour by configuration (as in every chart), dash by line within it.
  // Thermal runs, and latency runs that sampled temperature too.
  std::vector<int> lines_of(d.configs.size(), 0);
  for (const auto* runs : {&d.thermal_runs, &d.runs})
    for (const ReportRun& r : *runs)
      for (const auto& trace : r.temperature) {
        if (trace.series.empty()) continue;
        std::string name = d.run_label(r);
        if (r.temperature.size() > 1 && !trace.source.empty()) name += " (" + trace.source + ")";
        chart.series.push_back({name, trace.series, series_color(r.config), series_dash(lines_of[r.config]++)});
      }
  if (chart.series.empty()) {
    f.absent = "No run recorded a temperature series (see 'edgebench thermal'), so there is no temperature plot.";
    return f;
  }
  f.caption = "Temperature sampled while inferring, one line per run (and per sensor where a run recorded several).";
  f.svg = render_line_chart(chart);
  return f;
}

}  // namespace

std::string category_color(const std::string& category, std::size_t fallback_index) {
  static const std::map<std::string, std::string> fixed = {
      {"convolution", "#0072B2"},     {"batch_norm", "#E69F00"},    {"activation", "#009E73"},
      {"pooling", "#D55E00"},         {"fully_connected", "#56B4E9"}, {"elementwise", "#CC79A7"},
      {"data_movement", "#F0E442"},   {"other", "#555555"},          {kOverheadCategory, "#BBBBBB"}};
  const auto it = fixed.find(category);
  return it != fixed.end() ? it->second : series_color(fallback_index);
}

Figures make_figures(const ReportData& d) {
  return {time_figure(d),  speedup_figure(d),      breakdown_figure(d), energy_figure(d),
          power_figure(d), power_trace_figure(d), temperature_figure(d)};
}

}  // namespace eb::report
