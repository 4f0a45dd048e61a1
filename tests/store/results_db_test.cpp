#include "store/results_db.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "store/schema.h"
#include "test_util.h"

namespace eb::store {
namespace {

using testing::query_text;
using testing::sample_record;
using ResultsDbTest = testing::TempDirTest;

TEST_F(ResultsDbTest, OpenCreatesParentDirectoriesSchemaAndWal) {
  const auto path = dir_ / "a" / "b" / "results.db";
  auto db = ResultsDb::open(path);
  ASSERT_TRUE(db.is_ok()) << db.status().message();
  EXPECT_TRUE(std::filesystem::exists(path));
  EXPECT_EQ(*db->schema_version(), latest_schema_version());
  EXPECT_EQ(query_text(path, "PRAGMA journal_mode"), "wal");
  EXPECT_EQ(query_text(path, "SELECT version FROM schema_version"), std::to_string(latest_schema_version()));
}

TEST_F(ResultsDbTest, RoundTripsRecordAndSamples) {
  auto db = ResultsDb::open(dir_ / "r.db");
  ASSERT_TRUE(db.is_ok());
  const bench::RunRecord record = sample_record();
  const std::vector<int64_t> samples = {10'250'000, 9'750'000, 12'000'000, 10'000'000, 11'000'000};
  auto id = db->insert(record, samples);
  ASSERT_TRUE(id.is_ok()) << id.status().message();

  auto runs = db->list_runs();
  ASSERT_TRUE(runs.is_ok()) << runs.status().message();
  ASSERT_EQ(runs->size(), 1u);
  EXPECT_EQ((*runs)[0].id, *id);
  EXPECT_EQ((*runs)[0].record, record);
  EXPECT_EQ(*db->samples(*id), samples);
  // Key figures are queryable columns.
  EXPECT_EQ(query_text(dir_ / "r.db", "SELECT median_ms FROM runs"), "10.25");
  EXPECT_EQ(query_text(dir_ / "r.db", "SELECT status || ' ' || threads FROM runs"), "ok 4");
}

TEST_F(ResultsDbTest, UnmeasuredFiguresAreStoredAsNull) {
  auto db = ResultsDb::open(dir_ / "r.db");
  ASSERT_TRUE(db.is_ok());
  bench::RunRecord failed;
  failed.model = "vgg16";
  failed.backend = "darknet";
  failed.status = bench::RunStatus::crashed;
  failed.error = "SIGSEGV";
  failed.timestamp = "2024-05-01T12:00:00.000Z";
  ASSERT_TRUE(db->insert(failed, {}).is_ok());
  EXPECT_EQ(query_text(dir_ / "r.db", "SELECT median_ms IS NULL AND init_ms IS NULL AND cv IS NULL FROM runs"),
            "1");
  auto runs = db->list_runs();
  ASSERT_TRUE(runs.is_ok());
  EXPECT_EQ((*runs)[0].record, failed);
  EXPECT_TRUE(db->samples((*runs)[0].id)->empty());
}

TEST_F(ResultsDbTest, FiltersByModelAndBackend) {
  auto db = ResultsDb::open(dir_ / "r.db");
  ASSERT_TRUE(db.is_ok());
  ASSERT_TRUE(db->insert(sample_record("resnet18", "native"), {}).is_ok());
  ASSERT_TRUE(db->insert(sample_record("resnet18", "opencv"), {}).is_ok());
  ASSERT_TRUE(db->insert(sample_record("vgg16", "native"), {}).is_ok());
  EXPECT_EQ(db->list_runs()->size(), 3u);
  EXPECT_EQ(db->list_runs({.model = "resnet18"})->size(), 2u);
  EXPECT_EQ(db->list_runs({.backend = "native"})->size(), 2u);
  auto one = db->list_runs({.model = "resnet18", .backend = "opencv"});
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ((*one)[0].record.backend, "opencv");
  EXPECT_TRUE(db->list_runs({.model = "alexnet"})->empty());
}

bench::RunRecord with_mode(bench::RunRecord r, const std::string& mode) {
  r.mode = mode;
  return r;
}

TEST_F(ResultsDbTest, ModeIsAColumnNullForTheDefault) {
  const auto path = dir_ / "r.db";
  auto db = ResultsDb::open(path);
  ASSERT_TRUE(db.is_ok());
  const bench::RunRecord script = with_mode(sample_record("resnet18", "libtorch"), "script");
  ASSERT_TRUE(db->insert(sample_record("resnet18", "libtorch"), {}).is_ok());
  ASSERT_TRUE(db->insert(script, {}).is_ok());
  EXPECT_EQ(query_text(path, "SELECT group_concat(v, ' ') FROM (SELECT backend || ':' || ifnull(mode, 'NULL') AS v FROM runs ORDER BY id)"),
            "libtorch:NULL libtorch:script");
  auto runs = db->list_runs();
  ASSERT_EQ(runs->size(), 2u);
  EXPECT_EQ((*runs)[0].record.mode, "");
  EXPECT_EQ((*runs)[1].record, script);

  // A backend alone is every mode of it; "" is its default mode only.
  EXPECT_EQ(db->list_runs({.backend = "libtorch"})->size(), 2u);
  auto only_script = db->list_runs({.backend = "libtorch", .mode = "script"});
  ASSERT_EQ(only_script->size(), 1u);
  EXPECT_EQ((*only_script)[0].record.mode, "script");
  auto only_default = db->list_runs({.backend = "libtorch", .mode = ""});
  ASSERT_EQ(only_default->size(), 1u);
  EXPECT_EQ((*only_default)[0].record.mode, "");
  EXPECT_TRUE(db->list_runs({.mode = "eager"})->empty());
}

TEST_F(ResultsDbTest, EnvironmentsAreDeduplicated) {
  auto db = ResultsDb::open(dir_ / "r.db");
  ASSERT_TRUE(db.is_ok());
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(db->insert(sample_record(), {}).is_ok());
  EXPECT_EQ(query_text(dir_ / "r.db", "SELECT count(*) FROM environments"), "1");
  bench::RunRecord other = sample_record();
  other.env.governor = "performance";
  ASSERT_TRUE(db->insert(other, {}).is_ok());
  EXPECT_EQ(query_text(dir_ / "r.db", "SELECT count(*) FROM environments"), "2");
  EXPECT_EQ(db->list_runs()->back().record.env.governor, "performance");
}

TEST_F(ResultsDbTest, HasRunMatchesTheResumeKey) {
  auto db = ResultsDb::open(dir_ / "r.db");
  ASSERT_TRUE(db.is_ok());
  const bench::RunRecord record = sample_record();
  EXPECT_FALSE(*db->has_run(bench::key_of(record)));
  ASSERT_TRUE(db->insert(record, {}).is_ok());
  EXPECT_TRUE(*db->has_run(bench::key_of(record)));

  bench::RunRecord other_threads = record;
  other_threads.threads = 1;
  EXPECT_FALSE(*db->has_run(bench::key_of(other_threads)));
  bench::RunRecord other_options = record;
  other_options.options.target_ci_pct = 2.0;
  EXPECT_FALSE(*db->has_run(bench::key_of(other_options)));

  // A variant is a run of its own, and the default mode is one too.
  const bench::RunRecord variant = with_mode(record, "unfused");
  EXPECT_FALSE(*db->has_run(bench::key_of(variant)));
  ASSERT_TRUE(db->insert(variant, {}).is_ok());
  EXPECT_TRUE(*db->has_run(bench::key_of(variant)));
  EXPECT_FALSE(*db->has_run(bench::key_of(with_mode(record, "plain"))));
}

TEST_F(ResultsDbTest, ReopeningKeepsRunsAndContinuesIds) {
  const auto path = dir_ / "r.db";
  int64_t first = 0;
  {
    auto db = ResultsDb::open(path);
    ASSERT_TRUE(db.is_ok());
    first = *db->insert(sample_record(), std::vector<int64_t>{1, 2, 3});
  }
  auto db = ResultsDb::open(path);
  ASSERT_TRUE(db.is_ok()) << db.status().message();
  EXPECT_EQ(*db->schema_version(), latest_schema_version());
  ASSERT_EQ(db->list_runs()->size(), 1u);
  EXPECT_EQ(*db->samples(first), (std::vector<int64_t>{1, 2, 3}));
  auto second = db->insert(sample_record("vgg16"), {});
  ASSERT_TRUE(second.is_ok());
  EXPECT_GT(*second, first);
  EXPECT_EQ(db->list_runs()->size(), 2u);
}

TEST_F(ResultsDbTest, OpensAnEmptyExistingFile) {
  const auto path = dir_ / "empty.db";
  std::ofstream(path).close();  // e.g. created by `touch`
  auto db = ResultsDb::open(path);
  ASSERT_TRUE(db.is_ok()) << db.status().message();
  EXPECT_EQ(*db->schema_version(), latest_schema_version());
  EXPECT_TRUE(db->insert(sample_record(), {}).is_ok());
}

TEST_F(ResultsDbTest, UnwritablePathIsAClearError) {
  // A regular file where a directory is needed: fails for root too.
  std::ofstream(dir_ / "file").close();
  const auto path = dir_ / "file" / "sub" / "results.db";
  auto db = ResultsDb::open(path);
  ASSERT_FALSE(db.is_ok());
  EXPECT_EQ(db.status().code(), ErrorCode::io_error);
  EXPECT_NE(db.status().message().find(path.string()), std::string::npos) << db.status().message();

  // The path itself is a directory.
  auto dir = ResultsDb::open(dir_);
  ASSERT_FALSE(dir.is_ok());
  EXPECT_NE(dir.status().message().find(dir_.string()), std::string::npos) << dir.status().message();

  // Not a database at all.
  std::ofstream(dir_ / "notes.txt") << "these are not the results you are looking for, " << std::string(600, 'x');
  auto text = ResultsDb::open(dir_ / "notes.txt");
  ASSERT_FALSE(text.is_ok());
  EXPECT_NE(text.status().message().find("notes.txt"), std::string::npos) << text.status().message();
}

std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
  // Enough of RFC 4180 for the test: quoted fields with doubled quotes.
  std::vector<std::vector<std::string>> rows(1, std::vector<std::string>(1));
  bool in_quotes = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_quotes) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') rows.back().back() += '"', ++i;
      else if (c == '"') in_quotes = false;
      else rows.back().back() += c;
    } else if (c == '"') {
      in_quotes = true;
    } else if (c == ',') {
      rows.back().emplace_back();
    } else if (c == '\n') {
      rows.emplace_back(1);
    } else {
      rows.back().back() += c;
    }
  }
  if (rows.back().size() == 1 && rows.back()[0].empty()) rows.pop_back();
  return rows;
}

