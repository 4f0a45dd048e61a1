// From stored runs to ReportData: latest-run-wins, configurations, the
// matrix, speedups, environments, and the free-form fields' layouts.
#include "report/report_data.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>

#include "synthetic.h"

namespace eb::report {
namespace {

using bench::RunStatus;
using testing::make_failure;
using testing::make_run;
using json = nlohmann::json;

std::vector<store::StoredRun> stored(const std::vector<bench::RunRecord>& records) {
  std::vector<store::StoredRun> out;
  for (std::size_t i = 0; i < records.size(); ++i) out.push_back({static_cast<int64_t>(i + 1), records[i]});
  return out;
}

std::size_t config_of(const ReportData& d, const std::string& label) {
  for (std::size_t i = 0; i < d.configs.size(); ++i)
    if (d.configs[i].label == label) return i;
  ADD_FAILURE() << "no configuration " << label;
  return 0;
}

TEST(ReportData, LatestRunWinsByTimestampThenId) {
  const auto runs = stored({make_run("resnet18", "native", 30, "2024-05-02T00:00:00.000Z"),
                            make_run("resnet18", "native", 20, "2024-05-01T00:00:00.000Z"),  // older, stored later
                            make_run("vgg16", "native", 100, "2024-05-01T00:00:00.000Z"),
                            make_run("vgg16", "native", 90, "2024-05-01T00:00:00.000Z")});   // same time: the later id
  const ReportData d = build_report_data(runs, {}, {});
  EXPECT_EQ(d.runs_stored, 4);
  EXPECT_EQ(d.runs_superseded, 2);
  ASSERT_EQ(d.runs.size(), 2u);
  EXPECT_EQ(d.find("resnet18", 0)->latency->median, 30);
  EXPECT_EQ(d.find("vgg16", 0)->latency->median, 90);
  EXPECT_EQ(d.find("vgg16", 0)->id, 4);
}

TEST(ReportData, DifferentThreadsOrHostsAreDifferentConfigurations) {
  auto a = make_run("resnet18", "native", 30);
  auto b = make_run("resnet18", "native", 20);
  b.threads = 4;
  auto c = make_run("resnet18", "native", 25);
  c.env.host = "jetson-nano";
  const ReportData d = build_report_data(stored({a, b, c}), {}, {});
  EXPECT_EQ(d.runs_superseded, 0);
  ASSERT_EQ(d.configs.size(), 3u);
  // Only the dimensions that vary are named.
  EXPECT_EQ(d.configs[0].label, "native \xC2\xB7 2 threads \xC2\xB7 jetson-nano");
  EXPECT_EQ(d.configs[1].label, "native \xC2\xB7 2 threads \xC2\xB7 lab-xeon");
  EXPECT_EQ(d.configs[2].label, "native \xC2\xB7 4 threads \xC2\xB7 lab-xeon");
}

TEST(ReportData, LabelsStayShortWhenNothingVaries) {
  auto gpu = make_run("resnet18", "libtorch", 3);
  gpu.device = "cuda";
  gpu.precision = "fp16";
  const ReportData d = build_report_data(stored({make_run("resnet18", "native", 30), gpu}), {}, {});
  ASSERT_EQ(d.configs.size(), 2u);
  EXPECT_EQ(d.configs[0].label, "native \xC2\xB7 cpu \xC2\xB7 fp32");
  EXPECT_EQ(d.configs[1].label, "libtorch \xC2\xB7 cuda \xC2\xB7 fp16");
  const ReportData one = build_report_data(stored({make_run("resnet18", "native", 30)}), {}, {});
  EXPECT_EQ(one.configs[0].label, "native");
}

TEST(ReportData, OrdersModelsAsTableIAndBackendsWhateverTheBaseline) {
  auto records = testing::synthetic_sweep(false);
  records.push_back(make_run("resnet18", "external:tvm", 9));
  records.push_back(make_run("resnet18", "cuda", 2));
  const ReportData d = build_report_data(stored(records), {}, {.baseline = "libtorch"});
  EXPECT_EQ(d.models.front(), "resnet18");
  EXPECT_EQ(d.models.back(), testing::kHostileModel);  // outside the zoo: last
  std::vector<std::string> backends;
  for (const auto& c : d.configs) backends.push_back(c.backend);
  // Independent of the baseline, so that colours stay put between reports.
  EXPECT_EQ(backends, (std::vector<std::string>{"native", "libtorch", "opencv", "darknet", "cuda", "external:tvm"}));
}

TEST(ReportData, MatrixHasEveryStatusAndSharedFootnotes) {
  const ReportData d = build_report_data(stored(testing::synthetic_sweep(false)), {}, {});
  const auto model = [&](const std::string& m) {
    return static_cast<std::size_t>(std::find(d.models.begin(), d.models.end(), m) - d.models.begin());
  };
  const auto cell = [&](const std::string& m, const std::string& b) { return d.matrix.cells[model(m)][config_of(d, b)]; };
  EXPECT_EQ(cell("resnet18", "native").status, RunStatus::ok);
  EXPECT_EQ(cell("c3d", "native").status, RunStatus::failed);
  EXPECT_EQ(cell("vgg16", "libtorch").status, RunStatus::out_of_memory);
  EXPECT_EQ(cell("inception_v4", "libtorch").status, RunStatus::timeout);
  EXPECT_EQ(cell("alexnet", "opencv").status, RunStatus::crashed);
  EXPECT_EQ(cell("c3d", "opencv").status, RunStatus::unsupported);
  EXPECT_EQ(cell("vgg16", "darknet").status, RunStatus::not_built);
  EXPECT_FALSE(cell("c3d", "darknet").status.has_value());  // not run
  EXPECT_EQ(cell("c3d", "native").reason, "node conv3d_4: Conv with dilation 2 is not implemented");
  // Four not_built cells, one reason, one footnote.
  EXPECT_EQ(cell("resnet18", "darknet").footnote, cell("vgg16", "darknet").footnote);
  EXPECT_EQ(d.matrix.footnotes.size(), 6u);
  EXPECT_EQ(cell("resnet18", "native").footnote, 0);
}

TEST(ReportData, SpeedupIsBaselineMedianOverRunMedianWithGeometricMean) {
  const auto runs = stored({make_run("resnet18", "native", 30), make_run("resnet18", "libtorch", 15),
                            make_run("vgg16", "native", 100), make_run("vgg16", "libtorch", 200),
                            make_run("alexnet", "libtorch", 10)});  // no baseline: no speedup
  const ReportData d = build_report_data(runs, {}, {.baseline = "native"});
  ASSERT_EQ(d.speedups.size(), 2u);
  EXPECT_DOUBLE_EQ(d.speedups[0].speedup, 2.0);
  EXPECT_DOUBLE_EQ(d.speedups[1].speedup, 0.5);
  ASSERT_EQ(d.speedup_summary.size(), 1u);
  EXPECT_DOUBLE_EQ(d.speedup_summary[0].geomean, 1.0);
  EXPECT_EQ(d.speedup_summary[0].models, 2);
}

TEST(ReportData, SpeedupMatchesTheBaselineRunWithTheSameThreads) {
  auto n1 = make_run("resnet18", "native", 40);
  n1.threads = 1;
  auto n4 = make_run("resnet18", "native", 12);
  n4.threads = 4;
  auto t4 = make_run("resnet18", "libtorch", 6);
  t4.threads = 4;
  const ReportData d = build_report_data(stored({n1, n4, t4}), {}, {});
  ASSERT_EQ(d.speedups.size(), 1u);
  EXPECT_DOUBLE_EQ(d.speedups[0].speedup, 2.0);
  EXPECT_EQ(d.configs[d.speedups[0].baseline_config].threads, 4);
}

bench::RunRecord with_mode(bench::RunRecord r, const std::string& mode) {
  r.mode = mode;
  return r;
}

// The sweep of characterize.sh: libtorch in both of its modes beside the others.
std::vector<bench::RunRecord> variant_sweep() {
  return {make_run("resnet18", "darknet", 60),
          with_mode(make_run("resnet18", "libtorch", 30), "script"),
          make_run("resnet18", "opencv", 40),
          with_mode(make_run("resnet18", "libtorch", 20), "eager"),
          make_run("resnet18", "native", 25),
          with_mode(make_failure("c3d", "libtorch", RunStatus::unsupported, "no Conv3d in script"), "script"),
          with_mode(make_run("c3d", "libtorch", 900), "eager")};
}

TEST(ReportData, EachModeOfABackendIsAConfigurationOfItsOwn) {
  const ReportData d = build_report_data(stored(variant_sweep()), {}, {});
  EXPECT_EQ(d.runs_superseded, 0);  // the modes do not supersede each other
  std::vector<std::string> labels;
  for (const auto& c : d.configs) labels.push_back(c.label);
  // Table V's columns, in the same order in every table and chart.
  EXPECT_EQ(labels, (std::vector<std::string>{"native", "libtorch (eager)", "libtorch (script)", "opencv", "darknet"}));
  EXPECT_EQ(d.configs[1].backend, "libtorch");
  EXPECT_EQ(d.configs[1].mode, "eager");
  EXPECT_EQ(d.find("resnet18", config_of(d, "libtorch (script)"))->latency->median, 30);
  const auto c3d = static_cast<std::size_t>(std::find(d.models.begin(), d.models.end(), "c3d") - d.models.begin());
  EXPECT_EQ(d.matrix.cells[c3d][config_of(d, "libtorch (eager)")].status, RunStatus::ok);
  EXPECT_EQ(d.matrix.cells[c3d][config_of(d, "libtorch (script)")].status, RunStatus::unsupported);
  EXPECT_FALSE(d.matrix.cells[c3d][config_of(d, "native")].status.has_value());
  // The mode is named even where it is the only thing that varies, and beside what else varies.
  auto gpu = with_mode(make_run("resnet18", "libtorch", 3), "script");
  gpu.device = "cuda";
  const ReportData g = build_report_data(stored({with_mode(make_run("resnet18", "libtorch", 30), "script"), gpu}), {}, {});
  EXPECT_EQ(g.configs[0].label, "libtorch (script) \xC2\xB7 cpu");
  EXPECT_EQ(g.configs[1].label, "libtorch (script) \xC2\xB7 cuda");
}

TEST(ReportData, BaselineCanBeAVariant) {
  const ReportData d = build_report_data(stored(variant_sweep()), {}, {.baseline = "libtorch:script"});
  EXPECT_EQ(d.baseline, "libtorch (script)");
  EXPECT_TRUE(d.notes.empty());
  std::map<std::string, double> by_label;
  for (const Speedup& s : d.speedups) {
    EXPECT_EQ(d.configs[s.baseline_config].label, "libtorch (script)");
    by_label[d.configs[s.config].label] = s.speedup;
  }
  // Over script's 30 ms; script itself and the model without a script run have none.
  EXPECT_EQ(by_label, (std::map<std::string, double>{
                          {"native", 30.0 / 25}, {"libtorch (eager)", 30.0 / 20}, {"opencv", 30.0 / 40}, {"darknet", 30.0 / 60}}));

  // A backend alone is its default mode, which these runs do not have.
  const ReportData plain = build_report_data(stored(variant_sweep()), {}, {.baseline = "libtorch"});
  EXPECT_TRUE(plain.speedups.empty());
  ASSERT_EQ(plain.notes.size(), 1u);
  EXPECT_NE(plain.notes[0].find("no run of the baseline 'libtorch'"), std::string::npos) << plain.notes[0];
  EXPECT_NE(plain.notes[0].find("'libtorch:eager', 'libtorch:script'"), std::string::npos) << plain.notes[0];
}

TEST(ReportData, ModesComeThroughTheDatabase) {
  const auto path = std::filesystem::temp_directory_path() / ("eb_report_modes_" + std::to_string(getpid()) + ".db");
  std::filesystem::remove(path);
  {
    auto db = store::ResultsDb::open(path);
    ASSERT_TRUE(db.is_ok()) << db.status().message();
    for (const auto& r : variant_sweep()) ASSERT_TRUE(db->insert(r, {}).is_ok());
    auto d = gather(*db, {.baseline = "libtorch:eager"}, /*with_table1=*/false);
    ASSERT_TRUE(d.is_ok()) << d.status().message();
    EXPECT_EQ(d->configs.size(), 5u);
    EXPECT_EQ(d->configs[2].label, "libtorch (script)");
    EXPECT_EQ(d->baseline, "libtorch (eager)");
    EXPECT_EQ(d->speedup_summary.size(), 4u);
  }
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + suffix);
}

TEST(ReportData, ThermalAndLatencyRunsOfOneConfigurationBothSurvive) {
  const auto path = std::filesystem::temp_directory_path() / ("eb_report_thermal_" + std::to_string(getpid()) + ".db");
  std::filesystem::remove(path);
  {
    auto db = store::ResultsDb::open(path);
    ASSERT_TRUE(db.is_ok()) << db.status().message();
    // Latency, then a later thermal run of the same configuration, then an
    // even later thermal run that supersedes the first thermal one only.
    bench::RunRecord thermal = testing::make_thermal_run("resnet18", "native", 31, "2024-05-01T13:00:00.000Z");
    thermal.temperature = testing::make_temperature(40, 70, 100, "thermal:cpu");
    bench::RunRecord later = testing::make_thermal_run("resnet18", "native", 32, "2024-05-01T14:00:00.000Z");
    later.temperature = testing::make_temperature(40, 72, 100, "thermal:cpu");
    for (const auto& r : {make_run("resnet18", "native", 25, "2024-05-01T12:00:00.000Z"), thermal, later})
      ASSERT_TRUE(db->insert(r, {}).is_ok());
    auto d = gather(*db, {}, /*with_table1=*/false);
    ASSERT_TRUE(d.is_ok()) << d.status().message();
    EXPECT_EQ(d->runs_stored, 3);
    EXPECT_EQ(d->runs_superseded, 1);
    ASSERT_EQ(d->configs.size(), 1u);
    ASSERT_EQ(d->runs.size(), 1u);
    EXPECT_FALSE(d->runs[0].thermal);
    EXPECT_EQ(d->find("resnet18", 0)->latency->median, 25);  // the tables and charts keep the latency run
    ASSERT_EQ(d->thermal_runs.size(), 1u);
    EXPECT_TRUE(d->thermal_runs[0].thermal);
    EXPECT_EQ(d->thermal_runs[0].id, 3);
    EXPECT_EQ(d->thermal_runs[0].config, 0u);
    ASSERT_EQ(d->thermal_runs[0].temperature.size(), 1u);
    EXPECT_EQ(d->run_label(d->thermal_runs[0]), "resnet18 \xC2\xB7 native (thermal)");
    EXPECT_TRUE(d->speedups.empty());
    EXPECT_EQ(d->matrix.cells[0][0].status, RunStatus::ok);
  }
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + suffix);
}

