#include "report/plot_frame.h"

#include <algorithm>

namespace eb::report {

PlotFrame layout_frame(Axis x_axis, Axis y_axis, const std::vector<LegendEntry>& legend, double width, double plot_height) {
  PlotFrame f;
  double widest_tick = 0;
  for (const auto& t : y_axis.ticks) widest_tick = std::max(widest_tick, text_width(t.label, kTickFont));
  f.left = 22 + widest_tick + 10;
  f.right = width - 24;  // room for half of the last x tick label
  const double legend_h = legend_height(legend, f.right - f.left);
  f.top = 10 + legend_h + (legend_h > 0 ? 10 : 0);
  f.bottom = f.top + plot_height;
  f.height = f.bottom + 50;
  f.x_axis = std::move(x_axis);
  f.y_axis = std::move(y_axis);
  return f;
}

void draw_frame(Svg& svg, const PlotFrame& f, const std::vector<LegendEntry>& legend, const std::string& x_title,
                const std::string& y_title) {
  draw_legend(svg, legend, f.left, 10, f.right - f.left);
  draw_y_axis(svg, f.y_axis, f.y(), f.left, f.right, 14, y_title);
  draw_x_axis(svg, f.x_axis, f.x(), f.top, f.bottom, x_title);
}

}  // namespace eb::report
