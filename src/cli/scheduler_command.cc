// silverwork scheduler [--once] | trigger | backfill | pause | unpause: run
// the pipelines of pipelines.yml unattended, and ask the scheduler for work.
// The writing verbs go through the request table (scheduler/request_client.h).
#include <fmt/format.h>

#include <cstdio>

#include "cli/scheduler_verbs.h"
#include "cli/wiring.h"
#include "scheduler/request_client.h"
#include "scheduler/scheduler_loop.h"

namespace silverwork {
namespace {

using scheduler::RequestKind;
using scheduler::RequestState;
using scheduler::SchedulerRequest;

Result<Date> ParseDay(const std::string& text, const char* flag) {
  auto day = Date::Parse(text);
  if (!day.ok())
    return Status(ErrorCode::kInvalidInput, fmt::format("{}: {}", flag, day.status().message()),
                  "write the day as YYYY-MM-DD");
  return day;
}

// The planned days of a dry run, one line each, then what would be queued.
void PrintDryRun(const scheduler::BackfillPlan& plan, const std::string& pipeline,
                 scheduler::ReprocessMode mode) {
  std::printf("dry run: backfill %s %s..%s --reprocess %s (nothing is queued)\n", pipeline.c_str(),
              plan.days.front().day.Iso().c_str(), plan.days.back().day.Iso().c_str(),
              scheduler::ReprocessModeName(mode));
  size_t queued = 0;
  for (const scheduler::BackfillDay& day : plan.days) {
    const char* status = day.status ? scheduler::PartitionStatusName(*day.status) : "missing";
    std::printf("  %s  %-8s  %-5s  %s\n", day.day.Iso().c_str(), status, day.queue ? "run" : "skip",
                day.reason.c_str());
    queued += day.queue ? 1 : 0;
  }
  std::printf("%zu of %zu days would run, in %zu run%s", queued, plan.days.size(), plan.runs.size(),
              plan.runs.size() == 1 ? "" : "s");
  for (size_t index = 0; index < plan.runs.size(); ++index) {
    const auto& days = plan.runs[index].days;
    std::printf("%s %s..%s", index == 0 ? ":" : ",", days.front().Iso().c_str(),
                days.back().Iso().c_str());
  }
  std::printf("\n");
}

Status DryRunBackfill(const SchedulerSetup& setup, Clock& clock, const SchedulerRequest& request) {
  const scheduler::PipelineSpec* pipeline = setup.pipelines.Find(request.pipeline);
  SW_ASSIGN_OR_RETURN(std::unique_ptr<Warehouse> warehouse,
                      OpenWarehouse({.engine = setup.config.warehouse_engine,
                                     .location = setup.config.warehouse_path}));
  scheduler::SeededRandom random;
  scheduler::SchedulerStore store(*warehouse, clock, random);
  scheduler::PartitionMap partitions;
  SW_ASSIGN_OR_RETURN(bool has_schema, store.HasSchema());
  if (has_schema) {
    SW_ASSIGN_OR_RETURN(partitions, store.PartitionMapOf(request.pipeline));
  }
  SW_ASSIGN_OR_RETURN(
      scheduler::BackfillPlan plan,
      scheduler::PlanBackfill(*pipeline, *request.range, request.reprocess, partitions,
                              std::chrono::floor<std::chrono::seconds>(clock.Now())));
  PrintDryRun(plan, request.pipeline, request.reprocess);
  return Status::Ok();
}

// The pipeline must exist: said at once, before anything is written.
bool KnownPipeline(CliContext& context, const SchedulerSetup& setup, const std::string& name) {
  if (setup.pipelines.Find(name) != nullptr) return true;
  std::string known;
  for (const auto& pipeline : setup.pipelines.pipelines)
    known += (known.empty() ? "" : ", ") + pipeline.name;
  context.exit_code = ReportFailure(Status(
      ErrorCode::kInvalidInput, fmt::format("{} has no pipeline '{}'", setup.pipelines.path, name),
      fmt::format("the pipelines are: {}", known)));
  return false;
}

void AddSchedulerCommand(CLI::App& app, CliContext& context) {
  CLI::App* command = app.add_subcommand(
      "scheduler", "run the pipelines of pipelines.yml by themselves (see docs/scheduler.md)");
  auto once = std::make_shared<bool>(false);
  command->add_flag("--once", *once,
                    "do the work due now, wait for it and exit (0 all succeeded, 1 a task "
                    "failed, 3 some wait on the daily quota)");
  command->callback([&context, once] {
    auto config = StartCommand(context);
    if (!config) return;
    Result<int> ran = scheduler::RunScheduler(*config, *context.clock,
                                              {.once = *once,
                                               .config_path = config->source_path,
                                               .clock_shifted = context.clock_shifted});
    context.exit_code = ran.ok() ? *ran : ReportFailure(ran.status());
  });
}

void AddTriggerCommand(CLI::App& app, CliContext& context) {
  CLI::App* command = app.add_subcommand("trigger", "queue a run of a pipeline now");
  auto pipeline = std::make_shared<std::string>();
  auto date = std::make_shared<std::string>();
  command->add_option("pipeline", *pipeline, "the pipeline")->required();
  command->add_option("--date", *date,
                      "the day to run (YYYY-MM-DD; default: the last day that has ended)");
  command->callback([&context, pipeline, date] {
    auto setup = StartSchedulerCommand(context);
    if (!setup || !KnownPipeline(context, *setup, *pipeline)) return;
    SchedulerRequest request{.kind = RequestKind::kTrigger, .pipeline = *pipeline};
    if (!date->empty()) {
      auto day = ParseDay(*date, "--date");
      if (!day.ok()) {
        context.exit_code = ReportFailure(day.status());
        return;
      }
      request.date = *day;
    }
    SubmitFromCli(context, *setup, std::move(request));
  });
}

struct BackfillFlags {
  std::string pipeline, from, to, reprocess = "missing";
  bool dry_run = false;
};

Result<SchedulerRequest> BackfillRequest(const BackfillFlags& flags) {
  SW_ASSIGN_OR_RETURN(Date from, ParseDay(flags.from, "--from"));
  SW_ASSIGN_OR_RETURN(Date to, ParseDay(flags.to, "--to"));
  SW_ASSIGN_OR_RETURN(scheduler::ReprocessMode mode,
                      scheduler::ParseReprocessMode(flags.reprocess));
  return SchedulerRequest{.kind = RequestKind::kBackfill,
                          .pipeline = flags.pipeline,
                          .range = scheduler::DayRange{from, to},
                          .reprocess = mode};
}

void AddBackfillCommand(CLI::App& app, CliContext& context) {
  CLI::App* command = app.add_subcommand(
      "backfill", "queue a range of days of a partitioned pipeline (one run per stretch)");
  auto flags = std::make_shared<BackfillFlags>();
  command->add_option("pipeline", flags->pipeline, "the pipeline")->required();
  command->add_option("--from", flags->from, "first day (YYYY-MM-DD)")->required();
  command->add_option("--to", flags->to, "last day (YYYY-MM-DD)")->required();
  command
      ->add_option("--reprocess", flags->reprocess,
                   "missing (days never run), failed (and failed days) or all (every day not "
                   "queued or running)")
      ->capture_default_str();
  command->add_flag("--dry-run", flags->dry_run, "list each day and whether it would run");
  command->callback([&context, flags] {
    auto setup = StartSchedulerCommand(context);
    if (!setup || !KnownPipeline(context, *setup, flags->pipeline)) return;
    auto request = BackfillRequest(*flags);
    if (!request.ok()) {
      context.exit_code = ReportFailure(request.status());
      return;
    }
    if (flags->dry_run) {
      context.exit_code = ExitCodeFor(DryRunBackfill(*setup, *context.clock, *request));
      return;
    }
    SubmitFromCli(context, *setup, std::move(request).value());
  });
}

void AddPauseCommand(CLI::App& app, CliContext& context, RequestKind kind) {
  const bool pause = kind == RequestKind::kPause;
  CLI::App* command =
      app.add_subcommand(pause ? "pause" : "unpause",
                         pause ? "stop starting a pipeline's tasks (running ones finish)"
                               : "let a paused pipeline run again (missed days are caught up)");
  auto pipeline = std::make_shared<std::string>();
  command->add_option("pipeline", *pipeline, "the pipeline")->required();
  command->callback([&context, pipeline, kind] {
    auto setup = StartSchedulerCommand(context);
    if (!setup || !KnownPipeline(context, *setup, *pipeline)) return;
    SubmitFromCli(context, *setup, {.kind = kind, .pipeline = *pipeline});
  });
}

}  // namespace

std::optional<SchedulerSetup> StartSchedulerCommand(CliContext& context) {
  auto config = StartCommand(context);
  if (!config) return std::nullopt;
  scheduler::TimeZoneDatabase zones;
  auto pipelines = scheduler::LoadCheckedPipelines(*config, zones);
  if (!pipelines.ok()) {
    context.exit_code = ReportFailure(pipelines.status());
    return std::nullopt;
  }
  return SchedulerSetup{std::move(*config), std::move(pipelines).value()};
}

void SubmitFromCli(CliContext& context, const SchedulerSetup& setup, SchedulerRequest request) {
  const auto wait =
      std::max(std::chrono::milliseconds(10'000),
               5 * std::chrono::milliseconds(setup.config.scheduler.poll_interval_ms));
  auto reply =
      scheduler::SubmitAndAwait(setup.config, *context.clock, setup.pipelines, request, wait);
  if (!reply.ok()) {
    context.exit_code = ReportFailure(reply.status());
    return;
  }
  const SchedulerRequest& answered = reply->request;
  if (answered.state == RequestState::kRejected) {
    context.exit_code =
        ReportFailure(Status(ErrorCode::kInvalidInput, answered.message, answered.hint));
    return;
  }
  if (answered.state == RequestState::kPending) {
    std::printf(
        "request %s is waiting for the scheduler (%s on host %s, pid %lld) to answer; "
        "`silverwork runs list` shows its runs once it has\n",
        answered.request_id.c_str(), reply->scheduler->holder_id.c_str(),
        reply->scheduler->host.c_str(), static_cast<long long>(reply->scheduler->pid));
    context.exit_code = kExitOk;
    return;
  }
  std::printf("%s\n", answered.message.c_str());
  if (!answered.hint.empty()) std::printf("  note: %s\n", answered.hint.c_str());
  if (reply->answered_here) {
    std::printf(
        "no scheduler is running: this command applied the request itself; "
        "`silverwork scheduler` (or `silverwork scheduler --once`) runs what it queued\n");
  }
  context.exit_code = kExitOk;
}

void AddSchedulerCommands(CLI::App& app, CliContext& context) {
  AddSchedulerCommand(app, context);
  AddTriggerCommand(app, context);
  AddBackfillCommand(app, context);
  AddPauseCommand(app, context, RequestKind::kPause);
  AddPauseCommand(app, context, RequestKind::kUnpause);
}

}  // namespace silverwork
