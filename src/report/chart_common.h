// What the charts share: the palette, scales and their ticks, axes, legends.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "report/svg.h"

namespace eb::report {

// Okabe & Ito's colour-blind-safe palette (blue, orange, green, vermillion,
// sky blue, reddish purple, yellow, black), cycled past eight series. Scatter
// and line charts also vary the marker shape and dash, so series stay apart
// in grey-scale print too.
const std::string& series_color(std::size_t index);
Marker series_marker(std::size_t index);
std::string series_dash(std::size_t index);

// Shared look.
inline constexpr double kTickFont = 12;
inline constexpr double kAxisTitleFont = 13;
inline constexpr double kLegendFont = 12;
inline constexpr const char* kGridColor = "#d9d9d9";
inline constexpr const char* kMinorGridColor = "#efefef";
inline constexpr const char* kAxisColor = "#444";

struct Tick {
  double value = 0;
  std::string label;  // empty: an unlabelled minor gridline
  bool major = true;
};

// A domain and its ticks. Log axes over more than two decades span whole
// decades, each a labelled major tick, with 2..9 as unlabelled minor lines
// up to five decades; narrower ones end on 1-2-5 values and label 1, 2 and 5.
// Linear axes use 1-2-5 steps.
struct Axis {
  double lo = 0;
  double hi = 1;
  bool log = false;
  std::vector<Tick> ticks;
};
// min_value and max_value > 0; equal values still give a range around them.
Axis log_axis(double min_value, double max_value);
Axis linear_axis(double min_value, double max_value, bool include_zero, int target_ticks = 6);

// A tick label: "0.001", "0.5", "12", "1000", "2e+06" past a million.
std::string format_tick(double value);

// Maps an axis's domain onto pixels [from, to] (to < from for a y axis).
class Scale {
 public:
  Scale(const Axis& axis, double from, double to);
  double operator()(double value) const;

 private:
  double lo_, hi_, from_, to_;
  bool log_;
};

// A horizontal y axis with gridlines: tick labels left of `left`, lines to
// `right`, the title rotated along the left edge at `title_x`.
void draw_y_axis(Svg& svg, const Axis& axis, const Scale& y, double left, double right, double title_x,
                 const std::string& title, const std::string& tick_suffix = "");
// A numeric x axis with vertical gridlines from `top` to `bottom`, labels and
// the title below `bottom`.
void draw_x_axis(Svg& svg, const Axis& axis, const Scale& x, double top, double bottom, const std::string& title);

struct LegendEntry {
  enum class Kind { swatch, marker, line };
  std::string label;
  std::string color;  // with a defaulted tail, so {label, color} is enough
  Kind kind = Kind::swatch;
  Marker marker = Marker::circle;
  std::string dash = "";
};
// Entries flow left to right in rows no wider than `width`; returns the
// height they take (0 without entries). draw_legend draws the same layout.
double legend_height(const std::vector<LegendEntry>& entries, double width);
void draw_legend(Svg& svg, const std::vector<LegendEntry>& entries, double x, double y, double width);

// Category labels along a horizontal axis, centred under each slot, rotated
// by 40 degrees when they would not fit side by side; long labels are cut to
// kMaxCategoryChars with the full text as tooltip. category_label_height
// says how much room below the axis they need.
inline constexpr std::size_t kMaxCategoryChars = 26;
double category_label_height(const std::vector<std::string>& labels, double slot_width);
void draw_category_labels(Svg& svg, const std::vector<std::string>& labels, double left, double slot_width, double y);

}  // namespace eb::report
