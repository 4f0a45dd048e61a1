// Errors as values at library boundaries.
//
// Library code never calls exit() or lets an exception escape a public API:
// it returns a Status (or a Result<T>) whose message names what is wrong
// (model, node, tensor, file, flag). The CLI maps codes to exit codes.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace eb {

enum class ErrorCode {
  ok = 0,
  invalid_argument,  // bad user input: unknown id, malformed file, bad flag (exit 2)
  not_found,         // a file or entity that does not exist (exit 2)
  unsupported,       // valid input that this component cannot handle
  io_error,          // reading/writing failed
  out_of_memory,
  internal,          // a bug in edgebench
};

const char* to_string(ErrorCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status ok() { return {}; }

  bool is_ok() const { return code_ == ErrorCode::ok; }
  explicit operator bool() const { return is_ok(); }
  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // Prefixes context, e.g. "node conv1: " + message.
  Status with_context(const std::string& context) const {
    if (is_ok()) return *this;
    return Status(code_, context + ": " + message_);
  }

 private:
  ErrorCode code_ = ErrorCode::ok;
  std::string message_;
};

inline Status invalid_argument(std::string m) { return {ErrorCode::invalid_argument, std::move(m)}; }
inline Status not_found(std::string m) { return {ErrorCode::not_found, std::move(m)}; }
inline Status unsupported(std::string m) { return {ErrorCode::unsupported, std::move(m)}; }
inline Status io_error(std::string m) { return {ErrorCode::io_error, std::move(m)}; }
inline Status internal_error(std::string m) { return {ErrorCode::internal, std::move(m)}; }

// A value or the Status explaining why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}          // NOLINT: implicit by design
  Result(Status status) : state_(std::move(status)) {    // NOLINT: implicit by design
    assert(!std::get<Status>(state_).is_ok() && "Result built from an ok Status");
  }

  bool is_ok() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return is_ok(); }

  const Status& status() const {
    static const Status ok_status;
    return is_ok() ? ok_status : std::get<Status>(state_);
  }
  T& value() & { return std::get<T>(state_); }
  const T& value() const& { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> state_;
};

}  // namespace eb

// Early-return helpers for code that propagates errors.
#define EB_RETURN_IF_ERROR(expr)                \
  do {                                          \
    ::eb::Status eb_status_ = (expr);           \
    if (!eb_status_.is_ok()) return eb_status_; \
  } while (0)

#define EB_CONCAT_INNER(a, b) a##b
#define EB_CONCAT(a, b) EB_CONCAT_INNER(a, b)
#define EB_ASSIGN_OR_RETURN(lhs, expr) EB_ASSIGN_OR_RETURN_IMPL(EB_CONCAT(eb_result_, __LINE__), lhs, expr)
#define EB_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                             \
  if (!tmp.is_ok()) return tmp.status();         \
  lhs = std::move(tmp).value()
