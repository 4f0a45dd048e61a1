// The frame shared by charts with two numeric axes (scatter, lines): legend
// on top, y axis on the left, x axis below, and the scales between them.
#pragma once

#include <string>
#include <vector>

#include "report/chart_common.h"
#include "report/svg.h"

namespace eb::report {

struct PlotFrame {
  Axis x_axis;
  Axis y_axis;
  double left = 0, right = 0, top = 0, bottom = 0;
  double height = 0;  // of the whole document

  Scale x() const { return Scale(x_axis, left, right); }
  Scale y() const { return Scale(y_axis, bottom, top); }
};

// Lays the frame out for a chart `width` wide; draw_frame then draws the
// legend, gridlines, ticks and axis titles into an Svg of frame.height.
PlotFrame layout_frame(Axis x_axis, Axis y_axis, const std::vector<LegendEntry>& legend, double width, double plot_height);
void draw_frame(Svg& svg, const PlotFrame& frame, const std::vector<LegendEntry>& legend, const std::string& x_title,
                const std::string& y_title);

}  // namespace eb::report
