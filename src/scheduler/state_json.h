// The scheduler's state records as JSON, the shapes `silverwork runs ...
// --json` and `silverwork partitions --json` print (docs/scheduler.md,
// "JSON output"). Times are the store's ISO 8601 UTC text with
// milliseconds; absent values are null; every key is always present.
// Pure functions; thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "scheduler/scheduler_store.h"

namespace silverwork::scheduler {

// {"run_id", "pipeline", "kind", "state", "logical_time",
//  "interval": {"start", "end"}, "days": {"first", "last", "count"} | null,
//  "queued_at", "started_at", "ended_at", "deadline_at", "request_id",
//  "message", "hint"}
nlohmann::ordered_json RunJson(const RunRecord& run);

// {"task", "kind", "upstream": [...], "state", "try_number", "failures",
//  "retries", "timeout_s", "next_attempt_at", "started_at", "ended_at",
//  "deferred_since", "message", "hint", "tries": [TryJson...]}
nlohmann::ordered_json TaskJson(const TaskInstanceRecord& task,
                                const std::vector<TryRecord>& tries);

// {"try", "state", "started_at", "ended_at", "exit_code", "signal", "pid",
//  "host", "log_path", "error", "hint"}
nlohmann::ordered_json TryJson(const TryRecord& attempt);

// {"day", "status", "run_id", "updated_at"}
nlohmann::ordered_json PartitionJson(const PartitionRecord& day);

}  // namespace silverwork::scheduler
