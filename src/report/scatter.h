// Points in groups, one marker shape and colour per group (the study's
// Figure 12: time per inference against active power, one point per model,
// grouped by platform).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "report/svg.h"

namespace eb::report {

struct ScatterPoint {
  double x = 0;
  double y = 0;
  std::string tooltip;
};

struct ScatterSeries {
  std::string name;
  std::vector<ScatterPoint> points;
  // Empty: the palette's colour and shape, by position.
  std::string color = "";
  std::optional<Marker> marker = std::nullopt;
};

struct ScatterChart {
  std::string title;
  std::string x_title;  // with units
  std::string y_title;
  bool log_x = true;
  bool log_y = false;
  std::vector<ScatterSeries> series;
  double width = 1000;
  double plot_height = 340;
};

// Points that cannot be placed (not finite, or <= 0 on a log axis) are left out.
std::string render_scatter(const ScatterChart& chart);

}  // namespace eb::report
