// TaskResult: what a task's child process tells the scheduler about its try,
// in a small JSON file next to the try's log
// (var/logs/<pipeline>/<run_id>/<task>/<try>.result.json).
//
// The child writes it last, just before it exits, atomically (a temporary
// file renamed over the name), so the file is either absent or whole. The
// scheduler reads it when the child has exited — for the error and hint
// behind a failure, and the figures — and after a restart, when it finds a
// try still "running" whose process is gone: a result file then says the
// try finished and how, and nothing is redone. The scheduler stays the only
// writer of run state; the child only writes this file and its log.
//
// Format (one JSON object): {"exit_code": 0, "status": "success",
// "ledger_run_id": "...", "figures": {"calls": 12, ...},
// "freshness": [{"source": "...", "status": "warn", "message": "..."}],
// "error": {"code": "network", "message": "...", "hint": "..."}} — "error"
// only when the task failed, "freshness" only for a build or test task that
// checked source freshness; secrets are redacted before writing.
//
// Plain values and free functions; thread-compatible.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "pipeline/tasks.h"

namespace silverwork::scheduler {

struct TaskResult {
  int exit_code = 0;          // the exit code the child chose (task_state.h)
  std::string status;         // "success", "failed", "stopped" (quota), "skipped"
  std::string ledger_run_id;  // the collection or runner run it made (_sw_runs)
  std::vector<std::pair<std::string, int64_t>> figures;
  // The source freshness checks a build or test task made, in run order.
  std::vector<FreshnessCheck> freshness;
  // Set when the task failed: its category (ErrorCodeName), message, hint.
  Status error;
};

// "<dir>/<try>.result.json" beside "<dir>/<try>.log".
std::filesystem::path TaskResultPath(const std::filesystem::path& log_path);

std::string TaskResultJson(const TaskResult& result);
Result<TaskResult> ParseTaskResult(std::string_view text);

// Writes `result` to `path` atomically (temporary file, fsync, rename).
Status WriteTaskResult(const std::filesystem::path& path, const TaskResult& result);
// nullopt when there is no file; an error when it exists but does not parse.
Result<std::optional<TaskResult>> ReadTaskResult(const std::filesystem::path& path);

// The category of an ErrorCodeName ("network" -> kNetwork); kInternal for a
// name it does not know.
ErrorCode ErrorCodeNamed(std::string_view name);

}  // namespace silverwork::scheduler
