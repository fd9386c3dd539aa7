#include "warehouse/postgres/postgres_engine.h"

#include <memory>
#include <utility>

#ifdef SILVERWORK_HAVE_POSTGRES
#include "warehouse/postgres/postgres_warehouse.h"
#endif

namespace silverwork {
namespace {

// Dates are 'YYYY-MM-DD' text in and out, as on SQLite, so that a model
// compares them with the TEXT columns the loaders write; to_char does not
// depend on the session's DateStyle.
constexpr EngineTraits::MacroSpelling kMacros[] = {
    {"dbt_date_trunc_month", "to_char(CAST($1 AS date), 'YYYY-MM-01')"},
    {"string_agg", "string_agg(CAST($1 AS text), $2)"},
    // NULL unless eight digits naming a real day, as sw_yyyymmdd_date on
    // SQLite: to_date would fail the statement on 20230229 and read
    // 2024022 as a day. Month and day compare as two-digit text (the same
    // order in every collation); the outer CASE keeps the year's casts
    // away from text that is not digits, also when the planner folds a
    // constant (it drops a THEN whose WHEN folds to false unevaluated).
    {"parse_date_yyyymmdd",
     "(CASE WHEN $1 ~ '^[0-9]{8}$' THEN (CASE WHEN substr($1, 5, 2) BETWEEN '01' AND '12' AND "
     "substr($1, 7, 2) BETWEEN '01' AND (CASE WHEN substr($1, 5, 2) IN ('04', '06', '09', '11') "
     "THEN '30' WHEN substr($1, 5, 2) <> '02' THEN '31' WHEN CAST(substr($1, 1, 4) AS integer) % "
     "4 = 0 AND (CAST(substr($1, 1, 4) AS integer) % 100 <> 0 OR CAST(substr($1, 1, 4) AS "
     "integer) % 400 = 0) THEN '29' ELSE '28' END) THEN substr($1, 1, 4) || '-' || "
     "substr($1, 5, 2) || '-' || substr($1, 7, 2) END) END)"},
    {"current_timestamp", ""},
    {"datediff_days", "(CAST($2 AS date) - CAST($1 AS date))"},
    {"dateadd_days", "to_char(CAST($1 AS date) + CAST($2 AS integer), 'YYYY-MM-DD')"},
    {"datesub_days", "to_char(CAST($1 AS date) - CAST($2 AS integer), 'YYYY-MM-DD')"},
    {"is_integer_text", "(trim($1) ~ '^[0-9]+$')"},
    // Digits and at most one '.', with a digit somewhere: SQLite's GLOBs.
    {"is_number_text", "(trim($1) ~ '^([0-9]+(\\.[0-9]*)?|\\.[0-9]+)$')"},
    {"first_word", "split_part($1, ' ', 1)"},
    {"contains_text", "(strpos($1, $2) > 0)"},
};

}  // namespace

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

const EngineTraits& PostgresTraits() {
  static const PostgresDialect dialect;
  static const EngineTraits traits(
      {
          .engine = "postgres",
          .macros = kMacros,
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
          .current_schema_sql = "SELECT quote_ident(current_schema())",
          .relation_grants_sql =
              "SELECT acl.privilege_type, CASE WHEN acl.grantee = 0 THEN 'PUBLIC' "
              "ELSE quote_ident(pg_get_userbyid(acl.grantee)) END "
              "FROM pg_class AS c CROSS JOIN LATERAL aclexplode(c.relacl) AS acl "
              "WHERE c.relname = ? AND c.relnamespace = current_schema()::regnamespace "
              "AND acl.grantee <> c.relowner",
          .stage_select_pattern = "",
          .staged_relation_pattern = "",
          .copy_from_stage_pattern = "",
          .bulk_build_settings = {},
          .small_reads_settings = {},
          .read_setting_pattern = "SHOW $1",
          // Quoted: SHOW gives values such as 4MB that SET takes only so.
          .write_setting_pattern = "SET $1 = '$2'",
          .functions = {},
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
