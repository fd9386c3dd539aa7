#include "warehouse/sqlite/sqlite_warehouse.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <mutex>
#include <system_error>
#include <utility>

#include "warehouse/engine_contract.h"
#include "warehouse/sqlite/sqlite_checkpointer.h"
#include "warehouse/sqlite/sqlite_engine.h"
#include "warehouse/sqlite/sqlite_errors.h"
#include "warehouse/sqlite/sqlite_functions.h"

namespace silverwork {
namespace {

bool IsBlank(std::string_view sql) {
  return std::all_of(sql.begin(), sql.end(), [](char ch) {
    return ch == ';' || std::isspace(static_cast<unsigned char>(ch));
  });
}

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& ch : out) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return out;
}

// SQLite's column affinity rules (https://sqlite.org/datatype3.html 3.1),
// folded onto our three types; NUMERIC-like and untyped columns (view
// expressions) read as REAL and TEXT respectively.
ColumnType TypeFromDeclaration(std::string_view declared) {
  const std::string type = Lower(declared);
  auto has = [&type](const char* part) { return type.find(part) != std::string::npos; };
  if (has("int")) return ColumnType::kInteger;
  if (has("char") || has("clob") || has("text")) return ColumnType::kText;
  if (has("real") || has("floa") || has("doub") || has("num") || has("dec"))
    return ColumnType::kReal;
  return ColumnType::kText;
}

void ReadColumn(sqlite3_stmt* statement, int index, Value& out) {
  auto assign_bytes = [&out](const void* data, int size) {
    const char* bytes = static_cast<const char*>(data);
    // Reuse the string's buffer when the previous row left one here.
    if (std::string* text = std::get_if<std::string>(&out)) {
      text->assign(bytes, static_cast<size_t>(size));
    } else {
      out = std::string(bytes, static_cast<size_t>(size));
    }
  };
  switch (sqlite3_column_type(statement, index)) {
    case SQLITE_INTEGER:
      out = static_cast<int64_t>(sqlite3_column_int64(statement, index));
      return;
    case SQLITE_FLOAT:
      out = sqlite3_column_double(statement, index);
      return;
    case SQLITE_TEXT: {
      const unsigned char* text = sqlite3_column_text(statement, index);
      assign_bytes(text, sqlite3_column_bytes(statement, index));
      return;
    }
    case SQLITE_BLOB: {
      const void* blob = sqlite3_column_blob(statement, index);
      assign_bytes(blob, sqlite3_column_bytes(statement, index));
      return;
    }
    default:
      out = std::monostate{};
      return;
  }
}

// Binds one value. Text is bound SQLITE_STATIC: every caller steps and
// resets the statement while the value is still alive.
int BindValue(sqlite3_stmt* statement, int index, const Value& value) {
  struct Binder {
    sqlite3_stmt* statement;
    int index;
    int operator()(std::monostate) const { return sqlite3_bind_null(statement, index); }
    int operator()(int64_t number) const { return sqlite3_bind_int64(statement, index, number); }
    int operator()(double number) const { return sqlite3_bind_double(statement, index, number); }
    int operator()(const std::string& text) const {
      return sqlite3_bind_text64(statement, index, text.data(), text.size(), SQLITE_STATIC,
                                 SQLITE_UTF8);
    }
  };
  return std::visit(Binder{statement, index}, value);
}

}  // namespace

// A prepared statement borrowed for one use. Cached statements go back to
// the cache (reset, bindings cleared); a statement prepared because its
// cached twin was busy (a query run from inside another's row callback) is
// finalized.
class SqliteWarehouse::StatementLease {
 public:
  StatementLease(sqlite3_stmt* statement, CachedStatement* cached)
      : statement_(statement), cached_(cached) {}
  StatementLease(StatementLease&& other) noexcept
      : statement_(std::exchange(other.statement_, nullptr)), cached_(other.cached_) {}
  StatementLease& operator=(StatementLease&&) = delete;
  StatementLease(const StatementLease&) = delete;
  StatementLease& operator=(const StatementLease&) = delete;
  ~StatementLease() {
    if (statement_ == nullptr) return;
    if (cached_ == nullptr) {
      sqlite3_finalize(statement_);
      return;
    }
    sqlite3_reset(statement_);
    sqlite3_clear_bindings(statement_);
    cached_->in_use = false;
  }

