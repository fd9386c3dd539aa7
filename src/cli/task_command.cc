// silverwork task run KIND [...]: one pipeline task, as the scheduler runs
// it in a child process. Hidden from --help: people use the commands
// (collect, build, reload, ...), which call the same entry points.
//
// Prints what the task did, then one line of JSON with its figures (see
// TaskReportJson), and exits 0 when it succeeded, 3 when it stopped on the
// daily quota with its progress saved, 4 when a sensor (discover_projects)
// found nothing new, and 1 when it failed: the exit codes the scheduler reads
// (scheduler/task_state.h).
//
// silverwork task run --run R --task T --try N: one try of a scheduled
// task, as the scheduler starts it (scheduler/scheduled_try.h): the task's
// definition from pipelines.yml, its days from the run; the same output and
// exit codes, plus 2 when the try cannot run as defined, and a result file
// next to the try's log.
#include <cstdio>

#include "cli/wiring.h"
#include "pipeline/tasks.h"
#include "scheduler/scheduled_try.h"
#include "scheduler/task_state.h"

namespace silverwork {
namespace {

struct TaskFlags {
  std::string kind;
  std::string from, to;
  bool skip_details = false;
  TransformFlags transform;
  scheduler::ScheduledTry scheduled;  // --run, --task, --try
};

// collect_postings takes its days explicitly: a task retried after midnight
// must collect the same days, not slide to a new "today".
Result<TaskRequest> RequestFrom(const TaskFlags& flags) {
  TaskRequest request;
  SW_ASSIGN_OR_RETURN(request.kind, TaskKindNamed(flags.kind));
  if (!flags.from.empty() || !flags.to.empty()) {
    if (flags.from.empty() || flags.to.empty()) {
      return Status(ErrorCode::kInvalidInput, "a task's window needs both --from and --to",
                    "give both days (KST, YYYY-MM-DD); they may be the same day");
    }
    SW_ASSIGN_OR_RETURN(Date from, Date::Parse(flags.from));
    SW_ASSIGN_OR_RETURN(Date to, Date::Parse(flags.to));
    SW_ASSIGN_OR_RETURN(request.window, WindowBetween(from, to));
  }
  request.skip_details = flags.skip_details;
  request.transform = TransformOptionsFrom(flags.transform);
  return request;
}

// A scheduled try: everything comes from the store and pipelines.yml.
void RunScheduledTryCommand(CliContext& context, const TaskFlags& flags) {
  if (!flags.kind.empty() || !flags.from.empty() || !flags.to.empty() || flags.skip_details ||
      flags.scheduled.task.empty() || flags.scheduled.try_number < 1) {
    (void)ReportFailure(
        Status(ErrorCode::kInvalidInput, "--run needs --task and --try, and nothing else",
               "the scheduler starts tries as `task run --run R --task T --try N`; the task's "
               "kind and parameters come from pipelines.yml"));
    context.exit_code = kExitUsage;
    return;
  }
  auto config = StartCommand(context);
  if (!config) return;
  scheduler::ScheduledTryOutcome outcome =
      scheduler::RunScheduledTry(*config, *context.clock, flags.scheduled);
  if (outcome.report) {
    PrintTaskDetails(*outcome.report);
    std::printf("%s\n", TaskReportJson(*outcome.report).c_str());
    std::fflush(stdout);
  }
  if (!outcome.result.error.ok()) (void)ReportFailure(outcome.result.error);
  context.exit_code = outcome.exit_code;
}

}  // namespace

void AddTaskCommand(CLI::App& app, CliContext& context) {
  CLI::App* task = app.add_subcommand("task", "run one pipeline task (used by the scheduler)");
  task->group("");  // hidden from --help
  task->require_subcommand(1);
  CLI::App* run = task->add_subcommand("run", "run one task and report its figures as JSON");
  auto flags = std::make_shared<TaskFlags>();
  run->add_option("kind", flags->kind,
                  "collect_postings, collect_projects, discover_projects, build, run, test, "
                  "seed, snapshot, reload or docs");
  run->add_option("--from", flags->from, "collect_postings: first KST day (YYYY-MM-DD)");
  run->add_option("--to", flags->to, "collect_postings: last KST day (YYYY-MM-DD)");
  run->add_flag("--skip-details", flags->skip_details, "collect_postings: list pages only");
  run->add_option("--run", flags->scheduled.run_id, "a scheduled try: the run");
  run->add_option("--task", flags->scheduled.task, "a scheduled try: the task");
  run->add_option("--try", flags->scheduled.try_number, "a scheduled try: its number");
  AddTransformFlags(*run, flags->transform, /*runs_models=*/true);
  run->callback([&context, flags] {
    if (!flags->scheduled.run_id.empty()) {
      RunScheduledTryCommand(context, *flags);
      return;
    }
    if (flags->kind.empty()) {
      (void)ReportFailure(
          Status(ErrorCode::kInvalidInput, "task run needs a task kind, or --run/--task/--try",
                 "e.g. `silverwork task run collect_postings --from 2025-06-28 --to 2025-06-30`"));
      context.exit_code = kExitUsage;
      return;
    }
    auto config = StartCommand(context);
    if (!config) return;
    if (!flags->transform.project_dir.empty()) config->project_dir = flags->transform.project_dir;
    auto request = RequestFrom(*flags);
    if (!request.ok()) {
      context.exit_code = ReportFailure(request.status());
      return;
    }
    TaskReport report = RunTask(*config, *context.clock, *request);
    PrintTaskDetails(report);
    std::printf("%s\n", TaskReportJson(report).c_str());
    std::fflush(stdout);
    context.exit_code =
        report.NothingNew() ? scheduler::kTaskExitNothingNew : ExitCodeFor(report.status);
  });
}

}  // namespace silverwork
