#include "store/sqlite.h"

#include <sqlite3.h>

#include <utility>

namespace eb::store::sqlite {

Statement::Statement(Statement&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)), stmt_(std::exchange(other.stmt_, nullptr)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    db_ = std::exchange(other.db_, nullptr);
    stmt_ = std::exchange(other.stmt_, nullptr);
  }
  return *this;
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

Status Statement::check(int rc, const char* what) const {
  if (rc == SQLITE_OK) return Status::ok();
  return io_error(std::string("sqlite ") + what + ": " + sqlite3_errmsg(db_) + " (in: " + sqlite3_sql(stmt_) + ")");
}

Status Statement::bind(int index, int64_t value) {
  return check(sqlite3_bind_int64(stmt_, index, value), "bind");
}
Status Statement::bind(int index, double value) { return check(sqlite3_bind_double(stmt_, index, value), "bind"); }
Status Statement::bind(int index, std::string_view value) {
  return check(sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT),
               "bind");
}
Status Statement::bind(int index, const std::optional<int64_t>& value) {
  return value ? bind(index, *value) : check(sqlite3_bind_null(stmt_, index), "bind");
}
Status Statement::bind(int index, const std::optional<double>& value) {
  return value ? bind(index, *value) : check(sqlite3_bind_null(stmt_, index), "bind");
}
Status Statement::bind(int index, const std::optional<std::string>& value) {
  return value ? bind(index, std::string_view(*value)) : check(sqlite3_bind_null(stmt_, index), "bind");
}

Result<bool> Statement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return check(rc, "step");
}

Status Statement::reset() {
  sqlite3_reset(stmt_);  // returns the last step's error, already reported
  return check(sqlite3_clear_bindings(stmt_), "reset");
}

bool Statement::is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
int64_t Statement::column_int64(int column) const { return sqlite3_column_int64(stmt_, column); }
double Statement::column_double(int column) const { return sqlite3_column_double(stmt_, column); }
std::string Statement::column_text(int column) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  return text ? std::string(text, static_cast<size_t>(sqlite3_column_bytes(stmt_, column))) : std::string();
}

Result<Connection> Connection::open(const std::string& path) {
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    return io_error("cannot open results database '" + path + "': " + message);
  }
  sqlite3_extended_result_codes(db, 1);
  return Connection(db);
}

Connection::Connection(Connection&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}

Connection& Connection::operator=(Connection&& other) noexcept {
  if (this != &other) {
    sqlite3_close(db_);
    db_ = std::exchange(other.db_, nullptr);
  }
  return *this;
}

Connection::~Connection() { sqlite3_close(db_); }

Status Connection::exec(const std::string& sql) {
  char* error = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error) == SQLITE_OK) return Status::ok();
  std::string message = error ? error : sqlite3_errmsg(db_);
  sqlite3_free(error);
  return io_error("sqlite: " + message);
}

Result<Statement> Connection::prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) {
    return io_error(std::string("sqlite prepare: ") + sqlite3_errmsg(db_) + " (in: " + std::string(sql) + ")");
  }
  return Statement(db_, stmt);
}

int64_t Connection::last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }

Result<Transaction> Transaction::begin(Connection& db) {
  EB_RETURN_IF_ERROR(db.exec("BEGIN IMMEDIATE"));
  return Transaction(&db);
}

Transaction::~Transaction() {
  if (db_) (void)db_->exec("ROLLBACK");
}

Status Transaction::commit() {
  if (!db_) return internal_error("transaction committed twice");
  Connection* db = std::exchange(db_, nullptr);
  Status status = db->exec("COMMIT");
  if (!status.is_ok()) (void)db->exec("ROLLBACK");
  return status;
}

}  // namespace eb::store::sqlite
