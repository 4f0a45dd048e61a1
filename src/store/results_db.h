// The results database: one SQLite file holding every run of every sweep.
//
// Durability is the point: each run is committed in its own transaction the
// moment it is inserted, in WAL mode with synchronous=FULL, so a sweep that
// is killed (SIGKILL, OOM killer, power cut) loses only the run in flight.
// Other processes may read (report, results) while a sweep writes.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "bench/record.h"
#include "common/status.h"
#include "store/sqlite.h"

namespace eb::store {

struct RunFilter {  // nullopt: any
  std::optional<std::string> model = std::nullopt;
  std::optional<std::string> backend = std::nullopt;  // a registry id: every mode of it, unless `mode` says which
  std::optional<std::string> mode = std::nullopt;     // "": the backend's default mode only
};

struct StoredRun {
  int64_t id = 0;
  bench::RunRecord record;
};

class ResultsDb {
 public:
  // Opens or creates the database at `path`, creating missing parent
  // directories, and migrates it to the current schema. Errors name the path.
  static Result<ResultsDb> open(const std::filesystem::path& path);

  ResultsDb(ResultsDb&&) = default;
  ResultsDb& operator=(ResultsDb&&) = default;

  // Stores one run and its per-iteration samples (may be empty) atomically;
  // returns the new run's id.
  Result<int64_t> insert(const bench::RunRecord& record, std::span<const int64_t> samples_ns);

  // Runs in insertion order.
  Result<std::vector<StoredRun>> list_runs(const RunFilter& filter = {});
  Result<std::vector<int64_t>> samples(int64_t run_id);

  // For --resume: whether a run with this key was recorded, whatever its
  // status (a crash or a timeout is a result too; re-running it would only
  // repeat it).
  Result<bool> has_run(const bench::RunKey& key);

  // One header line, then one line per run (RFC 4180 quoting; an unmeasured
  // figure is an empty field). Columns: see csv_columns().
  Result<std::string> export_csv(const RunFilter& filter = {});
  // A JSON array of run records, each with its database "id" added.
  Result<std::string> export_json(const RunFilter& filter = {});

  Result<int> schema_version();
  const std::filesystem::path& path() const { return path_; }

 private:
  ResultsDb(std::filesystem::path path, sqlite::Connection db) : path_(std::move(path)), db_(std::move(db)) {}
  Result<int64_t> environment_id(const bench::Environment& env);
  Status insert_samples(int64_t run_id, std::span<const int64_t> samples_ns);

  std::filesystem::path path_;
  sqlite::Connection db_;
};

// Formatting for export, usable without a database (e.g. `run --format csv`).
const std::vector<std::string>& csv_columns();
std::string runs_to_csv(std::span<const StoredRun> runs);
std::string runs_to_json(std::span<const StoredRun> runs);

}  // namespace eb::store