TEST(ReportData, EnvironmentsAreDeduplicatedPerBackend) {
  const ReportData d = build_report_data(stored(testing::synthetic_sweep(false)), {}, {});
  ASSERT_EQ(d.environments.size(), 4u);  // one host, four backends
  int runs = 0;
  for (const auto& e : d.environments) runs += e.runs;
  EXPECT_EQ(runs, static_cast<int>(d.runs.size()));
}

TEST(ReportData, ModelsOutsideTheZooGetTableIRowsFromTheirRecords) {
  const ReportData d = build_report_data(stored(testing::synthetic_sweep(false)), {}, {});
  ASSERT_EQ(d.table1.size(), 1u);
  EXPECT_EQ(d.table1[0].id, testing::kHostileModel);
  EXPECT_FALSE(d.table1[0].in_zoo);
  EXPECT_EQ(d.table1[0].params, 1234567);
  EXPECT_EQ(d.table1[0].macs, 345678901);
}

TEST(ReportData, UnreadableProfileBecomesANoteNotAFailure) {
  auto r = make_run("resnet18", "native", 30);
  r.profile = json::array({{{"node", "conv1"}}});  // no ms
  r.temperature = {{"series", "hot"}};
  const ReportData d = build_report_data(stored({r}), {}, {});
  ASSERT_EQ(d.notes.size(), 2u);
  EXPECT_NE(d.notes[0].find("run 1 (resnet18, native): profile left out: profile entry 0: \"ms\" missing"), std::string::npos);
  EXPECT_NE(d.notes[1].find("temperature left out"), std::string::npos);
  EXPECT_FALSE(d.runs[0].profile.has_value());
}

