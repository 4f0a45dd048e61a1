// The results database schema and its forward migrations.
//
// The schema's version lives in a one-row table `schema_version`. Each
// migration moves the database from version - 1 to version and runs in the
// same transaction as the version bump, so a database is always at exactly
// one known version. Migrations only ever go forward; a database newer than
// this build is refused rather than misread.
#pragma once

#include <span>
#include <string>

#include "common/status.h"
#include "store/sqlite.h"

namespace eb::store {

struct Migration {
  int version;      // the version this migration produces: 1, 2, ...
  std::string sql;  // statements that take version - 1 to version
};

// The migrations of this build, in order. To change the schema, append one:
//   {3, "ALTER TABLE runs ADD COLUMN max_temp_c REAL;"}
// and never edit a migration that has shipped.
std::span<const Migration> migrations();
int latest_schema_version();

// Brings `db` to the last version of `steps` (which must be numbered 1..N
// in order). Fails without changes on a database newer than that.
Status migrate(sqlite::Connection& db, std::span<const Migration> steps = migrations());

// 0 for a database that has never been migrated.
Result<int> schema_version(sqlite::Connection& db);

}  // namespace eb::store
