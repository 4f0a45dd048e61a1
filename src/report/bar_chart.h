// Grouped bars: one group per category (a model), one bar per series (a
// backend), on a log or linear value axis, with whiskers and an optional
// reference line (the study's Figures 2-4, 7, 8, 10 and 11).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace eb::report {

struct BarCell {
  std::optional<double> value = std::nullopt;  // the bar; nullopt (or <= 0 on a log axis): none
  std::optional<double> whisker_low = std::nullopt;
  std::optional<double> whisker_high = std::nullopt;
  // Shown at the foot of the slot when there is no bar (e.g. "✗" for a
  // failed run), so that "failed" and "not run" stay apart.
  std::string mark = "";
  std::string tooltip = "";
};

struct BarSeries {
  std::string name;
  std::vector<BarCell> cells;  // one per category; missing trailing cells are empty
  std::string color = "";      // empty: the palette's, by position
};

struct BarChart {
  std::string title;  // the document title (accessibility); captions live in the page
  std::vector<std::string> categories;
  std::vector<BarSeries> series;
  std::string y_title;  // with its unit, e.g. "Time per inference (ms, log scale)"
  bool log_y = true;
  std::string tick_suffix;  // appended to tick labels, e.g. "×"
  std::optional<double> reference;  // a dashed horizontal line, named in the legend
  std::string reference_label;
  // Where bars start: the foot of the axis by default; a value (1 for
  // speedups) makes bars grow up or down from it.
  std::optional<double> bar_base;
  double width = 1000;
  double plot_height = 300;
};

std::string render_bar_chart(const BarChart& chart);

}  // namespace eb::report
