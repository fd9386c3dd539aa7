// The scheduler's state the serve tests, the browser tests and their
// screenshots read: the shipped pipelines.yml run for a few weeks up to
// `now` by SchedulerSimulation (scheduler_simulation.h), with a script that
// gives every state the 파이프라인 tab shows:
//
//  postings_daily (KST days; `last` = the last ended day at `now`)
//    last       collect spent the daily quota: deferred now (exit 3)
//    last-6     the catch-up run after a downtime (days last-9..last-6):
//               deferred once by the quota, then done
//    last-12    build failed twice (a data test): the run failed
//    last-15    collect failed once (HTTP 503), then succeeded
//    last-20    collect failed on all four tries: the run failed
//    last-30    the first scheduled day; last-45..last-36 were backfilled,
//               the days between are missing
//  postings_today  hourly over the last ten hours; the latest run's collect
//                  is still running at `now`
//  projects        every six hours; the sensor finds nothing new (skipped)
//                  except once; paused by an operator 20 hours before `now`
//  models_daily    daily; the run four days before `now` failed
//
// Every try has a log under `logs_dir`. Header-only; not thread-safe.
#pragma once

#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <string>

#include "scheduler/pipelines.h"
#include "scheduler/run_planner.h"
#include "scheduler/time_zone.h"
#include "serve/scheduler_simulation.h"
#include "warehouse/warehouse.h"

namespace silverwork::serve_fixture {

namespace scheduler_detail {

using scheduler::RunRecord;
using scheduler::TaskInstanceRecord;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

constexpr const char* kUnavailableError =
    "apis.data.go.kr answered HTTP 503 (Service Unavailable) on 5 tries of getJobList page 3";
constexpr const char* kUnavailableHint =
    "the portal is down or overloaded; the scheduler retries the task with backoff";
constexpr const char* kQuotaError = "the daily quota of getJobInfo is spent (resultCode 22)";
constexpr const char* kQuotaHint =
    "the task resumes from its checkpoint after the quota resets at 00:00 KST";

inline ScriptedTry Succeeds(seconds duration, std::vector<std::string> lines) {
  return {.duration = duration, .exit_code = 0, .log_lines = std::move(lines)};
}

inline ScriptedTry Fails(seconds duration, int exit_code, std::string error, std::string hint,
                         std::vector<std::string> lines) {
  lines.push_back(fmt::format("error: {}", error));
  lines.push_back(fmt::format("  to fix: {}", hint));
  return {duration, exit_code, std::move(error), std::move(hint), std::move(lines)};
}

inline std::vector<std::string> CollectLines(const RunRecord& run) {
  const std::string window =
      run.window ? fmt::format("{}..{}", run.window->first.Iso(), run.window->last.Iso()) : "today";
  return {
      fmt::format("silverwork task run collect_postings --days {} (run {})", window, run.run_id),
      "postings list: paging from the newest posting",
      "postings list: page 1 of 12 (1000 rows)",
      "postings list: page 6 of 12 (1000 rows)",
      "postings list: page 12 of 12 (412 rows); passed the window's first day",
      "details: 1,204 postings new or changed, 10 calls in flight",
      "details: 600 of 1,204",
      "details: 1,204 of 1,204; lake: 14 files, 9.8 MB"};
}

inline std::vector<std::string> BuildLines() {
  return {"silverwork task run build -s source:raw.raw_postings+", "seeds: 4 unchanged",
          "models: 11 of 18 selected, 7 unchanged", "data tests: 42 passed", "build finished"};
}

inline ScriptedTry PostingsDaily(const RunRecord& run, const TaskInstanceRecord& task,
                                 int try_number, Date last) {
  const int64_t before_last = run.window ? run.window->last.DaysUntil(last) : 0;
  const auto lines = CollectLines(run);
  if (task.task == "build") {
    if (before_last == 12) {
      return Fails(minutes(6), 1, "data test not_null_fct_job_postings_job_id failed: 3 rows",
                   "the failing rows are in _sw_test_failures; fix the source rows or the model",
                   BuildLines());
    }
    return Succeeds(minutes(4 + before_last % 3), BuildLines());
  }
  if (before_last == 0) return Fails(hours(2) + minutes(10), 3, kQuotaError, kQuotaHint, lines);
  if (before_last == 6 && try_number == 1)
    return Fails(hours(1), 3, kQuotaError, kQuotaHint, lines);
  if ((before_last == 15 && try_number == 1) || before_last == 20)
    return Fails(minutes(7), 1, kUnavailableError, kUnavailableHint, lines);
  return Succeeds(minutes(20 + before_last % 17), lines);
}

inline ScriptedTry OtherPipelines(const RunRecord& run, const TaskInstanceRecord& task,
                                  std::chrono::system_clock::time_point now) {
  const auto age = std::chrono::duration_cast<hours>(now - run.logical_time);
  if (run.pipeline == "postings_today") {
    if (task.task == "build") return Succeeds(minutes(2), BuildLines());
    // The latest run is still collecting at `now`.
    return Succeeds(age < hours(1) ? minutes(45) : minutes(8), CollectLines(run));
  }
  if (run.pipeline == "projects") {
    if (task.task == "discover") {
      if (age >= hours(72) && age < hours(78)) {
        return Succeeds(seconds(40), {"projects: 2024 file 5a9fe759 changed (modifiedAt)"});
      }
      return {.duration = seconds(30),
              .exit_code = scheduler::kTaskExitNothingNew,
              .log_lines = {"projects: no new or changed file; the run is skipped"}};
    }
    return Succeeds(minutes(task.task == "collect" ? 6 : 3),
                    {fmt::format("silverwork task run {}", TaskKindName(task.kind)), "done"});
  }
  // models_daily
  if (age >= hours(96) && age < hours(120)) {
    return Fails(minutes(3), 1, "model mart_per_capita failed: no such column: residents_65",
                 "a seed column was renamed; see var/artifacts/run_results.json",
                 {"silverwork task run build", "models: 31 selected"});
  }
  return Succeeds(minutes(12), {"silverwork task run build", "models: 31 selected",
                                "data tests: 118 passed", "build finished"});
}

}  // namespace scheduler_detail

// Fills `warehouse` (which also holds the marts) with the state above, as
// of `now`, for the pipelines of `pipelines_file`.
inline Status FillSchedulerState(Warehouse& warehouse, const std::filesystem::path& pipelines_file,
                                 const std::filesystem::path& logs_dir,
                                 std::chrono::system_clock::time_point now) {
  using namespace scheduler_detail;  // NOLINT(google-build-using-namespace)
  const scheduler::TimeZoneDatabase zones;
  SW_ASSIGN_OR_RETURN(auto pipelines, scheduler::LoadPipelinesFile(pipelines_file, zones));
  const scheduler::PipelineSpec* daily = pipelines.Find("postings_daily");
  if (daily == nullptr || !daily->partitions) {
    return Status(ErrorCode::kInvalidInput,
                  fmt::format("{} has no partitioned postings_daily", pipelines_file.string()),
                  "the fixture scripts the shipped pipelines.yml");
  }
  const auto now_seconds = std::chrono::floor<seconds>(now);
  const Date last = scheduler::LastEndedDay(*daily->partitions->zone, now_seconds);
  const auto fire_of = [&](int64_t days_before_last) {  // the fire covering that KST day
    return std::chrono::system_clock::time_point(last.AddDays(1 - days_before_last).sys_days());
  };
  SimulationOptions options{
      .now = now,
      .logs_dir = logs_dir,
      .starts = {{"postings_daily", fire_of(30) - hours(1)},
                 {"postings_today", now - hours(10)},
                 {"projects", now - hours(24 * 10)},
                 {"models_daily", now - hours(24 * 14)}},
      .downtimes = {{"postings_daily", {fire_of(9), fire_of(7) + seconds(1)}}},
      .pauses = {{"projects", now - hours(20)}},
  };
  SchedulerSimulation simulation(
      warehouse, pipelines, options,
      [last, now](const RunRecord& run, const TaskInstanceRecord& task, int try_number) {
        return run.pipeline == "postings_daily" ? PostingsDaily(run, task, try_number, last)
                                                : OtherPipelines(run, task, now);
      });
  // A backfill of ten days some time before the first scheduled day, asked
  // for 25 days before the last.
  SW_RETURN_IF_ERROR(simulation.RunUntil(fire_of(25) + hours(3)));
  const scheduler::DayRange backfill{last.AddDays(-45), last.AddDays(-36)};
  SW_ASSIGN_OR_RETURN(auto partitions, simulation.store().PartitionMapOf("postings_daily"));
  SW_ASSIGN_OR_RETURN(
      auto plan,
      scheduler::PlanBackfill(*daily, backfill, scheduler::ReprocessMode::kMissing, partitions,
                              std::chrono::floor<seconds>(simulation.clock().Now())));
  for (const scheduler::RunPlan& run : plan.runs)
    SW_RETURN_IF_ERROR(simulation.Queue(run).status());
  SW_RETURN_IF_ERROR(simulation.StartReadyTasks());
  return simulation.RunUntil(now);
}

}  // namespace silverwork::serve_fixture

