#include "store/schema.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "store/results_db.h"
#include "test_util.h"

namespace eb::store {
namespace {

using testing::query_text;
using testing::sample_record;
using SchemaTest = testing::TempDirTest;

TEST_F(SchemaTest, FreshDatabaseMigratesFromZeroToLatest) {
  auto db = sqlite::Connection::open((dir_ / "s.db").string());
  ASSERT_TRUE(db.is_ok());
  EXPECT_EQ(*schema_version(*db), 0);
  ASSERT_TRUE(migrate(*db).is_ok());
  EXPECT_EQ(*schema_version(*db), latest_schema_version());
  // Idempotent: a second open does nothing.
  ASSERT_TRUE(migrate(*db).is_ok());
  EXPECT_EQ(*schema_version(*db), latest_schema_version());
  EXPECT_EQ(query_text(dir_ / "s.db", "SELECT count(*) FROM schema_version"), "1");
  for (const char* table : {"runs", "samples", "environments"}) {
    EXPECT_EQ(query_text(dir_ / "s.db", std::string("SELECT count(*) FROM sqlite_master WHERE name = '") + table + "'"),
              "1")
        << table;
  }
}

// A v1 database, as edgebench wrote it before runs had a mode: a variant
// was recorded as backend "id:mode", in the column and in record_json.
void write_v1_database(const std::filesystem::path& path) {
  auto db = sqlite::Connection::open(path.string());
  ASSERT_TRUE(db.is_ok());
  ASSERT_TRUE(migrate(*db, migrations().first(1)).is_ok());
  ASSERT_EQ(*schema_version(*db), 1);
  const std::string env = bench::to_json(sample_record().env).dump();
  ASSERT_TRUE(db->exec("INSERT INTO environments (id, json) VALUES (1, '" + env + "')").is_ok());
  int id = 0;
  for (const char* backend : {"native", "libtorch:script", "libtorch"}) {
    nlohmann::json record = bench::to_json(sample_record("resnet18", backend));
    record.erase("mode");  // v1 records had no such key
    record.erase("env");
    const std::string values = std::to_string(++id) + ", '2024-05-01T12:00:00.000Z', 'resnet18', '" + backend +
                               "', 'cpu', 'fp32', 4, 'h', 'ok', 3, 5, 1, 0, 1, '" + record.dump() + "'";
    ASSERT_TRUE(db->exec("INSERT INTO runs (id, timestamp, model, backend, device, precision, threads, options_hash, "
                         "status, warmup_runs, runs, stable, unstable, env_id, record_json) VALUES (" + values + ")")
                    .is_ok());
  }
  ASSERT_TRUE(db->exec("INSERT INTO samples (run_id, iteration, ns) VALUES (2, 0, 5), (2, 1, 6)").is_ok());
}

TEST_F(SchemaTest, V2SplitsTheBackendVariantOfAV1DatabaseIntoBackendAndMode) {
  const auto path = dir_ / "v1.db";
  ASSERT_NO_FATAL_FAILURE(write_v1_database(path));
  auto db = ResultsDb::open(path);  // migrates
  ASSERT_TRUE(db.is_ok()) << db.status().message();
  EXPECT_EQ(*db->schema_version(), 2);
  EXPECT_EQ(query_text(path, "SELECT group_concat(v, ' ') FROM (SELECT backend || '/' || ifnull(mode, 'NULL') AS v FROM runs ORDER BY id)"),
            "native/NULL libtorch/script libtorch/NULL");
  EXPECT_EQ(query_text(path, "SELECT json_extract(record_json, '$.backend') || '/' || json_extract(record_json, '$.mode') "
                             "FROM runs WHERE id = 2"),
            "libtorch/script");
  EXPECT_EQ(query_text(path, "SELECT group_concat(name, ',') FROM pragma_index_info('runs_by_key')"),
            "model,backend,mode,device,precision,threads,options_hash");
  EXPECT_EQ(query_text(path, "SELECT count(*) FROM samples WHERE run_id = 2"), "2");

  auto runs = db->list_runs();
  ASSERT_TRUE(runs.is_ok()) << runs.status().message();
  ASSERT_EQ(runs->size(), 3u);
  EXPECT_EQ((*runs)[1].record.backend, "libtorch");
  EXPECT_EQ((*runs)[1].record.mode, "script");
  EXPECT_EQ((*runs)[2].record.mode, "");
  // --resume tells the variants apart in a migrated database too.
  bench::RunRecord script = sample_record("resnet18", "libtorch");
  script.mode = "script";
  script.options = (*runs)[1].record.options;
  bench::RunKey key = bench::key_of(script);
  key.options_hash = "h";
  EXPECT_TRUE(*db->has_run(key));
  key.mode = "eager";
  EXPECT_FALSE(*db->has_run(key));
}

// How a later version is added: append a step. Data written before survives the upgrade.
TEST_F(SchemaTest, UpgradesToANextVersionKeepingData) {
  const auto path = dir_ / "s.db";
  {
    auto db = ResultsDb::open(path);
    ASSERT_TRUE(db.is_ok());
    ASSERT_TRUE(db->insert(sample_record(), std::vector<int64_t>{5, 6}).is_ok());
  }
  const int next = latest_schema_version() + 1;
  std::vector<Migration> steps(migrations().begin(), migrations().end());
  steps.push_back({next, "ALTER TABLE runs ADD COLUMN max_temp_c REAL; UPDATE runs SET max_temp_c = 61.5;"});
  {
    auto db = sqlite::Connection::open(path.string());
    ASSERT_TRUE(db.is_ok());
    ASSERT_TRUE(migrate(*db, steps).is_ok());
    EXPECT_EQ(*schema_version(*db), next);
  }
  EXPECT_EQ(query_text(path, "SELECT model || ' ' || max_temp_c FROM runs"), "resnet18 61.5");
  EXPECT_EQ(query_text(path, "SELECT count(*) FROM samples"), "2");

  // This build does not know that version: it must refuse rather than misread.
  auto newer = ResultsDb::open(path);
  ASSERT_FALSE(newer.is_ok());
  EXPECT_EQ(newer.status().code(), ErrorCode::unsupported);
  EXPECT_NE(newer.status().message().find("version " + std::to_string(next) + " is newer"), std::string::npos)
      << newer.status().message();
}

TEST_F(SchemaTest, FailedMigrationLeavesTheOldVersion) {
  const auto path = dir_ / "s.db";
  auto db = sqlite::Connection::open(path.string());
  ASSERT_TRUE(db.is_ok());
  ASSERT_TRUE(migrate(*db).is_ok());
  const int next = latest_schema_version() + 1;
  std::vector<Migration> steps(migrations().begin(), migrations().end());
  steps.push_back({next, "ALTER TABLE runs ADD COLUMN x REAL; THIS IS NOT SQL;"});
  const Status status = migrate(*db, steps);
  ASSERT_FALSE(status.is_ok());
  EXPECT_NE(status.message().find("schema migration to version " + std::to_string(next)), std::string::npos)
      << status.message();
  EXPECT_EQ(*schema_version(*db), latest_schema_version());
  // The half-applied step was rolled back with it.
  EXPECT_EQ(query_text(path, "SELECT count(*) FROM pragma_table_info('runs') WHERE name = 'x'"), "0");
}

TEST_F(SchemaTest, RejectsMisnumberedMigrations) {
  auto db = sqlite::Connection::open((dir_ / "s.db").string());
  ASSERT_TRUE(db.is_ok());
  const std::vector<Migration> steps = {{1, "CREATE TABLE a (x)"}, {3, "CREATE TABLE b (x)"}};
  const Status status = migrate(*db, steps);
  ASSERT_FALSE(status.is_ok());
  EXPECT_EQ(status.code(), ErrorCode::internal);
  EXPECT_EQ(*schema_version(*db), 0);
}

}  // namespace
}  // namespace eb::store
