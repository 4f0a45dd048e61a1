// edgebench run --profile / --trace end to end: the record's breakdown, the
// summary's table, the Chrome trace (in process and from an isolated child),
// a backend without a profiler, sweep children, and the report reading what
// the runs stored.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli_util.h"
#include "store/results_db.h"

namespace eb::cli::testing {
namespace {

using nlohmann::json;
using ProfileCommand = CliTest;

json parse_file(const fs::path& path) { return json::parse(read_file(path), nullptr, false); }

// The trace's complete slices, and how many events it has in all.
std::vector<json> trace_slices(const json& trace) {
  std::vector<json> out;
  for (const auto& e : trace["traceEvents"])
    if (e["ph"] == "X") out.push_back(e);
  return out;
}

TEST_F(ProfileCommand, NativeRunRecordsTheBreakdownAndWritesTheTrace) {
  const std::string trace_path = (dir_ / "trace.json").string();
  const auto r = run(concat({"run", "--model", "resnet18", "--input-size", "64", "--backend", "native", "--profile", "--trace", trace_path,
                             "--no-db", "--format", "json"},
                            quick()));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json record = json::parse(r.out);
  const json& p = record["profile"];
  ASSERT_TRUE(p.is_object()) << record.dump(2);
  ASSERT_FALSE(p.contains("error")) << p.dump();
  EXPECT_EQ(p["invokes"], 5);
  ASSERT_TRUE(p["categories"].is_array());
  std::vector<std::string> categories;
  double categories_ms = 0;
  for (const auto& c : p["categories"]) {
    categories.push_back(c["category"]);
    categories_ms += c["ms"].get<double>();
  }
  EXPECT_EQ(categories.front(), "convolution");  // the op table's order
  EXPECT_NE(std::find(categories.begin(), categories.end(), "pooling"), categories.end());
  EXPECT_NEAR(categories_ms, p["nodes_ms"].get<double>(), 1e-9);
  EXPECT_GT(p["wall_ms"].get<double>(), 0);
  EXPECT_GE(p["overhead_ms"].get<double>(), 0);
  EXPECT_LE(p["overhead_ms"].get<double>(), p["wall_ms"].get<double>());
  EXPECT_GE(p["overhead_clamped_invokes"].get<int>(), 0);
  EXPECT_EQ(p["trace"], trace_path);

  const json trace = parse_file(trace_path);
  ASSERT_FALSE(trace.is_discarded()) << read_file(trace_path).substr(0, 200);
  EXPECT_EQ(trace["displayTimeUnit"], "ms");
  const std::size_t nodes = p["nodes"].size();
  ASSERT_GT(nodes, 10u);
  EXPECT_EQ(trace["traceEvents"].size(), 2 + 5 * (nodes + 1));  // metadata; per invoke the nodes and the overhead
  const auto slices = trace_slices(trace);
  EXPECT_EQ(slices.front()["name"], p["nodes"][0]["node"]);
  EXPECT_EQ(slices[nodes]["name"], "framework overhead");
}

TEST_F(ProfileCommand, SummaryPrintsTheBreakdownTable) {
  const auto r = run(concat({"run", "--model", "cifarnet", "--backend", "native", "--profile-invokes", "2", "--no-db"}, quick()));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "medians of 2 profiled invokes")) << r.out;
  for (const char* part : {"category", "ms", "%", "convolution", "pooling", "fully_connected", "framework overhead", "total", "100.0%"})
    EXPECT_TRUE(contains(r.out, part)) << part << " missing from\n" << r.out;
}

TEST_F(ProfileCommand, AnIsolatedRunsChildWritesTheTrace) {
  const std::string trace_path = (dir_ / "isolated-trace.json").string();
  const auto r = run(concat({"run", "--model", "cifarnet", "--backend", "native", "--trace", trace_path, "--timeout", "120", "--no-db",
                             "--format", "json"},
                            quick()));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json record = json::parse(r.out);
  EXPECT_EQ(record["profile"]["invokes"], 5) << record["profile"].dump();
  const json trace = parse_file(trace_path);
  ASSERT_FALSE(trace.is_discarded());
  EXPECT_EQ(trace["traceEvents"].size(), 2 + 5 * (record["profile"]["nodes"].size() + 1));
}

