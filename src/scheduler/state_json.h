// The scheduler's state records as JSON: the one shape both the operators'
// API (/api/v1/runs/..., docs/serve.md) and `silverwork runs ... --json` /
// `silverwork partitions --json` (docs/scheduler.md, "JSON output") print.
// Times are the store's ISO 8601 UTC text with milliseconds
// ("2025-03-30T15:00:00.000Z"), days YYYY-MM-DD, durations seconds; absent
// values are null and every key is always present.
//
// Pure functions of their arguments (`now` stands in for the clock: a
// running run's, task's or try's duration runs up to it); thread-safe.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "scheduler/scheduler_store.h"

namespace silverwork::scheduler {

// Where a reader finds a try's log: the API gives its URL, the CLI the file.
using TryLogReference = std::function<std::string(const TryRecord&)>;

// The values every shape below is made of, also for other views of the
// scheduler's state (serve's pipelines API): an instant as the store's text,
// an absent instant or an empty text as null.
nlohmann::json TimeJson(TimePoint instant);
nlohmann::json TimeJson(SysSeconds instant);
nlohmann::json TimeJson(const std::optional<TimePoint>& instant);
nlohmann::json TextOrNullJson(const std::string& text);

// Seconds from start to end (to `now` while it runs), to the millisecond;
// nullopt before it starts.
std::optional<double> DurationSeconds(const std::optional<TimePoint>& start,
                                      const std::optional<TimePoint>& end, TimePoint now);

// {"run_id", "pipeline", "kind", "state", "logical_time",
//  "data_interval": {"start", "end"}, "days": {"from", "to", "count"} | null,
//  "queued_at", "started_at", "ended_at", "duration_s", "deadline_at",
//  "request_id", "message", "hint"}
nlohmann::json RunJson(const RunRecord& run, TimePoint now);

// {"try_number", "state", "started_at", "ended_at", "duration_s",
//  "exit_code", "signal", "host", "pid", "error", "hint", "log"}
nlohmann::json TryJson(const TryRecord& attempt, TimePoint now, std::string log);

// {"task", "kind", "state", "upstream": [...], "try_number", "failures",
//  "retries", "timeout_s", "next_attempt_at", "started_at", "ended_at",
//  "duration_s", "deferred_since", "message", "hint", "tries": [TryJson...]}
// `tries` are the run's (any order, any task): the task's own are kept,
// ordered by try number.
nlohmann::json TaskJson(const TaskInstanceRecord& task, const std::vector<TryRecord>& tries,
                        TimePoint now, const TryLogReference& log);

// RunJson with "tasks": [TaskJson...] in the order given.
nlohmann::json RunDetailJson(const RunRecord& run, const std::vector<TaskInstanceRecord>& tasks,
                             const std::vector<TryRecord>& tries, TimePoint now,
                             const TryLogReference& log);

// {"day", "status", "run_id", "updated_at"}
nlohmann::json PartitionJson(const PartitionRecord& day);

}  // namespace silverwork::scheduler
