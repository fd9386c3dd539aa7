// silverwork runs list|show|logs|clear and silverwork partitions: what the
// scheduler did, from its state in the warehouse (read-only but for `clear`,
// which is a request like trigger's).
#include <fmt/format.h>

#include <cstdio>
#include <fstream>
#include <iostream>

#include "cli/scheduler_verbs.h"
#include "cli/wiring.h"
#include "scheduler/scheduler_store.h"
#include "scheduler/state_json.h"

namespace silverwork {
namespace {

using scheduler::FormatStoreTime;
using scheduler::SchedulerStore;
using scheduler::TimePoint;

// The scheduler's state in the configured warehouse; `has_state` false when
// no scheduler ever ran there (then every list is empty).
struct StateReader {
  std::unique_ptr<Warehouse> warehouse;
  scheduler::SeededRandom random;
  std::unique_ptr<SchedulerStore> store;
  bool has_state = false;
};

Result<std::unique_ptr<StateReader>> OpenState(const Config& config, Clock& clock) {
  auto reader = std::make_unique<StateReader>();
  SW_ASSIGN_OR_RETURN(reader->warehouse, OpenWarehouse({.engine = config.warehouse_engine,
                                                        .location = config.warehouse_path}));
  reader->store = std::make_unique<SchedulerStore>(*reader->warehouse, clock, reader->random);
  SW_ASSIGN_OR_RETURN(reader->has_state, reader->store->HasSchema());
  return reader;
}

Result<scheduler::RunRecord> FindRun(StateReader& state, const std::string& run_id) {
  std::optional<scheduler::RunRecord> run;
  if (state.has_state) {
    SW_ASSIGN_OR_RETURN(run, state.store->GetRun(run_id));
  }
  if (!run)
    return Status(ErrorCode::kNotFound, fmt::format("no run {}", run_id),
                  "`silverwork runs list` shows the runs");
  return std::move(*run);
}

std::string DaysOrInterval(const scheduler::RunRecord& run) {
  if (run.window && run.window->first == run.window->last) return run.window->first.Iso();
  if (run.window) return fmt::format("{}..{}", run.window->first.Iso(), run.window->last.Iso());
  return fmt::format("{} .. {}", FormatStoreTime(run.interval.start).substr(0, 16),
                     FormatStoreTime(run.interval.end).substr(0, 16));
}

std::string TimeOr(const std::optional<std::chrono::system_clock::time_point>& instant,
                   const char* none) {
  return instant ? FormatStoreTime(*instant) : none;
}

Status ListRuns(StateReader& state, const std::string& pipeline, int limit, bool json,
                TimePoint now) {
  std::vector<scheduler::RunRecord> runs;
  if (state.has_state) {
    SW_ASSIGN_OR_RETURN(runs, state.store->ListRuns({.pipeline = pipeline, .limit = limit}));
  }
  if (json) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& run : runs) list.push_back(scheduler::RunJson(run, now));
    std::printf("%s\n", list.dump(2).c_str());
    return Status::Ok();
  }
  if (runs.empty()) {
    std::printf("no runs yet%s\n", pipeline.empty() ? "" : (" of " + pipeline).c_str());
    return Status::Ok();
  }
  std::printf("%-30s  %-15s  %-9s  %-8s  %-33s  %s\n", "RUN", "PIPELINE", "KIND", "STATE",
              "DAYS OR INTERVAL (UTC)", "QUEUED (UTC)");
  for (const auto& run : runs) {
    std::printf("%-30s  %-15s  %-9s  %-8s  %-33s  %s\n", run.run_id.c_str(), run.pipeline.c_str(),
                scheduler::RunKindName(run.kind), scheduler::RunStateName(run.state),
                DaysOrInterval(run).c_str(), FormatStoreTime(run.queued_at).c_str());
  }
  return Status::Ok();
}

