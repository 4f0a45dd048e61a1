// edgebench run and results, end to end: bad usage (exit 2, before anything
// is measured), the summary and the JSON record, files, the database, and
// the isolated path (--memory-limit, --test-fault).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>

#include "cli_util.h"
#include "store/results_db.h"

namespace eb::cli::testing {
namespace {

using nlohmann::json;
using RunCommand = CliTest;

TEST_F(RunCommand, UnknownModelIsBadUsageListingTheKnownOnes) {
  const auto r = run({"run", "--model", "nosuchnet", "--backend", "null", "--no-db"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, "unknown model 'nosuchnet'")) << r.err;
  EXPECT_TRUE(contains(r.err, "cifarnet")) << r.err;
  EXPECT_TRUE(r.out.empty());
}

TEST_F(RunCommand, UnknownBackendIsBadUsageListingTheKnownOnes) {
  const auto r = run({"run", "--model", "cifarnet", "--backend", "tensorflow", "--no-db"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, "unknown backend 'tensorflow'")) << r.err;
  EXPECT_TRUE(contains(r.err, "null")) << r.err;
}

TEST_F(RunCommand, BadNumberIsBadUsage) {
  const auto r = run({"run", "--model", "cifarnet", "--backend", "null", "--no-db", "--runs", "abc"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, "--runs")) << r.err;
  EXPECT_TRUE(contains(r.err, "abc")) << r.err;
}

TEST_F(RunCommand, UnwritablePathsAreBadUsageFoundBeforeMeasuring) {
  // A database below a regular file cannot be created by anyone, root included.
  std::ofstream(dir_ / "file") << "not a directory";
  const std::string db = (dir_ / "file" / "results.db").string();
  // A long measurement that would show if it ran.
  auto r = run({"run", "--model", "cifarnet", "--backend", "null", "--db", db, "--min-secs", "20", "--max-secs", "30"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, "--db")) << r.err;
  EXPECT_TRUE(contains(r.err, db)) << r.err;
  EXPECT_LT(r.secs, 20);  // measuring would take more than --min-secs
  EXPECT_TRUE(r.out.empty());

  const std::string json_path = (dir_ / "missing-dir" / "run.json").string();
  r = run({"run", "--model", "cifarnet", "--backend", "null", "--no-db", "--json", json_path, "--min-secs", "20", "--max-secs", "30"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, "--json")) << r.err;
  EXPECT_TRUE(contains(r.err, "missing-dir")) << r.err;
  EXPECT_TRUE(r.out.empty());
}

// The null backend does nothing, so the summary's latency and overhead lines
// are the harness's own per-iteration cost: it must stay under 1 µs.
TEST_F(RunCommand, NullBackendSummaryReportsHarnessOverheadUnderOneMicrosecond) {
  const auto r = run({"run", "--backend", "null", "--model", "cifarnet", "--no-db"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::cout << r.out;
  EXPECT_TRUE(contains(r.out, "cifarnet on null: ok")) << r.out;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(r.out, m, std::regex(R"(overhead\s+([0-9.]+) (ns|µs) in each sample)"))) << r.out;
  const double overhead_ns = std::stod(m[1]) * (m[2] == "µs" ? 1000 : 1);
  EXPECT_LT(overhead_ns, 1000);
  ASSERT_TRUE(std::regex_search(r.out, m, std::regex(R"(does nothing: ([0-9.]+) (ns|µs) per loop iteration)"))) << r.out;
  const double loop_ns = std::stod(m[1]) * (m[2] == "µs" ? 1000 : 1);
  EXPECT_LT(loop_ns, 1000);
  for (const char* part : {"init", "first", "warmup", "measured", "median", "p90", "p99", "min", "max", "95% CI", "CV", "stopped at"}) {
    EXPECT_TRUE(contains(r.out, part)) << part << " missing from\n" << r.out;
  }
}

TEST_F(RunCommand, JsonRecordFilesAndDatabase) {
  const std::string db = (dir_ / "db" / "results.db").string();
  const std::string json_path = (dir_ / "run.json").string();
  const std::string samples_path = (dir_ / "samples.csv").string();
  const auto r = run(concat({"run", "--model", "cifarnet", "--backend", "null", "--db", db, "--json", json_path, "--samples",
                             samples_path, "--format", "json", "--threads", "1"},
                            quick()));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json record = json::parse(r.out);
  EXPECT_EQ(record["model"], "cifarnet");
  EXPECT_EQ(record["backend"], "null");
  EXPECT_EQ(record["status"], "ok");
  EXPECT_EQ(record["threads"], 1);
  EXPECT_TRUE(record["error"].is_null());
  EXPECT_TRUE(record["energy"].is_null());
  EXPECT_TRUE(record["temperature"].is_null());
  EXPECT_TRUE(record["profile"].is_null());
  for (const char* key : {"init_ms", "load_ms", "first_ms", "harness_overhead_ns", "peak_rss_bytes"}) {
    EXPECT_TRUE(record[key].is_number()) << key;
  }
  EXPECT_GE(record["runs"].get<int>(), 3);
  EXPECT_TRUE(record["model_info"]["params"].is_number());
  EXPECT_FALSE(record["env"]["host"].get<std::string>().empty());
  EXPECT_EQ(json::parse(read_file(json_path)), record);

  const std::string csv = read_file(samples_path);
  EXPECT_EQ(csv.rfind("iteration,ns\n", 0), 0u);
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), record["runs"].get<int>() + 1);

