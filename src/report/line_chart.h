// Lines over a numeric x axis, one colour and dash per series (the study's
// Figure 14: temperature over time).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "report/svg.h"

namespace eb::report {

struct LineSeries {
  std::string name;
  std::vector<Point> points;  // in data units, in x order
  // Empty: the palette's colour and dash, by position.
  std::string color = "";
  std::optional<std::string> dash = std::nullopt;
};

struct LineChart {
  std::string title;
  std::string x_title;  // with units
  std::string y_title;
  bool y_include_zero = false;  // temperatures read better without it
  std::vector<LineSeries> series;
  double width = 1000;
  double plot_height = 320;
};

std::string render_line_chart(const LineChart& chart);

}  // namespace eb::report