void PrintRun(const scheduler::RunRecord& run,
              const std::vector<scheduler::TaskInstanceRecord>& tasks,
              const std::vector<scheduler::TryRecord>& tries) {
  std::printf("run %s: %s %s, %s\n", run.run_id.c_str(), run.pipeline.c_str(),
              scheduler::RunKindName(run.kind), scheduler::RunStateName(run.state));
  std::printf("  days or interval %s; queued %s, started %s, ended %s", DaysOrInterval(run).c_str(),
              FormatStoreTime(run.queued_at).c_str(), TimeOr(run.started_at, "-").c_str(),
              TimeOr(run.ended_at, "-").c_str());
  if (run.deadline_at) std::printf(", deadline %s", FormatStoreTime(*run.deadline_at).c_str());
  std::printf("\n");
  if (!run.message.empty()) std::printf("  %s\n", run.message.c_str());
  if (!run.hint.empty()) std::printf("  to fix: %s\n", run.hint.c_str());
  for (const auto& task : tasks) {
    std::printf("task %s (%s): %s, %d tr%s, %d failed", task.task.c_str(),
                TaskKindName(task.kind), scheduler::TaskStateName(task.state),
                task.try_number, task.try_number == 1 ? "y" : "ies", task.failures);
    if (task.next_attempt_at)
      std::printf(", next attempt %s", FormatStoreTime(*task.next_attempt_at).c_str());
    std::printf("\n");
    if (!task.message.empty()) std::printf("  %s\n", task.message.c_str());
    for (const auto& attempt : tries) {
      if (attempt.task != task.task) continue;
      std::string end = attempt.exit_code ? fmt::format("exit {}", *attempt.exit_code)
                        : attempt.signal  ? fmt::format("signal {}", *attempt.signal)
                                          : std::string("-");
      std::printf(
          "  try %d  %-8s  %s .. %s  %s  pid %s  %s\n", attempt.try_number,
          scheduler::TryStateName(attempt.state), FormatStoreTime(attempt.started_at).c_str(),
          TimeOr(attempt.ended_at, "-").c_str(), end.c_str(),
          attempt.pid ? std::to_string(*attempt.pid).c_str() : "-", attempt.log_path.c_str());
    }
  }
}

Status ShowRun(StateReader& state, const std::string& run_id, bool json, TimePoint now) {
  SW_ASSIGN_OR_RETURN(scheduler::RunRecord run, FindRun(state, run_id));
  SW_ASSIGN_OR_RETURN(auto tasks, state.store->ListTaskInstances(run_id));
  SW_ASSIGN_OR_RETURN(auto tries, state.store->ListTries(run_id));
  if (!json) {
    PrintRun(run, tasks, tries);
    return Status::Ok();
  }
  // The API's shape; where the API links a try's log, the CLI names its file.
  const nlohmann::json out = scheduler::RunDetailJson(
      run, tasks, tries, now, [](const scheduler::TryRecord& attempt) { return attempt.log_path; });
  std::printf("%s\n", out.dump(2).c_str());
  return Status::Ok();
}

Status PrintLog(StateReader& state, const std::string& run_id, const std::string& task,
                int try_number) {
  SW_RETURN_IF_ERROR(FindRun(state, run_id).status());
  SW_ASSIGN_OR_RETURN(auto tries, state.store->ListTries(run_id, task));
  if (tries.empty())
    return Status(ErrorCode::kNotFound, fmt::format("run {} has no try of task '{}'", run_id, task),
                  "`silverwork runs show RUN_ID` lists its tasks and tries");
  const scheduler::TryRecord* chosen = &tries.back();
  if (try_number > 0) {
    chosen = nullptr;
    for (const auto& attempt : tries)
      if (attempt.try_number == try_number) chosen = &attempt;
    if (chosen == nullptr)
      return Status(ErrorCode::kNotFound,
                    fmt::format("task '{}' of run {} has no try {} (it has {})", task, run_id,
                                try_number, tries.back().try_number),
                    "leave --try out for the last try");
  }
  std::ifstream in(chosen->log_path, std::ios::binary);
  if (!in)
    return Status(
        ErrorCode::kNotFound,
        fmt::format("the log of try {} ({}) is gone", chosen->try_number, chosen->log_path),
        "logs older than [scheduler] log_retention_days are removed; a try whose "
        "process never started has none");
  std::cout << in.rdbuf();
  std::cout.flush();
  return Status::Ok();
}

