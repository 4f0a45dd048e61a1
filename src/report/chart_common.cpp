#include "report/chart_common.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace eb::report {
namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kLabelAngle = 40;  // degrees, for crowded category labels

// Layout of one legend entry: swatch/marker, a gap, the text.
constexpr double kLegendKey = 22;
constexpr double kLegendGap = 18;
constexpr double kLegendRow = 20;

double entry_width(const LegendEntry& e) { return kLegendKey + text_width(e.label, kLegendFont) + kLegendGap; }

bool labels_fit_flat(const std::vector<std::string>& labels, double slot_width) {
  for (const auto& l : labels)
    if (text_width(truncate(l, kMaxCategoryChars), kTickFont) > slot_width - 4) return false;
  return true;
}

}  // namespace

const std::string& series_color(std::size_t index) {
  static const std::array<std::string, 8> palette = {"#0072B2", "#E69F00", "#009E73", "#D55E00",
                                                     "#56B4E9", "#CC79A7", "#F0E442", "#000000"};
  return palette[index % palette.size()];
}

Marker series_marker(std::size_t index) {
  static constexpr std::array<Marker, 4> shapes = {Marker::circle, Marker::square, Marker::triangle, Marker::diamond};
  return shapes[index % shapes.size()];
}

std::string series_dash(std::size_t index) {
  static const std::array<std::string, 4> dashes = {"", "7 4", "2 3", "9 3 2 3"};
  return dashes[index % dashes.size()];
}

std::string format_tick(double v) {
  if (v == 0) return "0";
  const double a = std::abs(v);
  char buf[32];
  if (a >= 1e6 || a < 1e-4) {
    std::snprintf(buf, sizeof buf, "%.0e", v);
    return buf;
  }
  // Enough decimals to show the value, none superfluous: 0.001, 0.25, 12, 2.5.
  for (int decimals = 0; decimals <= 6; ++decimals) {
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    if (std::abs(std::strtod(buf, nullptr) - v) <= a * 1e-9) return buf;
  }
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

Axis log_axis(double min_value, double max_value) {
  Axis axis;
  axis.log = true;
  if (!(min_value > 0)) min_value = 1;
  if (!(max_value >= min_value)) max_value = min_value;
  if (max_value == min_value) min_value /= 1.5, max_value *= 1.5;
  const int lo = static_cast<int>(std::floor(std::log10(min_value) + 1e-9));
  int hi = static_cast<int>(std::ceil(std::log10(max_value) - 1e-9));
  if (hi <= lo) hi = lo + 1;
  const int decades = hi - lo;
  axis.lo = std::pow(10.0, lo);
  axis.hi = std::pow(10.0, hi);
  const bool narrow = decades <= 2;
  if (narrow) {
    // Tighten to 1-2-5 steps, so that the data fill the plot.
    for (double m : {5.0, 2.0, 1.0})
      if (m * axis.lo <= min_value * (1 + 1e-9)) {
        axis.lo = m * std::pow(10.0, lo);
        break;
      }
    for (double m : {1.0, 2.0, 5.0, 10.0})
      if (m * std::pow(10.0, hi - 1) >= max_value * (1 - 1e-9)) {
        axis.hi = m * std::pow(10.0, hi - 1);
        break;
      }
  }
  for (int d = lo; d <= hi; ++d) {
    const double decade = std::pow(10.0, d);
    for (int m = 1; m <= 9; ++m) {
      const double v = m * decade;
      if (v < axis.lo * (1 - 1e-9) || v > axis.hi * (1 + 1e-9)) continue;
      if (m == 1) axis.ticks.push_back({v, format_tick(v), true});
      else if (narrow && (m == 2 || m == 5)) axis.ticks.push_back({v, format_tick(v), false});
      else if (decades <= 5) axis.ticks.push_back({v, "", false});
    }
  }
  // A wide log axis labels every other decade so labels never crowd.
  if (decades > 8)
    for (auto& t : axis.ticks)
      if (t.major && std::lround(std::log10(t.value)) % 2 != 0) t.label.clear();
  return axis;
}

Axis linear_axis(double min_value, double max_value, bool include_zero, int target_ticks) {
  Axis axis;
  if (!std::isfinite(min_value) || !std::isfinite(max_value)) min_value = 0, max_value = 1;
  if (include_zero) {
    min_value = std::min(min_value, 0.0);
    max_value = std::max(max_value, 0.0);
  }
  if (max_value - min_value < 1e-12) {
    const double pad = std::max(std::abs(max_value) * 0.1, 1.0);
    max_value += pad;
    if (!include_zero || min_value != 0) min_value -= pad;
  }
  const double raw_step = (max_value - min_value) / std::max(target_ticks - 1, 1);
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw_step)));
  double step = magnitude;
  for (double m : {1.0, 2.0, 2.5, 5.0, 10.0}) {
    step = m * magnitude;
    if (step >= raw_step) break;
  }
  axis.lo = std::floor(min_value / step + 1e-9) * step;
  axis.hi = std::ceil(max_value / step - 1e-9) * step;
  for (double v = axis.lo; v <= axis.hi + step * 1e-6; v += step) {
    const double clean = std::abs(v) < step * 1e-9 ? 0.0 : v;
    axis.ticks.push_back({clean, format_tick(clean), true});
  }
  return axis;
}