TEST_F(ResultsDbTest, ExportsCsv) {
  auto db = ResultsDb::open(dir_ / "r.db");
  ASSERT_TRUE(db.is_ok());
  ASSERT_TRUE(db->insert(sample_record(), {}).is_ok());
  bench::RunRecord failed;
  failed.model = "c3d";
  failed.backend = "libtorch";
  failed.mode = "script";
  failed.status = bench::RunStatus::failed;
  failed.error = "layer \"conv3d\", unsupported\nsecond line";
  ASSERT_TRUE(db->insert(failed, {}).is_ok());

  auto csv = db->export_csv();
  ASSERT_TRUE(csv.is_ok());
  const auto rows = parse_csv(*csv);
  ASSERT_EQ(rows.size(), 3u) << *csv;
  EXPECT_EQ(rows[0], csv_columns());
  auto col = [&](const std::string& name) {
    return static_cast<size_t>(std::find(rows[0].begin(), rows[0].end(), name) - rows[0].begin());
  };
  for (const auto& row : rows) ASSERT_EQ(row.size(), rows[0].size());
  EXPECT_EQ(rows[1][col("model")], "resnet18");
  EXPECT_EQ(col("mode"), col("backend") + 1);
  EXPECT_EQ(rows[1][col("mode")], "");  // the default mode
  EXPECT_EQ(rows[2][col("backend")], "libtorch");
  EXPECT_EQ(rows[2][col("mode")], "script");
  EXPECT_EQ(rows[1][col("median_ms")], "10.25");
  EXPECT_EQ(rows[1][col("ci95_low_ms")], "");  // unmeasured: empty, not 0
  EXPECT_EQ(rows[1][col("stable")], "true");
  EXPECT_EQ(rows[2][col("status")], "failed");
  EXPECT_EQ(rows[2][col("error")], failed.error);
  EXPECT_EQ(rows[2][col("median_ms")], "");

  auto filtered = db->export_csv({.model = "c3d"});
  EXPECT_EQ(parse_csv(*filtered).size(), 2u);
}

