#include "report/scatter.h"

#include <cmath>
#include <limits>

#include "report/plot_frame.h"

namespace eb::report {
namespace {

bool placeable(double v, bool log) { return std::isfinite(v) && (!log || v > 0); }

}  // namespace

std::string render_scatter(const ScatterChart& chart) {
  constexpr double inf = std::numeric_limits<double>::infinity();
  double x_lo = inf, x_hi = -inf, y_lo = inf, y_hi = -inf;
  for (const auto& s : chart.series)
    for (const auto& p : s.points) {
      if (!placeable(p.x, chart.log_x) || !placeable(p.y, chart.log_y)) continue;
      x_lo = std::min(x_lo, p.x), x_hi = std::max(x_hi, p.x);
      y_lo = std::min(y_lo, p.y), y_hi = std::max(y_hi, p.y);
    }
  if (!(x_lo <= x_hi)) x_lo = 1, x_hi = 10;
  if (!(y_lo <= y_hi)) y_lo = 1, y_hi = 10;
  Axis x_axis = chart.log_x ? log_axis(x_lo, x_hi) : linear_axis(x_lo, x_hi, /*include_zero=*/false);
  Axis y_axis = chart.log_y ? log_axis(y_lo, y_hi) : linear_axis(y_lo, y_hi, /*include_zero=*/true);

  const auto color = [&](std::size_t i) { return chart.series[i].color.empty() ? series_color(i) : chart.series[i].color; };
  const auto marker = [&](std::size_t i) { return chart.series[i].marker.value_or(series_marker(i)); };
  std::vector<LegendEntry> legend;
  for (std::size_t i = 0; i < chart.series.size(); ++i)
    legend.push_back({chart.series[i].name, color(i), LegendEntry::Kind::marker, marker(i)});
  const PlotFrame frame = layout_frame(std::move(x_axis), std::move(y_axis), legend, chart.width, chart.plot_height);

  Svg svg(chart.width, frame.height, chart.title);
  draw_frame(svg, frame, legend, chart.x_title, chart.y_title);
  const Scale x = frame.x(), y = frame.y();
  for (std::size_t si = 0; si < chart.series.size(); ++si)
    for (const auto& p : chart.series[si].points) {
      if (!placeable(p.x, chart.log_x) || !placeable(p.y, chart.log_y)) continue;
      svg.marker(marker(si), x(p.x), y(p.y), 6, {.fill = color(si), .stroke = "#222", .stroke_width = 0.8, .opacity = 0.85},
                 p.tooltip.empty() ? chart.series[si].name : p.tooltip);
    }
  return svg.finish();
}

}  // namespace eb::report