  sqlite3_stmt* get() const { return statement_; }

 private:
  sqlite3_stmt* statement_;
  CachedStatement* cached_;
};

namespace {

// Once per process, before SQLite's first use: no memory statistics. They
// are kept under one global mutex that every allocation of every
// connection takes, so connections working on different threads (the model
// runner's workers, the server's readers) would queue on it; silverwork
// never reads them.
void ConfigureSqliteOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) != SQLITE_OK)
      spdlog::debug(
          "SQLite was initialized before silverwork could turn its memory statistics off");
  });
}

}  // namespace

Result<std::unique_ptr<SqliteWarehouse>> SqliteWarehouse::Open(const WarehouseOptions& options) {
  ConfigureSqliteOnce();
  const std::string& location = options.location;
  if (location.empty()) {
    return Status(ErrorCode::kInvalidInput, "the warehouse location is empty",
                  "set path in the [warehouse] section to a database file");
  }
  const bool in_memory = location == ":memory:";
  if (!in_memory) {
    const std::filesystem::path path(location);
    std::error_code error;
    if (options.read_only) {
      if (!std::filesystem::exists(path, error)) {
        return Status(ErrorCode::kNotFound, fmt::format("warehouse {} does not exist", location),
                      "load data first (silverwork collect) or check the warehouse path");
      }
    } else if (path.has_parent_path()) {
      std::filesystem::create_directories(path.parent_path(), error);
      if (error) {
        return Status(ErrorCode::kIO,
                      fmt::format("cannot create the directory of warehouse {}: {}", location,
                                  error.message()),
                      "check the warehouse path and its permissions");
      }
    }
  }

  const int flags =
      (options.read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
      SQLITE_OPEN_NOMUTEX;
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(location.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close_v2(db);
    return Status(ErrorCode::kDatabase,
                  fmt::format("cannot open warehouse {}: {}", location, message),
                  SqliteErrorHint(rc));
  }
  std::unique_ptr<SqliteWarehouse> warehouse(new SqliteWarehouse(db));
  warehouse->options_ = options;
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  Status status = RegisterSqliteFunctions(db);
  if (!status.ok()) return status.WithContext(fmt::format("cannot open warehouse {}", location));
  status = options.read_only
               ? warehouse->Execute("PRAGMA query_only = ON; PRAGMA foreign_keys = ON")
               : warehouse->Execute(
                     "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; "
                     "PRAGMA foreign_keys = ON");
  if (!status.ok()) return status.WithContext(fmt::format("cannot open warehouse {}", location));
  return warehouse;
}

Result<std::unique_ptr<Warehouse>> SqliteWarehouse::OpenPeer() {
  if (options_.location == ":memory:")
    return Status(ErrorCode::kUnsupported,
                  "an in-memory SQLite warehouse cannot be shared with a second connection",
                  "use a database file");
  SW_ASSIGN_OR_RETURN(std::unique_ptr<SqliteWarehouse> peer, Open(options_));
  // Checkpoints moved off this connection (MaintainInBackground) stay off
  // the peer's commits too.
  if (!options_.read_only) {
    SW_ASSIGN_OR_RETURN(int threshold, WalAutocheckpoint());
    sqlite3_wal_autocheckpoint(peer->db_, threshold);
  }
  return std::unique_ptr<Warehouse>(std::move(peer));
}

Result<int> SqliteWarehouse::WalAutocheckpoint() {
  int threshold = 1000;  // SQLite's default
  SW_RETURN_IF_ERROR(Query("PRAGMA wal_autocheckpoint", {}, [&](const Row& row) {
    if (const auto* value = std::get_if<int64_t>(&row.at(0))) threshold = static_cast<int>(*value);
    return Status::Ok();
  }));
  return threshold;
}

std::unique_ptr<BackgroundWork> SqliteWarehouse::MaintainInBackground() {
  if (options_.read_only || options_.location == ":memory:") return nullptr;
  bool wal = false;
  Status status = Query("PRAGMA journal_mode", {}, [&](const Row& row) {
    wal = ValueToString(row.at(0)) == "wal";
    return Status::Ok();
  });
  Result<int> threshold = WalAutocheckpoint();
  if (!status.ok() || !wal || !threshold.ok()) return nullptr;
  // Checkpoints stay on the building connection when a second one fails.
  Result<std::unique_ptr<SqliteWarehouse>> own = Open(options_);
  if (!own.ok()) return nullptr;
  // A connection finds the write-ahead log on its first read; until then a
  // checkpoint on it does nothing.
  if (!(*own)->Execute("SELECT count(*) FROM sqlite_master").ok()) return nullptr;
  sqlite3* own_db = (*own)->db_;
  return std::make_unique<SqliteCheckpointer>(db_, std::move(own).value(), own_db, *threshold);
}

SqliteWarehouse::SqliteWarehouse(sqlite3* db) : db_(db) {}

const EngineTraits& SqliteWarehouse::traits() const { return SqliteTraits(); }

SqliteWarehouse::~SqliteWarehouse() {
  for (auto& entry : statements_) sqlite3_finalize(entry.second.statement);
  statements_.clear();
  if (InTransaction()) (void)Rollback();
  sqlite3_close_v2(db_);
}

Status SqliteWarehouse::Error(int rc, std::string_view sql) const {
  return Status(ErrorCode::kDatabase,
                fmt::format("{} (SQL: {})", sqlite3_errmsg(db_), AbbreviateSql(sql)),
                SqliteErrorHint(rc));
}

Result<SqliteWarehouse::StatementLease> SqliteWarehouse::Acquire(std::string_view sql) {
  SW_RETURN_IF_ERROR(RefuseWhileAppending());
  auto found = statements_.find(sql);
  if (found != statements_.end() && !found->second.in_use) {
    found->second.in_use = true;
    found->second.last_used = ++use_counter_;
    return StatementLease(found->second.statement, &found->second);
  }

  sqlite3_stmt* statement = nullptr;
  const char* tail = nullptr;
  const unsigned prepare_flags = found == statements_.end() ? SQLITE_PREPARE_PERSISTENT : 0;
  const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), prepare_flags,
                                    &statement, &tail);
  if (rc != SQLITE_OK) return Error(rc, sql);
  if (statement == nullptr) {
    return Status(ErrorCode::kInvalidInput,
                  fmt::format("the SQL has no statement (SQL: {})", AbbreviateSql(sql)));
  }
  const std::string_view rest(tail, static_cast<size_t>(sql.data() + sql.size() - tail));
  if (!IsBlank(rest)) {
    // The rest may still be only comments; anything else is a second statement.
    sqlite3_stmt* second = nullptr;
    const int rest_rc =
        sqlite3_prepare_v2(db_, rest.data(), static_cast<int>(rest.size()), &second, nullptr);
    if (rest_rc != SQLITE_OK || second != nullptr) {
      sqlite3_finalize(second);
      sqlite3_finalize(statement);
      return Status(
          ErrorCode::kInvalidInput,
          fmt::format("expected one SQL statement but got several (SQL: {})", AbbreviateSql(sql)),
          "run scripts with several statements through Execute()");
    }
  }
  if (found != statements_.end()) return StatementLease(statement, nullptr);  // twin is busy

  if (statements_.size() >= kStatementCacheCapacity) EvictIdleStatement();
  CachedStatement& cached = statements_[std::string(sql)];
  cached = {.statement = statement, .in_use = true, .last_used = ++use_counter_};
  return StatementLease(statement, &cached);
}

