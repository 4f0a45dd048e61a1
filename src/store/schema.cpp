#include "store/schema.h"

#include <vector>

namespace eb::store {
namespace {

// v1. `runs` keeps the figures people filter and sort on as columns and the
// whole record as JSON (minus `env`, which is deduplicated into
// `environments`: a sweep repeats the same environment for every run).
constexpr const char* kV1 = R"sql(
CREATE TABLE environments (
  id   INTEGER PRIMARY KEY,
  json TEXT NOT NULL UNIQUE
);
CREATE TABLE runs (
  id                   INTEGER PRIMARY KEY,
  timestamp            TEXT NOT NULL,
  model                TEXT NOT NULL,
  backend              TEXT NOT NULL,
  device               TEXT NOT NULL,
  precision            TEXT NOT NULL,
  threads              INTEGER NOT NULL,
  options_hash         TEXT NOT NULL,
  status               TEXT NOT NULL,
  error                TEXT,
  init_ms              REAL,
  load_ms              REAL,
  first_ms             REAL,
  warmup_runs          INTEGER NOT NULL,
  runs                 INTEGER NOT NULL,
  mean_ms              REAL,
  median_ms            REAL,
  p90_ms               REAL,
  p99_ms               REAL,
  min_ms               REAL,
  max_ms               REAL,
  stddev_ms            REAL,
  ci95_low_ms          REAL,
  ci95_high_ms         REAL,
  cv                   REAL,
  stable               INTEGER NOT NULL,
  unstable             INTEGER NOT NULL,
  harness_overhead_ns  INTEGER,
  peak_rss_bytes       INTEGER,
  avg_power_w          REAL,
  mj_per_inference     REAL,
  net_mj_per_inference REAL,
  env_id               INTEGER NOT NULL REFERENCES environments(id),
  record_json          TEXT NOT NULL
);
CREATE INDEX runs_by_key ON runs (model, backend, device, precision, threads, options_hash);
CREATE TABLE samples (
  run_id    INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  iteration INTEGER NOT NULL,
  ns        INTEGER NOT NULL,
  PRIMARY KEY (run_id, iteration)
) WITHOUT ROWID;
)sql";

// v2. A backend variant (--mode) gets a column of its own: NULL is the
// backend's default. v1 wrote a variant as backend "id:mode" (in the column
// and in record_json): split both. The key index takes the mode in.
constexpr const char* kV2 = R"sql(
ALTER TABLE runs ADD COLUMN mode TEXT;
UPDATE runs SET
  backend = substr(backend, 1, instr(backend, ':') - 1),
  mode = NULLIF(substr(backend, instr(backend, ':') + 1), ''),
  record_json = json_set(record_json, '$.backend', substr(backend, 1, instr(backend, ':') - 1),
                         '$.mode', NULLIF(substr(backend, instr(backend, ':') + 1), ''))
WHERE instr(backend, ':') > 0;
DROP INDEX runs_by_key;
CREATE INDEX runs_by_key ON runs (model, backend, mode, device, precision, threads, options_hash);
)sql";

const std::vector<Migration>& all_migrations() {
  static const std::vector<Migration> kMigrations = {
      {1, kV1},
      {2, kV2},
  };
  return kMigrations;
}

}  // namespace

std::span<const Migration> migrations() { return all_migrations(); }
int latest_schema_version() { return all_migrations().back().version; }

Result<int> schema_version(sqlite::Connection& db) {
  EB_ASSIGN_OR_RETURN(auto exists, db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"));
  EB_ASSIGN_OR_RETURN(bool has_table, exists.step());
  if (!has_table) return 0;
  EB_ASSIGN_OR_RETURN(auto query, db.prepare("SELECT version FROM schema_version"));
  EB_ASSIGN_OR_RETURN(bool has_row, query.step());
  return has_row ? static_cast<int>(query.column_int64(0)) : 0;
}

Status migrate(sqlite::Connection& db, std::span<const Migration> steps) {
  for (size_t i = 0; i < steps.size(); ++i) {
    if (steps[i].version != static_cast<int>(i) + 1) {
      return internal_error("schema migrations must be numbered 1..N in order; found version " +
                            std::to_string(steps[i].version) + " at position " + std::to_string(i + 1));
    }
  }
  const int latest = static_cast<int>(steps.size());
  // One write transaction for the check and all steps: two processes opening
  // a new database at once cannot both apply v1.
  EB_ASSIGN_OR_RETURN(auto txn, sqlite::Transaction::begin(db));
  EB_RETURN_IF_ERROR(db.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)"));
  EB_ASSIGN_OR_RETURN(int current, schema_version(db));
  if (current > latest) {
    return unsupported("results database schema version " + std::to_string(current) +
                       " is newer than this edgebench supports (" + std::to_string(latest) + ")");
  }
  if (current == latest) return Status::ok();  // rollback of a no-op
  for (int v = current + 1; v <= latest; ++v) {
    EB_RETURN_IF_ERROR(db.exec(steps[static_cast<size_t>(v - 1)].sql)
                           .with_context("schema migration to version " + std::to_string(v)));
  }
  EB_RETURN_IF_ERROR(db.exec("DELETE FROM schema_version; INSERT INTO schema_version (version) VALUES (" +
                             std::to_string(latest) + ")"));
  return txn.commit();
}

}  // namespace eb::store
