// A SchedulerStore on a SQLite warehouse file in a temp dir, with a fake
// clock, plus helpers to plan runs of a postings_daily-like pipeline.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "common/clock.h"
#include "scheduler/pipelines.h"
#include "scheduler/run_planner.h"
#include "scheduler/scheduler_store.h"
#include "scheduler_test_util.h"
#include "scoped_temp_dir.h"
#include "warehouse/sqlite/sqlite_warehouse.h"

namespace silverwork::scheduler {

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = SqliteWarehouse::Open({.location = dir_.File("warehouse.db")});
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    warehouse_ = std::move(opened).value();
    store_ = std::make_unique<SchedulerStore>(*warehouse_, clock_, random_);
    ASSERT_TRUE(store_->EnsureSchema().ok());
    auto file = ParsePipelines(
        "pipelines:\n"
        "  postings_daily:\n"
        "    schedule: '0 0 * * *'\n"
        "    partitions: {by: day, timezone: Asia/Seoul}\n"
        "    deadline: 12h\n"
        "    tasks:\n"
        "      collect: {kind: collect_postings, retries: 2, retry_delay: 1m,\n"
        "                max_retry_delay: 10m}\n"
        "      build: {kind: build, after: collect, retries: 0}\n"
        "  projects:\n"
        "    schedule: '0 */6 * * *'\n"
        "    tasks:\n"
        "      discover: {kind: discover_projects}\n"
        "      collect: {kind: collect_projects, after: discover}\n"
        "      build: {kind: build, after: collect}\n",
        "pipelines.yml", zones_);
    ASSERT_TRUE(file.ok()) << file.status().ToString();
    pipelines_ = std::move(file).value();
  }

  const PipelineSpec& Postings() const { return *pipelines_.Find("postings_daily"); }
  const PipelineSpec& Projects() const { return *pipelines_.Find("projects"); }

  // A manual run of postings_daily owning `days` (ascending ISO days).
  RunPlan PlanDays(const std::vector<std::string>& days) {
    auto plan = PlanTriggeredRun(Postings(), Now(), Day(days.front()));
    EXPECT_TRUE(plan.ok()) << plan.status().ToString();
    plan->days.clear();
    for (const std::string& day : days) plan->days.push_back(Day(day));
    plan->interval =
        IntervalOfDays(*Postings().partitions->zone, plan->days.front(), plan->days.back());
    return *plan;
  }

  // Queues a plan that must not conflict; returns its run id.
  std::string Queue(const RunPlan& plan) {
    auto outcome = store_->QueueRun(plan);
    EXPECT_TRUE(outcome.ok()) << outcome.status().ToString();
    if (!outcome.ok() || !outcome->run_id) {
      ADD_FAILURE() << "the run was refused";
      return "";
    }
    return *outcome->run_id;
  }

  TryRecord Start(const std::string& run_id, const std::string& task) {
    auto attempt = store_->StartTry(run_id, task, "host-a", dir_.path() / "logs");
    EXPECT_TRUE(attempt.ok()) << attempt.status().ToString();
    return attempt.ok() ? *attempt : TryRecord();
  }

  TryFinish Finish(const std::string& run_id, const std::string& task, int try_number,
                   const TryOutcome& outcome) {
    auto finish = store_->FinishTry(run_id, task, try_number, outcome);
    EXPECT_TRUE(finish.ok()) << finish.status().ToString();
    return finish.ok() ? *finish : TryFinish();
  }

  RunRecord Run(const std::string& run_id) {
    auto run = store_->GetRun(run_id);
    EXPECT_TRUE(run.ok() && *run) << run_id;
    return run.ok() && *run ? **run : RunRecord();
  }

  // task name -> state name, in pipeline order: "collect=success build=queued".
  std::string TaskStates(const std::string& run_id) {
    auto tasks = store_->ListTaskInstances(run_id);
    EXPECT_TRUE(tasks.ok());
    std::string out;
    for (const TaskInstanceRecord& task : *tasks)
      out += (out.empty() ? "" : " ") + task.task + "=" + TaskStateName(task.state);
    return out;
  }

  // day -> status name for the pipeline: "2026-11-24=success 2026-11-25=queued".
  std::string DayStatuses(const std::string& pipeline = "postings_daily") {
    return scheduler::DayStatuses(*store_, pipeline);
  }

  SysSeconds Now() { return std::chrono::floor<std::chrono::seconds>(clock_.Now()); }

  ScopedTempDir dir_;
  FakeClock clock_{std::chrono::system_clock::time_point(Utc("2026-11-26T00:00:00Z"))};
  ScriptedRandom random_{0.5};
  TimeZoneDatabase zones_;
  std::unique_ptr<SqliteWarehouse> warehouse_;
  std::unique_ptr<SchedulerStore> store_;
  PipelinesFile pipelines_;
};

}  // namespace silverwork::scheduler
