#include "warehouse/warehouse.h"

#include <fmt/format.h>

#include <utility>

#include "warehouse/engine_traits.h"

namespace silverwork {
namespace {

// Collection state lives in the warehouse so that it commits with the data.
constexpr std::string_view kStateTable = "_sw_state";
// The state key of the build generation (Warehouse::BuildGeneration).
constexpr std::string_view kBuildGenerationKey = "build_generation";

std::string Quoted(std::string_view text, char quote) {
  std::string out;
  out.reserve(text.size() + 2);
  out += quote;
  for (char ch : text) {
    if (ch == quote) out += quote;
    out += ch;
  }
  out += quote;
  return out;
}

}  // namespace

std::string ValueToString(const Value& value) {
  struct Renderer {
    std::string operator()(std::monostate) const { return {}; }
    std::string operator()(int64_t number) const { return std::to_string(number); }
    // Shortest text that reads back as the same double.
    std::string operator()(double number) const { return fmt::format("{}", number); }
    std::string operator()(const std::string& text) const { return text; }
  };
  return std::visit(Renderer{}, value);
}

std::string Dialect::QuoteIdentifier(std::string_view name) const { return Quoted(name, '"'); }

std::string Dialect::QuoteString(std::string_view text) const { return Quoted(text, '\''); }

std::string Dialect::RenameTable(std::string_view from, std::string_view to) const {
  return fmt::format("ALTER TABLE {} RENAME TO {}", QuoteIdentifier(from), QuoteIdentifier(to));
}

std::string_view Warehouse::engine() const { return traits().engine(); }

const Dialect& Warehouse::dialect() const { return traits().dialect(); }

Status Warehouse::Append(std::string_view table, std::span<const std::string> columns,
                         std::span<const Row> rows) {
  return Upsert(table, columns, {}, rows);
}

Result<std::unique_ptr<Warehouse>> Warehouse::OpenPeer() {
  return Status(ErrorCode::kUnsupported,
                fmt::format("the {} engine cannot open a second connection", engine()));
}

Result<QueryResult> Warehouse::QueryAll(std::string_view sql, std::span<const Value> params) {
  QueryResult result;
  SW_RETURN_IF_ERROR(Query(
      sql, params,
      [&result](const Row& row) {
        result.rows.push_back(row);
        return Status::Ok();
      },
      &result.columns));
  return result;
}

// The state table is checked (GetState/DeleteState) or ensured (PutState) on
// every call rather than remembered: the transaction that created it may
// roll back, and state calls are rare next to the data they describe.
Result<std::optional<std::string>> Warehouse::GetState(std::string_view key) {
  SW_ASSIGN_OR_RETURN(bool exists, TableExists(kStateTable));
  if (!exists) return std::optional<std::string>();
  const Dialect& sql = dialect();
  std::optional<std::string> value;
  const Value params[] = {std::string(key)};
  SW_RETURN_IF_ERROR(
      Query(fmt::format("SELECT {} FROM {} WHERE {} = ?", sql.QuoteIdentifier("value"),
                        sql.QuoteIdentifier(kStateTable), sql.QuoteIdentifier("key")),
            params, [&value](const Row& row) {
              value = ValueToString(row.at(0));
              return Status::Ok();
            }));
  return value;
}

Status Warehouse::EnsureStateTable() {
  return EnsureTable(
      {.name = std::string(kStateTable),
       .columns = {{.name = "key"}, {.name = "value", .not_null = true}, {.name = "updated_at"}},
       .primary_key = {"key"}});
}

Status Warehouse::PutState(std::string_view key, std::string_view value) {
  SW_RETURN_IF_ERROR(EnsureStateTable());
  const Dialect& sql = dialect();
  const std::string key_column = sql.QuoteIdentifier("key");
  const std::string value_column = sql.QuoteIdentifier("value");
  const std::string updated_column = sql.QuoteIdentifier("updated_at");
  // INSERT ... ON CONFLICT DO UPDATE is spelled the same in SQLite and
  // PostgreSQL; the timestamp comes from the engine, not from our clock.
  const std::string statement = fmt::format(
      "INSERT INTO {0}({1}, {2}, {3}) VALUES(?, ?, {4}) ON CONFLICT({1}) DO UPDATE SET "
      "{2} = excluded.{2}, {3} = excluded.{3}",
      sql.QuoteIdentifier(kStateTable), key_column, value_column, updated_column,
      sql.CurrentTimestamp());
  const Value params[] = {std::string(key), std::string(value)};
  return ExecuteWithParams(statement, params).status();
}

Status Warehouse::DeleteState(std::string_view key) {
  SW_ASSIGN_OR_RETURN(bool exists, TableExists(kStateTable));
  if (!exists) return Status::Ok();
  const Dialect& sql = dialect();
  const Value params[] = {std::string(key)};
  return ExecuteWithParams(
             fmt::format("DELETE FROM {} WHERE {} = ?", sql.QuoteIdentifier(kStateTable),
                         sql.QuoteIdentifier("key")),
             params)
      .status();
}

// The generation is a number in the state store; its token adds when it was
// advanced, so that a warehouse dropped and built again, whose count starts
// over, does not repeat a token a reader holds.
Result<std::string> Warehouse::BuildGeneration() {
  SW_ASSIGN_OR_RETURN(bool exists, TableExists(kStateTable));
  if (!exists) return std::string("none");
  const Dialect& sql = dialect();
  std::string token = "none";
  const Value params[] = {std::string(kBuildGenerationKey)};
  SW_RETURN_IF_ERROR(Query(
      fmt::format("SELECT {}, {} FROM {} WHERE {} = ?", sql.QuoteIdentifier("value"),
                  sql.QuoteIdentifier("updated_at"), sql.QuoteIdentifier(kStateTable),
                  sql.QuoteIdentifier("key")),
      params, [&token](const Row& row) {
        token = fmt::format("{} at {}", ValueToString(row.at(0)), ValueToString(row.at(1)));
        return Status::Ok();
      }));
  return token;
}

// One upsert whose update reads the stored number: both engines lock the
// row for it, so two builds finishing together count twice.
Status Warehouse::AdvanceBuildGeneration() {
  SW_RETURN_IF_ERROR(EnsureStateTable());
  const Dialect& sql = dialect();
  const std::string table = sql.QuoteIdentifier(kStateTable);
  const std::string value_column = sql.QuoteIdentifier("value");
  const std::string updated_column = sql.QuoteIdentifier("updated_at");
  const std::string statement = fmt::format(
      "INSERT INTO {0}({1}, {2}, {3}) VALUES(?, '1', {4}) ON CONFLICT({1}) DO UPDATE SET "
      "{2} = CAST(CAST({0}.{2} AS BIGINT) + 1 AS TEXT), {3} = excluded.{3}",
      table, sql.QuoteIdentifier("key"), value_column, updated_column, sql.CurrentTimestamp());
  const Value params[] = {std::string(kBuildGenerationKey)};
  Status status = ExecuteWithParams(statement, params).status();
  return status.ok() ? status : status.WithContext("cannot advance the build generation");
}

}  // namespace silverwork
