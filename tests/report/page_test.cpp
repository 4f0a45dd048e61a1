// The whole report from a temporary database of synthetic runs.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "report/figures.h"
#include "report/pages.h"
#include "report/report.h"
#include "report/report_data.h"
#include "store/results_db.h"
#include "synthetic.h"

namespace eb::report {
namespace {

using testing::TempDirTest;

std::string read(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int count(const std::string& haystack, const std::string& needle) {
  int n = 0;
  for (auto p = haystack.find(needle); p != std::string::npos; p = haystack.find(needle, p + needle.size())) ++n;
  return n;
}

class ReportPageTest : public TempDirTest {
 protected:
  ReportData gather_sweep(bool with_sensors) {
    auto db = store::ResultsDb::open(dir_ / "results.db");
    EXPECT_TRUE(db.is_ok()) << db.status().message();
    for (const auto& r : testing::synthetic_sweep(with_sensors)) EXPECT_TRUE(db->insert(r, {}).is_ok());
    auto data = gather(*db, {.baseline = "native", .source = (dir_ / "results.db").string(), .generated_at = "2024-05-02T10:00:00Z"},
                       /*with_table1=*/false);
    EXPECT_TRUE(data.is_ok()) << data.status().message();
    return *data;
  }
};

TEST_F(ReportPageTest, WritesASelfContainedPageWithEveryChart) {
  const ReportData data = gather_sweep(/*with_sensors=*/true);
  ASSERT_TRUE(write_report(data, dir_ / "out").is_ok());
  const std::string html = read(dir_ / "out" / "index.html");
  EXPECT_EQ(count(html, "<svg "), 7);
  EXPECT_EQ(count(html, "<figure "), 7);
  // Nothing runs, nothing is fetched: no script, no external URL (the SVG
  // namespace is a name, not a fetch), no @import or url().
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(count(html, "http"), count(html, "http://www.w3.org/2000/svg"));
  EXPECT_EQ(html.find("url("), std::string::npos);
  EXPECT_EQ(html.find("@import"), std::string::npos);
  EXPECT_EQ(html.find("src="), std::string::npos);
  // The hostile model name never appears raw.
  EXPECT_EQ(html.find("<b>evil</b>"), std::string::npos);
  EXPECT_NE(html.find("&lt;b&gt;evil&lt;/b&gt; &amp; &quot;quoted&quot; | &#39;model&#39;\xEF\xBF\xBD.onnx"), std::string::npos);
  // The matrix: symbols, hover reasons, footnotes, and the latest-run note.
  EXPECT_NE(html.find("title=\"out_of_memory: memory limit 1073741824 bytes exceeded\">OOM<sup>"), std::string::npos);
  EXPECT_NE(html.find("class=\"cell s-crashed\""), std::string::npos);
  EXPECT_NE(html.find("<li>darknet backend not built: libdarknet.so not found</li>"), std::string::npos);
  EXPECT_NE(html.find("1 superseded by a later run of the same configuration"), std::string::npos);
  // The later thermal run of resnet18 on native superseded nothing: it is shown apart.
  EXPECT_NE(html.find("(1 of them thermal)"), std::string::npos);
  EXPECT_NE(html.find("<td>resnet18 \xC2\xB7 native (thermal)</td>"), std::string::npos);
  EXPECT_NE(html.find("Latest run wins"), std::string::npos);
  for (const char* f : {"time_per_inference.svg", "speedup.svg", "latency_breakdown.svg", "energy_per_inference.svg",
                        "time_vs_power.svg", "power_over_time.svg", "temperature.svg"}) {
    ASSERT_TRUE(std::filesystem::exists(dir_ / "out" / f)) << f;
    // The file is the chart inlined in the page.
    EXPECT_NE(html.find(read(dir_ / "out" / f)), std::string::npos) << f;
  }
}

TEST_F(ReportPageTest, MarkdownTwinHasTheTablesAndReferencesTheCharts) {
  const ReportData data = gather_sweep(/*with_sensors=*/true);
  ASSERT_TRUE(write_report(data, dir_ / "out").is_ok());
  const std::string md = read(dir_ / "out" / "report.md");
  EXPECT_NE(md.find("](time_per_inference.svg)"), std::string::npos);
  EXPECT_NE(md.find("](temperature.svg)"), std::string::npos);
  EXPECT_NE(md.find("](power_over_time.svg)"), std::string::npos);
  EXPECT_NE(md.find("## 8. Power over time"), std::string::npos);
  EXPECT_NE(md.find("| Model | native | libtorch | opencv | darknet |"), std::string::npos);
  // Footnotes are numbered in table order; darknet's not_built comes first.
  EXPECT_NE(md.find("| c3d | \xE2\x9C\x97\xE2\x81\xB5 | \xE2\x9C\x93 | \xE2\x8A\x98\xE2\x81\xB6 |  |"), std::string::npos);
  EXPECT_NE(md.find("\n5. node conv3d\\_4: Conv with dilation 2 is not implemented\n"), std::string::npos);
  // Markup in names is escaped; a pipe cannot split a table cell.
  EXPECT_NE(md.find("/data/onnx/\\<b\\>evil\\</b\\> \\& \"quoted\" \\| 'model'"), std::string::npos);
  EXPECT_EQ(md.find("<b>"), std::string::npos);
  EXPECT_NE(md.find("| resnet18 | 25.1 / 28.1 | 17.9 / 20.0 |"), std::string::npos);
}

TEST_F(ReportPageTest, SectionsWithoutDataSayWhyAndLeaveNoChartBehind) {
  // A first report with sensors, then one without into the same folder.
  ASSERT_TRUE(write_report(gather_sweep(true), dir_ / "out").is_ok());
  std::filesystem::remove(dir_ / "results.db");
  std::filesystem::remove(dir_ / "results.db-wal");
  std::filesystem::remove(dir_ / "results.db-shm");
  const ReportData data = gather_sweep(/*with_sensors=*/false);
  ASSERT_TRUE(write_report(data, dir_ / "out").is_ok());
  const std::string html = read(dir_ / "out" / "index.html");
  EXPECT_EQ(count(html, "<svg "), 2);  // time per inference and speedup
  EXPECT_NE(html.find("No run recorded a per-node profile"), std::string::npos);
  EXPECT_NE(html.find("No run recorded energy"), std::string::npos);
  EXPECT_NE(html.find("No successful run recorded its average power"), std::string::npos);
  EXPECT_NE(html.find("No run recorded a temperature series"), std::string::npos);
  EXPECT_NE(html.find("No run kept power samples"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "out" / "temperature.svg"));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "out" / "power_over_time.svg"));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "out" / "latency_breakdown.svg"));
  const std::string md = read(dir_ / "out" / "report.md");
  EXPECT_EQ(md.find("](temperature.svg)"), std::string::npos);
  EXPECT_EQ(md.find("](power_over_time.svg)"), std::string::npos);
  EXPECT_NE(md.find("*No run kept power samples"), std::string::npos);
  EXPECT_NE(md.find("*No run recorded a temperature series"), std::string::npos);
}

