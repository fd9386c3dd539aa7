#include "transform/materializations/materializer.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <functional>

#include "warehouse/dependent_views.h"
#include "warehouse/grants.h"

namespace silverwork::transform {
bool SameColumnName(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

bool SameColumns(std::span<const std::string> a, std::span<const std::string> b) {
  return std::equal(
      a.begin(), a.end(), b.begin(), b.end(),
      [](const std::string& x, const std::string& y) { return SameColumnName(x, y); });
}

const ColumnSpec* FindColumn(std::span<const ColumnSpec> columns, std::string_view name) {
  for (const ColumnSpec& column : columns)
    if (SameColumnName(column.name, name)) return &column;
  return nullptr;
}

Result<RelationKind> Materializer::KindOf(std::string_view relation) {
  RelationKind kind = RelationKind::kNone;
  const Value params[] = {std::string(relation)};
  SW_RETURN_IF_ERROR(warehouse_.Query(traits_.relation_kind_sql(), params, [&](const Row& row) {
    kind = ValueToString(row.at(0)) == "view" ? RelationKind::kView : RelationKind::kTable;
    return Status::Ok();
  }));
  return kind;
}

Status Materializer::DropRelation(const std::string& relation) {
  SW_ASSIGN_OR_RETURN(RelationKind kind, KindOf(relation));
  if (kind == RelationKind::kNone) return Status::Ok();
  const char* what = kind == RelationKind::kView ? "VIEW" : "TABLE";
  return warehouse_.Execute(
      fmt::format("DROP {} {}", what, warehouse_.dialect().QuoteIdentifier(relation)));
}

Status Materializer::DropTableIfExists(const std::string& relation) {
  return warehouse_.Execute(
      fmt::format("DROP TABLE IF EXISTS {}", warehouse_.dialect().QuoteIdentifier(relation)));
}

Result<int64_t> Materializer::CountRows(const std::string& relation) {
  int64_t count = 0;
  SW_RETURN_IF_ERROR(warehouse_.Query(
      fmt::format("SELECT COUNT(*) FROM {}", warehouse_.dialect().QuoteIdentifier(relation)), {},
      [&](const Row& row) {
        if (const auto* value = std::get_if<int64_t>(&row.at(0))) count = *value;
        return Status::Ok();
      }));
  return count;
}

Status Materializer::CollectStatistics(const std::string& table) {
  const std::string sql = traits_.AnalyzeTableSql(warehouse_.dialect().QuoteIdentifier(table));
  return sql.empty() ? Status::Ok() : warehouse_.Execute(sql);
}

namespace {

// A replacement the engine ended to break a deadlock with another session
// (one that read the relation and then wanted a view over it that the
// replacement had set aside) is rolled back whole, so it is tried again,
// this many times in all.
constexpr int kReplaceAttempts = 3;

Status TryAgainAfterLostDeadlocks(const EngineTraits& traits, std::string_view relation,
                                  const std::function<Status()>& replace) {
  for (int attempt = 1;; ++attempt) {
    Status status = replace();
    if (status.ok() || !traits.LostADeadlock(status)) return status;
    if (attempt == kReplaceAttempts) {
      return Status(
          status.code(),
          fmt::format("putting the rebuilt {} in place lost a deadlock with another session {} "
                      "times in a row: {}",
                      relation, kReplaceAttempts, status.message()),
          fmt::format("the old {} and the views over it stay; another session kept reading {} "
                      "and a view over it in one transaction while the build replaced it: "
                      "build again once it is done",
                      relation, relation));
    }
    spdlog::warn(
        "putting the rebuilt {} in place lost a deadlock with another session (try {} of {}); "
        "trying again",
        relation, attempt, kReplaceAttempts);
  }
}

}  // namespace

Result<BuildOutcome> Materializer::BuildView(const std::string& relation,
                                             const std::string& select_sql) {
  SW_RETURN_IF_ERROR(TryAgainAfterLostDeadlocks(
      traits_, relation, [&] { return ReplaceWithView(relation, select_sql); }));
  return BuildOutcome{std::nullopt, "view created"};
}

Status Materializer::ReplaceWithView(const std::string& relation, const std::string& select_sql) {
  const std::string quoted = warehouse_.dialect().QuoteIdentifier(relation);
  Transaction transaction(warehouse_);
  SW_RETURN_IF_ERROR(transaction.Begin());
  SW_ASSIGN_OR_RETURN(auto grants, GrantsOn(warehouse_, relation));
  SW_ASSIGN_OR_RETURN(auto readers, SetAsideDependentViews(warehouse_, relation));
  SW_RETURN_IF_ERROR(DropRelation(relation));
  SW_RETURN_IF_ERROR(warehouse_.Execute(fmt::format("CREATE VIEW {} AS\n{}", quoted, select_sql)));
  SW_RETURN_IF_ERROR(Grant(warehouse_, relation, grants));
  // Engines that accept a view without checking it (SQLite) report its
  // errors here, before the old relation is gone for good.
  SW_RETURN_IF_ERROR(warehouse_.Query(fmt::format("SELECT * FROM {} LIMIT 0", quoted), {},
                                      [](const Row&) { return Status::Ok(); }));
  SW_RETURN_IF_ERROR(RestoreDependentViews(warehouse_, readers, relation));
  return transaction.Commit();
}

namespace {

// CREATE INDEX [IF NOT EXISTS] <relation>__<suffix> ON <relation> (columns).
std::string CreateIndexSql(const Dialect& dialect, const std::string& relation,
                           std::string_view suffix, std::span<const std::string> columns,
                           bool if_not_exists) {
  std::vector<std::string> quoted;
  for (const std::string& column : columns) quoted.push_back(dialect.QuoteIdentifier(column));
  return fmt::format("CREATE INDEX {}{} ON {} ({})", if_not_exists ? "IF NOT EXISTS " : "",
                     dialect.QuoteIdentifier(fmt::format("{}__{}", relation, suffix)),
                     dialect.QuoteIdentifier(relation), fmt::join(quoted, ", "));
}

}  // namespace

Result<std::vector<std::string>> Materializer::IndexStatements(const std::string& relation,
                                                               const TableIndexes& indexes,
                                                               std::span<const ColumnSpec> columns,
                                                               bool if_not_exists) const {
  std::vector<std::string> statements;
  bool has_key = !indexes.unique_key.empty() &&
                 std::all_of(indexes.unique_key.begin(), indexes.unique_key.end(),
                             [&](const std::string& key) { return FindColumn(columns, key); });
  if (has_key)
    statements.push_back(CreateIndexSql(warehouse_.dialect(), relation, "unique_key",
                                        indexes.unique_key, if_not_exists));
  for (const std::vector<std::string>& index : indexes.indexes) {
    for (const std::string& column : index) {
      if (!FindColumn(columns, column))
        return Status(ErrorCode::kInvalidInput,
                      fmt::format("index column '{}' is not a column of {}", column, relation),
                      "fix the model's indexes config");
    }
    statements.push_back(CreateIndexSql(warehouse_.dialect(), relation,
                                        fmt::format("idx_{}", fmt::join(index, "_")), index,
                                        if_not_exists));
  }
  return statements;
}

Result<BuildOutcome> Materializer::BuildTable(const std::string& relation,
                                              const std::string& select_sql,
                                              const TableIndexes& indexes) {
  const std::string staged = relation + std::string(kStagedSuffix);
  SW_RETURN_IF_ERROR(DropTableIfExists(staged));
  SW_RETURN_IF_ERROR(CreateTableAs(relation, staged, select_sql));
  auto prepare = [&]() -> Result<std::pair<int64_t, std::vector<std::string>>> {
    // Before the swap, outside its transaction: the statistics stay with the
    // table when it is renamed.
    SW_RETURN_IF_ERROR(CollectStatistics(staged));
    SW_ASSIGN_OR_RETURN(int64_t rows, CountRows(staged));
    std::vector<ColumnSpec> columns;
    if (!indexes.unique_key.empty() || !indexes.indexes.empty()) {
      SW_ASSIGN_OR_RETURN(columns, warehouse_.DescribeTable(staged));
    }
    SW_ASSIGN_OR_RETURN(std::vector<std::string> index_sql,
                        IndexStatements(relation, indexes, columns, false));
    return std::make_pair(rows, std::move(index_sql));
  };
  auto prepared = prepare();
  if (!prepared.ok()) {
    (void)DropTableIfExists(staged);
    return prepared.status();
  }
  const auto& [rows, index_sql] = *prepared;
  SW_RETURN_IF_ERROR(SwapInto(relation, staged, index_sql));
  return BuildOutcome{.rows_affected = rows,
                      .message = fmt::format("table built, {} rows", rows),
                      .table_rows = rows};
}

Status Materializer::CreateTableAs(const std::string& relation, const std::string& table,
                                   const std::string& select_sql) {
  const Dialect& dialect = warehouse_.dialect();
  if (!stage_selects_)
    return warehouse_.Execute(
        fmt::format("CREATE TABLE {} AS\n{}", dialect.QuoteIdentifier(table), select_sql));
  // The private table belongs to this connection: no other run can hold it.
  const std::string private_name =
      dialect.QuoteIdentifier(relation + std::string(kPrivateStageSuffix));
  const std::string stage = traits_.StagedRelationSql(private_name);
  SW_RETURN_IF_ERROR(warehouse_.Execute("DROP TABLE IF EXISTS " + stage));
  Status status = warehouse_.Execute(traits_.StageSelectSql(private_name, select_sql));
  if (status.ok())
    status = warehouse_.Execute(traits_.CopyFromStageSql(dialect.QuoteIdentifier(table), stage));
  Status dropped = warehouse_.Execute("DROP TABLE IF EXISTS " + stage);
  return status.ok() ? dropped : status;
}

Status Materializer::SwapInto(const std::string& relation, const std::string& staged,
                              std::span<const std::string> then_sql) {
  Status status = TryAgainAfterLostDeadlocks(
      traits_, relation, [&] { return SwapInTransaction(relation, staged, then_sql); });
  if (!status.ok()) {
    if (!traits_.after_swap_sql().empty()) (void)warehouse_.Execute(traits_.after_swap_sql());
    (void)DropTableIfExists(staged);
  }
  return status;
}

Status Materializer::SwapInTransaction(const std::string& relation, const std::string& staged,
                                       std::span<const std::string> then_sql) {
  Transaction transaction(warehouse_);
  SW_RETURN_IF_ERROR(transaction.Begin());
  if (!traits_.before_swap_sql().empty())
    SW_RETURN_IF_ERROR(warehouse_.Execute(traits_.before_swap_sql()));
  // Readers granted the old relation (db grant-reader) keep reading, and
  // views over it read the new one (engines that refuse to drop it under them).
  SW_ASSIGN_OR_RETURN(auto grants, GrantsOn(warehouse_, relation));
  SW_ASSIGN_OR_RETURN(auto readers, SetAsideDependentViews(warehouse_, relation));
  SW_RETURN_IF_ERROR(DropRelation(relation));
  SW_RETURN_IF_ERROR(warehouse_.Execute(warehouse_.dialect().RenameTable(staged, relation)));
  SW_RETURN_IF_ERROR(Grant(warehouse_, relation, grants));
  if (!traits_.after_swap_sql().empty())
    SW_RETURN_IF_ERROR(warehouse_.Execute(traits_.after_swap_sql()));
  for (const std::string& statement : then_sql) SW_RETURN_IF_ERROR(warehouse_.Execute(statement));
  SW_RETURN_IF_ERROR(RestoreDependentViews(warehouse_, readers, relation));
  return transaction.Commit();
}

Result<BuildOutcome> Materializer::MergeIncrement(const std::string& relation,
                                                  const std::string& select_sql,
                                                  const TableIndexes& indexes,
                                                  bool keep_increment) {
  const std::string increment = relation + std::string(kIncrementSuffix);
  SW_RETURN_IF_ERROR(DropTableIfExists(increment));
  SW_RETURN_IF_ERROR(CreateTableAs(relation, increment, select_sql));
  auto outcome = MergeStaged(relation, increment, indexes, keep_increment);
  if (!outcome.ok()) (void)DropTableIfExists(increment);
  return outcome;
}

namespace {

// A missing key column must fail loudly: SQLite would read an unknown
// "quoted" name as a string literal and match every row.
Status CheckKeyColumns(std::span<const std::string> unique_key,
                       std::span<const ColumnSpec> new_columns,
                       std::span<const ColumnSpec> target_columns) {
  for (const std::string& key : unique_key) {
    if (!FindColumn(new_columns, key) || !FindColumn(target_columns, key))
      return Status(ErrorCode::kInvalidInput,
                    fmt::format("unique_key column '{}' is missing from the {}", key,
                                FindColumn(new_columns, key) ? "existing table" : "model's rows"),
                    "fix unique_key, or rebuild with --full-refresh after renaming the column");
  }
  return Status::Ok();
}

std::string MergeMessage(int64_t inserted, int64_t replaced, const TableSpec& added) {
  std::string message =
      fmt::format("incremental: {} rows inserted, {} old rows replaced", inserted, replaced);
  if (!added.columns.empty()) {
    std::vector<std::string> names;
    for (const ColumnSpec& column : added.columns) names.push_back(column.name);
    message += fmt::format(", new columns {}", fmt::join(names, ", "));
  }
  return message;
}

}  // namespace

Result<int64_t> Materializer::DeleteReplacedRows(const std::string& relation,
                                                 const std::string& increment,
                                                 std::span<const std::string> unique_key) {
  if (unique_key.empty()) return int64_t{0};
  const Dialect& dialect = warehouse_.dialect();
  std::vector<std::string> keys;
  for (const std::string& key : unique_key) keys.push_back(dialect.QuoteIdentifier(key));
  std::string key_list = fmt::format("{}", fmt::join(keys, ", "));
  std::string target_keys = keys.size() == 1 ? key_list : "(" + key_list + ")";
  return warehouse_.ExecuteWithParams(fmt::format("DELETE FROM {} WHERE {} IN (SELECT {} FROM {})",
                                                  dialect.QuoteIdentifier(relation), target_keys,
                                                  key_list, dialect.QuoteIdentifier(increment)),
                                      {});
}

Result<BuildOutcome> Materializer::MergeStaged(const std::string& relation,
                                               const std::string& increment,
                                               const TableIndexes& indexes, bool keep_increment) {
  const Dialect& dialect = warehouse_.dialect();
  SW_ASSIGN_OR_RETURN(std::vector<ColumnSpec> new_columns, warehouse_.DescribeTable(increment));
  SW_ASSIGN_OR_RETURN(std::vector<ColumnSpec> target_columns, warehouse_.DescribeTable(relation));
  SW_RETURN_IF_ERROR(CheckKeyColumns(indexes.unique_key, new_columns, target_columns));
  TableSpec added{relation, {}, {}};
  std::vector<std::string> column_names;
  for (const ColumnSpec& column : new_columns) {
    column_names.push_back(dialect.QuoteIdentifier(column.name));
    if (!FindColumn(target_columns, column.name))
      added.columns.push_back({column.name, column.type, false});
  }
  Transaction transaction(warehouse_);
  SW_RETURN_IF_ERROR(transaction.Begin());
  if (!added.columns.empty()) SW_RETURN_IF_ERROR(warehouse_.EnsureTable(added));
  // Normally there since the table was built; missing after the model
  // gained an index. The key's index keeps the delete (and unique tests)
  // from scanning the whole table on every small daily increment.
  std::vector<ColumnSpec> merged_columns = target_columns;
  merged_columns.insert(merged_columns.end(), added.columns.begin(), added.columns.end());
  SW_ASSIGN_OR_RETURN(std::vector<std::string> index_sql,
                      IndexStatements(relation, indexes, merged_columns, true));
  for (const std::string& statement : index_sql) SW_RETURN_IF_ERROR(warehouse_.Execute(statement));
  SW_ASSIGN_OR_RETURN(int64_t replaced,
                      DeleteReplacedRows(relation, increment, indexes.unique_key));
  std::string columns = fmt::format("{}", fmt::join(column_names, ", "));
  SW_ASSIGN_OR_RETURN(
      int64_t inserted,
      warehouse_.ExecuteWithParams(
          fmt::format("INSERT INTO {} ({}) SELECT {} FROM {}", dialect.QuoteIdentifier(relation),
                      columns, columns, dialect.QuoteIdentifier(increment)),
          {}));
  if (!keep_increment) SW_RETURN_IF_ERROR(DropTableIfExists(increment));
  SW_RETURN_IF_ERROR(transaction.Commit());
  return BuildOutcome{.rows_affected = inserted,
                      .message = MergeMessage(inserted, replaced, added),
                      .merge = MergeInfo{.inserted = inserted,
                                         .replaced = replaced,
                                         .columns_added = !added.columns.empty(),
                                         .increment = keep_increment ? increment : std::string()},
                      .rows_added = inserted - replaced};
}

Result<BuildOutcome> Materializer::LoadTable(const std::string& relation,
                                             std::vector<ColumnSpec> columns,
                                             std::span<const Row> rows) {
  const std::string staged = relation + std::string(kStagedSuffix);
  SW_RETURN_IF_ERROR(DropTableIfExists(staged));
  std::vector<std::string> names;
  names.reserve(columns.size());
  for (const ColumnSpec& column : columns) names.push_back(column.name);
  Status status = warehouse_.EnsureTable({staged, std::move(columns), {}});
  if (status.ok()) status = warehouse_.Upsert(staged, names, {}, rows);
  if (status.ok()) status = CollectStatistics(staged);
  if (!status.ok()) {
    (void)DropTableIfExists(staged);
    return status;
  }
  SW_RETURN_IF_ERROR(SwapInto(relation, staged));
  const auto loaded = static_cast<int64_t>(rows.size());
  return BuildOutcome{.rows_affected = loaded,
                      .message = fmt::format("seed loaded, {} rows", loaded),
                      .table_rows = loaded};
}

}  // namespace silverwork::transform
