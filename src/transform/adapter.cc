#include "transform/adapter.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <array>

namespace silverwork::transform {
namespace {

constexpr std::array<AdapterMacroSignature, 11> kMacros{{
    {"dbt_date_trunc_month", 1, 1, "first day of the month of a date, as a date"},
    {"string_agg", 2, 2, "concatenates an expression over a group with a separator"},
    {"parse_date_yyyymmdd", 1, 1, "YYYYMMDD text to a date; NULL (sqlite) when not a real day"},
    {"current_timestamp", 0, 0, "the engine's current UTC timestamp"},
    {"datediff_days", 2, 2, "whole days from the first date to the second"},
    {"dateadd_days", 2, 2, "a date plus a number of days"},
    {"datesub_days", 2, 2, "a date minus a number of days"},
    {"is_integer_text", 1, 1, "true when text is a non-negative whole number (digits only)"},
    {"is_number_text", 1, 1, "true when text is a non-negative decimal number such as 2008.0"},
    {"first_word", 1, 1, "text up to its first space (all of it when there is none)"},
    {"contains_text", 2, 2, "true when the first text contains the second (plain, case-sensitive)"},
}};

// How one engine spells one macro. $1..$9 stand for the arguments; an empty
// pattern means "ask the Dialect" (current_timestamp).
struct MacroSpelling {
  std::string_view engine;
  std::string_view macro;
  std::string_view pattern;
};

constexpr std::array<MacroSpelling, 22> kSpellings{{
    {"sqlite", "dbt_date_trunc_month", "date($1, 'start of month')"},
    {"sqlite", "string_agg", "group_concat($1, $2)"},
    // A function every silverwork SQLite connection has (sqlite_warehouse.cc):
    // the day as 'YYYY-MM-DD', NULL unless eight digits naming a real day.
    {"sqlite", "parse_date_yyyymmdd", "sw_yyyymmdd_date($1)"},
    {"sqlite", "current_timestamp", ""},
    {"sqlite", "datediff_days", "CAST(julianday($2) - julianday($1) AS INTEGER)"},
    {"sqlite", "dateadd_days", "date($1, (CAST($2 AS INTEGER) || ' days'))"},
    {"sqlite", "datesub_days", "date($1, (-CAST($2 AS INTEGER) || ' days'))"},
    {"sqlite", "is_integer_text", "(trim($1) <> '' AND trim($1) NOT GLOB '*[^0-9]*')"},
    {"sqlite", "is_number_text",
     "(trim($1) <> '' AND trim($1) NOT GLOB '*[^0-9.]*' AND trim($1) NOT GLOB '*.*.*' AND "
     "trim($1) GLOB '*[0-9]*')"},
    {"sqlite", "first_word", "substr($1, 1, instr($1 || ' ', ' ') - 1)"},
    {"sqlite", "contains_text", "(instr($1, $2) > 0)"},
    {"postgres", "first_word", "split_part($1, ' ', 1)"},
    {"postgres", "contains_text", "(strpos($1, $2) > 0)"},
    {"postgres", "datesub_days", "(CAST($1 AS date) - CAST($2 AS integer))"},
    {"postgres", "is_integer_text", "(trim($1) ~ '^[0-9]+$')"},
    {"postgres", "is_number_text", "(trim($1) ~ '^[0-9]+(\\.[0-9]*)?$')"},
    {"postgres", "dbt_date_trunc_month", "CAST(date_trunc('month', $1) AS date)"},
    {"postgres", "string_agg", "string_agg(CAST($1 AS text), $2)"},
    {"postgres", "parse_date_yyyymmdd", "to_date($1, 'YYYYMMDD')"},
    {"postgres", "current_timestamp", ""},
    {"postgres", "datediff_days", "(CAST($2 AS date) - CAST($1 AS date))"},
    {"postgres", "dateadd_days", "(CAST($1 AS date) + CAST($2 AS integer))"},
}};

// 256 MiB of page cache (negative: KiB): a million-row table, its indexes
// and the sorts that build them stay in memory instead of spilling to
// temporary files; temporary b-trees (automatic indexes, GROUP BY) in memory.
constexpr EngineAdapter::SessionSetting kSqliteSessionSettings[] = {
    {"cache_size", "-262144"},
    {"temp_store", "2"},
    {"threads", "2"},
    // The runner's workers wait for each other's writes (a million-row
    // table holds the lock for seconds) instead of failing after 5 s.
    {"busy_timeout", "600000"},
};

constexpr std::array<EngineAdapter, 2> kAdapters{{
    EngineAdapter({.engine = "sqlite",
                   .relation_kind_sql = "SELECT type FROM sqlite_master WHERE name = ? COLLATE "
                                        "NOCASE AND type IN ('table', 'view')",
                   .unique_index_columns_sql =
                       "SELECT il.name, ii.name FROM pragma_index_list(?) AS il "
                       "JOIN pragma_index_info(il.name) AS ii "
                       "WHERE il.\"unique\" = 1 AND il.partial = 0",
                   .differs_pattern = "($1 IS NOT $2)",
                   .before_swap_sql = "PRAGMA legacy_alter_table = ON",
                   .after_swap_sql = "PRAGMA legacy_alter_table = OFF",
                   .stage_select_pattern = "CREATE TEMP TABLE $1 AS\n$2",
                   .staged_relation_pattern = "temp.$1",
                   .session_settings = kSqliteSessionSettings,
                   .read_setting_pattern = "PRAGMA $1",
                   .write_setting_pattern = "PRAGMA $1 = $2"}),
    EngineAdapter({.engine = "postgres",
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
                   .before_swap_sql = "",
                   .after_swap_sql = "",
                   .stage_select_pattern = "",
                   .staged_relation_pattern = "",
                   .session_settings = {},
                   .read_setting_pattern = "SHOW $1",
                   .write_setting_pattern = "SET $1 = $2"}),
}};

// Replaces $1..$9 in `pattern` with the arguments.
std::string Substitute(std::string_view pattern, std::span<const std::string> args) {
  std::string out;
  out.reserve(pattern.size() + 32);
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '$' && i + 1 < pattern.size() && pattern[i + 1] >= '1' &&
        pattern[i + 1] <= '9') {
      size_t index = static_cast<size_t>(pattern[i + 1] - '1');
      if (index < args.size()) out += args[index];
      ++i;
    } else {
      out += pattern[i];
    }
  }
  return out;
}

}  // namespace