void SqliteWarehouse::EvictIdleStatement() {
  auto oldest = statements_.end();
  for (auto it = statements_.begin(); it != statements_.end(); ++it) {
    if (it->second.in_use) continue;
    if (oldest == statements_.end() || it->second.last_used < oldest->second.last_used) oldest = it;
  }
  if (oldest == statements_.end()) return;  // all busy: let the cache grow
  sqlite3_finalize(oldest->second.statement);
  statements_.erase(oldest);
}

Status SqliteWarehouse::Execute(std::string_view sql) {
  SW_RETURN_IF_ERROR(RefuseWhileAppending());
  const char* cursor = sql.data();
  const char* const end = sql.data() + sql.size();
  while (cursor < end) {
    sqlite3_stmt* raw = nullptr;
    const char* tail = nullptr;
    int rc = sqlite3_prepare_v2(db_, cursor, static_cast<int>(end - cursor), &raw, &tail);
    // On a parse error `tail` stops at the bad token, so show the rest instead.
    if (rc != SQLITE_OK)
      return Error(rc, std::string_view(cursor, static_cast<size_t>(end - cursor)));
    const std::string_view current(cursor, static_cast<size_t>((tail ? tail : end) - cursor));
    cursor = tail ? tail : end;
    if (raw == nullptr) continue;  // only whitespace or a comment
    std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)> statement(raw, &sqlite3_finalize);
    do {
      rc = sqlite3_step(statement.get());
    } while (rc == SQLITE_ROW);
    if (rc != SQLITE_DONE) return Error(rc, current);
  }
  return Status::Ok();
}

