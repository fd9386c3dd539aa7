// SchedulerStore: starting and finishing tries, moving the tasks after them
// along, clearing failed runs, and keeping each run and its days in step
// with its task instances.
#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "scheduler/scheduler_store.h"
#include "scheduler/store_rows.h"

namespace silverwork::scheduler {

using namespace store_rows;  // NOLINT(google-build-using-namespace): this file is the store

namespace {

bool IsFailure(TaskState state) {
  return state == TaskState::kFailed || state == TaskState::kUpstreamFailed;
}

// A run's message and hint from its task instances once it is done.
std::pair<std::string, std::string> RunSummary(RunState state,
                                               const std::vector<TaskInstanceRecord>& tasks) {
  if (state == RunState::kFailed) {
    for (const TaskInstanceRecord& task : tasks)
      if (task.state == TaskState::kFailed)
        return {fmt::format("task '{}' failed: {}", task.task, task.message), task.hint};
  }
  if (state == RunState::kSkipped) {
    for (const TaskInstanceRecord& task : tasks)
      if (task.state == TaskState::kSkipped && task.upstream.empty())
        return {fmt::format("skipped: task '{}' found nothing new", task.task), ""};
    return {"skipped: nothing new", ""};
  }
  return {"", ""};
}

}  // namespace

Result<TaskInstanceRecord> SchedulerStore::ReadTaskInstance(std::string_view run_id,
                                                            std::string_view task) {
  const std::vector<Value> params{Text(std::string(run_id)), Text(std::string(task))};
  SW_ASSIGN_OR_RETURN(std::vector<TaskInstanceRecord> found,
                      QueryRecords<TaskInstanceRecord>(
                          warehouse_,
                          fmt::format("SELECT {} FROM {} WHERE run_id = ? AND task = ?",
                                      kTaskInstanceColumns, kTaskInstances),
                          params, DecodeTaskInstance));
  if (found.empty())
    return Status(ErrorCode::kNotFound, fmt::format("run {} has no task '{}'", run_id, task),
                  "`silverwork runs show RUN_ID` lists a run's tasks");
  return std::move(found.front());
}

Result<TryRecord> SchedulerStore::StartTry(std::string_view run_id, std::string_view task,
                                           const std::string& host,
                                           const std::filesystem::path& logs_root) {
  WriteScope transaction(warehouse_);
  SW_RETURN_IF_ERROR(transaction.Begin());
  const TimePoint now = Now();
  const std::vector<Value> claim{TimeValue(now), TimeValue(now), Text(std::string(run_id)),
                                 Text(std::string(task)), TimeValue(now)};
  SW_ASSIGN_OR_RETURN(
      int64_t claimed,
      warehouse_.ExecuteWithParams(
          fmt::format("UPDATE {} SET state = 'running', try_number = try_number + 1, "
                      "started_at = COALESCE(started_at, ?), next_attempt_at = NULL, "
                      "updated_at = ? WHERE run_id = ? AND task = ? AND (state = 'queued' OR "
                      "(state IN ('up_for_retry', 'deferred') AND next_attempt_at <= ?))",
                      kTaskInstances),
          claim));
  SW_ASSIGN_OR_RETURN(TaskInstanceRecord instance, ReadTaskInstance(run_id, task));
  if (claimed != 1)
    return Status(ErrorCode::kInvalidInput,
                  fmt::format("task '{}' of run {} is {}, not ready to start", task, run_id,
                              TaskStateName(instance.state)),
                  "start only what ReadyTasks() returns");

  TryRecord attempt;
  attempt.run_id = std::string(run_id);
  attempt.task = std::string(task);
  attempt.try_number = instance.try_number;
  attempt.started_at = now;
  attempt.host = host;
  attempt.log_path =
      TaskLogPath(logs_root, instance.pipeline, run_id, task, instance.try_number).string();
  const std::vector<Value> row{Text(attempt.run_id),        Text(attempt.task),
                               Integer(attempt.try_number), TimeValue(now),
                               OptionalText(attempt.host),  Text(attempt.log_path)};
  SW_RETURN_IF_ERROR(
      warehouse_
          .ExecuteWithParams(
              fmt::format("INSERT INTO {} (run_id, task, try_number, state, started_at, host, "
                          "log_path) VALUES (?, ?, ?, 'running', ?, ?, ?)",
                          kTries),
              row)
          .status());
  SW_RETURN_IF_ERROR(RefreshRun(run_id, now).status());
  SW_RETURN_IF_ERROR(transaction.Commit());
  return attempt;
}

Status SchedulerStore::RecordTryPid(std::string_view run_id, std::string_view task, int try_number,
                                    int64_t pid, const std::string& process_start) {
  const std::vector<Value> params{Integer(pid), OptionalText(process_start),
                                  Text(std::string(run_id)), Text(std::string(task)),
                                  Integer(try_number)};
  SW_ASSIGN_OR_RETURN(int64_t changed,
                      warehouse_.ExecuteWithParams(
                          fmt::format("UPDATE {} SET pid = ?, process_start = ? WHERE run_id = ? "
                                      "AND task = ? AND try_number = ?",
                                      kTries),
                          params));
  if (changed != 1)
    return Status(ErrorCode::kNotFound,
                  fmt::format("run {} has no try {} of task '{}'", run_id, try_number, task),
                  "record the pid of a try StartTry() returned");
  return Status::Ok();
}

Result<TryFinish> SchedulerStore::FinishTry(std::string_view run_id, std::string_view task,
                                            int try_number, const TryOutcome& outcome) {
  WriteScope transaction(warehouse_);
  SW_RETURN_IF_ERROR(transaction.Begin());
  const TimePoint now = Now();
  SW_ASSIGN_OR_RETURN(TaskInstanceRecord instance, ReadTaskInstance(run_id, task));
  if (instance.state != TaskState::kRunning || instance.try_number != try_number)
    return Status(
        ErrorCode::kInvalidInput,
        fmt::format("try {} of task '{}' in run {} is not running (the task is {} at "
                    "try {})",
                    try_number, task, run_id, TaskStateName(instance.state), instance.try_number),
        "finish each try once, with the try number StartTry() returned");
  SW_ASSIGN_OR_RETURN(std::optional<RunRecord> before, GetRun(run_id));
  TryFinish finish;
  finish.run_state_before = before ? before->state : RunState::kQueued;
  finish.transition = DecideAfterTry(outcome, instance.failures, instance.retry, now, random_);
  const TaskTransition& next = finish.transition;

  const bool exited = outcome.kind == TryOutcome::Kind::kExited;
  const std::vector<Value> try_row{
      Text(TryStateName(next.try_state)),
      TimeValue(now),
      exited ? Integer(outcome.exit_code) : Value(),
      outcome.kind == TryOutcome::Kind::kSignaled ? Integer(outcome.signal) : Value(),
      OptionalText(next.message),
      OptionalText(next.hint),
      Text(std::string(run_id)),
      Text(std::string(task)),
      Integer(try_number)};
  SW_RETURN_IF_ERROR(
      warehouse_
          .ExecuteWithParams(
              fmt::format("UPDATE {} SET state = ?, ended_at = ?, exit_code = ?, "
                          "exit_signal = ?, error = ?, hint = ? WHERE run_id = ? AND "
                          "task = ? AND try_number = ?",
                          kTries),
              try_row)
          .status());

  std::optional<TimePoint> deferred_since;
  if (next.task_state == TaskState::kDeferred)
    deferred_since = instance.deferred_since.value_or(now);
  const std::vector<Value> task_row{Text(TaskStateName(next.task_state)),
                                    Integer(next.failures),
                                    OptionalTime(next.next_attempt_at),
                                    IsTerminal(next.task_state) ? TimeValue(now) : Value(),
                                    OptionalTime(deferred_since),
                                    OptionalText(next.message),
                                    OptionalText(next.hint),
                                    TimeValue(now),
                                    Text(std::string(run_id)),
                                    Text(std::string(task))};
  SW_RETURN_IF_ERROR(
      warehouse_
          .ExecuteWithParams(
              fmt::format("UPDATE {} SET state = ?, failures = ?, next_attempt_at = ?, "
                          "ended_at = ?, deferred_since = ?, message = ?, hint = ?, "
                          "updated_at = ? WHERE run_id = ? AND task = ?",
                          kTaskInstances),
              task_row)
          .status());
  SW_RETURN_IF_ERROR(AdvanceWaitingTasks(run_id, now));
  SW_ASSIGN_OR_RETURN(finish.run, RefreshRun(run_id, now));
  SW_RETURN_IF_ERROR(transaction.Commit());
  return finish;
}

Status SchedulerStore::AdvanceWaitingTasks(std::string_view run_id, TimePoint now) {
  SW_ASSIGN_OR_RETURN(std::vector<TaskInstanceRecord> tasks, ListTaskInstances(run_id));
  std::map<std::string, TaskState> state_of;
  for (const TaskInstanceRecord& task : tasks) state_of[task.task] = task.state;
  // Tasks come upstream first, so one pass settles every chain.
  for (const TaskInstanceRecord& task : tasks) {
    if (task.state != TaskState::kWaiting) continue;
    std::vector<TaskState> upstream;
    for (const std::string& name : task.upstream) upstream.push_back(state_of[name]);
    std::optional<TaskState> resolved = ResolveWaiting(upstream);
    if (!resolved) continue;
    state_of[task.task] = *resolved;
    std::string message;
    if (*resolved == TaskState::kUpstreamFailed) message = "not run: an upstream task failed";
    if (*resolved == TaskState::kSkipped) message = "skipped: an upstream task found nothing new";
    const std::vector<Value> row{Text(TaskStateName(*resolved)),
                                 IsTerminal(*resolved) ? TimeValue(now) : Value(),
                                 OptionalText(message),
                                 TimeValue(now),
                                 Text(task.run_id),
                                 Text(task.task)};
    SW_RETURN_IF_ERROR(
        warehouse_
            .ExecuteWithParams(fmt::format("UPDATE {} SET state = ?, ended_at = ?, message = ?, "
                                           "updated_at = ? WHERE run_id = ? AND task = ? AND "
                                           "state = 'waiting'",
                                           kTaskInstances),
                               row)
            .status());
  }
  return Status::Ok();
}

Result<RunRecord> SchedulerStore::RefreshRun(std::string_view run_id, TimePoint now) {
  SW_ASSIGN_OR_RETURN(std::optional<RunRecord> found, GetRun(run_id));
  if (!found)
    return Status(ErrorCode::kNotFound, fmt::format("no run {}", run_id),
                  "`silverwork runs list` shows the runs");
  RunRecord run = std::move(*found);
  SW_ASSIGN_OR_RETURN(std::vector<TaskInstanceRecord> tasks, ListTaskInstances(run_id));
  std::vector<TaskState> states;
  states.reserve(tasks.size());
  for (const TaskInstanceRecord& task : tasks) states.push_back(task.state);
  const RunState state = DeriveRunState(states);
  if (!run.started_at && state != RunState::kQueued) run.started_at = now;
  if (!IsTerminal(state)) {
    run.ended_at.reset();
  } else if (!IsTerminal(run.state) || !run.ended_at) {
    run.ended_at = now;
  }
  run.state = state;
  std::tie(run.message, run.hint) = RunSummary(state, tasks);
  const std::vector<Value> run_row{
      Text(RunStateName(state)), OptionalTime(run.started_at), OptionalTime(run.ended_at),
      OptionalText(run.message), OptionalText(run.hint),       TimeValue(now),
      Text(run.run_id)};
  SW_RETURN_IF_ERROR(
      warehouse_
          .ExecuteWithParams(fmt::format("UPDATE {} SET state = ?, started_at = ?, ended_at = ?, "
                                         "message = ?, hint = ?, updated_at = ? WHERE run_id = ?",
                                         kRuns),
                             run_row)
          .status());
  // Only the days still pointing at this run follow it; a status that does
  // not change keeps its time of last change.
  const std::string status = PartitionStatusName(PartitionStatusFor(state, states));
  const std::vector<Value> day_row{Text(status), TimeValue(now), Text(run.pipeline),
                                   Text(run.run_id), Text(status)};
  SW_RETURN_IF_ERROR(
      warehouse_
          .ExecuteWithParams(fmt::format("UPDATE {} SET status = ?, updated_at = ? WHERE "
                                         "pipeline = ? AND run_id = ? AND status <> ?",
                                         kPartitions),
                             day_row)
          .status());
  return run;
}

Result<RunRecord> SchedulerStore::ClearRun(std::string_view run_id) {
  WriteScope transaction(warehouse_);
  SW_RETURN_IF_ERROR(transaction.Begin());
  const TimePoint now = Now();
  SW_ASSIGN_OR_RETURN(std::vector<TaskInstanceRecord> tasks, ListTaskInstances(run_id));
  if (tasks.empty())
    return Status(ErrorCode::kNotFound, fmt::format("no run {}", run_id),
                  "`silverwork runs list` shows the runs");
  const bool any_failed = std::any_of(
      tasks.begin(), tasks.end(), [](const TaskInstanceRecord& t) { return IsFailure(t.state); });
  if (!any_failed)
    return Status(ErrorCode::kInvalidInput,
                  fmt::format("run {} has no failed task to clear", run_id),
                  "clear reruns the failed tasks of a run; trigger the pipeline to run it again");
  const std::string sql = fmt::format(
      "UPDATE {} SET state = 'waiting', failures = 0, next_attempt_at = NULL, ended_at = NULL, "
      "message = NULL, hint = NULL, updated_at = ? WHERE run_id = ? AND task = ?",
      kTaskInstances);
  for (const TaskInstanceRecord& task : tasks) {
    if (!IsFailure(task.state)) continue;
    const std::vector<Value> row{TimeValue(now), Text(task.run_id), Text(task.task)};
    SW_RETURN_IF_ERROR(warehouse_.ExecuteWithParams(sql, row).status());
  }
  SW_RETURN_IF_ERROR(AdvanceWaitingTasks(run_id, now));
  SW_ASSIGN_OR_RETURN(RunRecord run, RefreshRun(run_id, now));
  SW_RETURN_IF_ERROR(transaction.Commit());
  return run;
}

}  // namespace silverwork::scheduler
