// PostgresWarehouse::Upsert: COPY into a temporary table, then one merge;
// PostgresWarehouse::Append: one appender's stream (postgres_appender.cc).
//
// Per call, inside a savepoint of the caller's transaction (or a transaction
// of its own): the temporary table for this table and column list is made
// if the session lacks it (same column types as the target, plus the row's
// position) and emptied; the rows stream in through COPY ... FROM STDIN;
// one INSERT ... SELECT ... ON CONFLICT DO UPDATE merges them, keeping the
// last row of a key given twice. Nothing reaches the target table unless
// the caller's transaction commits, so a process killed at any point leaves
// whole batches only.
#include <fmt/format.h>

#include "warehouse/engine_contract.h"
#include "warehouse/postgres/postgres_errors.h"
#include "warehouse/postgres/postgres_values.h"
#include "warehouse/postgres/postgres_warehouse.h"

namespace silverwork {
namespace {

// COPY data goes to libpq in pieces of about this size.
constexpr size_t kCopyChunkBytes = 256 * 1024;
constexpr std::string_view kRowColumn = "_sw_row";

}  // namespace

std::string PostgresWarehouse::StagingTableFor(std::string_view table,
                                               std::span<const std::string> columns) {
  std::string shape(table);
  for (const std::string& column : columns) {
    shape += '\0';
    shape += column;
  }
  auto found = staging_tables_.find(shape);
  if (found != staging_tables_.end()) return found->second;
  std::string name = fmt::format("pg_temp.\"_sw_load_{}\"", staging_tables_.size());
  staging_tables_.emplace(std::move(shape), name);
  return name;
}

Status PostgresWarehouse::CopyRows(std::string_view table, const std::string& staging,
                                   std::span<const std::string> columns,
                                   std::span<const Row> rows) {
  const std::string sql =
      fmt::format("COPY {} ({}, {}) FROM STDIN", staging, QuotedNames(columns, dialect()),
                  dialect().QuoteIdentifier(kRowColumn));
  SW_RETURN_IF_ERROR(PrepareToSend());
  PGconn* connection = connection_.get();
  settled_status_ = PQtransactionStatus(connection);
  postgres::PgResult started(PQexec(connection, sql.c_str()));
  if (PQresultStatus(started.get()) != PGRES_COPY_IN) return Failure(started.get(), sql);

  std::string buffer;
  buffer.reserve(kCopyChunkBytes + 4096);
  bool sent = true;
  for (size_t index = 0; index < rows.size() && sent; ++index) {
    postgres::AppendCopyFields(rows[index], buffer);
    buffer += '\t';
    buffer += std::to_string(index);
    buffer += '\n';
    if (buffer.size() >= kCopyChunkBytes || index + 1 == rows.size()) {
      sent = PQputCopyData(connection, buffer.data(), static_cast<int>(buffer.size())) == 1;
      buffer.clear();
    }
  }
  sent = sent && PQputCopyEnd(connection, nullptr) == 1;

  Status status;
  while (postgres::PgResult result{PQgetResult(connection)}) {
    if (PQresultStatus(result.get()) == PGRES_COMMAND_OK || !status.ok()) continue;
    status = Failure(result.get(), sql);
    if (const int64_t row = postgres::RejectedCopyRow(result.get()); row >= 0)
      status = status.WithContext(fmt::format("Upsert into \"{}\" failed at row {}", table, row));
  }
  if (status.ok() && !sent) status = Failure(nullptr, sql);
  return status;
}

Status PostgresWarehouse::Upsert(std::string_view table, std::span<const std::string> columns,
                                 std::span<const std::string> key_columns,
                                 std::span<const Row> rows) {
  SW_RETURN_IF_ERROR(CheckUpsertArguments(table, columns, key_columns, rows));
  if (rows.empty()) return Status::Ok();

  const std::string target = dialect().QuoteIdentifier(table);
  const std::string column_list = QuotedNames(columns, dialect());
  const std::string row_column = dialect().QuoteIdentifier(kRowColumn);
  const std::string staging = StagingTableFor(table, columns);
  const std::string prepare = fmt::format(
      "CREATE TEMP TABLE IF NOT EXISTS {0} AS SELECT {1}, 0::bigint AS {2} FROM {3} WITH NO DATA; "
      "TRUNCATE {0}",
      staging, column_list, row_column, target);
  std::string merge;
  if (key_columns.empty()) {
    merge = fmt::format("INSERT INTO {0} ({1}) SELECT {1} FROM {2} ORDER BY {3}", target,
                        column_list, staging, row_column);
  } else {
    const std::string keys = QuotedNames(key_columns, dialect());
    merge = fmt::format(
        "INSERT INTO {0} ({1}) SELECT DISTINCT ON ({2}) {1} FROM {3} ORDER BY {2}, {4} DESC{5}",
        target, column_list, keys, staging, row_column,
        OnConflictClause(columns, key_columns, dialect()));
  }

  return RunAtomically(*this, [&]() -> Status {
    SW_RETURN_IF_ERROR(Execute(prepare));
    SW_RETURN_IF_ERROR(CopyRows(table, staging, columns, rows));
    Status merged = Execute(merge);
    return merged.ok() ? merged : merged.WithContext(fmt::format("Upsert into \"{}\"", table));
  });
}

Status PostgresWarehouse::Append(std::string_view table, std::span<const std::string> columns,
                                 std::span<const Row> rows) {
  SW_RETURN_IF_ERROR(CheckUpsertArguments(table, columns, {}, rows));
  if (rows.empty()) return Status::Ok();
  SW_ASSIGN_OR_RETURN(std::unique_ptr<Appender> appender, OpenAppender(table, columns));
  for (const Row& row : rows) SW_RETURN_IF_ERROR(appender->Add(row));
  return appender->Finish();
}

}  // namespace silverwork
