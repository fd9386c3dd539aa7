#include "warehouse/engine_contract.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace silverwork {
namespace {

constexpr size_t kSqlInErrors = 200;

bool Contains(std::span<const std::string> names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

std::string CreateTableIfMissing(const TableSpec& spec, const Dialect& dialect) {
  std::string create =
      fmt::format("CREATE TABLE IF NOT EXISTS {} (", dialect.QuoteIdentifier(spec.name));
  for (size_t index = 0; index < spec.columns.size(); ++index) {
    const ColumnSpec& column = spec.columns[index];
    if (index > 0) create += ", ";
    create += dialect.QuoteIdentifier(column.name) + " " + dialect.TypeName(column.type);
    // SQLite lets NULL into non-INTEGER primary keys; NULL keys would defeat Upsert.
    if (column.not_null || Contains(spec.primary_key, column.name)) create += " NOT NULL";
  }
  if (!spec.primary_key.empty()) {
    create += ", PRIMARY KEY (" + QuotedNames(spec.primary_key, dialect) + ")";
  }
  return create + ")";
}

}  // namespace

std::string QuotedNames(std::span<const std::string> names, const Dialect& dialect) {
  std::string out;
  for (const std::string& name : names) {
    if (!out.empty()) out += ", ";
    out += dialect.QuoteIdentifier(name);
  }
  return out;
}

std::string AbbreviateSql(std::string_view sql) {
  std::string out;
  bool pending_space = false;
  for (char ch : sql) {
    if (std::isspace(static_cast<unsigned char>(ch))) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    out += ch;
    if (out.size() > kSqlInErrors) break;
  }
  if (out.size() <= kSqlInErrors) return out;
  size_t cut = kSqlInErrors;
  while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
  out.resize(cut);
  return out + "...";
}

bool SameColumnName(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char left, char right) {
    return std::tolower(static_cast<unsigned char>(left)) ==
           std::tolower(static_cast<unsigned char>(right));
  });
}

Status CheckTableSpec(const TableSpec& spec) {
  if (spec.name.empty() || spec.columns.empty()) {
    return Status(ErrorCode::kInvalidInput,
                  fmt::format("table spec \"{}\" needs a name and at least one column", spec.name));
  }
  for (const std::string& key : spec.primary_key) {
    const bool listed =
        std::any_of(spec.columns.begin(), spec.columns.end(),
                    [&key](const ColumnSpec& column) { return column.name == key; });
    if (!listed) {
      return Status(
          ErrorCode::kInvalidInput,
          fmt::format("primary key column \"{}\" is not a column of table \"{}\"", key, spec.name));
    }
  }
  return Status::Ok();
}

Status CheckUpsertArguments(std::string_view table, std::span<const std::string> columns,
                            std::span<const std::string> key_columns, std::span<const Row> rows) {
  if (columns.empty()) {
    return Status(ErrorCode::kInvalidInput,
                  fmt::format("Upsert into \"{}\" names no columns", table));
  }
  for (const std::string& key : key_columns) {
    if (!Contains(columns, key)) {
      return Status(ErrorCode::kInvalidInput,
                    fmt::format("Upsert into \"{}\": key column \"{}\" is not among the columns",
                                table, key));
    }
  }
  for (size_t index = 0; index < rows.size(); ++index) {
    if (rows[index].size() != columns.size()) {
      return Status(ErrorCode::kInvalidInput,
                    fmt::format("Upsert into \"{}\": row {} has {} values for {} columns", table,
                                index, rows[index].size(), columns.size()));
    }
  }
  return Status::Ok();
}

Status NoSuchTableError(std::string_view name) {
  return Status(ErrorCode::kNotFound,
                fmt::format("table or view \"{}\" does not exist in the warehouse", name),
                "run the load or model that creates it first");
}

Status NestedBeginError() {
  return Status(ErrorCode::kInternal, "Begin() while a transaction is open",
                "transactions do not nest; commit or roll back the open one first");
}

Status CommitWithoutBeginError() {
  return Status(ErrorCode::kInternal, "Commit() without an open transaction",
                "call Begin() first; the transaction may have been rolled back by an error");
}

Status EnsureTableWithStandardSql(Warehouse& warehouse, const TableSpec& spec) {
  SW_RETURN_IF_ERROR(CheckTableSpec(spec));
  const Dialect& dialect = warehouse.dialect();
  const std::string create = CreateTableIfMissing(spec, dialect);
  return RunAtomically(warehouse, [&]() -> Status {
    SW_RETURN_IF_ERROR(warehouse.Execute(create));
    SW_ASSIGN_OR_RETURN(std::vector<ColumnSpec> existing, warehouse.DescribeTable(spec.name));
    for (const ColumnSpec& column : spec.columns) {
      const bool present = std::any_of(
          existing.begin(), existing.end(),
          [&column](const ColumnSpec& have) { return SameColumnName(have.name, column.name); });
      if (present) continue;
      SW_RETURN_IF_ERROR(warehouse.Execute(
          fmt::format("ALTER TABLE {} ADD COLUMN {} {}", dialect.QuoteIdentifier(spec.name),
                      dialect.QuoteIdentifier(column.name), dialect.TypeName(column.type))));
    }
    return Status::Ok();
  });
}

std::string OnConflictClause(std::span<const std::string> columns,
                             std::span<const std::string> key_columns, const Dialect& dialect) {
  if (key_columns.empty()) return {};
  std::string updates;
  for (const std::string& column : columns) {
    if (Contains(key_columns, column)) continue;
    const std::string quoted = dialect.QuoteIdentifier(column);
    if (!updates.empty()) updates += ", ";
    updates += quoted + " = excluded." + quoted;
  }
  const std::string keys = QuotedNames(key_columns, dialect);
  return updates.empty() ? fmt::format(" ON CONFLICT({}) DO NOTHING", keys)
                         : fmt::format(" ON CONFLICT({}) DO UPDATE SET {}", keys, updates);
}

Status RunAtomically(Warehouse& warehouse, const std::function<Status()>& body) {
  if (!warehouse.InTransaction()) {
    SW_RETURN_IF_ERROR(warehouse.Begin());
    Status status = body();
    if (!status.ok()) {
      (void)warehouse.Rollback();
      return status;
    }
    return warehouse.Commit();
  }
  SW_RETURN_IF_ERROR(warehouse.Execute("SAVEPOINT sw_atomic"));
  Status status = body();
  if (!status.ok()) {
    // Best effort: the engine may already have rolled the transaction back.
    (void)warehouse.Execute("ROLLBACK TO sw_atomic; RELEASE sw_atomic");
    return status;
  }
  return warehouse.Execute("RELEASE sw_atomic");
}

}  // namespace silverwork
