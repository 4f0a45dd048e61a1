#include "store/schema.h"

#include <gtest/gtest.h>

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

// How a v2 is added: append a step. Data written at v1 survives the upgrade.
TEST_F(SchemaTest, UpgradesV1DatabaseToAV2KeepingData) {
  const auto path = dir_ / "s.db";
  {
    auto db = ResultsDb::open(path);
    ASSERT_TRUE(db.is_ok());
    ASSERT_TRUE(db->insert(sample_record(), std::vector<int64_t>{5, 6}).is_ok());
  }
  std::vector<Migration> steps(migrations().begin(), migrations().end());
  steps.push_back({2, "ALTER TABLE runs ADD COLUMN max_temp_c REAL; UPDATE runs SET max_temp_c = 61.5;"});
  {
    auto db = sqlite::Connection::open(path.string());
    ASSERT_TRUE(db.is_ok());
    ASSERT_TRUE(migrate(*db, steps).is_ok());
    EXPECT_EQ(*schema_version(*db), 2);
  }
  EXPECT_EQ(query_text(path, "SELECT model || ' ' || max_temp_c FROM runs"), "resnet18 61.5");
  EXPECT_EQ(query_text(path, "SELECT count(*) FROM samples"), "2");

  // This build only knows v1: it must refuse rather than misread.
  auto newer = ResultsDb::open(path);
  ASSERT_FALSE(newer.is_ok());
  EXPECT_EQ(newer.status().code(), ErrorCode::unsupported);
  EXPECT_NE(newer.status().message().find("version 2 is newer"), std::string::npos) << newer.status().message();
}

TEST_F(SchemaTest, FailedMigrationLeavesTheOldVersion) {
  const auto path = dir_ / "s.db";
  auto db = sqlite::Connection::open(path.string());
  ASSERT_TRUE(db.is_ok());
  ASSERT_TRUE(migrate(*db).is_ok());
  std::vector<Migration> steps(migrations().begin(), migrations().end());
  steps.push_back({2, "ALTER TABLE runs ADD COLUMN x REAL; THIS IS NOT SQL;"});
  const Status status = migrate(*db, steps);
  ASSERT_FALSE(status.is_ok());
  EXPECT_NE(status.message().find("schema migration to version 2"), std::string::npos) << status.message();
  EXPECT_EQ(*schema_version(*db), 1);
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
