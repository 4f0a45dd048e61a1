#include "report/line_chart.h"

#include <cmath>
#include <limits>

#include "report/plot_frame.h"

namespace eb::report {

std::string render_line_chart(const LineChart& chart) {
  constexpr double inf = std::numeric_limits<double>::infinity();
  double x_lo = inf, x_hi = -inf, y_lo = inf, y_hi = -inf;
  for (const auto& s : chart.series)
    for (const auto& p : s.points) {
      if (!std::isfinite(p.x) || !std::isfinite(p.y)) continue;
      x_lo = std::min(x_lo, p.x), x_hi = std::max(x_hi, p.x);
      y_lo = std::min(y_lo, p.y), y_hi = std::max(y_hi, p.y);
    }
  if (!(x_lo <= x_hi)) x_lo = 0, x_hi = 1;
  if (!(y_lo <= y_hi)) y_lo = 0, y_hi = 1;
  const auto color = [&](std::size_t i) { return chart.series[i].color.empty() ? series_color(i) : chart.series[i].color; };
  const auto dash = [&](std::size_t i) { return chart.series[i].dash.value_or(series_dash(i)); };
  std::vector<LegendEntry> legend;
  for (std::size_t i = 0; i < chart.series.size(); ++i)
    legend.push_back({chart.series[i].name, color(i), LegendEntry::Kind::line, Marker::circle, dash(i)});
  const PlotFrame frame = layout_frame(linear_axis(std::min(x_lo, 0.0), x_hi, /*include_zero=*/true, 8),
                                       linear_axis(y_lo, y_hi, chart.y_include_zero), legend, chart.width, chart.plot_height);

  Svg svg(chart.width, frame.height, chart.title);
  draw_frame(svg, frame, legend, chart.x_title, chart.y_title);
  const Scale x = frame.x(), y = frame.y();
  for (std::size_t si = 0; si < chart.series.size(); ++si) {
    std::vector<Point> pts;
    for (const auto& p : chart.series[si].points)
      if (std::isfinite(p.x) && std::isfinite(p.y)) pts.push_back({x(p.x), y(p.y)});
    if (pts.size() == 1) {
      svg.marker(Marker::circle, pts[0].x, pts[0].y, 3.5, {.fill = color(si)}, chart.series[si].name);
      continue;
    }
    svg.polyline(pts, {.stroke = color(si), .stroke_width = 2.2, .dash = dash(si)}, chart.series[si].name);
  }
  return svg.finish();
}

}  // namespace eb::report
