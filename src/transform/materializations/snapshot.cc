#include "transform/materializations/snapshot.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "warehouse/engine_traits.h"

namespace silverwork::transform {
namespace {

constexpr std::array<std::string_view, 4> kMetaColumns{"dbt_scd_id", "dbt_updated_at",
                                                       "dbt_valid_from", "dbt_valid_to"};

// The SQL pieces of one snapshot run. `t` is the snapshot table (by its
// quoted name), `s` the staged source rows.
class SnapshotSql {
 public:
  SnapshotSql(const EngineTraits& traits, const std::string& relation, const std::string& staged,
              const NodeConfig& config, const std::string& now)
      : dialect_(traits.dialect()),
        traits_(traits),
        config_(config),
        target_(dialect_.QuoteIdentifier(relation)),
        staged_(dialect_.QuoteIdentifier(staged)),
        now_(dialect_.QuoteString(now)) {}

  std::string Q(std::string_view name) const { return dialect_.QuoteIdentifier(name); }

  // t.k1 = s.k1 AND ...
  std::string KeysMatch() const {
    std::string out;
    for (const std::string& key : config_.unique_key)
      out += fmt::format("{}{}.{} = s.{}", out.empty() ? "" : " AND ", target_, Q(key), Q(key));
    return out;
  }

  // k1, k2 (unqualified).
  std::string KeyList() const {
    std::string out;
    for (const std::string& key : config_.unique_key) out += (out.empty() ? "" : ", ") + Q(key);
    return out;
  }

  // `prefix`k1, or (`prefix`k1, `prefix`k2) for a composite key.
  std::string KeyTuple(const std::string& prefix) const {
    std::string out;
    for (const std::string& key : config_.unique_key)
      out += (out.empty() ? "" : ", ") + prefix + Q(key);
    return config_.unique_key.size() == 1 ? out : "(" + out + ")";
  }

  // The version timestamp of a staged row.
  std::string UpdatedAt() const {
    return config_.strategy == "timestamp" ? "s." + Q(config_.updated_at) : now_;
  }

  std::string ScdId() const {
    std::string out;
    const std::string text = dialect_.TypeName(ColumnType::kText);
    for (const std::string& key : config_.unique_key)
      out += fmt::format("coalesce(CAST(s.{} AS {}), '') || '|' || ", Q(key), text);
    return out + fmt::format("coalesce(CAST({} AS {}), '')", UpdatedAt(), text);
  }

  // True for a staged row that differs from the current version.
  std::string Changed(const std::vector<std::string>& check_columns) const {
    if (config_.strategy == "timestamp")
      return fmt::format("{} > {}.{}", UpdatedAt(), target_, Q("dbt_updated_at"));
    std::string out;
    for (const std::string& column : check_columns) {
      out += (out.empty() ? "" : " OR ") +
             traits_.Differs("s." + Q(column), target_ + "." + Q(column));
    }
    return "(" + out + ")";
  }

  // The snapshot table holding every row of `source` (a quoted table or a
  // parenthesized SELECT) as the current version.
  std::string CreateTable(std::string_view source) const {
    return fmt::format(
        "CREATE TABLE {0} AS SELECT s.*, {1} AS {2}, {3} AS {4}, {3} AS {5}, CAST(NULL AS {6}) "
        "AS {7} FROM {8} AS s",
        target_, ScdId(), Q("dbt_scd_id"), UpdatedAt(), Q("dbt_updated_at"), Q("dbt_valid_from"),
        dialect_.TypeName(ColumnType::kText), Q("dbt_valid_to"), source);
  }

  // Only keys present in the staged rows can change: the IN lets the engine
  // walk the (usually few) staged keys through the key index instead of
  // visiting every current version.
  std::string CloseChanged(const std::vector<std::string>& check_columns) const {
    const std::string valid_to = config_.strategy == "timestamp" ? UpdatedAt() : now_;
    return fmt::format(
        "UPDATE {0} SET {1} = (SELECT {2} FROM {3} AS s WHERE {4}) WHERE {0}.{1} IS NULL AND "
        "{6} IN (SELECT {7} FROM {3}) AND EXISTS (SELECT 1 FROM {3} AS s WHERE {4} AND {5})",
        target_, Q("dbt_valid_to"), valid_to, staged_, KeysMatch(), Changed(check_columns),
        KeyTuple(target_ + "."), KeyList());
  }