Scale::Scale(const Axis& axis, double from, double to)
    : lo_(axis.lo), hi_(axis.hi), from_(from), to_(to), log_(axis.log) {}

double Scale::operator()(double v) const {
  double t;
  if (log_) {
    if (!(v > 0)) return from_;
    t = (std::log10(v) - std::log10(lo_)) / (std::log10(hi_) - std::log10(lo_));
  } else {
    t = (v - lo_) / (hi_ - lo_);
  }
  return from_ + t * (to_ - from_);
}

void draw_y_axis(Svg& svg, const Axis& axis, const Scale& y, double left, double right, double title_x,
                 const std::string& title, const std::string& tick_suffix) {
  for (const Tick& t : axis.ticks) {
    const double py = y(t.value);
    svg.line(left, py, right, py, {.stroke = t.major ? kGridColor : kMinorGridColor, .stroke_width = 1});
    if (!t.label.empty())
      svg.text(left - 6, py, t.label + tick_suffix,
               {.size = kTickFont, .anchor = Anchor::end, .fill = t.major ? "#222" : "#666", .dy_em = 0.35});
  }
  svg.line(left, y(axis.lo), left, y(axis.hi), {.stroke = kAxisColor, .stroke_width = 1});
  const double mid = (y(axis.lo) + y(axis.hi)) / 2;
  svg.text(title_x, mid, title, {.size = kAxisTitleFont, .anchor = Anchor::middle, .rotate = -90, .bold = true});
}

void draw_x_axis(Svg& svg, const Axis& axis, const Scale& x, double top, double bottom, const std::string& title) {
  for (const Tick& t : axis.ticks) {
    const double px = x(t.value);
    svg.line(px, top, px, bottom, {.stroke = t.major ? kGridColor : kMinorGridColor, .stroke_width = 1});
    if (!t.label.empty())
      svg.text(px, bottom + 16, t.label, {.size = kTickFont, .anchor = Anchor::middle, .fill = t.major ? "#222" : "#666"});
  }
  svg.line(x(axis.lo), bottom, x(axis.hi), bottom, {.stroke = kAxisColor, .stroke_width = 1});
  svg.text((x(axis.lo) + x(axis.hi)) / 2, bottom + 38, title, {.size = kAxisTitleFont, .anchor = Anchor::middle, .bold = true});
}

double legend_height(const std::vector<LegendEntry>& entries, double width) {
  if (entries.empty()) return 0;
  int rows = 1;
  double x = 0;
  for (const auto& e : entries) {
    const double w = entry_width(e);
    if (x > 0 && x + w > width) {
      ++rows;
      x = 0;
    }
    x += w;
  }
  return rows * kLegendRow;
}

void draw_legend(Svg& svg, const std::vector<LegendEntry>& entries, double left, double top, double width) {
  double x = 0, row = 0;
  for (const auto& e : entries) {
    const double w = entry_width(e);
    if (x > 0 && x + w > width) {
      ++row;
      x = 0;
    }
    const double cx = left + x, cy = top + row * kLegendRow + kLegendRow / 2;
    switch (e.kind) {
      case LegendEntry::Kind::swatch:
        svg.rect(cx, cy - 6, 16, 12, {.fill = e.color, .stroke = "#333", .stroke_width = 0.5});
        break;
      case LegendEntry::Kind::marker:
        svg.marker(e.marker, cx + 8, cy, 5, {.fill = e.color, .stroke = "#333", .stroke_width = 0.75});
        break;
      case LegendEntry::Kind::line:
        svg.line(cx, cy, cx + 18, cy, {.stroke = e.color, .stroke_width = 2.5, .dash = e.dash});
        break;
    }
    svg.text(cx + kLegendKey, cy, e.label, {.size = kLegendFont, .dy_em = 0.35});
    x += w;
  }
}

double category_label_height(const std::vector<std::string>& labels, double slot_width) {
  double widest = 0;
  for (const auto& l : labels) widest = std::max(widest, text_width(truncate(l, kMaxCategoryChars), kTickFont));
  if (labels_fit_flat(labels, slot_width)) return kTickFont + 10;
  return widest * std::sin(kLabelAngle * kPi / 180) + kTickFont + 10;
}

void draw_category_labels(Svg& svg, const std::vector<std::string>& labels, double left, double slot_width, double y) {
  const bool flat = labels_fit_flat(labels, slot_width);
  for (std::size_t i = 0; i < labels.size(); ++i) {
    const double cx = left + (i + 0.5) * slot_width;
    const std::string shown = truncate(labels[i], kMaxCategoryChars);
    const std::string tooltip = shown == labels[i] ? "" : labels[i];
    if (flat) {
      svg.text(cx, y + kTickFont + 2, shown, {.size = kTickFont, .anchor = Anchor::middle}, tooltip);
    } else {
      // Anchored at its end just below the slot's centre, reading up to the left.
      svg.text(cx + 4, y + 8, shown, {.size = kTickFont, .anchor = Anchor::end, .rotate = -kLabelAngle, .dy_em = 0.35},
               tooltip);
    }
  }
}

}  // namespace eb::report