namespace {

Status CheckParameterCount(sqlite3_stmt* statement, size_t given, std::string_view sql) {
  const int expected = sqlite3_bind_parameter_count(statement);
  if (static_cast<size_t>(expected) == given) return Status::Ok();
  return Status(ErrorCode::kInvalidInput,
                fmt::format("the SQL has {} parameter(s) but {} value(s) were given (SQL: {})",
                            expected, given, AbbreviateSql(sql)));
}

}  // namespace

Status SqliteWarehouse::BindAll(sqlite3_stmt* statement, std::span<const Value> params,
                                std::string_view sql) const {
  SW_RETURN_IF_ERROR(CheckParameterCount(statement, params.size(), sql));
  for (size_t index = 0; index < params.size(); ++index) {
    const int rc = BindValue(statement, static_cast<int>(index + 1), params[index]);
    if (rc != SQLITE_OK) return Error(rc, sql);
  }
  return Status::Ok();
}

Result<int64_t> SqliteWarehouse::ExecuteWithParams(std::string_view sql,
                                                   std::span<const Value> params) {
  SW_ASSIGN_OR_RETURN(StatementLease lease, Acquire(sql));
  sqlite3_stmt* statement = lease.get();
  SW_RETURN_IF_ERROR(BindAll(statement, params, sql));
  int rc;
  do {
    rc = sqlite3_step(statement);
  } while (rc == SQLITE_ROW);
  if (rc != SQLITE_DONE) return Error(rc, sql);
  return static_cast<int64_t>(sqlite3_changes64(db_));
}

Status SqliteWarehouse::Query(std::string_view sql, std::span<const Value> params,
                              const RowCallback& on_row, std::vector<std::string>* columns) {
  SW_ASSIGN_OR_RETURN(StatementLease lease, Acquire(sql));
  sqlite3_stmt* statement = lease.get();
  SW_RETURN_IF_ERROR(BindAll(statement, params, sql));
  const int column_count = sqlite3_column_count(statement);
  if (columns != nullptr) {
    columns->clear();
    for (int index = 0; index < column_count; ++index) {
      columns->emplace_back(sqlite3_column_name(statement, index));
    }
  }
  Row row(static_cast<size_t>(column_count));
  while (true) {
    const int rc = sqlite3_step(statement);
    if (rc == SQLITE_DONE) return Status::Ok();
    if (rc != SQLITE_ROW) return Error(rc, sql);
    for (int index = 0; index < column_count; ++index) {
      ReadColumn(statement, index, row[static_cast<size_t>(index)]);
    }
    SW_RETURN_IF_ERROR(on_row(row));
  }
}