Status ListPartitions(StateReader& state, const std::string& pipeline, bool json) {
  std::vector<scheduler::PartitionRecord> days;
  if (state.has_state) {
    SW_ASSIGN_OR_RETURN(days, state.store->ListPartitions(pipeline));
  }
  if (json) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& day : days) list.push_back(scheduler::PartitionJson(day));
    std::printf("%s\n", list.dump(2).c_str());
    return Status::Ok();
  }
  if (days.empty()) {
    std::printf("%s has no days with a status yet (a day with none is missing)\n",
                pipeline.c_str());
    return Status::Ok();
  }
  std::printf("%-10s  %-8s  %-30s  %s\n", "DAY", "STATUS", "RUN", "LAST CHANGE (UTC)");
  for (const auto& day : days)
    std::printf("%-10s  %-8s  %-30s  %s\n", day.day.Iso().c_str(),
                scheduler::PartitionStatusName(day.status), day.run_id.c_str(),
                FormatStoreTime(day.updated_at).c_str());
  return Status::Ok();
}

// Runs `read` over the state of the configured warehouse.
template <typename Read>
void WithState(CliContext& context, Read read) {
  auto config = StartCommand(context);
  if (!config) return;
  auto state = OpenState(*config, *context.clock);
  context.exit_code = ExitCodeFor(state.ok() ? read(**state) : state.status());
}

struct RunsFlags {
  std::string pipeline, run_id, task;
  int limit = 50;
  int try_number = 0;
  bool json = false;
};

void AddRunsReads(CLI::App& runs, CliContext& context, std::shared_ptr<RunsFlags> flags) {
  CLI::App* list = runs.add_subcommand("list", "the runs, newest first");
  list->add_option("--pipeline", flags->pipeline, "only this pipeline's");
  list->add_option("--limit", flags->limit, "at most this many")->check(CLI::Range(1, 100000));
  list->add_flag("--json", flags->json, "as a JSON array (docs/scheduler.md)");
  list->callback([&context, flags] {
    WithState(context, [&](StateReader& state) {
      return ListRuns(state, flags->pipeline, flags->limit, flags->json, context.clock->Now());
    });
  });
  CLI::App* show = runs.add_subcommand("show", "a run: its days, tasks and tries");
  show->add_option("run_id", flags->run_id, "the run")->required();
  show->add_flag("--json", flags->json, "as a JSON object (docs/scheduler.md)");
  show->callback([&context, flags] {
    WithState(context, [&](StateReader& state) {
      return ShowRun(state, flags->run_id, flags->json, context.clock->Now());
    });
  });
  CLI::App* logs = runs.add_subcommand("logs", "the log of a task's try (default: its last)");
  logs->add_option("run_id", flags->run_id, "the run")->required();
  logs->add_option("task", flags->task, "the task")->required();
  logs->add_option("--try", flags->try_number, "the try (1, 2, ...)")->check(CLI::Range(1, 1000));
  logs->callback([&context, flags] {
    WithState(context, [&](StateReader& state) {
      return PrintLog(state, flags->run_id, flags->task, flags->try_number);
    });
  });
}

void AddRunsClear(CLI::App& runs, CliContext& context, std::shared_ptr<RunsFlags> flags) {
  CLI::App* clear = runs.add_subcommand("clear", "run a run's failed tasks again");
  clear->add_option("run_id", flags->run_id, "the run")->required();
  clear->callback([&context, flags] {
    auto setup = StartSchedulerCommand(context);
    if (!setup) return;
    auto state = OpenState(setup->config, *context.clock);
    auto run = state.ok() ? FindRun(**state, flags->run_id) : state.status();
    if (!run.ok()) {
      context.exit_code = ReportFailure(run.status());
      return;
    }
    SubmitFromCli(context, *setup,
                  {.kind = scheduler::RequestKind::kClear,
                   .pipeline = run->pipeline,
                   .run_id = flags->run_id});
  });
}

}  // namespace

void AddRunsCommands(CLI::App& app, CliContext& context) {
  auto flags = std::make_shared<RunsFlags>();
  CLI::App* runs = app.add_subcommand("runs", "the scheduler's runs, their tasks, tries and logs");
  runs->require_subcommand(1);
  AddRunsReads(*runs, context, flags);
  AddRunsClear(*runs, context, flags);

  CLI::App* partitions =
      app.add_subcommand("partitions", "a partitioned pipeline's days: status, run, last change");
  partitions->add_option("pipeline", flags->pipeline, "the pipeline")->required();
  partitions->add_flag("--json", flags->json, "as a JSON array (docs/scheduler.md)");
  partitions->callback([&context, flags] {
    WithState(context, [&](StateReader& state) {
      return ListPartitions(state, flags->pipeline, flags->json);
    });
  });
}

}  // namespace silverwork
