// The must-show: the HTML report rendered by a real browser (headless
// Chromium) is not blank and shows the charts. Skipped without Chromium.
//
// EB_REPORT_SCREENSHOT_DIR=dir keeps the report and its screenshot there,
// to look at.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#if EB_HAVE_LIBPNG
#include <png.h>
#endif

#include "report/report.h"
#include "report/report_data.h"
#include "store/results_db.h"
#include "synthetic.h"

namespace eb::report {
namespace {

using testing::TempDirTest;

std::string find_chromium() {
  for (const char* p : {"/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"})
    if (std::filesystem::exists(p)) return p;
  return {};
}

// Single quotes for the shell; paths here are ours (no quote inside).
std::string shell_quoted(const std::filesystem::path& p) { return "'" + p.string() + "'"; }

struct Pixels {
  int width = 0, height = 0;
  std::vector<unsigned char> rgb;
};

#if EB_HAVE_LIBPNG
bool decode_png(const std::filesystem::path& path, Pixels& out) {
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_file(&image, path.c_str())) return false;
  image.format = PNG_FORMAT_RGB;
  out.width = static_cast<int>(image.width);
  out.height = static_cast<int>(image.height);
  out.rgb.resize(PNG_IMAGE_SIZE(image));
  const bool ok = png_image_finish_read(&image, nullptr, out.rgb.data(), 0, nullptr) != 0;
  png_image_free(&image);
  return ok;
}
#endif

class ChromiumTest : public TempDirTest {};

TEST_F(ChromiumTest, RenderedReportIsNotBlankAndShowsTheCharts) {
  const std::string chromium = find_chromium();
  if (chromium.empty()) GTEST_SKIP() << "chromium not installed";

  const char* keep = std::getenv("EB_REPORT_SCREENSHOT_DIR");
  const std::filesystem::path out = keep ? std::filesystem::path(keep) : dir_ / "report";
  {
    auto db = store::ResultsDb::open(dir_ / "results.db");
    ASSERT_TRUE(db.is_ok()) << db.status().message();
    for (const auto& r : testing::synthetic_sweep(/*with_sensors=*/true)) ASSERT_TRUE(db->insert(r, {}).is_ok());
    auto data = gather(*db, {.baseline = "native", .source = "results.db", .generated_at = "2024-05-02T10:00:00Z"},
                       /*with_table1=*/false);
    ASSERT_TRUE(data.is_ok()) << data.status().message();
    ASSERT_TRUE(write_report(*data, out).is_ok());
  }
  std::ifstream html_in(out / "index.html");
  std::stringstream html;
  html << html_in.rdbuf();
  int svgs = 0;
  for (auto p = html.str().find("<svg "); p != std::string::npos; p = html.str().find("<svg ", p + 1)) ++svgs;
  EXPECT_EQ(svgs, 7);

  const auto png = out / "screenshot.png";
  std::filesystem::remove(png);
  const std::string cmd = "timeout 120 " + chromium +
                          " --headless --no-sandbox --disable-gpu --disable-quic --no-first-run"
                          " --disable-background-networking --disable-component-update --disable-sync"
                          " --hide-scrollbars --user-data-dir=" + shell_quoted(dir_ / "chromium-profile") +
                          " --screenshot=" + shell_quoted(png) + " --window-size=1280,2000 " +
                          shell_quoted("file://" + std::filesystem::absolute(out / "index.html").string()) + " >" +
                          shell_quoted(dir_ / "chromium.log") + " 2>&1";
  const int rc = std::system(cmd.c_str());
  ASSERT_EQ(rc, 0) << "chromium failed; see " << (dir_ / "chromium.log");
  ASSERT_TRUE(std::filesystem::exists(png));

#if EB_HAVE_LIBPNG
  Pixels px;
  ASSERT_TRUE(decode_png(png, px));
  EXPECT_EQ(px.width, 1280);
  EXPECT_EQ(px.height, 2000);
  std::size_t ink = 0, chart_blue = 0;
  std::set<uint32_t> colours;
  for (std::size_t i = 0; i + 2 < px.rgb.size(); i += 3) {
    const unsigned r = px.rgb[i], g = px.rgb[i + 1], b = px.rgb[i + 2];
    if (r < 235 || g < 235 || b < 235) ++ink;
    if (r == 0x00 && g == 0x72 && b == 0xB2) ++chart_blue;  // the first series' bars
    colours.insert(r << 16 | g << 8 | b);
  }
  const double ink_share = static_cast<double>(ink) / (px.width * px.height);
  EXPECT_GT(ink_share, 0.03) << "the page looks blank";
  EXPECT_GT(colours.size(), 50u) << "too few colours for text and charts";
  EXPECT_GT(chart_blue, 1000u) << "no chart bars in the first screen";
#else
  // Without libpng: a blank 1280x2000 page compresses to a few kB.
  EXPECT_GT(std::filesystem::file_size(png), 60000u);
#endif
}

}  // namespace
}  // namespace eb::report