TEST_F(ProfileCommand, BackendWithoutProfilerStaysOkAndTheReportToleratesIt) {
  const std::string db = (dir_ / "results.db").string();
  auto r = run(concat({"run", "--model", "cifarnet", "--backend", "null", "--profile", "--db", db}, quick()));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "cifarnet on null: ok")) << r.out;
  EXPECT_TRUE(contains(r.out, "none: this backend has no per-node profiler")) << r.out;
  r = run(concat({"run", "--model", "cifarnet", "--backend", "native", "--profile", "--profile-invokes", "1", "--db", db}, quick()));
  ASSERT_EQ(r.exit_code, 0) << r.err;

  auto opened = store::ResultsDb::open(db);
  ASSERT_TRUE(opened.is_ok());
  const auto runs = opened->list_runs();
  ASSERT_TRUE(runs.is_ok());
  ASSERT_EQ(runs->size(), 2u);
  EXPECT_EQ((*runs)[0].record.status, bench::RunStatus::ok);
  EXPECT_EQ((*runs)[0].record.profile, json({{"error", "this backend has no per-node profiler"}}));
  EXPECT_EQ((*runs)[1].record.profile["invokes"], 1);

  // The native run's breakdown makes the figure; the null run's error is a note.
  r = run({"report", "--db", db, "-o", (dir_ / "report").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string md = read_file(dir_ / "report" / "report.md");
  EXPECT_TRUE(contains(md, "Milliseconds in the profiled inference")) << md;
  EXPECT_TRUE(contains(md, "framework overhead")) << md;
  EXPECT_TRUE(contains(md, "this backend has no per-node profiler")) << md;
}

TEST_F(ProfileCommand, ATraceThatCannotBeMadeFailsTheCommandNotTheRun) {
  const auto r = run(concat({"run", "--model", "cifarnet", "--backend", "null", "--trace", (dir_ / "t.json").string(), "--no-db"}, quick()));
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_TRUE(contains(r.out, "cifarnet on null: ok")) << r.out;
  EXPECT_TRUE(contains(r.err, "--trace: no trace written: this backend has no per-node profiler")) << r.err;
  EXPECT_FALSE(fs::exists(dir_ / "t.json"));
}

TEST_F(ProfileCommand, BadUsageIsExitTwo) {
  auto r = run({"run", "--model", "cifarnet", "--backend", "null", "--no-db", "--profile-invokes", "0"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, "--profile-invokes")) << r.err;
  r = run({"run", "--model", "cifarnet", "--backend", "null", "--no-db", "--trace", (dir_ / "missing" / "t.json").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, "--trace")) << r.err;
  EXPECT_TRUE(contains(r.err, "missing")) << r.err;
  // One trace file for many runs makes no sense: sweep has no --trace.
  r = run({"sweep", "--models", "cifarnet", "--backends", "null", "--db", (dir_ / "s.db").string(), "--trace", "t.json"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, "--trace")) << r.err;
}

TEST_F(ProfileCommand, SweepChildrenProfile) {
  const std::string db = (dir_ / "sweep.db").string();
  const auto r = run(concat({"sweep", "--models", "cifarnet", "--backends", "native", "--profile", "--profile-invokes", "2", "--db", db}, quick()));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto opened = store::ResultsDb::open(db);
  ASSERT_TRUE(opened.is_ok());
  const auto runs = opened->list_runs();
  ASSERT_TRUE(runs.is_ok());
  ASSERT_EQ(runs->size(), 1u);
  EXPECT_EQ((*runs)[0].record.profile["invokes"], 2) << (*runs)[0].record.profile.dump();
}

}  // namespace
}  // namespace eb::cli::testing
