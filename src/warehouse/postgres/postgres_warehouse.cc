#include "warehouse/postgres/postgres_warehouse.h"

#include <fmt/format.h>
#include <poll.h>

#include <charconv>
#include <deque>
#include <utility>

#include "warehouse/engine_contract.h"
#include "warehouse/postgres/postgres_engine.h"
#include "warehouse/postgres/postgres_errors.h"
#include "warehouse/postgres/postgres_sql_text.h"
#include "warehouse/postgres/postgres_values.h"

namespace silverwork {

using postgres::PgResult;

namespace {

bool InsideTransaction(PGTransactionStatusType status) {
  return status == PQTRANS_INTRANS || status == PQTRANS_INERROR;
}

// The relation a name means in the current schema or the session's
// temporary one: the name as given first, else as PostgreSQL folds an
// unquoted name.
constexpr const char* kRelationSql =
    "SELECT c.oid::bigint FROM pg_catalog.pg_class c "
    "WHERE c.relkind IN ('r', 'v', 'm', 'p', 'f') "
    "AND (c.relnamespace = pg_catalog.pg_my_temp_schema() OR c.relnamespace = "
    "(SELECT n.oid FROM pg_catalog.pg_namespace n WHERE n.nspname = pg_catalog.current_schema())) "
    "AND c.relname::text IN (?1::text, pg_catalog.lower(?1::text)) "
    "ORDER BY c.relname::text = ?1::text DESC LIMIT 1";

constexpr const char* kColumnsSql =
    "SELECT a.attname::text, a.atttypid::bigint, a.attnotnull FROM pg_catalog.pg_attribute a "
    "WHERE a.attrelid = ?::oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum";

}  // namespace

// One streamed query's results. While its row callback runs, a nested
// statement needs the connection, so what is still on the wire is read
// ahead into `read_ahead` first.
struct PostgresWarehouse::StreamedResult {
  bool on_the_wire = true;
  std::deque<PgResult> read_ahead;
};

Result<std::unique_ptr<PostgresWarehouse>> PostgresWarehouse::Open(
    const WarehouseOptions& options) {
  SW_ASSIGN_OR_RETURN(postgres::ConnectParameters parameters,
                      postgres::ConnectParametersFor(options));
  SW_ASSIGN_OR_RETURN(postgres::PgConnection connection, postgres::Connect(parameters));
  return std::unique_ptr<PostgresWarehouse>(
      new PostgresWarehouse(std::move(connection), std::move(parameters), options));
}

PostgresWarehouse::PostgresWarehouse(postgres::PgConnection connection,
                                     postgres::ConnectParameters parameters,
                                     WarehouseOptions options)
    : connection_(std::move(connection)),
      parameters_(std::move(parameters)),
      options_(std::move(options)),
      server_(postgres::ServerName(connection_.get())) {}

const EngineTraits& PostgresWarehouse::traits() const { return PostgresTraits(); }

// Closing the connection is enough: the server rolls back what was open.
PostgresWarehouse::~PostgresWarehouse() = default;

Result<std::unique_ptr<Warehouse>> PostgresWarehouse::OpenPeer() {
  SW_ASSIGN_OR_RETURN(postgres::PgConnection connection, postgres::Connect(parameters_));
  return std::unique_ptr<Warehouse>(
      new PostgresWarehouse(std::move(connection), parameters_, options_));
}

Status PostgresWarehouse::ConnectionLost() const {
  if (!transaction_lost_) {
    return Status(ErrorCode::kNetwork,
                  fmt::format("lost the connection to PostgreSQL at {} ({}); the statement did "
                              "not run to the end",
                              server_, lost_reason_),
                  "check that the server is running (it may have restarted); the next statement "
                  "connects again");
  }
  return Status(ErrorCode::kNetwork,
                fmt::format("lost the connection to PostgreSQL at {} ({}); the server rolled "
                            "back the open transaction, so none of its work was saved",
                            server_, lost_reason_),
                "check that the server is running (it may have restarted), then run the command "
                "again: what was committed before stays, and the rest is done again");
}

void PostgresWarehouse::MarkConnectionLost(std::string reason,
                                           PGTransactionStatusType status_before) {
  connection_broken_ = true;
  transaction_lost_ = InsideTransaction(status_before);
  lost_reason_ = std::move(reason);
}

Status PostgresWarehouse::Failure(const PGresult* result, std::string_view sql) {
  if (PQstatus(connection_.get()) == CONNECTION_BAD || postgres::EndsTheSession(result)) {
    MarkConnectionLost(postgres::ErrorReason(result, connection_.get()), settled_status_);
    return ConnectionLost();
  }
  Status error = postgres::StatementError(result, connection_.get(), sql);
  if (settled_status_ == PQTRANS_INTRANS) transaction_failure_ = error.message();
  return error;
}

// A server that shut down or restarted has closed an idle connection after
// a last "terminating connection" message. Reading what is pending tells: the
// message (which libpq hands to the notice processor) on one read, the end
// of the stream on the next.
void PostgresWarehouse::NoticeClosedConnection() {
  constexpr int kReads = 4;  // an idle server sends little: a message, then the end
  PGconn* connection = connection_.get();
  const PGTransactionStatusType before = PQtransactionStatus(connection);
  for (int read = 0; read < kReads; ++read) {
    if (connection_broken_ || PQstatus(connection) != CONNECTION_OK) return;
    pollfd pending = {.fd = PQsocket(connection), .events = POLLIN, .revents = 0};
    if (poll(&pending, 1, /*timeout=*/0) <= 0) return;
    if (PQconsumeInput(connection) == 1 && PQstatus(connection) == CONNECTION_OK) continue;
    MarkConnectionLost(postgres::ErrorReason(nullptr, connection), before);
  }
}

Status PostgresWarehouse::PrepareToSend() {
  SW_RETURN_IF_ERROR(RefuseWhileAppending());
  if (!streams_.empty() && streams_.back()->on_the_wire) {
    StreamedResult& outer = *streams_.back();
    while (PGresult* result = PQgetResult(connection_.get())) outer.read_ahead.emplace_back(result);
    outer.on_the_wire = false;
  }
  NoticeClosedConnection();
  if (transaction_lost_) return ConnectionLost();
  if (!connection_broken_ && PQstatus(connection_.get()) == CONNECTION_OK) return Status::Ok();
  SW_ASSIGN_OR_RETURN(connection_, postgres::Connect(parameters_));
  connection_broken_ = false;
  return Status::Ok();
}

Result<std::string> PostgresWarehouse::Translate(std::string_view sql, size_t given) const {
  postgres::PlaceholderTranslation translated = postgres::TranslatePlaceholders(sql);
  if (translated.several_statements) {
    return Status(
        ErrorCode::kInvalidInput,
        fmt::format("expected one SQL statement but got several (SQL: {})", AbbreviateSql(sql)),
        "run scripts with several statements through Execute()");
  }
  if (static_cast<size_t>(translated.parameter_count) != given) {
    return Status(ErrorCode::kInvalidInput,
                  fmt::format("the SQL has {} parameter(s) but {} value(s) were given (SQL: {})",
                              translated.parameter_count, given, AbbreviateSql(sql)));
  }
  return std::move(translated.sql);
}

Status PostgresWarehouse::Send(std::string_view sql, const std::string& statement,
                               std::span<const Value> params, SendMode mode) {
  SW_RETURN_IF_ERROR(PrepareToSend());
  PGconn* connection = connection_.get();
  settled_status_ = PQtransactionStatus(connection);
  int sent = 0;
  if (mode == SendMode::kScript) {
    sent = PQsendQuery(connection, statement.c_str());
  } else {
    const postgres::ParameterArrays arrays(params);
    sent = PQsendQueryParams(connection, statement.c_str(), arrays.count(), arrays.types(),
                             arrays.values(), nullptr, nullptr, /*resultFormat=*/0);
  }
  if (sent != 1) return Failure(nullptr, sql);
  if (mode == SendMode::kStreamRows) PQsetSingleRowMode(connection);
  return Status::Ok();
}

PGresult* PostgresWarehouse::NextResult(StreamedResult& stream) {
  if (!stream.read_ahead.empty()) {
    PGresult* result = stream.read_ahead.front().release();
    stream.read_ahead.pop_front();
    return result;
  }
  if (!stream.on_the_wire) return nullptr;
  PGresult* result = PQgetResult(connection_.get());
  if (result == nullptr) stream.on_the_wire = false;
  return result;
}

// COPY is only for Upsert and Append: a COPY reached any other way is refused, so that
// the connection does not wait for data nobody sends.
void PostgresWarehouse::EndUnexpectedCopy(PGresult* result) {
  PGconn* connection = connection_.get();
  if (PQresultStatus(result) == PGRES_COPY_IN) {
    PQputCopyEnd(connection, "silverwork sends COPY data only through Upsert() and Append()");
    return;
  }
  char* buffer = nullptr;
  while (PQgetCopyData(connection, &buffer, /*async=*/0) > 0) PQfreemem(buffer);
}

Status PostgresWarehouse::Stream(std::string_view sql, StreamedResult& stream,
                                 const ResultHandler& handler) {
  streams_.push_back(&stream);
  Status status;
  while (PgResult result{NextResult(stream)}) {
    switch (PQresultStatus(result.get())) {
      case PGRES_SINGLE_TUPLE:
      case PGRES_TUPLES_OK:
      case PGRES_COMMAND_OK:
      case PGRES_EMPTY_QUERY:
        if (status.ok()) status = handler(result.get());
        break;
      case PGRES_COPY_IN:
      case PGRES_COPY_OUT:
        EndUnexpectedCopy(result.get());
        break;
      default:
        if (status.ok()) status = Failure(result.get(), sql);
    }
  }
  streams_.pop_back();
  return status;
}

Status PostgresWarehouse::Run(std::string_view sql, const std::string& statement,
                              std::span<const Value> params, SendMode mode,
                              const ResultHandler& handler) {
  SW_RETURN_IF_ERROR(Send(sql, statement, params, mode));
  StreamedResult stream;
  return Stream(sql, stream, handler);
}

Status PostgresWarehouse::Execute(std::string_view sql) {
  return Run(sql, std::string(sql), {}, SendMode::kScript, [](PGresult*) { return Status::Ok(); });
}

Result<int64_t> PostgresWarehouse::ExecuteWithParams(std::string_view sql,
                                                     std::span<const Value> params) {
  SW_ASSIGN_OR_RETURN(const std::string statement, Translate(sql, params.size()));
  int64_t changed = 0;
  SW_RETURN_IF_ERROR(
      Run(sql, statement, params, SendMode::kParameters, [&changed](PGresult* result) {
        const std::string_view count = PQcmdTuples(result);
        std::from_chars(count.data(), count.data() + count.size(), changed);
        return Status::Ok();
      }));
  return changed;
}

Status PostgresWarehouse::Query(std::string_view sql, std::span<const Value> params,
                                const RowCallback& on_row, std::vector<std::string>* columns) {
  SW_ASSIGN_OR_RETURN(const std::string statement, Translate(sql, params.size()));
  bool described = false;
  std::vector<Oid> types;
  Row row;
  if (columns != nullptr) columns->clear();
  return Run(sql, statement, params, SendMode::kStreamRows, [&](PGresult* result) -> Status {
    const int column_count = PQnfields(result);
    if (!described) {
      described = true;
      for (int column = 0; column < column_count; ++column) {
        if (columns != nullptr) columns->emplace_back(PQfname(result, column));
        types.push_back(PQftype(result, column));
      }
      row.resize(static_cast<size_t>(column_count));
    }
    for (int tuple = 0; tuple < PQntuples(result); ++tuple) {
      for (int column = 0; column < column_count; ++column) {
        Value& cell = row[static_cast<size_t>(column)];
        if (PQgetisnull(result, tuple, column)) {
          cell = std::monostate{};
          continue;
        }
        postgres::ReadCell({PQgetvalue(result, tuple, column),
                            static_cast<size_t>(PQgetlength(result, tuple, column))},
                           types[static_cast<size_t>(column)], cell);
      }
      SW_RETURN_IF_ERROR(on_row(row));
    }
    return Status::Ok();
  });
}

Status PostgresWarehouse::Begin() {
  if (InTransaction()) return NestedBeginError();
  transaction_failure_.clear();
  return Execute("BEGIN");
}

Status PostgresWarehouse::Commit() {
  if (!InTransaction()) return CommitWithoutBeginError();
  if (transaction_lost_) return ConnectionLost();
  if (PQtransactionStatus(connection_.get()) == PQTRANS_INERROR) {
    (void)Execute("ROLLBACK");
    return Status(ErrorCode::kDatabase,
                  fmt::format("the transaction was rolled back, not committed: a statement in it "
                              "failed: {}",
                              transaction_failure_),
                  "fix what made that statement fail, then run the command again");
  }
  Status committed = Execute("COMMIT");
  if (committed.ok() || !transaction_lost_) return committed;
  return Status(ErrorCode::kNetwork,
                fmt::format("lost the connection to PostgreSQL at {} while committing; the "
                            "transaction may or may not have been saved",
                            server_),
                "check that the server is running, then run the command again: loads and "
                "checkpoints commit together, so a rerun redoes exactly what is missing");
}

Status PostgresWarehouse::Rollback() {
  AbandonAppender();
  if (transaction_lost_) {
    transaction_lost_ = false;  // the server rolled it back when the connection went
    return Status::Ok();
  }
  if (!InTransaction()) return Status::Ok();
  Status status = Execute("ROLLBACK");
  if (!status.ok() && transaction_lost_) {
    transaction_lost_ = false;
    return Status::Ok();
  }
  return status;
}

bool PostgresWarehouse::InTransaction() const {
  if (transaction_lost_) return true;
  if (connection_broken_) return false;
  PGTransactionStatusType status = PQtransactionStatus(connection_.get());
  if (status == PQTRANS_ACTIVE) status = settled_status_;
  return InsideTransaction(status);
}

Status PostgresWarehouse::EnsureTable(const TableSpec& spec) {
  return EnsureTableWithStandardSql(*this, spec);
}

Result<int64_t> PostgresWarehouse::RelationOid(std::string_view name) {
  int64_t oid = -1;
  const Value params[] = {std::string(name)};
  SW_RETURN_IF_ERROR(Query(kRelationSql, params, [&oid](const Row& row) {
    oid = std::get<int64_t>(row.at(0));
    return Status::Ok();
  }));
  return oid;
}

Result<bool> PostgresWarehouse::TableExists(std::string_view name) {
  SW_ASSIGN_OR_RETURN(int64_t oid, RelationOid(name));
  return oid >= 0;
}

Result<std::vector<ColumnSpec>> PostgresWarehouse::DescribeTable(std::string_view name) {
  SW_ASSIGN_OR_RETURN(int64_t oid, RelationOid(name));
  std::vector<ColumnSpec> columns;
  if (oid >= 0) {
    const Value params[] = {oid};
    SW_RETURN_IF_ERROR(Query(kColumnsSql, params, [&columns](const Row& row) {
      columns.push_back(
          {.name = std::get<std::string>(row.at(0)),
           .type = postgres::ColumnTypeOf(static_cast<Oid>(std::get<int64_t>(row.at(1)))),
           .not_null = std::get<int64_t>(row.at(2)) == 1});
      return Status::Ok();
    }));
  }
  if (columns.empty()) return NoSuchTableError(name);
  return columns;
}

}  // namespace silverwork
