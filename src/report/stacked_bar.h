// Horizontal stacked bars, each normalised to 100% (the study's Figure 5:
// where the time of one inference goes, by op category). Horizontal, so long
// labels (model · backend) read without rotation.
#pragma once

#include <string>
#include <vector>

namespace eb::report {

struct StackedBar {
  std::string label;
  std::vector<double> values;  // one per segment, in `unit`; missing or <= 0: no segment
};

struct StackedBarChart {
  std::string title;
  std::vector<std::string> segments;        // legend order and stacking order
  std::vector<std::string> segment_colors;  // optional, one per segment; default: the palette
  std::vector<StackedBar> bars;
  std::string x_title = "Share of time per inference (%)";
  std::string unit = "ms";  // of the values: tooltips and each bar's total
  double width = 1000;
};

std::string render_stacked_bar(const StackedBarChart& chart);

}  // namespace eb::report
