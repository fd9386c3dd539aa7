#include "warehouse/postgres/postgres_engine.h"

#include <memory>
#include <utility>

#ifdef SILVERWORK_HAVE_POSTGRES
#include "warehouse/postgres/postgres_warehouse.h"
#endif

namespace silverwork {

std::string PostgresDialect::QuoteIdentifier(std::string_view name) const {
  std::string folded(name);
  for (char& ch : folded) {
    if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
  }
  return Dialect::QuoteIdentifier(folded);
}

std::string PostgresDialect::TypeName(ColumnType type) const {
  switch (type) {
    case ColumnType::kInteger:
      return "BIGINT";
    case ColumnType::kReal:
      return "DOUBLE PRECISION";
    case ColumnType::kText:
      return "TEXT";
  }
  return "TEXT";
}

std::string PostgresDialect::CurrentTimestamp() const {
  return "to_char(statement_timestamp() AT TIME ZONE 'UTC', "
         "'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')";
}

namespace {

// Builds and serve's request connections: no JIT compilation. The planner
// estimates millions of rows for a model whose incremental filter leaves a
// few hundred, which passes jit_above_cost, and compiling the statement
// then took 2.7 s of the 2.8 s a daily build spent on fct_job_postings
// (EXPLAIN ANALYZE; docs/benchmarks.md, "PostgreSQL side by side").
constexpr EngineTraits::SessionSetting kNoJitSettings[] = {{"jit", "off"}};

}  // namespace

const EngineTraits& PostgresTraits() {
  static const PostgresDialect dialect;
  static const EngineTraits traits(
      {
          .engine = "postgres",
          .relation_kind_sql =
              "SELECT CASE table_type WHEN 'VIEW' THEN 'view' ELSE 'table' END FROM "
              "information_schema.tables WHERE table_name = ? AND table_schema = "
              "current_schema()",
          .unique_index_columns_sql =
              "SELECT i.relname, a.attname FROM pg_index x "
              "JOIN pg_class t ON t.oid = x.indrelid "
              "JOIN pg_class i ON i.oid = x.indexrelid "
              "JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = ANY(x.indkey) "
              "WHERE t.relname = ? AND t.relnamespace = current_schema()::regnamespace "
              "AND x.indisunique AND x.indpred IS NULL AND x.indexprs IS NULL",
          .differs_pattern = "($1 IS DISTINCT FROM $2)",
          // Writers build different tables side by side: nothing to stage,
          // and RENAME does not re-check views.
          .before_swap_sql = "",
          .after_swap_sql = "",
          // READ COMMITTED would give each statement its own snapshot.
          .begin_read_sql = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
          .export_snapshot_sql = "SELECT pg_export_snapshot()",
          .import_snapshot_pattern = "SET TRANSACTION SNAPSHOT $1",
          .current_schema_sql = "SELECT quote_ident(current_schema())",
          .relation_grants_sql =
              "SELECT acl.privilege_type, CASE WHEN acl.grantee = 0 THEN 'PUBLIC' "
              "ELSE quote_ident(pg_get_userbyid(acl.grantee)) END "
              "FROM pg_class AS c CROSS JOIN LATERAL aclexplode(c.relacl) AS acl "
              "WHERE c.relname = ? AND c.relnamespace = current_schema()::regnamespace "
              "AND acl.grantee <> c.relowner",
          // A view's rewrite rule depends on what it reads (and, internally,
          // on the view itself). A view is ordered by its longest path from
          // the relation, so it comes after every view it reads.
          .dependent_views_sql =
              "WITH RECURSIVE readers(view_oid, depth) AS ("
              "SELECT rule.ev_class, 1 FROM pg_depend AS dep "
              "JOIN pg_rewrite AS rule ON rule.oid = dep.objid "
              "WHERE dep.classid = 'pg_rewrite'::regclass "
              "AND dep.refclassid = 'pg_class'::regclass AND rule.ev_class <> dep.refobjid "
              "AND dep.refobjid = (SELECT oid FROM pg_class WHERE relname = ? "
              "AND relnamespace = current_schema()::regnamespace) "
              "UNION "
              "SELECT rule.ev_class, readers.depth + 1 FROM readers "
              "JOIN pg_depend AS dep ON dep.refobjid = readers.view_oid "
              "AND dep.classid = 'pg_rewrite'::regclass "
              "AND dep.refclassid = 'pg_class'::regclass "
              "JOIN pg_rewrite AS rule ON rule.oid = dep.objid "
              "WHERE rule.ev_class <> readers.view_oid) "
              "SELECT quote_ident(ns.nspname) || '.' || quote_ident(c.relname), "
              "ns.nspname || '.' || c.relname, pg_get_viewdef(c.oid), "
              "coalesce(array_to_string(c.reloptions, ', '), ''), acl.privilege_type, "
              "CASE WHEN acl.grantee = 0 THEN 'PUBLIC' "
              "ELSE quote_ident(pg_get_userbyid(acl.grantee)) END "
              "FROM (SELECT view_oid, max(depth) AS depth FROM readers GROUP BY view_oid) "
              "AS ordered JOIN pg_class AS c ON c.oid = ordered.view_oid "
              "JOIN pg_namespace AS ns ON ns.oid = c.relnamespace "
              "LEFT JOIN LATERAL aclexplode(c.relacl) AS acl ON acl.grantee <> c.relowner "
              "WHERE c.relkind = 'v' ORDER BY ordered.depth, c.oid",
          .stage_select_pattern = "",
          .staged_relation_pattern = "",
          .copy_from_stage_pattern = "",
          .bulk_build_settings = kNoJitSettings,
          .small_reads_settings = kNoJitSettings,
          .read_setting_pattern = "SHOW $1",
          // Quoted: SHOW gives values such as 4MB that SET takes only so.
          .write_setting_pattern = "SET $1 = '$2'",
          .functions = {},
          .statements_are_round_trips = true,
      },
      dialect);
  return traits;
}

void RegisterPostgresEngine(WarehouseRegistry& registry) {
  registry.Register("postgres",
                    [](const WarehouseOptions& options) -> Result<std::unique_ptr<Warehouse>> {
#ifdef SILVERWORK_HAVE_POSTGRES
                      SW_ASSIGN_OR_RETURN(std::unique_ptr<PostgresWarehouse> warehouse,
                                          PostgresWarehouse::Open(options));
                      return std::unique_ptr<Warehouse>(std::move(warehouse));
#else
                      (void)options;
                      return Status(ErrorCode::kUnsupported,
                                    "this silverwork was built without PostgreSQL support",
                                    "install libpq-dev (scripts/install-deps.sh) and build again, "
                                    "or use engine = \"sqlite\" in the [warehouse] section");
#endif
                    });
}

}  // namespace silverwork