TEST(ParseProfile, SumsNodesByCategoryInOpTableOrder) {
  const json p = json::array({{{"node", "fc"}, {"op", "Gemm"}, {"category", "fully_connected"}, {"ms", 1.0}},
                              {{"node", "c1"}, {"op", "Conv"}, {"category", "convolution"}, {"ms", 2.0}},
                              {{"node", "c2"}, {"op", "Conv"}, {"category", "convolution"}, {"ms", 3.0}},
                              {{"category", "custom_thing"}, {"ms", 0.5}},
                              {{"category", "overhead"}, {"ms", 0.25}}});
  auto b = parse_profile(p);
  ASSERT_TRUE(b.is_ok()) << b.status().message();
  using Cat = std::vector<std::pair<std::string, double>>;
  EXPECT_EQ(b->categories, (Cat{{"convolution", 5.0}, {"fully_connected", 1.0}, {"custom_thing", 0.5}}));
  EXPECT_EQ(b->overhead_ms, 0.25);
  EXPECT_DOUBLE_EQ(b->total_ms(), 6.75);
}

TEST(ParseProfile, ObjectWithWallTimeDerivesTheOverhead) {
  auto b = parse_profile({{"categories", {{{"category", "pooling"}, {"ms", 1.5}}, {{"category", "activation"}, {"ms", 0.5}}}},
                          {"wall_ms", 2.5}});
  ASSERT_TRUE(b.is_ok()) << b.status().message();
  EXPECT_EQ(b->categories.front().first, "activation");
  EXPECT_DOUBLE_EQ(*b->overhead_ms, 0.5);
  auto flat = parse_profile({{"convolution", 4.0}, {"overhead_ms", 1.0}});
  ASSERT_TRUE(flat.is_ok()) << flat.status().message();
  EXPECT_DOUBLE_EQ(flat->total_ms(), 5.0);
}

