#include "warehouse/sqlite/sqlite_engine.h"

#include <memory>
#include <utility>

#include "warehouse/sqlite/sqlite_functions.h"
#include "warehouse/sqlite/sqlite_warehouse.h"

namespace silverwork {
namespace {

// For the length of a build command.
constexpr EngineTraits::SessionSetting kBulkBuildSettings[] = {
    // 256 MiB of page cache (negative: KiB): a million-row table, its
    // indexes and the sorts that build them stay in memory instead of
    // spilling to temporary files.
    {"cache_size", "-262144"},
    // Temporary b-trees (automatic indexes, GROUP BY, DISTINCT) in memory.
    {"temp_store", "2"},
    // A sort bigger than the cache may use a second core.
    {"threads", "2"},
    // The runner's workers wait for each other's writes (a million-row
    // table holds the lock for seconds) instead of failing after 5 s.
    {"busy_timeout", "600000"},
};

// A request reads a few pages by rowid or scans a table once, which
// SQLite's 2 MB default page cache does not speed up; with a connection per
// server thread it would add up to 64 MB of the server's memory.
constexpr EngineTraits::SessionSetting kSmallReadsSettings[] = {
    {"cache_size", "-512"},
};

}  // namespace

std::string SqliteDialect::TypeName(ColumnType type) const {
  switch (type) {
    case ColumnType::kInteger:
      return "INTEGER";
    case ColumnType::kReal:
      return "REAL";
    case ColumnType::kText:
      return "TEXT";
  }
  return "TEXT";
}

std::string SqliteDialect::CurrentTimestamp() const {
  return "strftime('%Y-%m-%dT%H:%M:%fZ','now')";
}

const EngineTraits& SqliteTraits() {
  static const SqliteDialect dialect;
  static const EngineTraits traits(
      {
          .engine = "sqlite",
          .relation_kind_sql =
              "SELECT type FROM sqlite_master WHERE name = ? COLLATE NOCASE AND type "
              "IN ('table', 'view')",
          // An index with an expression among its columns (a NULL name)
          // is left out whole.
          .unique_index_columns_sql =
              "SELECT il.name, ii.name FROM pragma_index_list(?) AS il "
              "JOIN pragma_index_info(il.name) AS ii "
              "WHERE il.\"unique\" = 1 AND il.partial = 0 AND NOT EXISTS "
              "(SELECT 1 FROM pragma_index_info(il.name) AS part WHERE part.name IS NULL)",
          .differs_pattern = "($1 IS NOT $2)",
          // Without legacy_alter_table, RENAME re-checks every view and fails on
          // the views that read the table being swapped, which is briefly gone.
          .before_swap_sql = "PRAGMA legacy_alter_table = ON",
          .after_swap_sql = "PRAGMA legacy_alter_table = OFF",
          // Deferred: the first read fixes the snapshot; no write lock.
          .begin_read_sql = "BEGIN DEFERRED",
          // No way to share a read transaction's snapshot (the library is
          // built without SQLITE_ENABLE_SNAPSHOT): export_snapshot_sql and
          // import_snapshot_pattern stay empty.
          // No roles: current_schema_sql and relation_grants_sql stay empty.
          // A table is dropped under the views that read it (dependent_views_sql
          // stays empty): they read the one renamed into its place.
          // One writer at a time: workers compute into TEMP tables (no lock on
          // the warehouse) and copy the rows in under the lock. An empty copy of
          // the stage's columns filled by INSERT ... SELECT * lets SQLite copy
          // the records as they are (its transfer optimization) instead of
          // decoding and re-encoding every value.
          .stage_select_pattern = "CREATE TEMP TABLE $1 AS\n$2",
          .staged_relation_pattern = "temp.$1",
          .copy_from_stage_pattern =
              "CREATE TABLE $1 AS SELECT * FROM $2 WHERE 0; INSERT INTO $1 SELECT * FROM $2",
          // Plans from its indexes; ANALYZE would read every index of a
          // million-row table for statistics the project's queries do not need.
          .analyze_table_pattern = "",
          .bulk_build_settings = kBulkBuildSettings,
          .small_reads_settings = kSmallReadsSettings,
          .read_setting_pattern = "PRAGMA $1",
          .write_setting_pattern = "PRAGMA $1 = $2",
          .functions = SqliteFunctions(),
      },
      dialect);
  return traits;
}

void RegisterSqliteEngine(WarehouseRegistry& registry) {
  registry.Register("sqlite",
                    [](const WarehouseOptions& options) -> Result<std::unique_ptr<Warehouse>> {
                      SW_ASSIGN_OR_RETURN(std::unique_ptr<SqliteWarehouse> warehouse,
                                          SqliteWarehouse::Open(options));
                      return std::unique_ptr<Warehouse>(std::move(warehouse));
                    });
}

}  // namespace silverwork
