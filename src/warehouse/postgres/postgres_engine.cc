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

// A view's rewrite rule (a materialized view's too) depends on what it reads
// (and, internally, on the view itself): `readers` holds every view reading
// the relation named by the parameter, directly or through other views,
// with its longest path from the relation, so that ordering by it puts a
// view after every view it reads.
#define SW_VIEW_READERS_SQL                                                      \
  "WITH RECURSIVE readers(view_oid, depth) AS ("                                 \
  "SELECT rule.ev_class, 1 FROM pg_depend AS dep "                               \
  "JOIN pg_rewrite AS rule ON rule.oid = dep.objid "                             \
  "WHERE dep.classid = 'pg_rewrite'::regclass "                                  \
  "AND dep.refclassid = 'pg_class'::regclass AND rule.ev_class <> dep.refobjid " \
  "AND dep.refobjid = (SELECT oid FROM pg_class WHERE relname = ? "              \
  "AND relnamespace = current_schema()::regnamespace) "                          \
  "UNION "                                                                       \
  "SELECT rule.ev_class, readers.depth + 1 FROM readers "                        \
  "JOIN pg_depend AS dep ON dep.refobjid = readers.view_oid "                    \
  "AND dep.classid = 'pg_rewrite'::regclass "                                    \
  "AND dep.refclassid = 'pg_class'::regclass "                                   \
  "JOIN pg_rewrite AS rule ON rule.oid = dep.objid "                             \
  "WHERE rule.ev_class <> readers.view_oid) "

constexpr const char* kDependentViewsSql = SW_VIEW_READERS_SQL
    "SELECT q.quoted, ns.nspname || '.' || c.relname, pg_get_viewdef(c.oid), "
    "coalesce(array_to_string(c.reloptions, ', '), ''), acl.privilege_type, "
    "CASE WHEN acl.grantee = 0 THEN 'PUBLIC' "
    "ELSE quote_ident(pg_get_userbyid(acl.grantee)) END, q.keyword, "
    "CASE WHEN c.relkind <> 'm' THEN '' WHEN c.relispopulated THEN ' WITH DATA' "
    "ELSE ' WITH NO DATA' END, "
    "CASE WHEN pg_get_userbyid(c.relowner) = current_user THEN '' "
    "ELSE quote_ident(pg_get_userbyid(c.relowner)) END, "
    "(SELECT rolsuper FROM pg_roles WHERE rolname = current_user) "
    "OR (pg_has_role(c.relowner, 'MEMBER') "
    "AND has_schema_privilege(c.relowner, c.relnamespace, 'CREATE')), "
    "concat_ws('; ', CASE WHEN obj_description(c.oid, 'pg_class') IS NOT NULL "
    "THEN format('COMMENT ON %s %s IS %L', q.keyword, q.quoted, "
    "obj_description(c.oid, 'pg_class')) END, "
    "(SELECT string_agg(format('COMMENT ON COLUMN %s.%I IS %L', q.quoted, "
    "a.attname, d.description), '; ' ORDER BY a.attnum) "
    "FROM pg_description AS d JOIN pg_attribute AS a "
    "ON a.attrelid = d.objoid AND a.attnum = d.objsubid "
    "WHERE d.objoid = c.oid AND d.classoid = 'pg_class'::regclass "
    "AND d.objsubid > 0), "
    "(SELECT string_agg(pg_get_indexdef(x.indexrelid), '; ' ORDER BY x.indexrelid) "
    "FROM pg_index AS x WHERE x.indrelid = c.oid)) "
    "FROM (SELECT view_oid, max(depth) AS depth FROM readers GROUP BY view_oid) "
    "AS ordered JOIN pg_class AS c ON c.oid = ordered.view_oid "
    "JOIN pg_namespace AS ns ON ns.oid = c.relnamespace "
    "CROSS JOIN LATERAL (SELECT quote_ident(ns.nspname) || '.' || "
    "quote_ident(c.relname) AS quoted, CASE c.relkind WHEN 'm' "
    "THEN 'MATERIALIZED VIEW' ELSE 'VIEW' END AS keyword) AS q "
    "LEFT JOIN LATERAL aclexplode(c.relacl) AS acl ON acl.grantee <> c.relowner "
    "WHERE c.relkind IN ('v', 'm') ORDER BY ordered.depth, c.oid";

// The lock keys of the views kDependentViewsSql returns (their names'
// hashes), ascending, so that every swap takes them in one order.
constexpr const char* kDependentViewKeysSql = SW_VIEW_READERS_SQL
    "SELECT DISTINCT hashtext(quote_ident(ns.nspname) || '.' || quote_ident(c.relname)) "
    "FROM readers JOIN pg_class AS c ON c.oid = readers.view_oid "
    "JOIN pg_namespace AS ns ON ns.oid = c.relnamespace "
    "WHERE c.relkind IN ('v', 'm') ORDER BY 1";
#undef SW_VIEW_READERS_SQL

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
          // One row per grant, each with the view's
          // keyword, how a materialized view is filled, the owner to give it
          // back ('' when it is the build's role) and whether the build's
          // role may, and the statements that put back its comments and
          // (materialized) indexes.
          .dependent_views_sql = kDependentViewsSql,
          .dependent_view_keys_sql = kDependentViewKeysSql,
          // A transaction-level advisory lock in a class of silverwork's own.
          .hold_view_key_sql = "SELECT pg_advisory_xact_lock(21335, CAST(? AS INTEGER))",
          // As StatementError (postgres_errors.cc) writes the SQLSTATE.
          .lost_deadlock_mark = "[SQLSTATE 40P01]",
          .stage_select_pattern = "",
          .staged_relation_pattern = "",
          .copy_from_stage_pattern = "",
          // A table a build has just created has no statistics until
          // autovacuum analyses it, a minute or more later; planned without
          // them, a daily build right after a full one took 1.8 s instead
          // of 0.8 s (docs/benchmarks.md, "PostgreSQL side by side").
          .analyze_table_pattern = "ANALYZE $1",
          .bulk_build_settings = kNoJitSettings,
          .small_reads_settings = kNoJitSettings,
          .read_setting_pattern = "SHOW $1",
          // Quoted: SHOW gives values such as 4MB that SET takes only so.
          .write_setting_pattern = "SET $1 = '$2'",
          .functions = {},
          .statements_are_round_trips = true,
          // A reload of 1,000,000 postings spent more than half of the
          // server's CPU in its COPYs keeping raw_postings' indexes
          // (docs/benchmarks.md, "The server's side of reload").
          .rebuilds_indexes_after_bulk_load = true,
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
