// Data tests and source freshness: running them and keeping an audit trail.
//
// A data test is a SELECT of failing rows: it passes when it returns none,
// otherwise it fails (severity error) or warns (severity warn). Every test
// run appends one row to the audit table
//   _sw_test_failures(run_id, test_id, status, failures, rows_json, executed_at)
// with the number of failing rows and the first 100 of them as a JSON array
// of objects, so a failure can be investigated after the run.
//
// Freshness compares max(loaded_at_field) of a source table with the
// injected clock's now: older than error_after is an error, older than
// warn_after a warning. Timestamps may be ISO-8601 text (date, date and
// time, optional fraction and zone; no zone means UTC), YYYYMMDD[HHMMSS]
// text, or numbers of seconds since the Unix epoch.
//
// Functions taking a Warehouse share its (lack of) thread-safety;
// ParseTimestamp is pure.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "transform/project/manifest.h"
#include "transform/run_results.h"
#include "warehouse/warehouse.h"

namespace silverwork::transform {

inline constexpr std::string_view kAuditTable = "_sw_test_failures";
inline constexpr size_t kMaxStoredFailingRows = 100;

struct TestOutcome {
  NodeStatus status = NodeStatus::kPass;
  int64_t failures = 0;
  std::string rows_json = "[]";
  std::string message;
};

Result<TestOutcome> RunDataTest(Warehouse& warehouse, const std::string& sql, Severity severity);

Status EnsureAuditTable(Warehouse& warehouse);
Status RecordTestOutcome(Warehouse& warehouse, const std::string& run_id,
                         const std::string& test_id, const TestOutcome& outcome,
                         const std::string& executed_at);

// REQUIRES: `policy` has warn_after or error_after. `relation_sql` is the
// quoted relation, `loaded_at_field` a column or expression.
Result<TestOutcome> CheckFreshness(Warehouse& warehouse, const std::string& relation_sql,
                                   const std::string& loaded_at_field,
                                   const FreshnessPolicy& policy,
                                   std::chrono::system_clock::time_point now);

// The instant a warehouse value denotes (see the file comment), or nullopt.
std::optional<std::chrono::system_clock::time_point> ParseTimestamp(const Value& value);

}  // namespace silverwork::transform
