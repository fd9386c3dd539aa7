// Adapter: the SQL spellings that differ between warehouse engines and that
// the model runner needs beyond what Dialect offers.
//
// Two things live here, both as one small table per engine:
//   * adapter macros that models call, e.g. {{ dbt_date_trunc_month('col') }},
//     which expand to the engine's spelling of the same idea;
//   * the statements the runner itself needs (what kind of relation a name
//     is, a NULL-safe "differs" comparison for snapshots).
// Adding an engine means adding one row to each table in adapter.cc. Stateless
// and thread-safe.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "warehouse/warehouse.h"

namespace silverwork::transform {

// A macro models may call, with the arguments it takes. Arguments are SQL
// fragments given as strings, e.g. string_agg('name', "', '").
struct AdapterMacroSignature {
  std::string_view name;
  int min_args;
  int max_args;
  std::string_view summary;  // for docs and error hints
};

// Every adapter macro, in documentation order.
std::span<const AdapterMacroSignature> AdapterMacroSignatures();
// The signature of `name`, or null when `name` is not an adapter macro.
const AdapterMacroSignature* FindAdapterMacro(std::string_view name);

class EngineAdapter {
 public:
  // The adapter for `engine` (Warehouse::engine()); kUnsupported for an
  // engine without a row in the tables.
  static Result<const EngineAdapter*> ForEngine(std::string_view engine);

  std::string_view engine() const { return engine_; }

  // Expands macro `name` with already-rendered SQL fragments as arguments.
  // REQUIRES: FindAdapterMacro(name) != nullptr and the arity matches.
  Result<std::string> ExpandMacro(std::string_view name, std::span<const std::string> args,
                                  const Dialect& dialect) const;

  // One statement taking the relation name as its only parameter and
  // returning one row, 'table' or 'view', or no row when nothing has that name.
  std::string_view relation_kind_sql() const { return relation_kind_sql_; }

  // One statement taking a table name as its only parameter and returning
  // (index name, column name) for every column of the table's unique,
  // non-partial indexes on plain columns (primary keys included).
  std::string_view unique_index_columns_sql() const { return unique_index_columns_sql_; }

  // SQL that is true when `a` and `b` differ, treating two NULLs as equal.
  std::string Differs(std::string_view a, std::string_view b) const;

  // Statements run inside the swap transaction before dropping the old table
  // and after renaming the new one into place (may be empty). SQLite needs
  // legacy_alter_table on: otherwise RENAME re-checks every view and fails
  // on the views that read the table being swapped, which is briefly gone.
  std::string_view before_swap_sql() const { return before_swap_sql_; }
  std::string_view after_swap_sql() const { return after_swap_sql_; }

  // How a SELECT is computed into a table private to the connection, so
  // that its work takes no write lock on the warehouse ($1: the table's
  // quoted name, $2: the SELECT), and how SQL then names that table; empty
  // when the engine lets writers build different tables side by side
  // anyway. SQLite has one writer at a time: the runner's workers compute
  // into TEMP tables concurrently and only copy the rows in under the lock.
  bool stages_selects() const { return !stage_select_pattern_.empty(); }
  // REQUIRES: stages_selects().
  std::string StageSelectSql(std::string_view quoted_name, std::string_view select_sql) const;
  std::string StagedRelationSql(std::string_view quoted_name) const;

  // A connection setting the runner changes for the length of a command:
  // building million-row tables and their indexes wants a larger page cache
  // than a loader or a reader does.
  struct SessionSetting {
    std::string_view name;
    std::string_view value;
  };
  std::span<const SessionSetting> session_settings() const { return session_settings_; }
  // The statement returning a setting's current value (one row, one column),
  // and the one setting it.
  std::string ReadSettingSql(std::string_view name) const;
  std::string WriteSettingSql(std::string_view name, std::string_view value) const;

  struct Spellings {
    std::string_view engine;
    std::string_view relation_kind_sql;
    std::string_view unique_index_columns_sql;
    std::string_view differs_pattern;  // $1 and $2 stand for the operands
    std::string_view before_swap_sql;
    std::string_view after_swap_sql;
    std::string_view stage_select_pattern;
    std::string_view staged_relation_pattern;
    std::span<const SessionSetting> session_settings;
    std::string_view read_setting_pattern;   // $1: the name
    std::string_view write_setting_pattern;  // $1: the name, $2: the value
  };
  explicit constexpr EngineAdapter(const Spellings& spellings)
      : engine_(spellings.engine),
        relation_kind_sql_(spellings.relation_kind_sql),
        unique_index_columns_sql_(spellings.unique_index_columns_sql),
        differs_pattern_(spellings.differs_pattern),
        before_swap_sql_(spellings.before_swap_sql),
        after_swap_sql_(spellings.after_swap_sql),
        stage_select_pattern_(spellings.stage_select_pattern),
        staged_relation_pattern_(spellings.staged_relation_pattern),
        session_settings_(spellings.session_settings),
        read_setting_pattern_(spellings.read_setting_pattern),
        write_setting_pattern_(spellings.write_setting_pattern) {}

 private:
  std::string_view engine_;
  std::string_view relation_kind_sql_;
  std::string_view unique_index_columns_sql_;
  std::string_view differs_pattern_;
  std::string_view before_swap_sql_;
  std::string_view after_swap_sql_;
  std::string_view stage_select_pattern_;
  std::string_view staged_relation_pattern_;
  std::span<const SessionSetting> session_settings_;
  std::string_view read_setting_pattern_;
  std::string_view write_setting_pattern_;
};

// Applies the adapter's session settings to a connection and puts the values
// it found back when destroyed (or on Restore()). A setting the engine
// refuses is logged and skipped: tuning must never fail a run.
class TunedSession {
 public:
  // REQUIRES: both outlive this object.
  TunedSession(Warehouse& warehouse, const EngineAdapter& adapter);
  ~TunedSession() { Restore(); }
  TunedSession(const TunedSession&) = delete;
  TunedSession& operator=(const TunedSession&) = delete;

  void Restore();

 private:
  Warehouse& warehouse_;
  const EngineAdapter& adapter_;
  // Settings changed, with the value each had before.
  std::vector<std::pair<std::string_view, std::string>> previous_;
};

}  // namespace silverwork::transform
