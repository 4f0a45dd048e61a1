// A thin RAII layer over the SQLite C API that turns result codes into
// eb::Status. Only what the results store needs; not a general wrapper.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace eb::store::sqlite {

class Statement {
 public:
  Statement() = default;
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  // Parameters are 1-based, as in SQL. nullopt binds NULL.
  Status bind(int index, int64_t value);
  Status bind(int index, double value);
  Status bind(int index, std::string_view value);
  Status bind(int index, const std::optional<int64_t>& value);
  Status bind(int index, const std::optional<double>& value);
  Status bind(int index, const std::optional<std::string>& value);

  // true: a row is available; false: done.
  Result<bool> step();
  // Ready to run again with new bindings.
  Status reset();

  bool is_null(int column) const;
  int64_t column_int64(int column) const;
  double column_double(int column) const;
  std::string column_text(int column) const;

 private:
  friend class Connection;
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Status check(int rc, const char* what) const;
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

class Connection {
 public:
  // Opens (creating) a database file. `path` is only used for messages.
  static Result<Connection> open(const std::string& path);
  Connection(Connection&& other) noexcept;
  Connection& operator=(Connection&& other) noexcept;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  // Runs one or more statements that return no rows.
  Status exec(const std::string& sql);
  Result<Statement> prepare(std::string_view sql);
  int64_t last_insert_rowid() const;

 private:
  explicit Connection(sqlite3* db) : db_(db) {}
  sqlite3* db_ = nullptr;
};

// BEGIN IMMEDIATE ... COMMIT; rolls back when destroyed uncommitted, so an
// early error return leaves the database as it was. IMMEDIATE takes the
// write lock up front: a second writer waits (busy timeout) instead of
// failing half-way through.
class Transaction {
 public:
  static Result<Transaction> begin(Connection& db);
  Transaction(Transaction&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  ~Transaction();
  Status commit();

 private:
  explicit Transaction(Connection* db) : db_(db) {}
  Connection* db_;
};

}  // namespace eb::store::sqlite
