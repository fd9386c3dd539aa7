#include "scheduler/scheduled_try.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "pipeline/collection_window.h"
#include "pipeline/run_ledger.h"
#include "pipeline/transform_run.h"
#include "scheduler/scheduler_store.h"
#include "warehouse/warehouse.h"

namespace silverwork::scheduler {
namespace {

// A try that cannot run as defined: retrying will not help (exit 2).
Status CannotRun(std::string message, std::string hint) {
  return Status(ErrorCode::kInvalidInput, std::move(message), std::move(hint));
}

// The try as the store has it.
struct TryContext {
  RunRecord run;
  TryRecord attempt;
  TaskKind queued_kind = TaskKind::kBuild;  // the task's kind when the run was queued
};

Result<TryRecord> RunningTry(SchedulerStore& store, const ScheduledTry& which) {
  SW_ASSIGN_OR_RETURN(std::vector<TryRecord> tries, store.ListTries(which.run_id, which.task));
  for (TryRecord& attempt : tries) {
    if (attempt.try_number != which.try_number) continue;
    if (attempt.state != TryState::kRunning)
      return CannotRun(
          fmt::format("try {} of task '{}' in run {} is {}, not running", which.try_number,
                      which.task, which.run_id, TryStateName(attempt.state)),
          "the scheduler starts tries itself; `silverwork runs show RUN_ID` shows "
          "them, and `silverwork trigger` queues a new run");
    return std::move(attempt);
  }
  return CannotRun(
      fmt::format("run {} has no try {} of task '{}'", which.run_id, which.try_number, which.task),
      "`silverwork runs show RUN_ID` lists a run's tasks and tries");
}

// The run and the try from the store: only a try the store shows running.
Result<TryContext> LoadTry(const Config& config, Warehouse& warehouse, Clock& clock,
                           const ScheduledTry& which) {
  SeededRandom random;
  SchedulerStore store(warehouse, clock, random);
  SW_ASSIGN_OR_RETURN(bool has_schema, store.HasSchema());
  if (!has_schema)
    return CannotRun(
        fmt::format("the warehouse {} holds no scheduler state", config.warehouse_path),
        "tries are started by `silverwork scheduler` on the same warehouse");
  SW_ASSIGN_OR_RETURN(std::optional<RunRecord> run, store.GetRun(which.run_id));
  if (!run)
    return CannotRun(fmt::format("no run {}", which.run_id),
                     "`silverwork runs list` shows the runs");
  TryContext context{.run = std::move(*run)};
  SW_ASSIGN_OR_RETURN(context.attempt, RunningTry(store, which));
  SW_ASSIGN_OR_RETURN(std::vector<TaskInstanceRecord> instances,
                      store.ListTaskInstances(which.run_id));
  for (const TaskInstanceRecord& instance : instances)
    if (instance.task == which.task) context.queued_kind = instance.kind;
  return context;
}

// The task's definition in pipelines.yml, as the try runs it.
Result<TaskSpec> TaskDefinition(const Config& config, const TryContext& context) {
  TimeZoneDatabase zones;
  SW_ASSIGN_OR_RETURN(PipelinesFile file, LoadPipelinesFile(PipelinesPathFor(config), zones));
  const std::string& name = context.attempt.task;
  const PipelineSpec* pipeline = file.Find(context.run.pipeline);
  const TaskSpec* task = pipeline ? pipeline->FindTask(name) : nullptr;
  if (task == nullptr)
    return CannotRun(fmt::format("{} no longer defines task '{}' of pipeline '{}' (run {})",
                                 file.path, name, context.run.pipeline, context.run.run_id),
                     "put the task back, or leave the run failed; runs queued after the change "
                     "use the new definition");
  if (task->kind != context.queued_kind)
    return CannotRun(fmt::format("task '{}' of run {} was queued as {} but {} now says {}", name,
                                 context.run.run_id, TaskKindName(context.queued_kind), file.path,
                                 TaskKindName(task->kind)),
                     "a task's kind changed under a queued run; trigger a new run");
  return *task;
}

int ExitCodeFor(const TaskReport& report) {
  if (report.status.IsQuotaExhausted()) return kTaskExitQuota;
  if (!report.status.ok()) return kTaskExitFailure;
  return report.NothingNew() ? kTaskExitNothingNew : kTaskExitSuccess;
}

const char* ResultStatusFor(int exit_code) {
  switch (exit_code) {
    case kTaskExitSuccess:
      return "success";
    case kTaskExitQuota:
      return "stopped";
    case kTaskExitNothingNew:
      return "skipped";
    default:
      return "failed";
  }
}

// A failed build says which nodes failed, not "(above)": the alert and
// `runs show` have no "above".
Status ExplainFailure(const TaskReport& report) {
  const auto* results = std::get_if<transform::RunResults>(&report.details);
  if (report.status.ok() || results == nullptr) return report.status;
  std::vector<std::string> failures;
  for (const transform::NodeResult& node : results->nodes) {
    if (node.status != transform::NodeStatus::kError && node.status != transform::NodeStatus::kFail)
      continue;
    failures.push_back(fmt::format("{} {}: {}", node.unique_id,
                                   transform::NodeStatusName(node.status),
                                   node.message.substr(0, 300)));
  }
  if (failures.empty()) return report.status;
  const size_t shown = std::min<size_t>(failures.size(), 3);
  std::string message =
      fmt::format("{} node{} failed: {}", failures.size(), failures.size() == 1 ? "" : "s",
                  fmt::join(failures.begin(), failures.begin() + shown, "; "));
  if (shown < failures.size()) message += fmt::format("; and {} more", failures.size() - shown);
  return Status(report.status.code(), message, report.status.hint());
}

TaskResult ResultOf(int exit_code, const Status& error, const TaskReport* report) {
  TaskResult result{.exit_code = exit_code, .status = ResultStatusFor(exit_code)};
  result.error = error;
  if (report != nullptr) {
    result.ledger_run_id = report->run_id;
    for (const TaskFigure& figure : report->figures)
      result.figures.emplace_back(figure.name, figure.value);
    result.freshness = FreshnessChecks(*report);
  }
  return result;
}

}  // namespace

Result<TaskRequest> TaskRequestFor(const TaskSpec& task, std::optional<DayRange> run_window,
                                   const DataInterval& interval) {
  TaskRequest request;
  request.kind = task.kind;
  if (task.kind == TaskKind::kCollectPostings) {
    const DayRange days = CollectionDays(task, run_window, interval);
    SW_ASSIGN_OR_RETURN(request.window, WindowBetween(days.first, days.last));
    request.skip_details = task.skip_details;
  }
  request.transform.select = task.select;
  request.transform.exclude = task.exclude;
  request.transform.full_refresh = task.full_refresh;
  request.transform.threads = DefaultTransformThreads();
  request.transform.show_progress = false;  // a log file, not a terminal
  return request;
}

ScheduledTryOutcome RunScheduledTry(const Config& config, Clock& clock, const ScheduledTry& which) {
  ScheduledTryOutcome outcome;
  auto warehouse =
      OpenWarehouse({.engine = config.warehouse_engine, .location = config.warehouse_path});
  Result<TryContext> context =
      warehouse.ok() ? LoadTry(config, **warehouse, clock, which) : warehouse.status();
  // The connection is not needed while the task runs (it opens its own).
  if (warehouse.ok()) warehouse->reset();
  if (!context.ok()) {
    const bool definition = context.status().code() == ErrorCode::kInvalidInput;
    outcome.exit_code = definition ? kTaskExitUsage : kTaskExitFailure;
    outcome.result = ResultOf(outcome.exit_code, context.status(), nullptr);
    return outcome;  // no try of ours: nowhere to write a result file
  }
  Result<TaskSpec> task = TaskDefinition(config, *context);
  Result<TaskRequest> request =
      task.ok() ? TaskRequestFor(*task, context->run.window, context->run.interval)
                : Result<TaskRequest>(task.status());
  if (!request.ok()) {
    outcome.exit_code = kTaskExitUsage;
    outcome.result = ResultOf(outcome.exit_code, request.status(), nullptr);
  } else {
    outcome.report = RunTask(config, clock, *request);
    outcome.exit_code = ExitCodeFor(*outcome.report);
    outcome.result = ResultOf(outcome.exit_code, ExplainFailure(*outcome.report), &*outcome.report);
  }
  Status written = WriteTaskResult(TaskResultPath(context->attempt.log_path), outcome.result);
  if (!written.ok()) spdlog::warn("{}", written.ToString());
  return outcome;
}

}  // namespace silverwork::scheduler
