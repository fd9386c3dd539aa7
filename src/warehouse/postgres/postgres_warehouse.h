// PostgresWarehouse: a PostgreSQL server behind the Warehouse interface.
//
// One object is one libpq connection (see postgres_connect.h for where the
// connection string and password come from). The client is Debian's libpq
// itself, not libpqxx on top of it: libpqxx reports failures by throwing,
// where silverwork's expected failures are Status values, and what this
// engine needs — COPY FROM STDIN, single-row streaming, SQLSTATE fields,
// transaction status — is libpq's own small C API, one package fewer.
//
// Tables live in the connection's current schema (the first schema of its
// search_path that exists; a URL may set it with
// ?options=-csearch_path%3Dname): TableExists and DescribeTable look there
// and in the session's temporary schema, for the name as given or as
// PostgreSQL folds an unquoted one (lower case). EnsureTable quotes names as
// given, so camelCase columns keep their case, and it never adds a column
// whose name differs from an existing one only in case.
//
// Engine-specific behaviour callers may rely on:
//  - `?` placeholders become $n (postgres_sql_text.h); parameters travel as
//    text, integers typed bigint and doubles double precision, text left
//    for the server to type from its context. Compare an integer parameter
//    with a TEXT column through a cast.
//  - Query streams rows one at a time (libpq's single-row mode). A statement
//    run from inside a row callback first reads the rest of the outer
//    result into memory, so nesting works at that cost. A callback that
//    stops the query makes the engine read and drop the remaining rows.
//  - Execute sends its text as one simple query: several statements run in
//    one implicit transaction when no transaction is open.
//  - A failed statement inside a transaction aborts it on the server: later
//    statements fail until Rollback, and Commit then rolls back and says
//    which statement failed. Upsert and EnsureTable are atomic per call (a
//    savepoint), so their failure leaves the transaction usable.
//  - Upsert copies the rows (COPY ... FROM STDIN) into a temporary table of
//    the same column types and merges them with one INSERT ... ON CONFLICT
//    DO UPDATE; a key given twice in one call keeps its last row, as
//    SQLite's row-by-row upsert does.
//  - OpenAppender keeps one COPY ... FROM STDIN into the table open inside
//    a savepoint, the connection non-blocking: Add encodes rows into a
//    buffer handed to libpq in pieces, and waits for the socket only while
//    more than a few MB are unsent, so the server inserts while the caller
//    makes the next rows. A duplicate key fails the COPY (reported by
//    Finish, when the server answers) and undoes all of it. Append is one
//    appender's stream.
//  - A lost connection (server restart, network) fails the statement with
//    kNetwork. Inside a transaction the message says the server rolled the
//    transaction back, every call but Rollback keeps failing until the
//    caller rolls back, and Rollback then succeeds; outside one, the next
//    call reconnects.
//  - Rollback() without an open transaction is a no-op returning OK.
//  - Text cannot hold NUL bytes (PostgreSQL refuses them); read_only sets
//    default_transaction_read_only.
//
// Thread-safety: NOT thread-safe, like every Warehouse; open one per thread
// (OpenPeer).
#pragma once

#include <libpq-fe.h>

#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "warehouse/engine_traits.h"
#include "warehouse/postgres/postgres_connect.h"
#include "warehouse/warehouse.h"

namespace silverwork {

class PostgresWarehouse final : public Warehouse {
 public:
  // Connects to the server options.location names. See postgres_connect.h
  // for the failures.
  static Result<std::unique_ptr<PostgresWarehouse>> Open(const WarehouseOptions& options);

  ~PostgresWarehouse() override;
  PostgresWarehouse(const PostgresWarehouse&) = delete;
  PostgresWarehouse& operator=(const PostgresWarehouse&) = delete;

  // PostgresTraits() (postgres_engine.h).
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
  Status Append(std::string_view table, std::span<const std::string> columns,
                std::span<const Row> rows) override;
  // One COPY ... FROM STDIN kept open (postgres_appender.cc).
  Result<std::unique_ptr<Appender>> OpenAppender(std::string_view table,
                                                 std::span<const std::string> columns) override;

  Result<bool> TableExists(std::string_view name) override;
  Result<std::vector<ColumnSpec>> DescribeTable(std::string_view name) override;
  Result<std::unique_ptr<Warehouse>> OpenPeer() override;

 private:
  struct StreamedResult;
  class CopyAppender;
  using ResultHandler = std::function<Status(PGresult*)>;
  enum class SendMode {
    kScript,      // simple protocol: several statements, no parameters
    kParameters,  // one statement with $n parameters, results whole
    kStreamRows,  // one statement with $n parameters, rows one at a time
  };

  PostgresWarehouse(postgres::PgConnection connection, postgres::ConnectParameters parameters,
                    WarehouseOptions options);

  // `sql` with $n placeholders, or kInvalidInput when it holds several
  // statements or a parameter count other than `given`.
  Result<std::string> Translate(std::string_view sql, size_t given) const;
  // Sends `statement` (`sql` as the caller wrote it, for messages), then
  // hands each result to `handler` until the statement is done. After the
  // first failure (the server's or the handler's) the rest is read and
  // dropped, and that failure is returned.
  Status Run(std::string_view sql, const std::string& statement, std::span<const Value> params,
             SendMode mode, const ResultHandler& handler);
  Status Send(std::string_view sql, const std::string& statement, std::span<const Value> params,
              SendMode mode);
  Status Stream(std::string_view sql, StreamedResult& stream, const ResultHandler& handler);
  PGresult* NextResult(StreamedResult& stream);
  void EndUnexpectedCopy(PGresult* result);
  // Frees the connection for a new statement: reads ahead a result still
  // streaming, notices a connection the server closed while idle, and
  // connects again when no transaction was open on it.
  Status PrepareToSend();
  void NoticeClosedConnection();
  // The Status for a failed statement; notes a lost connection (and with it
  // a lost transaction) or the statement that aborted the transaction.
  Status Failure(const PGresult* result, std::string_view sql);
  void MarkConnectionLost(std::string reason, PGTransactionStatusType status_before);
  Status ConnectionLost() const;
  // -1 when the name means no table or view.
  Result<int64_t> RelationOid(std::string_view name);

  // Upsert's steps (postgres_upsert.cc).
  std::string StagingTableFor(std::string_view table, std::span<const std::string> columns);
  // COPY of `rows` into `staging`, each row with its index in `rows` (the
  // staging table's last column).
  Status CopyRows(std::string_view table, const std::string& staging,
                  std::span<const std::string> columns, std::span<const Row> rows);

  postgres::PgConnection connection_;
  postgres::ConnectParameters parameters_;  // for OpenPeer and reconnecting
  WarehouseOptions options_;
  std::string server_;  // host:port, for messages
  // The transaction status before the statement in flight: what it is while
  // a query streams (libpq then says "active").
  PGTransactionStatusType settled_status_ = PQTRANS_IDLE;
  bool connection_broken_ = false;
  bool transaction_lost_ = false;         // the connection broke inside a transaction
  std::string lost_reason_;               // why it broke
  std::string transaction_failure_;       // the statement that aborted the open transaction
  std::vector<StreamedResult*> streams_;  // queries whose rows are being handed out, innermost last
  std::map<std::string, std::string, std::less<>>
      staging_tables_;  // table and columns -> temp table
};

}  // namespace silverwork
