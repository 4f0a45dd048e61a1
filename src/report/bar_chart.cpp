#include "report/bar_chart.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "report/chart_common.h"
#include "report/svg.h"

namespace eb::report {
namespace {

constexpr double kTop = 10;
constexpr double kRight = 16;
constexpr double kMaxBarWidth = 36;

bool drawable(double v, bool log) { return std::isfinite(v) && (!log || v > 0); }

}  // namespace

std::string render_bar_chart(const BarChart& chart) {
  const bool log = chart.log_y;
  const std::size_t n = std::max<std::size_t>(chart.categories.size(), 1);
  const std::size_t m = std::max<std::size_t>(chart.series.size(), 1);

  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  const auto extend = [&](const std::optional<double>& v) {
    if (v && drawable(*v, log)) lo = std::min(lo, *v), hi = std::max(hi, *v);
  };
  for (const auto& s : chart.series)
    for (const auto& c : s.cells) extend(c.value), extend(c.whisker_low), extend(c.whisker_high);
  extend(chart.reference);
  if (!(lo <= hi)) lo = 1, hi = 10;
  const Axis axis = log ? log_axis(lo, hi) : linear_axis(lo, hi, /*include_zero=*/true);

  double widest_tick = 0;
  for (const auto& t : axis.ticks) widest_tick = std::max(widest_tick, text_width(t.label + chart.tick_suffix, kTickFont));
  const double left = 22 + widest_tick + 10;
  const double plot_w = chart.width - left - kRight;
  const double slot = plot_w / static_cast<double>(n);

  const auto color = [&](std::size_t i) { return chart.series[i].color.empty() ? series_color(i) : chart.series[i].color; };
  std::vector<LegendEntry> legend;
  for (std::size_t i = 0; i < chart.series.size(); ++i) legend.push_back({chart.series[i].name, color(i)});
  const bool has_reference = chart.reference && drawable(*chart.reference, log);
  if (has_reference && !chart.reference_label.empty())
    legend.push_back({chart.reference_label, "#000", LegendEntry::Kind::line, Marker::circle, "6 4"});
  const double legend_h = legend_height(legend, plot_w);
  const double top = kTop + legend_h + (legend_h > 0 ? 10 : 0);
  const double bottom = top + chart.plot_height;
  const double height = bottom + category_label_height(chart.categories, slot) + 6;

  Svg svg(chart.width, height, chart.title);
  draw_legend(svg, legend, left, kTop, plot_w);
  const Scale y(axis, bottom, top);
  draw_y_axis(svg, axis, y, left, left + plot_w, 14, chart.y_title, chart.tick_suffix);

  const double group_w = slot * 0.84;
  const double bar_w = std::min(group_w / static_cast<double>(m), kMaxBarWidth);
  const double base = chart.bar_base && drawable(*chart.bar_base, log) ? y(*chart.bar_base) : log ? bottom : y(0);
  for (std::size_t si = 0; si < chart.series.size(); ++si) {
    const auto& s = chart.series[si];
    for (std::size_t ci = 0; ci < s.cells.size() && ci < n; ++ci) {
      const BarCell& cell = s.cells[ci];
      const double x = left + ci * slot + (slot - bar_w * m) / 2 + si * bar_w;
      const std::string tip = cell.tooltip.empty() ? s.name : cell.tooltip;
      if (cell.value && drawable(*cell.value, log)) {
        const double py = y(*cell.value);
        svg.rect(x + 0.5, std::min(py, base), bar_w - 1, std::abs(base - py),
                 {.fill = color(si), .stroke = "#333", .stroke_width = 0.4}, tip);
        const double wl = cell.whisker_low && drawable(*cell.whisker_low, log) ? *cell.whisker_low : *cell.value;
        const double wh = cell.whisker_high && drawable(*cell.whisker_high, log) ? *cell.whisker_high : *cell.value;
        if (wl != *cell.value || wh != *cell.value) {
          const double cx = x + bar_w / 2, cap = std::max(bar_w * 0.3, 2.0);
          const Style whisker{.stroke = "#111", .stroke_width = 1.1};
          svg.line(cx, y(wl), cx, y(wh), whisker);
          svg.line(cx - cap, y(wh), cx + cap, y(wh), whisker);
          if (wl != *cell.value) svg.line(cx - cap, y(wl), cx + cap, y(wl), whisker);
        }
      } else if (!cell.mark.empty()) {
        // Upright when it fits the bar's width, else turned to read upwards.
        const double size = std::clamp(bar_w, 8.0, 12.0);
        if (text_width(cell.mark, size) <= bar_w + 2)
          svg.text(x + bar_w / 2, bottom - 5, cell.mark, {.size = size, .anchor = Anchor::middle, .fill = "#444"}, tip);
        else
          svg.text(x + bar_w / 2, bottom - 4, cell.mark, {.size = size, .rotate = -90, .fill = "#444", .dy_em = 0.35}, tip);
      }
    }
  }
  if (has_reference) {
    const double py = y(*chart.reference);
    svg.line(left, py, left + plot_w, py, {.stroke = "#000", .stroke_width = 1.5, .dash = "6 4"});
  }
  // The baseline of the value axis, over the bars' feet.
  svg.line(left, bottom, left + plot_w, bottom, {.stroke = kAxisColor, .stroke_width = 1});
  draw_category_labels(svg, chart.categories, left, slot, bottom);
  return svg.finish();
}

}  // namespace eb::report
