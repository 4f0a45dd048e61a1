#include "report/stacked_bar.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "report/chart_common.h"
#include "report/svg.h"

namespace eb::report {
namespace {

constexpr double kBarHeight = 22;
constexpr double kBarGap = 9;
constexpr std::size_t kMaxLabelChars = 34;

std::string fixed(double v, int decimals) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

// Dark text on light fills, white on dark ones (relative luminance of #rrggbb).
std::string text_color_on(const std::string& fill) {
  if (fill.size() != 7 || fill[0] != '#') return "#000";
  const auto channel = [&](int i) { return std::strtol(fill.substr(1 + 2 * i, 2).c_str(), nullptr, 16) / 255.0; };
  const double luminance = 0.2126 * channel(0) + 0.7152 * channel(1) + 0.0722 * channel(2);
  return luminance > 0.45 ? "#000" : "#fff";
}

}  // namespace

std::string render_stacked_bar(const StackedBarChart& chart) {
  const auto color = [&](std::size_t i) {
    return i < chart.segment_colors.size() ? chart.segment_colors[i] : series_color(i);
  };
  std::vector<std::string> totals;
  double widest_label = 0, widest_total = 0;
  for (const auto& bar : chart.bars) {
    double total = 0;
    for (double v : bar.values) total += std::max(v, 0.0);
    totals.push_back(fixed(total, total < 10 ? 2 : 1) + " " + chart.unit);
    widest_label = std::max(widest_label, text_width(truncate(bar.label, kMaxLabelChars), kTickFont));
    widest_total = std::max(widest_total, text_width(totals.back(), kTickFont));
  }
  const double left = widest_label + 16;
  const double right = chart.width - widest_total - 16;
  const double plot_w = right - left;

  std::vector<LegendEntry> legend;
  for (std::size_t i = 0; i < chart.segments.size(); ++i) legend.push_back({chart.segments[i], color(i)});
  const double legend_h = legend_height(legend, plot_w);
  const double top = 10 + legend_h + (legend_h > 0 ? 12 : 0);
  const double bottom = top + chart.bars.size() * (kBarHeight + kBarGap) + kBarGap;
  const double height = bottom + 50;

  Svg svg(chart.width, height, chart.title);
  draw_legend(svg, legend, left, 10, plot_w);
  Axis axis = linear_axis(0, 100, true, 6);
  for (auto& t : axis.ticks) t.label += "%";
  draw_x_axis(svg, axis, Scale(axis, left, right), top, bottom, chart.x_title);

  for (std::size_t b = 0; b < chart.bars.size(); ++b) {
    const StackedBar& bar = chart.bars[b];
    const double y = top + kBarGap + b * (kBarHeight + kBarGap);
    const std::string shown = truncate(bar.label, kMaxLabelChars);
    svg.text(left - 8, y + kBarHeight / 2, shown, {.size = kTickFont, .anchor = Anchor::end, .dy_em = 0.35},
             shown == bar.label ? "" : bar.label);
    double total = 0;
    for (double v : bar.values) total += std::max(v, 0.0);
    if (total <= 0) continue;
    double x = left;
    for (std::size_t s = 0; s < bar.values.size(); ++s) {
      const double v = bar.values[s];
      if (!(v > 0)) continue;
      const double share = v / total;
      const double w = share * plot_w;
      const std::string name = s < chart.segments.size() ? chart.segments[s] : "segment " + std::to_string(s + 1);
      const std::string tip =
          bar.label + " \xE2\x80\x94 " + name + ": " + fixed(v, v < 10 ? 3 : 1) + " " + chart.unit + " (" + fixed(100 * share, 1) + "%)";
      svg.rect(x, y, w, kBarHeight, {.fill = color(s), .stroke = "#fff", .stroke_width = 0.6}, tip);
      const std::string pct = fixed(100 * share, 0) + "%";
      if (w >= text_width(pct, 11) + 8)
        svg.text(x + w / 2, y + kBarHeight / 2, pct, {.size = 11, .anchor = Anchor::middle, .fill = text_color_on(color(s)), .dy_em = 0.35}, tip);
      x += w;
    }
    svg.text(right + 8, y + kBarHeight / 2, totals[b], {.size = kTickFont, .fill = "#444", .dy_em = 0.35});
  }
  return svg.finish();
}

}  // namespace eb::report
