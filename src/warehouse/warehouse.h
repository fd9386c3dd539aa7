// Warehouse: the SQL engine silverwork loads into and builds models in.
//
// One Warehouse object is one connection to one engine (embedded SQLite by
// default, or a PostgreSQL server). Everything above this interface — loaders,
// the model runner, the API server — speaks only this interface plus the
// engine's EngineTraits (engine_traits.h: its SQL spellings and what else
// differs between engines), so a second engine is a new folder beside
// sqlite/ and a registration in registry.cc, not a rewrite.
//
// Thread-safety: a Warehouse is NOT thread-safe. Open one per thread (SQLite
// allows many readers alongside one writer in WAL mode).
//
// Parameters in SQL are positional `?` placeholders; engines translate them
// (PostgreSQL uses $1..$n) so callers write them one way.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/status.h"

namespace silverwork {

// NULL, INTEGER, REAL or TEXT.
using Value = std::variant<std::monostate, int64_t, double, std::string>;
using Row = std::vector<Value>;

inline bool IsNull(const Value& value) { return std::holds_alternative<std::monostate>(value); }
// Renders a value for messages and CSV-like output; NULL renders as "".
std::string ValueToString(const Value& value);

enum class ColumnType { kText, kInteger, kReal };

struct ColumnSpec {
  std::string name;
  ColumnType type = ColumnType::kText;
  // NOT NULL. EnsureTable applies it when it creates the table; a column it
  // adds to an existing table is always nullable (engines cannot add a NOT
  // NULL column without a default). Primary-key columns are always NOT NULL.
  bool not_null = false;
};

struct TableSpec {
  std::string name;
  std::vector<ColumnSpec> columns;
  std::vector<std::string> primary_key;  // may be empty
};

struct QueryResult {
  std::vector<std::string> columns;
  std::vector<Row> rows;
};

// Engine-specific SQL spellings. Models and loaders use these instead of
// writing engine syntax directly.
class Dialect {
 public:
  virtual ~Dialect() = default;
  // "name" with embedded quotes doubled.
  virtual std::string QuoteIdentifier(std::string_view name) const;
  // 'text' with embedded quotes doubled.
  virtual std::string QuoteString(std::string_view text) const;
  // SQL type name for a column type.
  virtual std::string TypeName(ColumnType type) const = 0;
  // Expression for the current UTC timestamp as ISO-8601 text.
  virtual std::string CurrentTimestamp() const = 0;
  // Statement renaming a table.
  virtual std::string RenameTable(std::string_view from, std::string_view to) const;
};

// Work a warehouse does in the background for as long as its handle lives.
class BackgroundWork {
 public:
  virtual ~BackgroundWork() = default;
};

// Callback for streamed query rows; returning a non-OK status stops the query
// and that status is returned from Query().
using RowCallback = std::function<Status(const Row&)>;

class EngineTraits;
class Warehouse;

// A stream of new rows into one table (Warehouse::OpenAppender): the rows of
// many Append calls in one atomic step, without waiting for the engine
// between them (PostgreSQL: one COPY kept open, which the server inserts
// from while the caller encodes the next rows).
//
// Atomic per appender: everything added stays only when Finish() succeeds;
// a failed Add or Finish, or destroying the appender unfinished, undoes all
// of it (a savepoint of the caller's transaction, or a transaction of its
// own when none is open) and leaves earlier work of the caller's transaction
// in place. While it is open its connection refuses every other statement
// (kInternal naming the table: a caller's bug, like a nested Begin) except
// Rollback(), which ends the stream and rolls back. A row whose primary key
// the table (or an earlier row of the stream) already holds fails the
// stream: from Add or, since the engine may learn it only at the end, from
// Finish(), naming the table and the row's position in the stream (0-based;
// the default appender names the batch of rows it was in). A lost
// connection fails it with kNetwork. A process killed mid-stream leaves
// nothing of it: nothing is committed before Finish() and the caller's
// Commit().
//
// Thread-safety: NOT thread-safe; used on its warehouse's thread, and must
// not outlive its warehouse.
class Appender {
 public:
  virtual ~Appender() = default;
  // One row, values in the columns' order. After a failure every call
  // returns that failure.
  virtual Status Add(std::span<const Value> row) = 0;
  // Ends the stream; the rows are in the table (inside the caller's
  // transaction, if one is open). REQUIRES: called at most once.
  virtual Status Finish() = 0;
  // Rows added so far.
  virtual int64_t rows() const = 0;