Status SqliteWarehouse::Begin() {
  if (InTransaction()) return NestedBeginError();
  return Execute("BEGIN IMMEDIATE");
}

Status SqliteWarehouse::Commit() {
  if (!InTransaction()) return CommitWithoutBeginError();
  return Execute("COMMIT");
}

Status SqliteWarehouse::Rollback() {
  AbandonAppender();
  if (!InTransaction()) return Status::Ok();
  return Execute("ROLLBACK");
}

bool SqliteWarehouse::InTransaction() const { return sqlite3_get_autocommit(db_) == 0; }

Status SqliteWarehouse::EnsureTable(const TableSpec& spec) {
  return EnsureTableWithStandardSql(*this, spec);
}

Status SqliteWarehouse::Upsert(std::string_view table, std::span<const std::string> columns,
                               std::span<const std::string> key_columns,
                               std::span<const Row> rows) {
  SW_RETURN_IF_ERROR(CheckUpsertArguments(table, columns, key_columns, rows));
  if (rows.empty()) return Status::Ok();

  std::string column_list, placeholders;
  for (const std::string& column : columns) {
    if (!column_list.empty()) {
      column_list += ", ";
      placeholders += ", ";
    }
    column_list += dialect().QuoteIdentifier(column);
    placeholders += '?';
  }
  const std::string sql =
      fmt::format("INSERT INTO {}({}) VALUES({}){}", dialect().QuoteIdentifier(table), column_list,
                  placeholders, OnConflictClause(columns, key_columns, dialect()));

  return RunAtomically(*this, [&]() -> Status {
    SW_ASSIGN_OR_RETURN(StatementLease lease, Acquire(sql));
    sqlite3_stmt* statement = lease.get();
    SW_RETURN_IF_ERROR(CheckParameterCount(statement, columns.size(), sql));
    for (size_t row_index = 0; row_index < rows.size(); ++row_index) {
      const Row& row = rows[row_index];
      for (size_t column = 0; column < row.size(); ++column) {
        const int rc = BindValue(statement, static_cast<int>(column + 1), row[column]);
        if (rc != SQLITE_OK) return Error(rc, sql);
      }
      const int rc = sqlite3_step(statement);
      if (rc != SQLITE_DONE) {
        return Error(rc, sql).WithContext(
            fmt::format("Upsert into \"{}\" failed at row {}", table, row_index));
      }
      sqlite3_reset(statement);
    }
    return Status::Ok();
  });
}

Result<bool> SqliteWarehouse::TableExists(std::string_view name) {
  bool found = false;
  const Value params[] = {std::string(name)};
  SW_RETURN_IF_ERROR(Query(
      "SELECT 1 FROM sqlite_master WHERE type IN ('table', 'view') AND name = ?1 COLLATE NOCASE "
      "UNION ALL "
      "SELECT 1 FROM sqlite_temp_master WHERE type IN ('table', 'view') AND name = ?1 "
      "COLLATE NOCASE",
      params, [&found](const Row&) {
        found = true;
        return Status::Ok();
      }));
  return found;
}

Result<std::vector<ColumnSpec>> SqliteWarehouse::DescribeTable(std::string_view name) {
  std::vector<ColumnSpec> columns;
  const Value params[] = {std::string(name)};
  SW_RETURN_IF_ERROR(Query("SELECT name, type, \"notnull\" FROM pragma_table_info(?)", params,
                           [&columns](const Row& row) {
                             columns.push_back(
                                 {.name = ValueToString(row.at(0)),
                                  .type = TypeFromDeclaration(ValueToString(row.at(1))),
                                  .not_null = ValueToString(row.at(2)) == "1"});
                             return Status::Ok();
                           }));
  if (columns.empty()) return NoSuchTableError(name);
  return columns;
}

}  // namespace silverwork