TEST(ParseProfile, RejectsWhatItCannotRead) {
  EXPECT_FALSE(parse_profile(json(3)).is_ok());
  EXPECT_FALSE(parse_profile(json::array()).is_ok());
  EXPECT_FALSE(parse_profile({{"nodes", 3}}).is_ok());
  EXPECT_FALSE(parse_profile(json::array({{{"category", "convolution"}, {"ms", -1}}})).is_ok());
  EXPECT_FALSE(parse_profile(json::array({{{"ms", 1}}})).is_ok());
}

TEST(ParseTemperature, ReadsPairsObjectsAndLists) {
  auto one = parse_temperature({{"source", "thermal:cpu"}, {"series", {{0, 40.5}, {1, 41.0}}}});
  ASSERT_TRUE(one.is_ok()) << one.status().message();
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ((*one)[0].source, "thermal:cpu");
  EXPECT_EQ((*one)[0].series.size(), 2u);
  EXPECT_DOUBLE_EQ((*one)[0].series[1].y, 41.0);
  auto many = parse_temperature(json::array({{{"series", json::array({{{"t_s", 0}, {"celsius", 30}}})}}, {{"series", json::array()}}}));
  ASSERT_TRUE(many.is_ok()) << many.status().message();
  EXPECT_EQ(many->size(), 2u);
  EXPECT_FALSE(parse_temperature({{"series", {{0}}}}).is_ok());
  EXPECT_FALSE(parse_temperature(json("hot")).is_ok());
}

}  // namespace
}  // namespace eb::report
