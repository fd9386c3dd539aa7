// SqliteWarehouse: the embedded SQLite engine behind the Warehouse interface.
//
// One object is one sqlite3 connection. Writable connections run in WAL mode
// with synchronous=NORMAL (a committed transaction survives a process crash;
// an OS crash may lose the last few commits but never corrupts the file),
// foreign_keys on, and a 5 s busy timeout so a second writer waits instead
// of failing at once. Read-only connections (WarehouseOptions::read_only)
// open the file with SQLITE_OPEN_READONLY and PRAGMA query_only, so any write
// fails with kDatabase.
//
// Statements run through Query, ExecuteWithParams and Upsert are prepared
// once and cached by SQL text (a small LRU), so a loader that upserts the
// same table shape in a loop pays for parsing once. Execute() is for DDL and
// scripts and is not cached.
//
// Every connection has silverwork's own SQL functions (sqlite_functions.h:
// regexp, so models may write `text REGEXP 'pattern'`, and
// sw_yyyymmdd_date). What differs from other engines is in its traits
// (sqlite_engine.h).
//
// Engine-specific behaviour callers may rely on:
//  - Rollback() without an open transaction is a no-op returning OK: SQLite
//    itself rolls back on some errors (disk full, I/O), and the RAII
//    Transaction must not turn that into a second error.
//  - Upsert() with empty `key_columns` is a plain INSERT.
//  - A table whose primary key is one INTEGER column keys rows by SQLite's
//    rowid: a NULL key there receives a fresh id instead of failing NOT NULL.
//  - Upsert() is atomic per call (it runs inside a SAVEPOINT, or its own
//    transaction when none is open).
//
// Thread-safety: NOT thread-safe, like every Warehouse; open one per thread.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "warehouse/engine_traits.h"
#include "warehouse/warehouse.h"

struct sqlite3;
struct sqlite3_stmt;

namespace silverwork {

class SqliteWarehouse final : public Warehouse {
 public:
  static constexpr int kBusyTimeoutMs = 5000;
  // Prepared statements kept per connection; the least recently used idle
  // one is finalized when a new statement would exceed this.
  static constexpr size_t kStatementCacheCapacity = 64;

  // Opens (creating it and its parent directories unless read-only) the
  // database file at options.location; ":memory:" opens a private in-memory
  // database. A read-only open of a missing file is kNotFound.
  static Result<std::unique_ptr<SqliteWarehouse>> Open(const WarehouseOptions& options);

  ~SqliteWarehouse() override;
  SqliteWarehouse(const SqliteWarehouse&) = delete;
  SqliteWarehouse& operator=(const SqliteWarehouse&) = delete;

  const EngineTraits& traits() const override;

  Status Execute(std::string_view sql) override;
  Result<int64_t> ExecuteWithParams(std::string_view sql, std::span<const Value> params) override;
  Status Query(std::string_view sql, std::span<const Value> params, const RowCallback& on_row,
               std::vector<std::string>* columns = nullptr) override;

  Status Begin() override;
  Status Commit() override;
  Status Rollback() override;
  bool InTransaction() const override;

  Status EnsureTable(const TableSpec& spec) override;
  Status Upsert(std::string_view table, std::span<const std::string> columns,
                std::span<const std::string> key_columns, std::span<const Row> rows) override;

  Result<bool> TableExists(std::string_view name) override;
  Result<std::vector<ColumnSpec>> DescribeTable(std::string_view name) override;
  // Checkpoints the write-ahead log on a connection and thread of its own
  // (sqlite_checkpointer.h).
  std::unique_ptr<BackgroundWork> MaintainInBackground() override;
  Result<std::unique_ptr<Warehouse>> OpenPeer() override;

 private:
  class StatementLease;
  struct CachedStatement {
    sqlite3_stmt* statement = nullptr;
    bool in_use = false;
    uint64_t last_used = 0;
  };

  explicit SqliteWarehouse(sqlite3* db);

  // Returns a prepared statement for `sql` (exactly one statement), from the
  // cache when possible. The lease resets the statement when it ends.
  Result<StatementLease> Acquire(std::string_view sql);
  void EvictIdleStatement();
  Status Error(int rc, std::string_view sql) const;
  // Checks the parameter count and binds `params` to `statement` in order.
  Status BindAll(sqlite3_stmt* statement, std::span<const Value> params,
                 std::string_view sql) const;
  // PRAGMA wal_autocheckpoint: pages of log after which a commit checkpoints (0: never).
  Result<int> WalAutocheckpoint();

  sqlite3* db_;
  WarehouseOptions options_;  // as opened, for OpenPeer
  // Looked up by string_view: no allocation per statement run.
  struct SqlHash {
    using is_transparent = void;
    size_t operator()(std::string_view sql) const { return std::hash<std::string_view>{}(sql); }
  };
  std::unordered_map<std::string, CachedStatement, SqlHash, std::equal_to<>> statements_;
  uint64_t use_counter_ = 0;
};

}  // namespace silverwork
