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

// pipelines.yml's task kinds -> the pipeline library's.
struct KindMapping {
  TaskKind scheduled;
  silverwork::TaskKind pipeline;
};

constexpr KindMapping kKindMappings[] = {
    {TaskKind::kCollectPostings, silverwork::TaskKind::kCollectPostings},
    {TaskKind::kCollectProjects, silverwork::TaskKind::kCollectProjects},
    {TaskKind::kDiscoverProjects, silverwork::TaskKind::kDiscoverProjects},
    {TaskKind::kBuild, silverwork::TaskKind::kBuild},
    {TaskKind::kTest, silverwork::TaskKind::kTest},
    {TaskKind::kRun, silverwork::TaskKind::kRun},
    {TaskKind::kSnapshot, silverwork::TaskKind::kSnapshot},
    {TaskKind::kReload, silverwork::TaskKind::kReload},
    {TaskKind::kDocs, silverwork::TaskKind::kDocs},
};

// A try that cannot run as defined: retrying will not help (exit 2).
Status CannotRun(std::string message, std::string hint) {
  return Status(ErrorCode::kInvalidInput, std::move(message), std::move(hint));
}

struct TryContext {
  RunRecord run;
  TryRecord attempt;
  TaskSpec task;
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

// The run and try from the store, the task's definition from pipelines.yml.
Result<TryContext> LoadContext(const Config& config, Warehouse& warehouse, Clock& clock,
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
  TimeZoneDatabase zones;
  SW_ASSIGN_OR_RETURN(PipelinesFile file, LoadPipelinesFile(PipelinesPathFor(config), zones));
  const PipelineSpec* pipeline = file.Find(context.run.pipeline);
  const TaskSpec* task = pipeline ? pipeline->FindTask(which.task) : nullptr;
  if (task == nullptr)
    return CannotRun(fmt::format("{} no longer defines task '{}' of pipeline '{}' (run {})",
                                 file.path, which.task, context.run.pipeline, which.run_id),
                     "put the task back, or leave the run failed; runs queued after the change "
                     "use the new definition");
  SW_ASSIGN_OR_RETURN(std::vector<TaskInstanceRecord> instances,
                      store.ListTaskInstances(which.run_id));
  for (const TaskInstanceRecord& instance : instances)
    if (instance.task == which.task && instance.kind != task->kind)
      return CannotRun(fmt::format("task '{}' of run {} was queued as {} but {} now says {}",
                                   which.task, which.run_id, TaskKindName(instance.kind), file.path,
                                   TaskKindName(task->kind)),
                       "a task's kind changed under a queued run; trigger a new run");
  context.task = *task;
  return context;
}

int ExitCodeFor(const TaskReport& report) {
  if (report.status.IsQuotaExhausted()) return kTaskExitQuota;
  if (!report.status.ok()) return kTaskExitFailure;
  const bool sensor = report.kind == silverwork::TaskKind::kDiscoverProjects;
  if (sensor && report.Figure("changed").value_or(0) == 0) return kTaskExitNothingNew;
  return kTaskExitSuccess;
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

TaskResult ResultOf(int exit_code, const Status& error, const TaskReport* report) {
  TaskResult result{.exit_code = exit_code, .status = ResultStatusFor(exit_code)};
  result.error = error;
  if (report != nullptr) {
    result.ledger_run_id = report->run_id;
    for (const TaskFigure& figure : report->figures)
      result.figures.emplace_back(figure.name, figure.value);
  }
  return result;
}

}  // namespace

Result<TaskRequest> TaskRequestFor(const TaskSpec& task, std::optional<DayRange> run_window,
                                   const DataInterval& interval) {
  TaskRequest request;
  const KindMapping* mapping = nullptr;
  for (const KindMapping& entry : kKindMappings)
    if (entry.scheduled == task.kind) mapping = &entry;
  if (mapping == nullptr)
    return Status(ErrorCode::kInternal,
                  fmt::format("task kind {} has no entry point", TaskKindName(task.kind)),
                  "add it to kKindMappings in scheduled_try.cc");
  request.kind = mapping->pipeline;
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
      warehouse.ok() ? LoadContext(config, **warehouse, clock, which) : warehouse.status();
  // The warehouse connection is not needed while the task runs (it opens its own).
  if (warehouse.ok()) warehouse->reset();
  if (!context.ok()) {
    const bool definition = context.status().code() == ErrorCode::kInvalidInput;
    outcome.exit_code = definition ? kTaskExitUsage : kTaskExitFailure;
    outcome.result = ResultOf(outcome.exit_code, context.status(), nullptr);
    return outcome;  // no recorded try: nowhere to write a result file
  }
  Result<TaskRequest> request =
      TaskRequestFor(context->task, context->run.window, context->run.interval);
  if (!request.ok()) {
    outcome.exit_code = kTaskExitUsage;
    outcome.result = ResultOf(outcome.exit_code, request.status(), nullptr);
  } else {
    outcome.report = RunTask(config, clock, *request);
    outcome.exit_code = ExitCodeFor(*outcome.report);
    outcome.result = ResultOf(outcome.exit_code, outcome.report->status, &*outcome.report);
  }
  Status written = WriteTaskResult(TaskResultPath(context->attempt.log_path), outcome.result);
  if (!written.ok()) spdlog::warn("{}", written.ToString());
  return outcome;
}

}  // namespace silverwork::scheduler
