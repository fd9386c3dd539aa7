// silverwork task run KIND [...]: one pipeline task, as the scheduler runs
// it in a child process. Hidden from --help: people use the commands
// (collect, build, reload, ...), which call the same entry points.
//
// Prints what the task did, then one line of JSON with its figures (see
// TaskReportJson), and exits 0 when it succeeded, 3 when it stopped on the
// daily quota with its progress saved, 4 when a sensor (discover_projects)
// found nothing new, and 1 when it failed: the exit codes the scheduler reads
// (scheduler/task_state.h).
#include <cstdio>

#include "cli/wiring.h"
#include "pipeline/tasks.h"
#include "scheduler/task_state.h"

namespace silverwork {
namespace {

struct TaskFlags {
  std::string kind;
  std::string from, to;
  bool skip_details = false;
  TransformFlags transform;
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

}  // namespace

void AddTaskCommand(CLI::App& app, CliContext& context) {
  CLI::App* task = app.add_subcommand("task", "run one pipeline task (used by the scheduler)");
  task->group("");  // hidden from --help
  task->require_subcommand(1);
  CLI::App* run = task->add_subcommand("run", "run one task and report its figures as JSON");
  auto flags = std::make_shared<TaskFlags>();
  run->add_option("kind", flags->kind,
                  "collect_postings, collect_projects, discover_projects, build, run, test, seed, "
                  "snapshot, reload or docs")
      ->required();
  run->add_option("--from", flags->from, "collect_postings: first KST day (YYYY-MM-DD)");
  run->add_option("--to", flags->to, "collect_postings: last KST day (YYYY-MM-DD)");
  run->add_flag("--skip-details", flags->skip_details, "collect_postings: list pages only");
  AddTransformFlags(*run, flags->transform, /*runs_models=*/true);
  run->callback([&context, flags] {
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
