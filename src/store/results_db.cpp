#include "store/results_db.h"

#include <algorithm>
#include <system_error>

#include "store/schema.h"

namespace eb::store {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// Binds parameters 1, 2, 3, ... in order and keeps the first error, so an
// INSERT with thirty columns reads as a list of values.
class Binder {
 public:
  explicit Binder(sqlite::Statement& stmt) : stmt_(stmt) {}
  template <typename T>
  Binder& operator()(const T& value) {
    if (status_.is_ok()) status_ = stmt_.bind(++index_, value);
    return *this;
  }
  Status status() const { return status_; }

 private:
  sqlite::Statement& stmt_;
  int index_ = 0;
  Status status_;
};

std::optional<double> field(const std::optional<bench::LatencyMs>& l, double bench::LatencyMs::*member) {
  return l ? std::optional<double>((*l).*member) : std::nullopt;
}

// The mode column: NULL for the backend's default.
std::optional<std::string> mode_column(const std::string& mode) {
  return mode.empty() ? std::nullopt : std::optional<std::string>(mode);
}

std::optional<double> energy_field(const std::optional<bench::Energy>& e,
                                   std::optional<double> bench::Energy::*member) {
  return e ? (*e).*member : std::nullopt;
}

constexpr const char* kInsertRun = R"sql(
INSERT INTO runs (timestamp, model, backend, mode, device, precision, threads, options_hash, status, error,
  init_ms, load_ms, first_ms, warmup_runs, runs, mean_ms, median_ms, p90_ms, p99_ms, min_ms, max_ms,
  stddev_ms, ci95_low_ms, ci95_high_ms, cv, stable, unstable, harness_overhead_ns, peak_rss_bytes,
  avg_power_w, mj_per_inference, net_mj_per_inference, env_id, record_json)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
)sql";

}  // namespace

Result<ResultsDb> ResultsDb::open(const fs::path& path) {
  const std::string where = "results database '" + path.string() + "'";
  if (path.has_parent_path()) {
    std::error_code ec;
    fs::create_directories(path.parent_path(), ec);
    if (ec) {
      return io_error("cannot create directory '" + path.parent_path().string() + "' for " + where + ": " +
                      ec.message());
    }
  }
  std::error_code ec;
  if (fs::is_directory(path, ec)) return io_error("cannot open " + where + ": it is a directory");
  EB_ASSIGN_OR_RETURN(auto db, sqlite::Connection::open(path.string()));
  // SQLite opens lazily: an unwritable location shows up at the first
  // statement, so every step names the file.
  auto setup = [&]() -> Status {
    EB_RETURN_IF_ERROR(db.exec("PRAGMA busy_timeout = 10000"));  // a reader or another writer: wait
    EB_RETURN_IF_ERROR(db.exec("PRAGMA journal_mode = WAL"));    // readers never block the sweep
    EB_RETURN_IF_ERROR(db.exec("PRAGMA synchronous = FULL"));    // a commit survives power loss
    EB_RETURN_IF_ERROR(db.exec("PRAGMA foreign_keys = ON"));
    return migrate(db);
  };
  EB_RETURN_IF_ERROR(setup().with_context(where));
  return ResultsDb(path, std::move(db));
}

Result<int64_t> ResultsDb::environment_id(const bench::Environment& env) {
  const std::string text = bench::to_json(env).dump();  // keys sorted: canonical
  EB_ASSIGN_OR_RETURN(auto insert, db_.prepare("INSERT OR IGNORE INTO environments (json) VALUES (?)"));
  EB_RETURN_IF_ERROR(insert.bind(1, std::string_view(text)));
  EB_RETURN_IF_ERROR(insert.step().status());
  EB_ASSIGN_OR_RETURN(auto select, db_.prepare("SELECT id FROM environments WHERE json = ?"));
  EB_RETURN_IF_ERROR(select.bind(1, std::string_view(text)));
  EB_ASSIGN_OR_RETURN(bool found, select.step());
  if (!found) return internal_error("environment row vanished after insert");
  return select.column_int64(0);
}

