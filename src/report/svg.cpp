#include "report/svg.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <vector>

namespace eb::report {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// Length of the valid UTF-8 sequence starting at s[i], or 0 if invalid
// (overlong forms, surrogates and code points above U+10FFFF included).
std::size_t utf8_sequence_length(std::string_view s, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = byte(i);
  if (c < 0x80) return 1;
  std::size_t n;
  uint32_t cp;
  if ((c & 0xE0) == 0xC0) n = 2, cp = c & 0x1F;
  else if ((c & 0xF0) == 0xE0) n = 3, cp = c & 0x0F;
  else if ((c & 0xF8) == 0xF0) n = 4, cp = c & 0x07;
  else return 0;
  if (i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  if (cp == 0xFFFE || cp == 0xFFFF) return 0;  // not XML characters
  return n;
}

const char* anchor_name(Anchor a) {
  switch (a) {
    case Anchor::middle: return "middle";
    case Anchor::end: return "end";
    case Anchor::start: break;
  }
  return "start";
}

std::string style_attributes(const Style& s) {
  std::string out = " fill=\"" + escape(s.fill) + "\"";
  if (s.opacity < 1) out += " fill-opacity=\"" + svg_number(s.opacity) + "\"";
  if (s.stroke != "none") {
    out += " stroke=\"" + escape(s.stroke) + "\" stroke-width=\"" + svg_number(s.stroke_width) + "\"";
    if (!s.dash.empty()) out += " stroke-dasharray=\"" + escape(s.dash) + "\"";
  }
  return out;
}

}  // namespace

namespace {

// One pass for both: replaces what is not text with U+FFFD and, for XML,
// turns markup characters into entities.
std::string clean(std::string_view text, bool xml) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const char c = text[i];
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x80) {
      if (xml && c == '&') out += "&amp;";
      else if (xml && c == '<') out += "&lt;";
      else if (xml && c == '>') out += "&gt;";
      else if (xml && c == '"') out += "&quot;";
      else if (xml && c == '\'') out += "&#39;";
      else if ((u < 0x20 && c != '\t' && c != '\n' && c != '\r') || u == 0x7F) out += kReplacement;
      else out += c;
      ++i;
      continue;
    }
    const std::size_t n = utf8_sequence_length(text, i);
    if (n == 0) {
      out += kReplacement;
      ++i;
    } else {
      out.append(text.substr(i, n));
      i += n;
    }
  }
  return out;
}

// "x1,y1 x2,y2 ..." for points="".
std::string points_attribute(std::span<const Point> points) {
  std::string out;
  for (const Point& p : points) {
    if (!out.empty()) out += ' ';
    out += svg_number(p.x);
    out += ',';
    out += svg_number(p.y);
  }
  return out;
}

}  // namespace

std::string escape(std::string_view text) { return clean(text, /*xml=*/true); }
std::string sanitize(std::string_view text) { return clean(text, /*xml=*/false); }

std::string svg_number(double v) {
  if (!std::isfinite(v)) return "0";
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  std::string s = buf;
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  if (s == "-0") s = "0";
  return s;
}

Svg::Svg(double width, double height, std::string_view label) : width_(width), height_(height), label_(label) {}

void Svg::close_element(const char* name, std::string_view tooltip) {
  if (tooltip.empty()) {
    body_ += "/>\n";
  } else {
    body_ += "><title>" + escape(tooltip) + "</title></" + name + ">\n";
  }
}

void Svg::rect(double x, double y, double w, double h, const Style& style, std::string_view tooltip) {
  body_ += "<rect x=\"" + svg_number(x) + "\" y=\"" + svg_number(y) + "\" width=\"" + svg_number(std::max(w, 0.0)) +
           "\" height=\"" + svg_number(std::max(h, 0.0)) + "\"" + style_attributes(style);
  close_element("rect", tooltip);
}

void Svg::line(double x1, double y1, double x2, double y2, const Style& style) {
  body_ += "<line x1=\"" + svg_number(x1) + "\" y1=\"" + svg_number(y1) + "\" x2=\"" + svg_number(x2) + "\" y2=\"" +
           svg_number(y2) + "\"" + style_attributes(style) + "/>\n";
}

