#include "warehouse/postgres/postgres_errors.h"

#include <fmt/format.h>

#include <charconv>
#include <string>

#include "warehouse/engine_contract.h"

namespace silverwork::postgres {
namespace {

// What a user can do, by SQLSTATE (a full code, or a two-character class).
struct ErrorHint {
  std::string_view state;
  const char* hint;
};
constexpr ErrorHint kErrorHints[] = {
    {"57014",
     "the statement ran longer than [warehouse] statement_timeout_ms allows (or was cancelled); "
     "raise the timeout or make the statement cheaper"},
    {"25006", "the warehouse is open read-only; open it for writing"},
    {"25P02",
     "an earlier statement of this transaction failed, so the server ignores the rest; roll back "
     "and run the command again"},
    {"42P01", "run the load or model that creates it first"},
    {"40001", "another transaction conflicted with this one; run the command again"},
    {"40P01", "another transaction deadlocked with this one; run the command again"},
    {"23",
     "a row breaks a constraint of the table (named in the message); check the key and NOT NULL "
     "columns of the data being written"},
    {"22", "a value does not fit its column's type; check the data being written"},
    {"53", "the server is out of disk, memory or connections; free some and retry"},
    {"42", "the SQL is not valid for PostgreSQL; fix the statement shown"},
};

const char* HintFor(std::string_view state) {
  for (const ErrorHint& entry : kErrorHints) {
    if (state.substr(0, entry.state.size()) == entry.state) return entry.hint;
  }
  return "";
}

std::string Field(const PGresult* result, int code) {
  const char* value = result != nullptr ? PQresultErrorField(result, code) : nullptr;
  return value != nullptr ? value : "";
}

}  // namespace

std::string OneLine(std::string_view text) {
  std::string out;
  bool pending_space = false;
  for (char ch : text) {
    if (ch == '\n' || ch == '\t' || ch == '\r' || ch == ' ') {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    out += ch;
  }
  return out;
}

std::string ErrorReason(const PGresult* result, const PGconn* connection) {
  if (std::string primary = Field(result, PG_DIAG_MESSAGE_PRIMARY); !primary.empty()) {
    return primary;
  }
  const char* message = result != nullptr ? PQresultErrorMessage(result) : "";
  if (message == nullptr || *message == '\0') message = PQerrorMessage(connection);
  return OneLine(message != nullptr ? message : "");
}

Status StatementError(const PGresult* result, const PGconn* connection, std::string_view sql) {
  const std::string state = Field(result, PG_DIAG_SQLSTATE);
  std::string message = ErrorReason(result, connection);
  if (const std::string detail = Field(result, PG_DIAG_MESSAGE_DETAIL); !detail.empty()) {
    message += " (" + detail + ")";
  }
  std::string hint = Field(result, PG_DIAG_MESSAGE_HINT);
  if (hint.empty()) hint = HintFor(state);
  return Status(ErrorCode::kDatabase,
                fmt::format("{} [SQLSTATE {}] (SQL: {})", message, state.empty() ? "none" : state,
                            AbbreviateSql(sql)),
                hint);
}

bool EndsTheSession(const PGresult* result) {
  const std::string state = Field(result, PG_DIAG_SQLSTATE);
  return state.starts_with("08") || state == "57P01" || state == "57P02" || state == "57P03";
}

int64_t RejectedCopyRow(const PGresult* result) {
  const std::string context = Field(result, PG_DIAG_CONTEXT);
  const size_t at = context.find(", line ");
  if (!context.starts_with("COPY ") || at == std::string::npos) return -1;
  int64_t line = 0;
  const char* begin = context.data() + at + 7;
  const auto [end, error] = std::from_chars(begin, context.data() + context.size(), line);
  return error == std::errc() && end != begin ? line - 1 : -1;
}

}  // namespace silverwork::postgres