std::span<const AdapterMacroSignature> AdapterMacroSignatures() { return kMacros; }

const AdapterMacroSignature* FindAdapterMacro(std::string_view name) {
  for (const auto& macro : kMacros)
    if (macro.name == name) return &macro;
  return nullptr;
}

Result<const EngineAdapter*> EngineAdapter::ForEngine(std::string_view engine) {
  for (const auto& adapter : kAdapters)
    if (adapter.engine() == engine) return &adapter;
  return Status(ErrorCode::kUnsupported,
                fmt::format("the model runner has no adapter for warehouse engine '{}'", engine),
                "add the engine's row to the tables in src/transform/adapter.cc");
}

Result<std::string> EngineAdapter::ExpandMacro(std::string_view name,
                                               std::span<const std::string> args,
                                               const Dialect& dialect) const {
  for (const auto& spelling : kSpellings) {
    if (spelling.engine != engine_ || spelling.macro != name) continue;
    if (spelling.pattern.empty()) return dialect.CurrentTimestamp();
    return Substitute(spelling.pattern, args);
  }
  return Status(ErrorCode::kUnsupported,
                fmt::format("adapter macro '{}' has no spelling for engine '{}'", name, engine_),
                "add it to kSpellings in src/transform/adapter.cc");
}

std::string EngineAdapter::Differs(std::string_view a, std::string_view b) const {
  const std::string operands[] = {std::string(a), std::string(b)};
  return Substitute(differs_pattern_, operands);
}

std::string EngineAdapter::ReadSettingSql(std::string_view name) const {
  const std::string args[] = {std::string(name)};
  return Substitute(read_setting_pattern_, args);
}

std::string EngineAdapter::StageSelectSql(std::string_view quoted_name,
                                          std::string_view select_sql) const {
  const std::string args[] = {std::string(quoted_name), std::string(select_sql)};
  return Substitute(stage_select_pattern_, args);
}

std::string EngineAdapter::StagedRelationSql(std::string_view quoted_name) const {
  const std::string args[] = {std::string(quoted_name)};
  return Substitute(staged_relation_pattern_, args);
}

std::string EngineAdapter::WriteSettingSql(std::string_view name, std::string_view value) const {
  const std::string args[] = {std::string(name), std::string(value)};
  return Substitute(write_setting_pattern_, args);
}

TunedSession::TunedSession(Warehouse& warehouse, const EngineAdapter& adapter)
    : warehouse_(warehouse), adapter_(adapter) {
  for (const EngineAdapter::SessionSetting& setting : adapter_.session_settings()) {
    auto current = warehouse_.QueryAll(adapter_.ReadSettingSql(setting.name));
    if (!current.ok() || current->rows.empty() || current->rows.front().empty()) continue;
    std::string before = ValueToString(current->rows.front().front());
    if (before == setting.value) continue;
    Status status = warehouse_.Execute(adapter_.WriteSettingSql(setting.name, setting.value));
    if (!status.ok()) {
      spdlog::warn("cannot set {} for the build: {}", setting.name, status.ToString());
      continue;
    }
    previous_.emplace_back(setting.name, std::move(before));
  }
}

void TunedSession::Restore() {
  for (const auto& [name, value] : previous_) {
    Status status = warehouse_.Execute(adapter_.WriteSettingSql(name, value));
    if (!status.ok()) spdlog::warn("cannot restore {}: {}", name, status.ToString());
  }
  previous_.clear();
}

}  // namespace silverwork::transform
