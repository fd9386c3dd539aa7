// Data tests: running them and keeping an audit trail.
//
// A data test is a SELECT of failing rows: it passes when it returns none,
// otherwise it fails (severity error) or warns (severity warn). Every test
// run appends one row to the audit table
//   _sw_test_failures(run_id, test_id, status, failures, rows_json, executed_at)
// with the number of failing rows and the first 100 of them as a JSON array
// of objects, so a failure can be investigated after the run.
//
// Source freshness, audited the same way, is in freshness.h.
//
// Functions taking a Warehouse share its (lack of) thread-safety.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "transform/project/node_config.h"
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

}  // namespace silverwork::transform