void Svg::polyline(std::span<const Point> points, const Style& style, std::string_view tooltip) {
  body_ += "<polyline points=\"" + points_attribute(points) + "\"" + style_attributes(style) + " stroke-linejoin=\"round\"";
  close_element("polyline", tooltip);
}

void Svg::marker(Marker shape, double cx, double cy, double r, const Style& style, std::string_view tooltip) {
  if (shape == Marker::circle) {
    body_ += "<circle cx=\"" + svg_number(cx) + "\" cy=\"" + svg_number(cy) + "\" r=\"" + svg_number(r) + "\"" +
             style_attributes(style);
    close_element("circle", tooltip);
    return;
  }
  std::vector<Point> pts;
  switch (shape) {
    case Marker::square: {
      const double h = r * 0.88;  // the same area as the circle, roughly
      pts = {{cx - h, cy - h}, {cx + h, cy - h}, {cx + h, cy + h}, {cx - h, cy + h}};
      break;
    }
    case Marker::triangle: {
      const double h = r * 1.25;
      pts = {{cx, cy - h}, {cx + h, cy + h * 0.75}, {cx - h, cy + h * 0.75}};
      break;
    }
    case Marker::diamond: {
      const double h = r * 1.2;
      pts = {{cx, cy - h}, {cx + h, cy}, {cx, cy + h}, {cx - h, cy}};
      break;
    }
    case Marker::circle: break;
  }
  body_ += "<polygon points=\"" + points_attribute(pts) + "\"" + style_attributes(style);
  close_element("polygon", tooltip);
}

void Svg::text(double x, double y, std::string_view content, const TextStyle& style, std::string_view tooltip) {
  body_ += "<text x=\"" + svg_number(x) + "\" y=\"" + svg_number(y) + "\"";
  if (style.dy_em != 0) body_ += " dy=\"" + svg_number(style.dy_em) + "em\"";
  body_ += " font-size=\"" + svg_number(style.size) + "\"";
  if (style.anchor != Anchor::start) body_ += std::string(" text-anchor=\"") + anchor_name(style.anchor) + "\"";
  if (style.bold) body_ += " font-weight=\"bold\"";
  if (style.fill != "#222") body_ += " fill=\"" + escape(style.fill) + "\"";
  if (style.rotate != 0)
    body_ += " transform=\"rotate(" + svg_number(style.rotate) + " " + svg_number(x) + " " + svg_number(y) + ")\"";
  body_ += ">";
  if (!tooltip.empty()) body_ += "<title>" + escape(tooltip) + "</title>";
  body_ += escape(content) + "</text>\n";
}

std::string Svg::finish() const {
  const std::string w = svg_number(width_), h = svg_number(height_);
  // Sized by its viewBox: it scales down with the page and keeps its aspect.
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + w + " " + h + "\" width=\"" + w + "\" height=\"" + h +
         "\" role=\"img\" font-family=\"'DejaVu Sans', 'Helvetica Neue', Arial, sans-serif\" fill=\"#222\">\n<title>" +
         escape(label_) + "</title>\n<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n" + body_ + "</svg>\n";
}

double text_width(std::string_view text, double font_size) {
  // Average advance of a proportional sans-serif font: narrow letters and
  // digits about 0.55 em, capitals and wide glyphs more. Counted per code
  // point, not per byte.
  double em = 0;
  for (unsigned char c : text) {
    if ((c & 0xC0) == 0x80) continue;  // UTF-8 continuation byte
    if (c >= 'A' && c <= 'Z') em += 0.68;
    else if (c == 'i' || c == 'l' || c == 'j' || c == '.' || c == ',' || c == ':' || c == '\'' || c == '|' || c == '!') em += 0.3;
    else if (c == 'm' || c == 'w') em += 0.85;
    else if (c == ' ') em += 0.32;
    else em += 0.56;
  }
  return em * font_size;
}

std::string truncate(std::string_view text, std::size_t max_chars) {
  std::vector<std::size_t> starts;  // byte offset of each code point
  for (std::size_t i = 0; i < text.size(); ++i)
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) starts.push_back(i);
  if (starts.size() <= max_chars) return std::string(text);
  if (max_chars == 0) return {};
  // Keep max_chars - 1 characters and the ellipsis.
  return std::string(text.substr(0, starts[max_chars - 1])) + "\xE2\x80\xA6";
}

}  // namespace eb::report
