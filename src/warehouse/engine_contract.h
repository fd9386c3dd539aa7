// What every warehouse engine does the same way: checking the arguments of
// EnsureTable and Upsert, the statements EnsureTable runs, the ON CONFLICT
// clause of an upsert, atomic steps inside or outside a caller's
// transaction, and how SQL is quoted in error messages. Engines call these
// so that the Warehouse contract is checked, and worded, once.
//
// Thread-safety: stateless functions; the ones taking a Warehouse use it as
// its own rules say (one thread at a time).
#pragma once

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "warehouse/warehouse.h"

namespace silverwork {

// The SQL as it should appear in a message: whitespace collapsed, at most
// 200 bytes, never cut inside a UTF-8 sequence.
std::string AbbreviateSql(std::string_view sql);

// "a", "b", ... quoted by the dialect.
std::string QuotedNames(std::span<const std::string> names, const Dialect& dialect);

// Column names compare without regard to ASCII case: SQLite folds them, and
// EnsureTable never adds a PostgreSQL column that differs from one it has
// only in case.
bool SameColumnName(std::string_view a, std::string_view b);

// kInvalidInput unless the spec has a name, a column, and a primary key
// made of its own columns.
Status CheckTableSpec(const TableSpec& spec);

// kInvalidInput unless `columns` is not empty, contains every key column,
// and every row has one value per column.
Status CheckUpsertArguments(std::string_view table, std::span<const std::string> columns,
                            std::span<const std::string> key_columns, std::span<const Row> rows);

// kNotFound for DescribeTable of a table or view that does not exist.
Status NoSuchTableError(std::string_view name);

// kInternal errors for the misuse of transactions: Begin() while one is
// open, Commit() when none is.
Status NestedBeginError();
Status CommitWithoutBeginError();

// The body of EnsureTable for engines whose CREATE TABLE IF NOT EXISTS and
// ALTER TABLE ADD COLUMN are standard: checks the spec, then creates the
// table or adds what it lacks, atomically (RunAtomically).
Status EnsureTableWithStandardSql(Warehouse& warehouse, const TableSpec& spec);

// " ON CONFLICT(k, ...) DO UPDATE SET c = excluded.c, ..." for the non-key
// columns, " ON CONFLICT(k, ...) DO NOTHING" when every column is a key, ""
// without keys. Spelled the same in SQLite and PostgreSQL.
std::string OnConflictClause(std::span<const std::string> columns,
                             std::span<const std::string> key_columns, const Dialect& dialect);

// Runs `body` so that it applies entirely or not at all: in its own
// transaction when none is open, else inside a savepoint of the caller's
// transaction, which a failure rolls back to (earlier work in the caller's
// transaction stays).
Status RunAtomically(Warehouse& warehouse, const std::function<Status()>& body);

// Marks `appender` as its warehouse's open appender for as long as this
// lives (or until Release()), so that the warehouse refuses other
// statements (Warehouse::RefuseWhileAppending). Appender implementations
// hold one while their stream is open.
class AppenderRegistration {
 public:
  AppenderRegistration(Warehouse& warehouse, Appender& appender, std::string_view table);
  ~AppenderRegistration() { Release(); }
  AppenderRegistration(const AppenderRegistration&) = delete;
  AppenderRegistration& operator=(const AppenderRegistration&) = delete;
  // The warehouse takes other statements again (the appender's own too).
  void Release();

 private:
  Warehouse* warehouse_;
};

// The atomic step an appender's rows form: a savepoint of the caller's
// transaction, or a transaction of its own when none is open (like
// RunAtomically, but open across calls). Begin() before the first row;
// then End(true) keeps the rows, End(false) (or destruction without End)
// undoes them and leaves the caller's earlier work in place.
class AppenderScope {
 public:
  explicit AppenderScope(Warehouse& warehouse) : warehouse_(warehouse) {}
  ~AppenderScope() { (void)End(false); }
  AppenderScope(const AppenderScope&) = delete;
  AppenderScope& operator=(const AppenderScope&) = delete;

  Status Begin();
  // REQUIRES for `keep`: nothing failed since Begin(). Best effort without.
  Status End(bool keep);
  // The transaction ended under the scope (the connection rolled back):
  // nothing is left to end.
  void Forget() { open_ = false; }

 private:
  Warehouse& warehouse_;
  bool open_ = false;
  bool own_transaction_ = false;
};

// What every engine's appender shares, so that each says only how its rows
// travel: the stream's atomic scope (AppenderScope), the open-appender
// registration, the row width check, and what a failure, Finish() and a
// rollback under the stream do to it (Appender's contract, warehouse.h).
// An engine's appender implements AddRow (called with rows() already
// counting the row), FinishRows and DiscardRows, and is opened with Open().
class StreamAppender : public Appender {
 public:
  Status Add(std::span<const Value> row) final;
  Status Finish() final;
  int64_t rows() const final { return rows_; }

 protected:
  StreamAppender(Warehouse& warehouse, std::string_view table, size_t width)
      : warehouse_(warehouse), table_(table), width_(width), scope_(warehouse) {}

  // Begins the scope, then OpenStream(), then refuses other statements.
  Status Open();
  const std::string& table() const { return table_; }
  // For an appender whose rows travel as statements of their own (the
  // default's Append): the connection takes statements again until Register().
  void Unregister() { registration_.reset(); }
  void Register() { registration_.emplace(warehouse_, *this, table_); }

  // Starts the engine's side of the stream, inside the scope.
  virtual Status OpenStream() { return Status::Ok(); }
  // Takes one row of the right width; a failure fails the stream.
  virtual Status AddRow(std::span<const Value> row) = 0;
  // Everything taken reaches the table (before the scope is kept).
  virtual Status FinishRows() = 0;
  // Drops what is not written yet and ends the engine's side of the stream
  // without keeping it; `why` for an engine that tells its server.
  virtual void DiscardRows(const char* why) = 0;

 private:
  void Abandon() final;
  // Undoes the stream at once, so that the connection takes statements again.
  Status Fail(Status status);

  Warehouse& warehouse_;
  const std::string table_;
  const size_t width_;
  AppenderScope scope_;
  std::optional<AppenderRegistration> registration_;
  int64_t rows_ = 0;
  Status failure_;
};

// Why an appender's stream failed, for a failure in rows [first, end) of
// it, counted from the stream's first row: "Append into "t" failed at row
// 5: ..." or "... failed in rows 5..9: ...".
Status StreamFailure(const Status& status, std::string_view table, int64_t first, int64_t end);

}  // namespace silverwork
