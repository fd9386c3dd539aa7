// Snapshots: type-2 slowly changing dimension tables, as dbt builds them.
//
// The first run creates the table from the SELECT, every row the current
// version, with an index on the unique_key (and the `indexes` config). Each
// later run stages the SELECT in <name>__sw_src (rendered with
// is_incremental() true, so it may stage only rows that can have changed)
// and, in one transaction against the snapshot table:
//   1. closes the current version (sets dbt_valid_to) of every key whose row
//      changed — strategy 'timestamp': the updated_at column is newer than
//      the version's dbt_updated_at; strategy 'check': any check column
//      differs (NULL-safe), check_cols='all' meaning every non-key column;
//   2. with invalidate_hard_deletes, closes the current version of keys no
//      longer in the source;
//   3. inserts a new current version for every key without one (new and
//      changed rows).
// Keys missing from the staged rows are left as they are (unless
// invalidate_hard_deletes). Columns added to the SELECT are added to the table.
//
// Meta columns: dbt_scd_id (the key values and dbt_updated_at joined with
// '|'), dbt_updated_at and dbt_valid_from (the updated_at value, or the run's
// timestamp for 'check'), dbt_valid_to (NULL while current).
//
// Not thread-safe: it drives one Warehouse connection.
#pragma once

#include <string>

#include "common/status.h"
#include "transform/materializations/materializer.h"
#include "transform/project/node_config.h"
#include "warehouse/warehouse.h"

namespace silverwork::transform {

inline constexpr std::string_view kSnapshotSourceSuffix = "__sw_src";

// `now` is the run's timestamp as ISO-8601 text (from the injected clock).
// REQUIRES: config.strategy is "timestamp" or "check" with its settings.
Result<BuildOutcome> BuildSnapshot(Warehouse& warehouse, const std::string& relation,
                                   const std::string& select_sql, const NodeConfig& config,
                                   const std::string& now);

}  // namespace silverwork::transform