TEST_F(ReportPageTest, AnEmptyDatabaseStillGivesAPage) {
  auto db = store::ResultsDb::open(dir_ / "empty.db");
  ASSERT_TRUE(db.is_ok());
  auto data = gather(*db, {}, false);
  ASSERT_TRUE(data.is_ok());
  ASSERT_TRUE(write_report(*data, dir_ / "out").is_ok());
  const std::string html = read(dir_ / "out" / "index.html");
  EXPECT_EQ(count(html, "<svg "), 0);
  EXPECT_NE(html.find("No runs in the database."), std::string::npos);
  EXPECT_NE(html.find("0 runs stored, 0 shown"), std::string::npos);
}

TEST_F(ReportPageTest, TableIShowsOursBesideTheStudy) {
  ModelRow row;
  row.id = "resnet18";
  row.input = "1x3x224x224";
  row.params = 11689512;
  row.macs = 1814083944;
  row.study_input = "224x224";
  row.study_params_m = 11.69;
  row.study_flop_giga = 1.83;
  row.study_flop_per_param = 156.54;
  row.study_flop_convention = "MAC";
  row.params_diff_pct = -0.004;
  row.flop_diff_pct = -0.87;
  std::vector<store::StoredRun> runs = {{1, testing::make_run("resnet18", "native", 25)}};
  const ReportData data = build_report_data(runs, {row}, {});
  const std::string html = render_html(data, make_figures(data));
  EXPECT_NE(html.find("<th colspan=\"3\">Params (M)</th>"), std::string::npos);
  EXPECT_NE(html.find("<td class=\"nw\">resnet18</td><td class=\"nw\">1x3x224x224</td><td class=\"nw\">224x224</td>"
                      "<td class=\"num\">11.69</td><td class=\"num\">11.69</td><td class=\"num\">0.00%</td>"
                      "<td class=\"num\">1.814</td><td class=\"num\">1.83</td><td class=\"nw\">MACs</td>"
                      "<td class=\"num\">-0.87%</td><td class=\"num\">155.2</td><td class=\"num\">156.54</td>"),
            std::string::npos);
  const std::string md = render_markdown(data, make_figures(data));
  EXPECT_NE(md.find("| Model | Input: ours | Input: study | Params (M): ours | Params (M): study |"), std::string::npos);
  EXPECT_NE(md.find("| resnet18 | 1x3x224x224 | 224x224 | 11.69 | 11.69 | 0.00% | 1.814 | 1.83 | MACs | -0.87% | 155.2 | 156.54 |"),
            std::string::npos);
}

