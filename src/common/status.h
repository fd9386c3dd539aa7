// Status and Result<T>: how silverwork reports expected failures.
//
// A Status is either OK or an error with a category (ErrorCode), a message
// saying what failed and why, and a hint saying what the user can do about it.
// Expected failures (bad input, network trouble, a spent quota) travel as
// values; exceptions are reserved for programming errors. Status and Result
// are plain values: copyable, not synchronized.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace silverwork {

enum class ErrorCode {
  kOk = 0,
  kInvalidInput,    // the user or a caller gave something malformed
  kNotFound,        // a named thing does not exist
  kIO,              // local files, disk
  kNetwork,         // transport: connect, reset, timeout, truncated transfer
  kRemote,          // the remote service answered with a server-side error
  kAuth,            // service key / access problems: fix configuration
  kQuotaExhausted,  // daily call quota spent: stop now, resume later
  kRateLimited,     // too many calls per second: slow down
  kGone,            // endpoint retired or moved
  kCorrupt,         // data that does not parse or fails an integrity check
  kDatabase,        // the warehouse engine reported an error
  kUnsupported,     // feature not built in or not available
  kCancelled,       // stopped on request
  kInternal,        // a bug in silverwork
};

// Short lower-case name of a category, e.g. "network".
const char* ErrorCodeName(ErrorCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(ErrorCode code, std::string message, std::string hint = {})
      : code_(code), message_(std::move(message)), hint_(std::move(hint)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == ErrorCode::kOk; }
  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }
  const std::string& hint() const { return hint_; }

  bool IsNotFound() const { return code_ == ErrorCode::kNotFound; }
  bool IsQuotaExhausted() const { return code_ == ErrorCode::kQuotaExhausted; }

  // Returns a copy whose message is prefixed with `context: `.
  Status WithContext(const std::string& context) const;

  // "<category>: <message>" and, if present, " (hint: <hint>)".
  std::string ToString() const;

  // The one shape users see: "error: <what and why>\n  to fix: <hint>".
  std::string ToUserMessage() const;

 private:
  ErrorCode code_ = ErrorCode::kOk;
  std::string message_;
  std::string hint_;
};

// Result<T> holds either a T or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : storage_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Status status) : storage_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    assert(!std::get<Status>(storage_).ok() && "Result constructed from an OK status");
  }

  bool ok() const { return std::holds_alternative<T>(storage_); }
  const Status& status() const {
    static const Status kOkStatus;
    return ok() ? kOkStatus : std::get<Status>(storage_);
  }

  // REQUIRES: ok()
  T& value() & { return std::get<T>(storage_); }
  const T& value() const& { return std::get<T>(storage_); }
  T&& value() && { return std::get<T>(std::move(storage_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> storage_;
};

}  // namespace silverwork

#define SW_CONCAT_INNER(a, b) a##b
#define SW_CONCAT(a, b) SW_CONCAT_INNER(a, b)

// `tmp` and `lhs` name variables, which no parentheses may enclose.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define SW_RETURN_IF_ERROR_IMPL(tmp, expr) \
  do {                                     \
    ::silverwork::Status tmp = (expr);     \
    if (!tmp.ok()) return tmp;             \
  } while (false)
// __COUNTER__ keeps nested uses (a lambda inside the expression) distinct.
#define SW_RETURN_IF_ERROR(expr) SW_RETURN_IF_ERROR_IMPL(SW_CONCAT(sw_status_, __COUNTER__), expr)

#define SW_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                             \
  if (!tmp.ok()) return tmp.status();            \
  lhs = std::move(tmp).value()
// NOLINTEND(bugprone-macro-parentheses)

#define SW_ASSIGN_OR_RETURN(lhs, expr) \
  SW_ASSIGN_OR_RETURN_IMPL(SW_CONCAT(sw_result_, __COUNTER__), lhs, expr)
