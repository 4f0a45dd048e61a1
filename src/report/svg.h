// A tiny SVG writer: shapes, text and tooltips appended to a string, every
// piece of text escaped. Charts are built on it; it knows nothing of charts.
//
//   Svg svg(640, 400, "Time per inference");
//   svg.rect(10, 10, 50, 80, {.fill = "#0072B2"}, "resnet18: 12.3 ms");
//   svg.text(35, 105, "resnet18", {.anchor = Anchor::middle});
//   std::string doc = svg.finish();
//
// The document is both a standalone .svg file (it carries xmlns) and an
// element that can be pasted into HTML as is.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace eb::report {

// Escapes text for XML and HTML (& < > " '). Bytes that are not valid UTF-8
// and control characters XML 1.0 forbids become U+FFFD, so text taken from
// anywhere (a model named after an ONNX file path) cannot break the document.
std::string escape(std::string_view text);
// The same replacement of invalid UTF-8 and control characters, without
// entities: for text written to other formats (Markdown).
std::string sanitize(std::string_view text);

// A coordinate or length for an attribute: at most two decimals, no
// trailing zeros ("12.5", "3", "-0.25"); NaN and infinities become 0.
std::string svg_number(double v);

struct Point {
  double x = 0;
  double y = 0;
};

struct Style {
  std::string fill = "none";
  std::string stroke = "none";
  double stroke_width = 1;
  std::string dash = "";  // stroke-dasharray, e.g. "4 3"; empty: solid
  double opacity = 1;   // fill-opacity
};

enum class Anchor { start, middle, end };

struct TextStyle {
  double size = 12;
  Anchor anchor = Anchor::start;
  double rotate = 0;  // degrees, about (x, y); negative turns counter-clockwise
  bool bold = false;
  std::string fill = "#222";
  // Shifts the text down by this fraction of its size (0.35 centres a line
  // on y), since dominant-baseline is not honoured everywhere.
  double dy_em = 0;
};

enum class Marker { circle, square, triangle, diamond };

class Svg {
 public:
  // `label` becomes the document's <title> (read by screen readers).
  Svg(double width, double height, std::string_view label);

  double width() const { return width_; }
  double height() const { return height_; }

  // A non-empty `tooltip` is shown on hover (an SVG <title> child).
  void rect(double x, double y, double w, double h, const Style& style, std::string_view tooltip = {});
  void line(double x1, double y1, double x2, double y2, const Style& style);
  void polyline(std::span<const Point> points, const Style& style, std::string_view tooltip = {});
  void marker(Marker shape, double cx, double cy, double radius, const Style& style, std::string_view tooltip = {});
  void text(double x, double y, std::string_view content, const TextStyle& style = {}, std::string_view tooltip = {});

  // The complete <svg> document.
  std::string finish() const;

 private:
  void close_element(const char* name, std::string_view tooltip);

  double width_;
  double height_;
  std::string label_;
  std::string body_;
};

// An estimate of the rendered width of `text` in a sans-serif font, for
// layout (margins, legends, label placement); there are no font metrics.
double text_width(std::string_view text, double font_size);

// `text` cut to at most `max_chars` characters (not bytes), with "…" when cut.
std::string truncate(std::string_view text, std::size_t max_chars);

}  // namespace eb::report