 protected:
  friend class Warehouse;
  // The connection rolls back under the appender (Warehouse::Rollback): end
  // the stream without a statement of its own; every later call fails.
  virtual void Abandon() = 0;
};

class Warehouse {
 public:
  virtual ~Warehouse() = default;

  // What differs between engines: spellings, catalog queries, settings, ...
  // (engine_traits.h). The same object for every connection of an engine.
  virtual const EngineTraits& traits() const = 0;
  // Shorthands for traits().engine() ("sqlite", "postgres", ...: for
  // messages, never for decisions) and traits().dialect().
  std::string_view engine() const;
  const Dialect& dialect() const;

  // Runs one or more statements separated by ';' that return no rows.
  virtual Status Execute(std::string_view sql) = 0;

  // Runs one statement with positional parameters. Returns rows changed.
  virtual Result<int64_t> ExecuteWithParams(std::string_view sql,
                                            std::span<const Value> params) = 0;

  // Runs one statement, calling `on_row` for each row. If `columns` is not
  // null it receives the result's column names before the first row.
  virtual Status Query(std::string_view sql, std::span<const Value> params,
                       const RowCallback& on_row, std::vector<std::string>* columns = nullptr) = 0;

  // Convenience: collects all rows.
  Result<QueryResult> QueryAll(std::string_view sql, std::span<const Value> params = {});

  // Transactions are not nested. REQUIRES for Commit/Rollback: Begin() was
  // called and not yet ended.
  virtual Status Begin() = 0;
  virtual Status Commit() = 0;
  virtual Status Rollback() = 0;
  virtual bool InTransaction() const = 0;

  // Creates the table if it does not exist; adds any columns of `spec` that
  // an existing table lacks. Never drops or changes existing columns.
  virtual Status EnsureTable(const TableSpec& spec) = 0;

  // For each row (values in `columns` order): insert it, or, when a row with
  // the same `key_columns` values exists, update only the listed non-key
  // columns (columns not listed keep their values); with no key_columns, a
  // plain insert. Atomic per call. REQUIRES: key_columns is a subset of
  // columns and matches the table's primary key.
  virtual Status Upsert(std::string_view table, std::span<const std::string> columns,
                        std::span<const std::string> key_columns, std::span<const Row> rows) = 0;

  // Inserts rows the caller knows are new: no staging, no conflict check.
  // A row whose primary key the table (or an earlier row of the call)
  // already holds fails the call, never merges; the call is atomic, so then
  // the table keeps nothing of it. The default is Upsert without key
  // columns, a plain insert (SQLite: one prepared INSERT per call);
  // PostgreSQL copies the rows straight into the table.
  virtual Status Append(std::string_view table, std::span<const std::string> columns,
                        std::span<const Row> rows);

  // A stream of new rows into `columns` of `table` (see Appender): Append's
  // guarantees for the whole stream, which stays open across calls. The
  // default buffers rows and writes them through Append (SQLite: a
  // prepared INSERT per batch); PostgreSQL keeps one COPY open and hands the
  // server rows as they come, waiting only when a few MB are unsent.
  // kInvalidInput for no columns; kInternal while another
  // appender of this connection is open.
  virtual Result<std::unique_ptr<Appender>> OpenAppender(std::string_view table,
                                                         std::span<const std::string> columns);

  virtual Result<bool> TableExists(std::string_view name) = 0;
  // Columns of a table or view in declaration order. kNotFound if missing.
  virtual Result<std::vector<ColumnSpec>> DescribeTable(std::string_view name) = 0;

  // Another connection to the same warehouse (same engine, location and
  // mode), for work on another thread; maintenance this connection moved
  // into the background (MaintainInBackground) stays there for the peer
  // too. kUnsupported when the engine cannot share the database between
  // connections (SQLite in memory).
  virtual Result<std::unique_ptr<Warehouse>> OpenPeer();