namespace silverwork::serve_fixture {

// `runs` daily runs of `pipeline` (a partitioned one in `pipelines_file`),
// every task succeeding, the last ending just before `now`: the grid
// benchmark's state.
inline Status FillGridBenchState(Warehouse& warehouse, const std::filesystem::path& pipelines_file,
                                 const std::string& pipeline, int runs,
                                 const std::filesystem::path& logs_dir,
                                 std::chrono::system_clock::time_point now) {
  const scheduler::TimeZoneDatabase zones;
  SW_ASSIGN_OR_RETURN(auto pipelines, scheduler::LoadPipelinesFile(pipelines_file, zones));
  if (pipelines.Find(pipeline) == nullptr) {
    return Status(ErrorCode::kNotFound,
                  fmt::format("no pipeline '{}' in {}", pipeline, pipelines_file.string()),
                  "name a pipeline of the file");
  }
  SimulationOptions options{.now = now,
                            .logs_dir = logs_dir,
                            .starts = {{pipeline, now - std::chrono::hours(24 * runs)}}};
  SchedulerSimulation simulation(
      warehouse, pipelines, options,
      [](const scheduler::RunRecord&, const scheduler::TaskInstanceRecord& task, int) {
        return ScriptedTry{.duration = std::chrono::minutes(2),
                           .log_lines = {fmt::format("task {}: done", task.task)}};
      });
  return simulation.RunUntil(now);
}

}  // namespace silverwork::serve_fixture