  std::string CloseDeleted() const {
    return fmt::format(
        "UPDATE {0} SET {1} = {2} WHERE {0}.{1} IS NULL AND NOT EXISTS (SELECT 1 FROM {3} AS s "
        "WHERE {4})",
        target_, Q("dbt_valid_to"), now_, staged_, KeysMatch());
  }

  std::string InsertNewVersions(const std::vector<std::string>& source_columns) const {
    std::string columns;
    std::string values;
    for (const std::string& column : source_columns) {
      columns += Q(column) + ", ";
      values += "s." + Q(column) + ", ";
    }
    return fmt::format(
        "INSERT INTO {0} ({1}{2}, {3}, {4}, {5}) SELECT {6}{7}, {8}, {8}, NULL FROM {9} AS s "
        "WHERE NOT EXISTS (SELECT 1 FROM {0} WHERE {0}.{5} IS NULL AND {10})",
        target_, columns, Q("dbt_scd_id"), Q("dbt_updated_at"), Q("dbt_valid_from"),
        Q("dbt_valid_to"), values, ScdId(), UpdatedAt(), staged_, KeysMatch());
  }

 private:
  const Dialect& dialect_;
  const EngineTraits& traits_;
  const NodeConfig& config_;
  std::string target_;
  std::string staged_;
  std::string now_;
};

// Checks that the configured columns exist in the staged rows; SQLite would
// read a missing "quoted" column as a string literal and compare constants.
Status CheckColumns(std::span<const ColumnSpec> source, const NodeConfig& config) {
  std::vector<std::string> wanted = config.unique_key;
  if (config.strategy == "timestamp") wanted.push_back(config.updated_at);
  wanted.insert(wanted.end(), config.check_cols.begin(), config.check_cols.end());
  for (const std::string& name : wanted) {
    if (!FindColumn(source, name))
      return Status(
          ErrorCode::kInvalidInput,
          fmt::format("the snapshot's SELECT has no column '{}' named in its config", name));
  }
  for (std::string_view meta : kMetaColumns) {
    if (FindColumn(source, meta))
      return Status(ErrorCode::kInvalidInput,
                    fmt::format("the snapshot's SELECT returns '{}', which snapshots add "
                                "themselves",
                                meta));
  }
  return Status::Ok();
}

// The first run: the table is created straight from the SELECT (no staged
// copy of what may be millions of rows), with an index on the key (and the
// configured ones) for the runs that follow.
Result<BuildOutcome> CreateSnapshot(Warehouse& warehouse, Materializer& materializer,
                                    const SnapshotSql& sql, const std::string& relation,
                                    const std::string& select_sql, const NodeConfig& config) {
  std::vector<std::string> names;
  SW_RETURN_IF_ERROR(warehouse.Query(
      fmt::format("SELECT * FROM (\n{}\n) AS s LIMIT 0", select_sql), {},
      [](const Row&) { return Status::Ok(); }, &names));
  std::vector<ColumnSpec> source;
  for (std::string& name : names) source.push_back({std::move(name)});
  SW_RETURN_IF_ERROR(CheckColumns(source, config));
  Transaction transaction(warehouse);
  SW_RETURN_IF_ERROR(transaction.Begin());
  SW_RETURN_IF_ERROR(warehouse.Execute(sql.CreateTable("(\n" + select_sql + "\n)")));
  std::vector<ColumnSpec> columns = source;
  for (std::string_view meta : kMetaColumns) columns.push_back({std::string(meta)});
  SW_ASSIGN_OR_RETURN(
      std::vector<std::string> index_sql,
      materializer.IndexStatements(
          relation, {.unique_key = config.unique_key, .indexes = config.indexes}, columns, false));
  for (const std::string& statement : index_sql) SW_RETURN_IF_ERROR(warehouse.Execute(statement));
  SW_RETURN_IF_ERROR(materializer.CollectStatistics(relation));
  SW_ASSIGN_OR_RETURN(int64_t rows, materializer.CountRows(relation));
  SW_RETURN_IF_ERROR(transaction.Commit());
  return BuildOutcome{.rows_affected = rows,
                      .message = fmt::format("snapshot created, {} rows", rows),
                      .table_rows = rows};
}

// Later runs: the SELECT is staged and merged into the table.
Result<BuildOutcome> UpdateSnapshot(Warehouse& warehouse, Materializer& materializer,
                                    const SnapshotSql& sql, const std::string& relation,
                                    const std::string& staged, const NodeConfig& config) {
  SW_ASSIGN_OR_RETURN(std::vector<ColumnSpec> source, warehouse.DescribeTable(staged));
  SW_RETURN_IF_ERROR(CheckColumns(source, config));
  std::vector<std::string> source_columns;
  std::vector<std::string> check_columns = config.check_cols;
  for (const ColumnSpec& column : source) {
    source_columns.push_back(column.name);
    bool is_key = std::find(config.unique_key.begin(), config.unique_key.end(), column.name) !=
                  config.unique_key.end();
    if (config.check_all_columns && !is_key) check_columns.push_back(column.name);
  }
  SW_ASSIGN_OR_RETURN(std::vector<ColumnSpec> target, warehouse.DescribeTable(relation));
  for (std::string_view meta : kMetaColumns) {
    if (!FindColumn(target, meta))
      return Status(
          ErrorCode::kInvalidInput,
          fmt::format("'{}' exists but is not a snapshot table (no {} column)", relation, meta),
          "drop or rename the table, or give the snapshot another name");
  }
  Transaction transaction(warehouse);
  SW_RETURN_IF_ERROR(transaction.Begin());
  TableSpec added{relation, {}, {}};
  for (const ColumnSpec& column : source)
    if (!FindColumn(target, column.name))
      added.columns.push_back({column.name, column.type, false});
  if (!added.columns.empty()) SW_RETURN_IF_ERROR(warehouse.EnsureTable(added));
  // Indexes missing from an older snapshot table (or newly configured).
  SW_ASSIGN_OR_RETURN(
      std::vector<std::string> index_sql,
      materializer.IndexStatements(
          relation, {.unique_key = config.unique_key, .indexes = config.indexes}, target, true));
  for (const std::string& statement : index_sql) SW_RETURN_IF_ERROR(warehouse.Execute(statement));

  SW_ASSIGN_OR_RETURN(int64_t closed,
                      warehouse.ExecuteWithParams(sql.CloseChanged(check_columns), {}));
  int64_t deleted = 0;
  if (config.invalidate_hard_deletes) {
    SW_ASSIGN_OR_RETURN(deleted, warehouse.ExecuteWithParams(sql.CloseDeleted(), {}));
  }
  SW_ASSIGN_OR_RETURN(int64_t inserted,
                      warehouse.ExecuteWithParams(sql.InsertNewVersions(source_columns), {}));
  SW_RETURN_IF_ERROR(materializer.DropTableIfExists(staged));
  SW_RETURN_IF_ERROR(transaction.Commit());
  // Closing a version updates its row: only new versions add rows.
  return BuildOutcome{.rows_affected = closed + deleted + inserted,
                      .message = fmt::format("snapshot: {} new versions, {} changed, {} deleted",
                                             inserted, closed, deleted),
                      .rows_added = inserted};
}

}  // namespace

Result<BuildOutcome> BuildSnapshot(Warehouse& warehouse, const std::string& relation,
                                   const std::string& select_sql, const NodeConfig& config,
                                   const std::string& now) {
  Materializer materializer(warehouse);
  const Dialect& dialect = warehouse.dialect();
  const std::string staged = relation + std::string(kSnapshotSourceSuffix);
  SnapshotSql sql(warehouse.traits(), relation, staged, config, now);
  SW_RETURN_IF_ERROR(materializer.DropTableIfExists(staged));
  SW_ASSIGN_OR_RETURN(RelationKind existing, materializer.KindOf(relation));
  if (existing == RelationKind::kNone)
    return CreateSnapshot(warehouse, materializer, sql, relation, select_sql, config);

  SW_RETURN_IF_ERROR(warehouse.Execute(
      fmt::format("CREATE TABLE {} AS\n{}", dialect.QuoteIdentifier(staged), select_sql)));
  auto outcome = UpdateSnapshot(warehouse, materializer, sql, relation, staged, config);
  if (!outcome.ok()) (void)materializer.DropTableIfExists(staged);
  return outcome;
}

}  // namespace silverwork::transform
