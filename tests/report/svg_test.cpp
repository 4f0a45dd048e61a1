#include "report/svg.h"

#include <gtest/gtest.h>

#include <cmath>

namespace eb::report {
namespace {

TEST(Escape, TurnsMarkupIntoEntities) {
  EXPECT_EQ(escape("<a href=\"x\">&'</a>"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;");
  EXPECT_EQ(escape("resnet18"), "resnet18");
}

TEST(Escape, KeepsValidUtf8AndWhitespace) {
  EXPECT_EQ(escape("caf\xC3\xA9 \xE2\x9C\x93 \xF0\x9F\x94\xA5\ttab\nline"), "caf\xC3\xA9 \xE2\x9C\x93 \xF0\x9F\x94\xA5\ttab\nline");
}

TEST(Escape, ReplacesWhatXmlCannotHold) {
  const std::string fffd = "\xEF\xBF\xBD";
  EXPECT_EQ(escape(std::string("a\x01" "b\x7F", 4)), "a" + fffd + "b" + fffd);
  EXPECT_EQ(escape(std::string("nul\0!", 5)), "nul" + fffd + "!");
  EXPECT_EQ(escape("bad \xFF byte"), "bad " + fffd + " byte");
  EXPECT_EQ(escape("overlong \xC0\xAF"), "overlong " + fffd + fffd);
  EXPECT_EQ(escape("surrogate \xED\xA0\x80"), "surrogate " + fffd + fffd + fffd);
  EXPECT_EQ(escape("cut \xE2\x9C"), "cut " + fffd + fffd);
  EXPECT_EQ(sanitize("<keep> \x02"), "<keep> " + fffd);
}

TEST(SvgNumber, IsShortAndFinite) {
  EXPECT_EQ(svg_number(12.5), "12.5");
  EXPECT_EQ(svg_number(3.0), "3");
  EXPECT_EQ(svg_number(-0.001), "0");
  EXPECT_EQ(svg_number(1.23456), "1.23");
  EXPECT_EQ(svg_number(std::nan("")), "0");
}

TEST(Truncate, CountsCharactersNotBytes) {
  EXPECT_EQ(truncate("short", 10), "short");
  EXPECT_EQ(truncate("abcdefghij", 5), "abcd\xE2\x80\xA6");
  EXPECT_EQ(truncate("\xC3\xA9\xC3\xA9\xC3\xA9", 3), "\xC3\xA9\xC3\xA9\xC3\xA9");
  EXPECT_EQ(truncate("\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9", 3), "\xC3\xA9\xC3\xA9\xE2\x80\xA6");
  EXPECT_EQ(truncate("abc", 0), "");
}

TEST(Svg, EscapesEveryPieceOfText) {
  Svg svg(100, 50, "title <x>");
  svg.text(10, 20, "<script>alert(1)</script>", {}, "tip & \"quote\"");
  svg.rect(0, 0, 10, 10, {.fill = "#fff\" onload=\"x"}, "</title><script>");
  const std::string doc = svg.finish();
  EXPECT_EQ(doc.find("<script"), std::string::npos);
  EXPECT_EQ(doc.find("onload=\"x"), std::string::npos);
  EXPECT_NE(doc.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(doc.find("<title>title &lt;x&gt;</title>"), std::string::npos);
  EXPECT_NE(doc.find("<title>tip &amp; &quot;quote&quot;</title>"), std::string::npos);
}

TEST(Svg, IsAStandaloneDocumentWithAViewBox) {
  Svg svg(640, 400, "chart");
  svg.line(0, 0, 10, 10, {.stroke = "#000"});
  const std::string doc = svg.finish();
  EXPECT_EQ(doc.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 640 400\"", 0), 0u);
  EXPECT_NE(doc.find("<line x1=\"0\" y1=\"0\" x2=\"10\" y2=\"10\" fill=\"none\" stroke=\"#000\""), std::string::npos);
  EXPECT_EQ(doc.substr(doc.size() - 7), "</svg>\n");
}

TEST(Svg, MarkersAreClosedShapes) {
  Svg svg(100, 100, "m");
  svg.marker(Marker::circle, 10, 10, 4, {.fill = "#0072B2"});
  svg.marker(Marker::triangle, 20, 20, 4, {.fill = "#E69F00"}, "point");
  const std::string doc = svg.finish();
  EXPECT_NE(doc.find("<circle cx=\"10\" cy=\"10\" r=\"4\""), std::string::npos);
  EXPECT_NE(doc.find("<polygon points="), std::string::npos);
  EXPECT_NE(doc.find("<title>point</title></polygon>"), std::string::npos);
}

}  // namespace
}  // namespace eb::report