  // For bulk builds: until the returned handle is destroyed, the engine's
  // routine maintenance that would otherwise stall this connection's
  // commits runs on another connection and thread (SQLite: copying the
  // write-ahead log into the database file and syncing it). Same
  // durability. Null when the engine has nothing to move (or the database
  // is in memory or read-only).
  virtual std::unique_ptr<BackgroundWork> MaintainInBackground() { return nullptr; }

  // Small key/value store for collection state (checkpoints, bookmarks),
  // kept in the warehouse so that it commits in the same transaction as the
  // data it describes.
  Result<std::optional<std::string>> GetState(std::string_view key);
  Status PutState(std::string_view key, std::string_view value);
  Status DeleteState(std::string_view key);

  // The build generation: an opaque token (kept in the state store) that
  // changes when a build, run, seed or snapshot command finishes having
  // built something (transform's Invocation advances it) or `silverwork
  // docs` stores the data catalog (transform/runner/catalog_store.h), and at
  // no other write. Readers of the marts (serve) poll it to learn that a build ended,
  // untroubled by collection and the scheduler's state writing to the same
  // warehouse. "none" before the first build. Equal tokens read at two times
  // mean no build finished in between, even across a warehouse dropped and
  // built again (the token holds when the generation was advanced).
  Result<std::string> BuildGeneration();
  // Advances the build generation in one statement: builds finishing at the
  // same time each advance it.
  Status AdvanceBuildGeneration();

 protected:
  // For engines: kInternal naming the open appender's table when
  // one is open (call before every statement), else OK.
  Status RefuseWhileAppending() const;
  // For engines' Rollback(): ends the open appender's stream, if any.
  void AbandonAppender();

 private:
  friend class AppenderRegistration;  // engine_contract.h
  // Creates the state table when missing.
  Status EnsureStateTable();

  Appender* open_appender_ = nullptr;
  std::string open_appender_table_;  // for RefuseWhileAppending's message
};

// RAII transaction: rolls back unless Commit() succeeded.
class Transaction {
 public:
  explicit Transaction(Warehouse& warehouse) : warehouse_(warehouse) {}
  ~Transaction() {
    if (active_) (void)warehouse_.Rollback();
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  Status Begin() {
    Status status = warehouse_.Begin();
    active_ = status.ok();
    return status;
  }
  Status Commit() {
    Status status = warehouse_.Commit();
    if (status.ok()) active_ = false;
    return status;
  }

 private:
  Warehouse& warehouse_;
  bool active_ = false;
};

struct WarehouseOptions {
  std::string engine = "sqlite";
  // SQLite: the database file path. PostgreSQL: a connection string (a
  // postgresql:// URL or key=value pairs, never with a password in it);
  // empty leaves it to libpq's PG* variables.
  std::string location;
  bool read_only = false;
  // PostgreSQL: a file whose first line is the password; empty leaves it to
  // PGPASSWORD or ~/.pgpass.
  std::string password_file;
  // PostgreSQL: the server cancels any statement running longer (0: never).
  int64_t statement_timeout_ms = 0;
};

// Factory for the engines compiled in (registry.cc registers each). An
// engine known by name but not built answers "built without <engine>
// support" (kUnsupported).
using WarehouseFactory = std::function<Result<std::unique_ptr<Warehouse>>(const WarehouseOptions&)>;

class WarehouseRegistry {
 public:
  // The registry with every engine silverwork knows, registered explicitly.
  static const WarehouseRegistry& Default();

  void Register(std::string engine, WarehouseFactory factory);
  Result<std::unique_ptr<Warehouse>> Open(const WarehouseOptions& options) const;
  std::vector<std::string> Engines() const;

 private:
  std::vector<std::pair<std::string, WarehouseFactory>> factories_;
};

inline Result<std::unique_ptr<Warehouse>> OpenWarehouse(const WarehouseOptions& options) {
  return WarehouseRegistry::Default().Open(options);
}

}  // namespace silverwork
