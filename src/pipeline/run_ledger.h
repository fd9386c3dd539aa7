// RunLedger: the `_sw_runs` table, one row per collection run.
//
// A run's row is written when it starts ("running") and updated when it
// ends: "success", "failed" (with the error's message, secrets redacted) or
// "stopped" (the daily quota was spent; progress is kept and the next run
// resumes). The end also records the window collected and the run's figures.
// `silverwork status` and the dashboard's data-status tab read the table;
// this class is the only writer, and its schema lives here.
//
// Thread-compatible: one ledger per Warehouse connection, used by one thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/date.h"
#include "common/status.h"
#include "warehouse/warehouse.h"

namespace silverwork {

inline constexpr std::string_view kRunsTable = "_sw_runs";

enum class RunState { kRunning, kSuccess, kFailed, kQuotaStopped };

// "running", "success", "failed", "stopped": the status column's values.
const char* RunStateName(RunState state);

// How a run that ended with `outcome` is recorded.
RunState RunStateOf(const Status& outcome);

// What a collection run did, as the ledger records it.
struct RunFigures {
  std::optional<Date> window_from;  // postings collections only
  std::optional<Date> window_to;
  int64_t list_pages = 0;
  int64_t postings_listed = 0;
  int64_t details_loaded = 0;
  int64_t projects_loaded = 0;
  int64_t calls = 0;
};

// One row of the ledger, as `silverwork status` shows it.
struct RunRecord {
  std::string run_id;
  std::string command;
  std::string status;  // a RunStateName
  std::string started_at;
  std::string finished_at;  // empty while running (or if the process died)
  std::string message;      // empty unless it failed or stopped
  RunFigures figures;
};

class RunLedger {
 public:
  // REQUIRES: `warehouse` and `clock` outlive the ledger.
  RunLedger(Warehouse& warehouse, Clock& clock) : warehouse_(warehouse), clock_(clock) {}

  // Creates the table, or adds the columns an older version lacked.
  Status EnsureTable();

  // Records that `run_id` started now, running `command` (e.g. "collect
  // postings").
  Status RecordStart(std::string_view run_id, std::string_view command);

  // Records that `run_id` ended now with `outcome` and `figures`.
  Status RecordEnd(std::string_view run_id, const Status& outcome, const RunFigures& figures);

  // The newest run id in the ledger; empty when it has none.
  Result<std::string> NewestRunId();

  // The `limit` newest runs, newest first.
  Result<std::vector<RunRecord>> Recent(int limit);

 private:
  Warehouse& warehouse_;
  Clock& clock_;
};

}  // namespace silverwork