  const auto listed = run({"results", "--db", db, "--format", "json"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  const json runs = json::parse(listed.out);
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0]["model"], "cifarnet");
  EXPECT_EQ(runs[0]["latency_ms"], record["latency_ms"]);

  const auto csv_rows = run({"results", "--db", db});
  ASSERT_EQ(csv_rows.exit_code, 0) << csv_rows.err;
  EXPECT_EQ(std::count(csv_rows.out.begin(), csv_rows.out.end(), '\n'), 2) << csv_rows.out;
  EXPECT_TRUE(contains(csv_rows.out, "cifarnet,null")) << csv_rows.out;
}

TEST_F(RunCommand, ResultsWithoutADatabaseIsBadUsage) {
  const auto r = run({"results", "--db", (dir_ / "none.db").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, "none.db")) << r.err;
  EXPECT_FALSE(fs::exists(dir_ / "none.db"));
}

TEST_F(RunCommand, NativeBackendRunsCifarnet) {
  const auto r = run(concat({"run", "--model", "cifarnet", "--backend", "native", "--no-db", "--format", "json"}, quick()));
  const json record = json::parse(r.out);
  if (record["status"] == "not_built") GTEST_SKIP() << "the native backend was not built";
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_EQ(record["status"], "ok");
  EXPECT_GT(record["latency_ms"]["median"].get<double>(), 0);
  EXPECT_TRUE(contains(record["env"]["backend_version"].get<std::string>(), "oneDNN"));
}

TEST_F(RunCommand, ACrashedRunIsRecordedAndExitsOne) {
  const std::string db = (dir_ / "results.db").string();
  const auto r = run(concat({"run", "--model", "cifarnet", "--backend", "null", "--db", db, "--test-fault", "crash"}, quick()));
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_TRUE(contains(r.out, "cifarnet on null: crashed")) << r.out;
  EXPECT_TRUE(contains(r.out, "SIGSEGV")) << r.out;
  auto opened = store::ResultsDb::open(db);
  ASSERT_TRUE(opened.is_ok());
  const auto runs = opened->list_runs();
  ASSERT_TRUE(runs.is_ok());
  ASSERT_EQ(runs->size(), 1u);
  EXPECT_EQ((*runs)[0].record.status, bench::RunStatus::crashed);
  EXPECT_FALSE((*runs)[0].record.latency_ms);
}

TEST_F(RunCommand, SummaryNamesTheMode) {
  const auto r = run(concat({"run", "--model", "cifarnet", "--backend", "null", "--mode", "variant", "--no-db"}, quick()));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "cifarnet on null (variant): ok")) << r.out;
}

// In a child (--timeout) as in process: a malformed model file is bad input
// (exit 2, the parser's message), and nothing is stored.
TEST_F(RunCommand, AMalformedModelFileIsBadUsageIsolatedOrNot) {
  const fs::path bad = dir_ / "BAD.onnx";
  std::ofstream(bad) << "not an onnx file";
  const std::string db = (dir_ / "results.db").string();
  for (const std::vector<std::string>& isolation : {std::vector<std::string>{}, std::vector<std::string>{"--timeout", "30"}}) {
    const auto r = run(concat(concat({"run", "--onnx", bad.string(), "--backend", "null", "--db", db}, isolation), quick()));
    EXPECT_EQ(r.exit_code, 2) << r.err << r.out;
    EXPECT_TRUE(contains(r.err, "not an ONNX model")) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
  }
  auto opened = store::ResultsDb::open(db);
  ASSERT_TRUE(opened.is_ok());
  EXPECT_TRUE(opened->list_runs()->empty());
}

}  // namespace
}  // namespace eb::cli::testing