TEST_F(ReportPageTest, AMissingBaselineLeavesSpeedupsOutWithAReason) {
  auto data = build_report_data(std::vector<store::StoredRun>{{1, testing::make_run("resnet18", "native", 25)},
                                                              {2, testing::make_run("resnet18", "libtorch", 20)}},
                                {}, {.baseline = "tensorrt"});
  const Figures figures = make_figures(data);
  EXPECT_FALSE(figures.speedup.present());
  EXPECT_NE(figures.speedup.absent.find("a successful 'tensorrt' run"), std::string::npos);
  EXPECT_TRUE(figures.time.present());
}

TEST_F(ReportPageTest, TheMatrixHasAColumnPerBackendVariant) {
  const auto run = [](const std::string& model, const std::string& backend, const std::string& mode, double ms) {
    bench::RunRecord r = testing::make_run(model, backend, ms);
    r.mode = mode;
    return r;
  };
  std::vector<store::StoredRun> runs = {{1, run("resnet18", "native", "", 25)},
                                        {2, run("resnet18", "libtorch", "eager", 20)},
                                        {3, run("resnet18", "libtorch", "script", 18)},
                                        {4, run("resnet18", "opencv", "", 22)},
                                        {5, run("resnet18", "darknet", "", 40)}};
  const ReportData data = build_report_data(runs, {}, {.baseline = "libtorch:script"});
  const Figures figures = make_figures(data);
  const std::string md = render_markdown(data, figures);
  EXPECT_NE(md.find("| Model | native | libtorch (eager) | libtorch (script) | opencv | darknet |"), std::string::npos) << md;
  EXPECT_NE(md.find("Speedups are over **libtorch (script)**"), std::string::npos);
  const std::string html = render_html(data, figures);
  EXPECT_NE(html.find("<th class=\"config\">libtorch (script)</th>"), std::string::npos);
  ASSERT_TRUE(figures.speedup.present());
  EXPECT_NE(figures.speedup.svg.find("libtorch (eager)"), std::string::npos);
}