namespace {

// Rows go in batches of kSampleBatch per statement: binding and stepping one row
// at a time costs ~3 us a row, which for a million-sample run is seconds.
constexpr size_t kSampleBatch = 256;

std::string sample_insert_sql(size_t rows) {
  // ?1 is the run id, shared by every row; then (iteration, ns) pairs.
  std::string sql = "INSERT INTO samples (run_id, iteration, ns) VALUES ";
  for (size_t i = 0; i < rows; ++i) {
    if (i) sql += ',';
    sql += "(?1,?" + std::to_string(2 + 2 * i) + ",?" + std::to_string(3 + 2 * i) + ")";
  }
  return sql;
}

}  // namespace

Status ResultsDb::insert_samples(int64_t run_id, std::span<const int64_t> samples_ns) {
  std::optional<sqlite::Statement> full_batch;
  for (size_t start = 0; start < samples_ns.size(); start += kSampleBatch) {
    const size_t rows = std::min(kSampleBatch, samples_ns.size() - start);
    sqlite::Statement tail;
    if (rows == kSampleBatch && !full_batch) {
      EB_ASSIGN_OR_RETURN(full_batch, db_.prepare(sample_insert_sql(kSampleBatch)));
    } else if (rows < kSampleBatch) {
      EB_ASSIGN_OR_RETURN(tail, db_.prepare(sample_insert_sql(rows)));
    }
    sqlite::Statement& stmt = rows == kSampleBatch ? *full_batch : tail;
    EB_RETURN_IF_ERROR(stmt.bind(1, run_id));
    for (size_t i = 0; i < rows; ++i) {
      EB_RETURN_IF_ERROR(stmt.bind(static_cast<int>(2 + 2 * i), static_cast<int64_t>(start + i)));
      EB_RETURN_IF_ERROR(stmt.bind(static_cast<int>(3 + 2 * i), samples_ns[start + i]));
    }
    EB_RETURN_IF_ERROR(stmt.step().status());
    EB_RETURN_IF_ERROR(stmt.reset());
  }
  return Status::ok();
}

Result<int64_t> ResultsDb::insert(const bench::RunRecord& r, std::span<const int64_t> samples_ns) {
  auto store = [&]() -> Result<int64_t> {
    EB_ASSIGN_OR_RETURN(auto txn, sqlite::Transaction::begin(db_));
    EB_ASSIGN_OR_RETURN(int64_t env_id, environment_id(r.env));
    json record = bench::to_json(r);
    record.erase("env");  // stored once in `environments`
    const auto& l = r.latency_ms;
    using L = bench::LatencyMs;
    using E = bench::Energy;
    EB_ASSIGN_OR_RETURN(auto stmt, db_.prepare(kInsertRun));
    Binder bind(stmt);
    bind(std::string_view(r.timestamp))(std::string_view(r.model))(std::string_view(r.backend))(mode_column(r.mode))(
        std::string_view(r.device))(std::string_view(r.precision))(static_cast<int64_t>(r.threads))(
        std::string_view(bench::options_hash(r.options)))(std::string_view(bench::to_string(r.status)))(r.error)(
        r.init_ms)(r.load_ms)(r.first_ms)(r.warmup_runs)(r.runs)(field(l, &L::mean))(field(l, &L::median))(
        field(l, &L::p90))(field(l, &L::p99))(field(l, &L::min))(field(l, &L::max))(
        l ? l->stddev : std::nullopt)(l ? l->ci95_low : std::nullopt)(l ? l->ci95_high : std::nullopt)(r.cv)(
        static_cast<int64_t>(r.stable))(static_cast<int64_t>(r.unstable))(r.harness_overhead_ns)(
        r.peak_rss_bytes)(energy_field(r.energy, &E::avg_power_w))(energy_field(r.energy, &E::mj_per_inference))(
        energy_field(r.energy, &E::net_mj_per_inference))(env_id)(std::string_view(record.dump()));
    EB_RETURN_IF_ERROR(bind.status());
    EB_RETURN_IF_ERROR(stmt.step().status());
    const int64_t run_id = db_.last_insert_rowid();
    EB_RETURN_IF_ERROR(insert_samples(run_id, samples_ns));
    EB_RETURN_IF_ERROR(txn.commit());
    return run_id;
  };
  auto id = store();
  if (!id.is_ok()) {
    return id.status().with_context("results database '" + path_.string() + "': storing run " + r.model + "/" +
                                    bench::variant_spec(r.backend, r.mode));
  }
  return id;
}

