// The JSON spelling of a task's outcome that both of a try's records share:
// the line `silverwork task run` prints last (TaskReportJson, pipeline/tasks.h)
// and the result file the scheduler reads back (scheduler/task_result.h).
// Both write "freshness" and "error" through this one function, so the
// scheduler parses what the child wrote. Free function; thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "common/status.h"
#include "pipeline/tasks.h"

namespace silverwork {

// Adds to `json` "freshness": [{"source", "status", "message"}] when
// `checks` is not empty, and "error": {"code", "message", "hint"} when
// `error` is not ok; messages and hints with secrets redacted.
void AddTaskOutcomeJson(const std::vector<FreshnessCheck>& checks, const Status& error,
                        nlohmann::ordered_json& json);

}  // namespace silverwork
