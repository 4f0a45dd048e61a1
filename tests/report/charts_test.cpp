// Chart builders on synthetic data: axes, ticks, legends, marks.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "report/bar_chart.h"
#include "report/chart_common.h"
#include "report/line_chart.h"
#include "report/scatter.h"
#include "report/stacked_bar.h"

namespace eb::report {
namespace {

int count(const std::string& haystack, const std::string& needle) {
  int n = 0;
  for (auto p = haystack.find(needle); p != std::string::npos; p = haystack.find(needle, p + needle.size())) ++n;
  return n;
}

std::vector<std::string> labels(const Axis& a) {
  std::vector<std::string> out;
  for (const auto& t : a.ticks)
    if (!t.label.empty()) out.push_back(t.label);
  return out;
}

TEST(LogAxis, SpansWholeDecadesWithOneLabelEach) {
  const Axis a = log_axis(0.37, 1234);
  EXPECT_TRUE(a.log);
  EXPECT_DOUBLE_EQ(a.lo, 0.1);
  EXPECT_DOUBLE_EQ(a.hi, 10000);
  EXPECT_EQ(labels(a), (std::vector<std::string>{"0.1", "1", "10", "100", "1000", "10000"}));
  int minors = 0;
  for (const auto& t : a.ticks) minors += !t.major;
  EXPECT_EQ(minors, 5 * 8);  // 2..9 in each of five decades, unlabelled
}

TEST(LogAxis, NarrowRangesEndOnOneTwoFiveAndLabelThem) {
  const Axis a = log_axis(1.5, 40);
  EXPECT_DOUBLE_EQ(a.lo, 1);
  EXPECT_DOUBLE_EQ(a.hi, 50);
  EXPECT_EQ(labels(a), (std::vector<std::string>{"1", "2", "5", "10", "20", "50"}));
  const Axis speedups = log_axis(0.6, 1.52);
  EXPECT_DOUBLE_EQ(speedups.lo, 0.5);
  EXPECT_DOUBLE_EQ(speedups.hi, 2);
  EXPECT_EQ(labels(speedups), (std::vector<std::string>{"0.5", "1", "2"}));
}

TEST(LogAxis, WideRangesLabelEveryOtherDecade) {
  const Axis a = log_axis(1e-3, 1e7);
  EXPECT_EQ(labels(a), (std::vector<std::string>{"0.01", "1", "100", "10000", "1e+06"}));
}

TEST(LogAxis, ExactDecadesAndSingleValuesStillGiveADecade) {
  EXPECT_DOUBLE_EQ(log_axis(10, 100).lo, 10);
  EXPECT_DOUBLE_EQ(log_axis(10, 100).hi, 100);
  const Axis one = log_axis(5, 5);
  EXPECT_LT(one.lo, 5);
  EXPECT_GT(one.hi, 5);
}

TEST(LinearAxis, UsesNiceSteps) {
  EXPECT_EQ(labels(linear_axis(0, 37, true)), (std::vector<std::string>{"0", "10", "20", "30", "40"}));
  EXPECT_EQ(labels(linear_axis(41.2, 73.9, false)), (std::vector<std::string>{"40", "50", "60", "70", "80"}));
  EXPECT_EQ(labels(linear_axis(0, 1, true)), (std::vector<std::string>{"0", "0.2", "0.4", "0.6", "0.8", "1"}));
}

TEST(Scale, MapsLogAndLinearDomains) {
  const Axis log = log_axis(1, 100);
  const Scale y(log, 200, 0);  // a y axis: up is smaller
  EXPECT_DOUBLE_EQ(y(1), 200);
  EXPECT_DOUBLE_EQ(y(10), 100);
  EXPECT_DOUBLE_EQ(y(100), 0);
  const Scale x(linear_axis(0, 10, true), 0, 500);
  EXPECT_DOUBLE_EQ(x(5), 250);
}

BarChart two_series_chart() {
  BarChart c;
  c.title = "Time per inference";
  c.y_title = "Time per inference (ms, log scale)";
  c.categories = {"resnet18", "vgg16"};
  c.series = {{"native", {{.value = 25, .whisker_high = 28}, {.value = 300}}},
              {"libtorch", {{.value = 18}, {.mark = "\xE2\x9C\x97", .tooltip = "vgg16 libtorch: failed"}}}};
  return c;
}

TEST(BarChart, HasLegendTicksTitleAndOneBarPerValue) {
  const std::string svg = render_bar_chart(two_series_chart());
  EXPECT_NE(svg.find(">native</text>"), std::string::npos);
  EXPECT_NE(svg.find(">libtorch</text>"), std::string::npos);
  EXPECT_NE(svg.find(">Time per inference (ms, log scale)</text>"), std::string::npos);
  for (const char* tick : {">10</text>", ">20</text>", ">100</text>", ">500</text>"}) EXPECT_NE(svg.find(tick), std::string::npos) << tick;
  // Legend swatch + bars, per series colour.
  EXPECT_EQ(count(svg, "<rect") - 1 /*background*/, 2 + 3);
  EXPECT_EQ(count(svg, "fill=\"" + series_color(0) + "\""), 1 + 2);
  EXPECT_EQ(count(svg, "fill=\"" + series_color(1) + "\""), 1 + 1);
  EXPECT_NE(svg.find(">\xE2\x9C\x97</text>"), std::string::npos);  // the failed run's mark
  EXPECT_NE(svg.find("<title>vgg16 libtorch: failed</title>"), std::string::npos);
  EXPECT_EQ(svg.find("rotate(-40"), std::string::npos);  // short labels stay flat
}

TEST(BarChart, DrawsWhiskersAndAReferenceLine) {
  BarChart c = two_series_chart();
  c.reference = 1.0;
  c.reference_label = "1\xC3\x97 = native";
  c.tick_suffix = "\xC3\x97";
  const std::string svg = render_bar_chart(c);
  EXPECT_NE(svg.find(">1\xC3\x97 = native</text>"), std::string::npos);  // in the legend
  EXPECT_NE(svg.find(">1\xC3\x97</text>"), std::string::npos);  // suffixed tick label
  EXPECT_EQ(count(svg, "stroke-dasharray=\"6 4\""), 2);          // legend key and the line
  EXPECT_GE(count(svg, "stroke=\"#111\""), 2);  // whisker and its cap
}

TEST(BarChart, BarsCanGrowBothWaysFromABase) {
  BarChart c;
  c.categories = {"fast", "slow"};
  c.series = {{"libtorch", {{.value = 2.0}, {.value = 0.5}}, "#E69F00"}};
  c.bar_base = 1.0;
  const std::string svg = render_bar_chart(c);
  // Both bars start at the 1x line: one ends above it, one below, same height on a log axis.
  std::vector<std::string> heights;
  for (auto p = svg.find("fill=\"#E69F00\""); p != std::string::npos; p = svg.find("fill=\"#E69F00\"", p + 1)) {
    const auto rect = svg.rfind("<rect", p);
    const auto h = svg.find("height=\"", rect) + 8;
    heights.push_back(svg.substr(h, svg.find('"', h) - h));
  }
  ASSERT_EQ(heights.size(), 3u);  // legend swatch, two bars
  EXPECT_EQ(heights[1], heights[2]);
}

TEST(BarChart, RotatesAndCutsLongCategoryLabels) {
  BarChart c;
  c.categories = {"a_model_name_far_too_long_to_fit_under_a_bar.onnx", "b"};
  for (int i = 0; i < 30; ++i) c.categories.push_back("model_" + std::to_string(i));
  c.series = {{"native", std::vector<BarCell>(c.categories.size(), BarCell{.value = 3})}};
  const std::string svg = render_bar_chart(c);
  EXPECT_NE(svg.find("rotate(-40"), std::string::npos);
  EXPECT_NE(svg.find("a_model_name_far_too_long\xE2\x80\xA6</text>"), std::string::npos);
  EXPECT_NE(svg.find("<title>a_model_name_far_too_long_to_fit_under_a_bar.onnx</title>"), std::string::npos);
}

TEST(BarChart, LinearAxisStartsAtZeroAndSkipsNonPositiveOnLog) {
  BarChart c;
  c.categories = {"x", "y"};
  c.series = {{"s", {{.value = 0}, {.value = -3}}}};
  const std::string log_svg = render_bar_chart(c);
  EXPECT_EQ(count(log_svg, "<rect"), 1 + 1);  // background and legend swatch only
  c.log_y = false;
  c.series = {{"s", {{.value = 7}, {.value = 42}}}};
  const std::string lin = render_bar_chart(c);
  EXPECT_NE(lin.find(">0</text>"), std::string::npos);
  EXPECT_NE(lin.find(">50</text>"), std::string::npos);
}

TEST(Scatter, OneMarkerPerPointAndAShapePerSeries) {
  ScatterChart c;
  c.x_title = "Time per inference (ms, log scale)";
  c.y_title = "Average power (W)";
  c.series = {{"native", {{25, 38, "resnet18 native"}, {300, 40, "vgg16 native"}}}, {"libtorch", {{18, 52, ""}, {-1, 5, "dropped"}}}};
  const std::string svg = render_scatter(c);
  EXPECT_EQ(count(svg, "<circle"), 1 + 2);    // legend + native points
  EXPECT_EQ(count(svg, "<polygon"), 1 + 1);   // legend + libtorch's placeable point
  EXPECT_NE(svg.find("<title>resnet18 native</title>"), std::string::npos);
  EXPECT_EQ(svg.find("dropped"), std::string::npos);
  EXPECT_NE(svg.find(">Average power (W)</text>"), std::string::npos);
  EXPECT_NE(svg.find(">100</text>"), std::string::npos);
}

TEST(LineChart, OnePolylinePerSeriesWithDistinctDashes) {
  LineChart c;
  c.x_title = "Time (s)";
  c.y_title = "Temperature (\xC2\xB0""C)";
  c.series = {{"native", {{0, 41}, {60, 55}, {120, 60}}}, {"libtorch", {{0, 42}, {60, 58}, {120, 66}}}};
  const std::string svg = render_line_chart(c);
  EXPECT_EQ(count(svg, "<polyline"), 2);
  EXPECT_EQ(count(svg, "stroke-dasharray=\"" + series_dash(1) + "\""), 2);  // legend line and series
  EXPECT_NE(svg.find(">native</text>"), std::string::npos);
  EXPECT_NE(svg.find(">Time (s)</text>"), std::string::npos);
  // The temperature axis fits the data instead of starting at 0.
  EXPECT_NE(svg.find(">40</text>"), std::string::npos);
  EXPECT_NE(svg.find(">70</text>"), std::string::npos);
}

TEST(StackedBar, NormalisesEachBarAndLabelsShares) {
  StackedBarChart c;
  c.segments = {"convolution", "pooling", "framework overhead"};
  c.bars = {{"resnet18 \xC2\xB7 native", {8, 1, 1}}, {"vgg16 \xC2\xB7 native", {50, 0, 50}}};
  const std::string svg = render_stacked_bar(c);
  EXPECT_NE(svg.find(">80%</text>"), std::string::npos);
  EXPECT_NE(svg.find(">50%</text>"), std::string::npos);
  EXPECT_NE(svg.find("<title>resnet18 \xC2\xB7 native \xE2\x80\x94 convolution: 8.000 ms (80.0%)</title>"), std::string::npos);
  EXPECT_NE(svg.find(">10.0 ms</text>"), std::string::npos);  // the bar's total
  EXPECT_NE(svg.find(">100.0 ms</text>"), std::string::npos);
  for (const auto& s : c.segments) EXPECT_NE(svg.find(">" + s + "</text>"), std::string::npos) << s;
  EXPECT_NE(svg.find(">100%</text>"), std::string::npos);  // axis end
}

}  // namespace
}  // namespace eb::report