TEST(PowerOverTime, OneLinePerRunWithSamplesThinnedForDrawing) {
  bench::RunRecord latency = testing::make_run("resnet18", "native", 25);
  latency.energy = bench::Energy{"hwmon:ina219:power1", 30.0, 18.0, 750.0, 300.0, testing::make_power_samples(30, 3)};
  bench::RunRecord thermal = testing::make_thermal_run("resnet18", "native", 26);
  // Half an hour at 10 Hz, capped as the run monitor caps it: thinned again to draw.
  thermal.energy = bench::Energy{"ina3221:VDD_IN", 31.0, 18.0, 800.0, 330.0,
                                 bench::thin_evenly(testing::make_power_samples(31, 1800))};
  bench::RunRecord counter = testing::make_run("resnet18", "libtorch", 18);
  counter.energy = bench::Energy{"rapl:package-0", 40.0, 18.0, 720.0, 396.0};  // no samples
  const std::vector<store::StoredRun> runs = {{1, latency}, {2, thermal}, {3, counter}};

  const Figures figures = make_figures(build_report_data(runs, {}, {}));
  ASSERT_TRUE(figures.power_trace.present()) << figures.power_trace.absent;
  const std::string& svg = figures.power_trace.svg;
  EXPECT_EQ(count(svg, "<polyline"), 2);
  EXPECT_NE(svg.find("resnet18 \xC2\xB7 native (hwmon:ina219:power1)"), std::string::npos);
  EXPECT_NE(svg.find("resnet18 \xC2\xB7 native (thermal) (ina3221:VDD_IN)"), std::string::npos);  // meters differ: named
  EXPECT_EQ(svg.find("rapl"), std::string::npos);
  EXPECT_NE(svg.find(">Power (W)</text>"), std::string::npos);
  // Each line's points: "x,y" pairs, at most 1,000 however many were kept.
  const std::string opening = "<polyline points=\"";
  for (auto p = svg.find(opening); p != std::string::npos; p = svg.find(opening, p + 1)) {
    const auto begin = p + opening.size(), end = svg.find('"', begin);
    const int points = count(svg.substr(begin, end - begin), ",");
    EXPECT_GE(points, 30);
    EXPECT_LE(points, 1000);
  }

  // One meter: not named on every line.
  const Figures one = make_figures(build_report_data(std::vector<store::StoredRun>{{1, latency}, {3, counter}}, {}, {}));
  EXPECT_EQ(count(one.power_trace.svg, "<polyline"), 1);
  EXPECT_EQ(one.power_trace.svg.find("ina219"), std::string::npos);

  const Figures none = make_figures(build_report_data(std::vector<store::StoredRun>{{3, counter}}, {}, {}));
  EXPECT_FALSE(none.power_trace.present());
  EXPECT_NE(none.power_trace.absent.find("No run kept power samples"), std::string::npos);
}

TEST(ZooTable, RowSetsOursBesideTheStudyInItsConvention) {
  // cifarnet builds in milliseconds; zoo_table() does the same for all 16.
  const zoo::ModelEntry* e = zoo::find("cifarnet");
  ASSERT_NE(e, nullptr);
  auto graph = zoo::build("cifarnet", {.weights = WeightInit::zeros});
  ASSERT_TRUE(graph.is_ok()) << graph.status().message();
  const ModelInfo info = analyze(*graph);
  const ModelRow row = table1_row(*e, info);
  EXPECT_EQ(row.id, "cifarnet");
  EXPECT_EQ(row.input, "1x3x32x32");
  EXPECT_EQ(row.study_input, "32x32");
  EXPECT_EQ(row.params, info.params);
  EXPECT_EQ(row.macs, info.macs);
  EXPECT_EQ(row.study_params_m, 0.79);
  EXPECT_EQ(row.study_flop_convention, "MAC");  // 0.01 G is nearer its MACs than its FLOPs
  EXPECT_NEAR(*row.params_diff_pct, 100.0 * (info.params / 1e6 - 0.79) / 0.79, 1e-9);
  EXPECT_NEAR(*row.flop_diff_pct, 100.0 * (info.macs / 1e9 - 0.01) / 0.01, 1e-9);
  EXPECT_TRUE(row.in_zoo);
}

TEST_F(ReportPageTest, WriteReportNamesTheFileItCannotWrite) {
  std::ofstream(dir_ / "not_a_dir") << "x";
  const ReportData data = build_report_data({}, {}, {});
  const Status st = write_report(data, dir_ / "not_a_dir" / "out");
  ASSERT_FALSE(st.is_ok());
  EXPECT_NE(st.message().find("not_a_dir"), std::string::npos);
}

}  // namespace
}  // namespace eb::report
