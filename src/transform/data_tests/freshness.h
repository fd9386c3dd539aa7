// Source freshness: max(loaded_at_field) of a source table against the
// injected clock's now — older than error_after is an error, older than
// warn_after a warning, an empty table an error. Timestamps may be ISO-8601
// text (date, date and time, optional fraction and zone; no zone means
// UTC), YYYYMMDD[HHMMSS] text, or numbers of seconds since the Unix epoch.
// The outcome is a TestOutcome, audited like a data test's.
//
// CheckFreshness shares the Warehouse's (lack of) thread-safety;
// ParseTimestamp is pure.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "common/status.h"
#include "transform/data_tests/data_tests.h"
#include "transform/project/project_files.h"
#include "warehouse/warehouse.h"

namespace silverwork::transform {

// REQUIRES: `policy` has warn_after or error_after. `relation_sql` is the
// quoted relation, `loaded_at_field` a column or expression.
Result<TestOutcome> CheckFreshness(Warehouse& warehouse, const std::string& relation_sql,
                                   const std::string& loaded_at_field,
                                   const FreshnessPolicy& policy,
                                   std::chrono::system_clock::time_point now);

// The instant a warehouse value denotes (see the file comment), or nullopt.
std::optional<std::chrono::system_clock::time_point> ParseTimestamp(const Value& value);

}  // namespace silverwork::transform