Result<std::vector<StoredRun>> ResultsDb::list_runs(const RunFilter& filter) {
  const std::string where = "results database '" + path_.string() + "'";
  auto query = db_.prepare(
      "SELECT r.id, r.record_json, e.json FROM runs r JOIN environments e ON e.id = r.env_id "
      "WHERE (?1 IS NULL OR r.model = ?1) AND (?2 IS NULL OR r.backend = ?2) "
      "AND (?3 IS NULL OR r.mode IS NULLIF(?3, '')) ORDER BY r.id");
  if (!query.is_ok()) return query.status().with_context(where);
  EB_RETURN_IF_ERROR(query->bind(1, filter.model).with_context(where));
  EB_RETURN_IF_ERROR(query->bind(2, filter.backend).with_context(where));
  EB_RETURN_IF_ERROR(query->bind(3, filter.mode).with_context(where));
  std::vector<StoredRun> runs;
  for (;;) {
    auto row = query->step();
    if (!row.is_ok()) return row.status().with_context(where);
    if (!*row) break;
    const int64_t id = query->column_int64(0);
    const std::string context = where + ", run " + std::to_string(id);
    json record = json::parse(query->column_text(1), nullptr, /*allow_exceptions=*/false);
    json env = json::parse(query->column_text(2), nullptr, /*allow_exceptions=*/false);
    if (record.is_discarded() || env.is_discarded()) return io_error(context + ": stored JSON is corrupt");
    record["env"] = std::move(env);
    auto parsed = bench::record_from_json(record);
    if (!parsed.is_ok()) return parsed.status().with_context(context);
    runs.push_back({id, std::move(parsed).value()});
  }
  return runs;
}

Result<std::vector<int64_t>> ResultsDb::samples(int64_t run_id) {
  EB_ASSIGN_OR_RETURN(auto query, db_.prepare("SELECT ns FROM samples WHERE run_id = ? ORDER BY iteration"));
  EB_RETURN_IF_ERROR(query.bind(1, run_id));
  std::vector<int64_t> out;
  for (;;) {
    EB_ASSIGN_OR_RETURN(bool row, query.step());
    if (!row) break;
    out.push_back(query.column_int64(0));
  }
  return out;
}

Result<bool> ResultsDb::has_run(const bench::RunKey& key) {
  EB_ASSIGN_OR_RETURN(auto query, db_.prepare("SELECT 1 FROM runs WHERE model = ? AND backend = ? AND mode IS ? "
                                              "AND device = ? AND precision = ? AND threads = ? AND options_hash = ? "
                                              "LIMIT 1"));
  Binder bind(query);
  bind(std::string_view(key.model))(std::string_view(key.backend))(mode_column(key.mode))(std::string_view(key.device))(
      std::string_view(key.precision))(static_cast<int64_t>(key.threads))(std::string_view(key.options_hash));
  EB_RETURN_IF_ERROR(bind.status());
  return query.step();
}

Result<std::string> ResultsDb::export_csv(const RunFilter& filter) {
  EB_ASSIGN_OR_RETURN(auto runs, list_runs(filter));
  return runs_to_csv(runs);
}

Result<std::string> ResultsDb::export_json(const RunFilter& filter) {
  EB_ASSIGN_OR_RETURN(auto runs, list_runs(filter));
  return runs_to_json(runs);
}

Result<int> ResultsDb::schema_version() { return store::schema_version(db_); }

}  // namespace eb::store
