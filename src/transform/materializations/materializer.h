// Materializer: builds relations in the warehouse from compiled SELECTs.
//
//   view         drop whatever has the name and create the view, in one
//                transaction, then probe it (SELECT ... LIMIT 0) so a broken
//                view fails the build and the old relation stays.
//   table        CREATE TABLE <name>__sw_new AS <select> (with stage_selects
//                on an engine that has one writer at a time, the SELECT is
//                first computed into a connection-private table, see
//                EngineTraits::stages_selects), then one transaction
//                drops the old relation, renames the new table into place and
//                builds its indexes: readers see the old table until the
//                commit, never a half-built or unindexed one. Views reading
//                the old relation are created again over the new one in the
//                same transaction where the engine would refuse to drop it
//                under them (warehouse/dependent_views.h); so are those over
//                a view rebuilt. A view's or table's replacement that the
//                engine ends to break a deadlock with another session (40P01)
//                is tried again, three times in all, then fails naming the
//                relation.
//   incremental  CREATE TABLE <name>__sw_tmp AS <select> (rendered with
//                is_incremental() true), then one transaction adds any new
//                columns and missing indexes to the target, deletes the target
//                rows whose unique_key appears in the new rows, and inserts
//                the new rows.
//   seeds        created and filled under the staged name, swapped like a table.
//
// Relation names are given unquoted and quoted here through the Dialect.
// Not thread-safe (it drives one Warehouse connection).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "warehouse/engine_traits.h"
#include "warehouse/warehouse.h"

namespace silverwork::transform {

// Suffixes of the working tables; a leftover from a crashed run is dropped
// by the next build of the same relation.
inline constexpr std::string_view kStagedSuffix = "__sw_new";
inline constexpr std::string_view kIncrementSuffix = "__sw_tmp";
inline constexpr std::string_view kPrivateStageSuffix = "__sw_stage";

// What an incremental merge did.
struct MergeInfo {
  int64_t inserted = 0;
  int64_t replaced = 0;
  bool columns_added = false;
  // With keep_increment: the table holding exactly the rows inserted (the
  // caller drops it); empty otherwise.
  std::string increment;
};

struct BuildOutcome {
  std::optional<int64_t> rows_affected;
  std::string message;
  std::optional<MergeInfo> merge;  // incremental merges
  // The relation's row count as the build left it, known without counting
  // again: outright for a table built afresh, a seed or a new snapshot
  // (`table_rows`); as the rows it added to the table as it was for a merge
  // (inserted less replaced) or a snapshot's new versions (`rows_added`).
  std::optional<int64_t> table_rows;
  std::optional<int64_t> rows_added;
};

enum class RelationKind { kNone, kTable, kView };

// The indexes a built table carries, so that incremental filters, merges and
// data tests find rows without scanning the table.
struct TableIndexes {
  // An incremental model's unique_key, indexed as <name>__unique_key. A table
  // build indexes it only when the rows have every key column: a missing one
  // is reported by the next merge, which needs it.
  std::span<const std::string> unique_key;
  // The model's `indexes` config: one index per entry, on its columns in order.
  std::span<const std::vector<std::string>> indexes;
};

class Materializer {
 public:
  // REQUIRES: `warehouse` outlives the materializer. `stage_selects`:
  // other connections build at the same time, so a table's rows are
  // computed without holding the engine's write lock where the engine needs
  // that (EngineTraits::stages_selects).
  explicit Materializer(Warehouse& warehouse, bool stage_selects = false)
      : warehouse_(warehouse),
        traits_(warehouse.traits()),
        stage_selects_(stage_selects && traits_.stages_selects()) {}

  Result<RelationKind> KindOf(std::string_view relation);

  Result<BuildOutcome> BuildView(const std::string& relation, const std::string& select_sql);
  Result<BuildOutcome> BuildTable(const std::string& relation, const std::string& select_sql,
                                  const TableIndexes& indexes = {});
  // REQUIRES: `relation` exists as a table. Merges on indexes.unique_key.
  // With `keep_increment` the table of merged rows (<relation>__sw_tmp)
  // outlives the merge, so data tests can look at just those rows.
  Result<BuildOutcome> MergeIncrement(const std::string& relation, const std::string& select_sql,
                                      const TableIndexes& indexes, bool keep_increment = false);
  // Replaces `relation` with a table of `columns` holding `rows`.
  Result<BuildOutcome> LoadTable(const std::string& relation, std::vector<ColumnSpec> columns,
                                 std::span<const Row> rows);

  // Drops `relation` (whatever it is), renames `staged` to it and runs
  // `then_sql` (statements on the renamed table, such as its indexes), in one
  // transaction. On failure `relation` is unchanged and `staged` is dropped.
  Status SwapInto(const std::string& relation, const std::string& staged,
                  std::span<const std::string> then_sql = {});

  // The statements creating `indexes` on `relation` (named <relation>__unique_key
  // and <relation>__idx_<columns>), given the table's `columns`: the
  // unique_key one only when every key column is there, and an error for a
  // configured index naming a missing column (SQLite would index the name
  // as a string constant).
  Result<std::vector<std::string>> IndexStatements(const std::string& relation,
                                                   const TableIndexes& indexes,
                                                   std::span<const ColumnSpec> columns,
                                                   bool if_not_exists) const;

  Result<int64_t> CountRows(const std::string& relation);
  // Collects the planner's statistics of `table`, which a build has just
  // filled, on engines that keep them (EngineTraits::AnalyzeTableSql);
  // nothing elsewhere.
  Status CollectStatistics(const std::string& table);
  Status DropTableIfExists(const std::string& relation);

 private:
  Status DropRelation(const std::string& relation);
  // One try of BuildView and SwapInto, each in one transaction.
  Status ReplaceWithView(const std::string& relation, const std::string& select_sql);
  Status SwapInTransaction(const std::string& relation, const std::string& staged,
                           std::span<const std::string> then_sql);

  // Merges the rows staged in `increment` into `relation` (one transaction).
  Result<BuildOutcome> MergeStaged(const std::string& relation, const std::string& increment,
                                   const TableIndexes& indexes, bool keep_increment);
  // Deletes the rows of `relation` whose unique_key the increment holds.
  Result<int64_t> DeleteReplacedRows(const std::string& relation, const std::string& increment,
                                     std::span<const std::string> unique_key);

  // CREATE TABLE <table> AS <select> for `relation`, through the private
  // <relation>__sw_stage when staging.
  Status CreateTableAs(const std::string& relation, const std::string& table,
                       const std::string& select_sql);

  Warehouse& warehouse_;
  const EngineTraits& traits_;
  bool stage_selects_;
};

// Whether two column names are the same, compared case-insensitively (both
// engines fold unquoted names).
bool SameColumnName(std::string_view a, std::string_view b);

// Whether two column lists name the same columns in the same order (SameColumnName).
bool SameColumns(std::span<const std::string> a, std::span<const std::string> b);

// The column named `name` in `columns` (SameColumnName), or null.
const ColumnSpec* FindColumn(std::span<const ColumnSpec> columns, std::string_view name);

}  // namespace silverwork::transform