TEST_F(ResultsDbTest, ExportsJson) {
  auto db = ResultsDb::open(dir_ / "r.db");
  ASSERT_TRUE(db.is_ok());
  const int64_t a = *db->insert(sample_record("resnet18"), {});
  const int64_t b = *db->insert(with_mode(sample_record("vgg16"), "plain"), {});
  auto text = db->export_json();
  ASSERT_TRUE(text.is_ok());
  const auto j = nlohmann::json::parse(*text);
  ASSERT_TRUE(j.is_array());
  ASSERT_EQ(j.size(), 2u);
  EXPECT_EQ(j[0]["id"], a);
  EXPECT_EQ(j[1]["id"], b);
  EXPECT_EQ(j[1]["model"], "vgg16");
  EXPECT_EQ(j[1]["mode"], "plain");
  EXPECT_TRUE(j[0]["mode"].is_null());
  EXPECT_EQ(j[0]["latency_ms"]["median"], 10.25);
  EXPECT_TRUE(j[0]["latency_ms"]["ci95_low"].is_null());
  EXPECT_EQ(j[0]["env"]["host"], "bench-host");
  auto back = bench::record_from_json(j[0]);
  ASSERT_TRUE(back.is_ok());
  EXPECT_EQ(*back, sample_record("resnet18"));
  EXPECT_EQ(nlohmann::json::parse(*db->export_json({.model = "alexnet"})).size(), 0u);
}

}  // namespace
}  // namespace eb::store
