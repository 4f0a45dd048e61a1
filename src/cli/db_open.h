// Opening the results database for commands that only read it (results,
// report). Header-only: one small function shared by two subcommands.
#pragma once

#include <filesystem>
#include <string>
#include <system_error>

#include "common/status.h"
#include "store/results_db.h"

namespace eb::cli {

// The database at `path`, which must exist: opening creates one, and reading
// a database that is not there is a mistake, not an empty result. Every
// error is bad usage (invalid_argument, exit 2) naming --db.
inline Result<store::ResultsDb> open_existing_db(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return invalid_argument("no results database at '" + path + "' (see --db)");
  }
  auto db = store::ResultsDb::open(path);
  if (!db.is_ok()) return invalid_argument("--db: " + db.status().message());
  return db;
}

}  // namespace eb::cli
