// Run planning: data intervals and partitions of a fire time, catch-up after
// downtime as one run, active days never planned twice, manual triggers,
// backfills in each reprocess mode, and the days a collection covers.
#include "scheduler/run_planner.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "scheduler_test_util.h"

namespace silverwork::scheduler {
namespace {

const TimeZoneDatabase& Zones() {
  static const TimeZoneDatabase zones;
  return zones;
}

PipelineSpec Pipeline(const std::string& yaml) {
  auto file = ParsePipelines(yaml, "pipelines.yml", Zones());
  EXPECT_TRUE(file.ok()) << file.status().ToString();
  return file.ok() ? file->pipelines.at(0) : PipelineSpec();
}

// postings_daily as shipped, with optional extra settings.
PipelineSpec PostingsDaily(const std::string& extra = "") {
  return Pipeline(
      "pipelines:\n"
      "  postings_daily:\n"
      "    schedule: '0 0 * * *'\n"
      "    timezone: UTC\n"
      "    partitions: {by: day, timezone: Asia/Seoul}\n"
      "    deadline: 12h\n" +
      extra +
      "    tasks:\n"
      "      collect: {kind: collect_postings}\n"
      "      build: {kind: build, after: collect}\n");
}

std::vector<std::string> Days(const RunPlan& run) {
  std::vector<std::string> out;
  for (Date day : run.days) out.push_back(day.Iso());
  return out;
}

PartitionMap Statuses(
    const std::vector<std::tuple<std::string, PartitionStatus, std::string>>& rows) {
  PartitionMap map;
  for (const auto& [day, status, run] : rows) map[Day(day)] = PartitionState{status, run};
  return map;
}

TEST(RunPlannerTest, TheRunForKstDayDStartsAfterDEndsAndCoversIt) {
  const PipelineSpec pipeline = PostingsDaily();
  // 2026-11-26 00:00 UTC = 09:00 KST: KST day 11-25 ended at 15:00 UTC on 11-25.
  auto runs = PlanScheduledRuns(pipeline, Utc("2026-11-26T00:00:00Z"), {});
  ASSERT_EQ(runs.size(), 1u);
  const RunPlan& run = runs[0];
  EXPECT_EQ(run.kind, RunKind::kScheduled);
  EXPECT_EQ(Text(run.logical_time), "2026-11-26T00:00:00Z");
  EXPECT_EQ(Days(run), std::vector<std::string>{"2026-11-25"});
  EXPECT_EQ(Text(run.interval.start), "2026-11-24T15:00:00Z");
  EXPECT_EQ(Text(run.interval.end), "2026-11-25T15:00:00Z");
  EXPECT_EQ(Text(*run.deadline_at), "2026-11-26T03:00:00Z");  // 12:00 KST the next day
  ASSERT_EQ(run.tasks.size(), 2u);
  EXPECT_EQ(run.tasks[1].upstream, std::vector<std::string>{"collect"});
}

TEST(RunPlannerTest, NothingIsDueTwiceOrBeforeTheFire) {
  const PipelineSpec pipeline = PostingsDaily();
  const PartitionMap covered = Statuses({{"2026-11-24", PartitionStatus::kSuccess, "r1"}});
  // 23:59 UTC on 11-25: the latest fire (11-25 00:00) covered 11-24, already done.
  EXPECT_TRUE(PlanScheduledRuns(pipeline, Utc("2026-11-25T23:59:59Z"),
                                {std::nullopt, Day("2026-11-24"), covered})
                  .empty());
  const PartitionMap queued = Statuses({{"2026-11-25", PartitionStatus::kQueued, "r2"}});
  EXPECT_TRUE(PlanScheduledRuns(pipeline, Utc("2026-11-26T00:10:00Z"),
                                {std::nullopt, Day("2026-11-25"), queued})
                  .empty());
}

TEST(RunPlannerTest, ThreeDaysDownBecomeOneCatchUpRun) {
  const PipelineSpec pipeline = PostingsDaily();
  const PartitionMap history = Statuses({{"2026-11-20", PartitionStatus::kSuccess, "r0"},
                                         {"2026-11-21", PartitionStatus::kSuccess, "r1"}});
  // Down from 11-22 09:00 KST until 11-25 09:30 KST: days 22, 23 and 24 were missed.
  auto runs = PlanScheduledRuns(pipeline, Utc("2026-11-25T00:30:00Z"),
                                {std::nullopt, Day("2026-11-21"), history});
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].kind, RunKind::kCatchup);
  EXPECT_EQ(Days(runs[0]), (std::vector<std::string>{"2026-11-22", "2026-11-23", "2026-11-24"}));
  EXPECT_EQ(Text(runs[0].interval.start), "2026-11-21T15:00:00Z");
  EXPECT_EQ(Text(runs[0].interval.end), "2026-11-24T15:00:00Z");
  EXPECT_EQ(Text(runs[0].logical_time), "2026-11-25T00:00:00Z");
}

TEST(RunPlannerTest, CatchUpRunsOverDoneDaysButNotOverActiveOnes) {
  const PipelineSpec pipeline = PostingsDaily();
  const PartitionMap done_between = Statuses({{"2026-11-20", PartitionStatus::kSuccess, "r0"},
                                              {"2026-11-22", PartitionStatus::kFailed, "r1"}});
  auto one = PlanScheduledRuns(pipeline, Utc("2026-11-25T00:30:00Z"),
                               {std::nullopt, Day("2026-11-20"), done_between});
  ASSERT_EQ(one.size(), 1u);  // 21, 23, 24 in one pass; 22 keeps its failed status
  EXPECT_EQ(Days(one[0]), (std::vector<std::string>{"2026-11-21", "2026-11-23", "2026-11-24"}));

  const PartitionMap active_between = Statuses({{"2026-11-20", PartitionStatus::kSuccess, "r0"},
                                                {"2026-11-22", PartitionStatus::kRunning, "r1"}});
  auto two = PlanScheduledRuns(pipeline, Utc("2026-11-25T00:30:00Z"),
                               {std::nullopt, Day("2026-11-20"), active_between});
  ASSERT_EQ(two.size(), 2u);
  EXPECT_EQ(Days(two[0]), std::vector<std::string>{"2026-11-21"});
  EXPECT_EQ(Days(two[1]), (std::vector<std::string>{"2026-11-23", "2026-11-24"}));
  EXPECT_EQ(two[1].kind, RunKind::kCatchup);
}

TEST(RunPlannerTest, BackfilledHistoryDoesNotPullTheYearsBetweenIntoACatchUp) {
  const PipelineSpec pipeline = PostingsDaily();
  const PartitionMap history = Statuses({{"2024-01-01", PartitionStatus::kSuccess, "backfill"},
                                         {"2026-11-22", PartitionStatus::kSuccess, "r1"}});
  auto runs = PlanScheduledRuns(pipeline, Utc("2026-11-25T00:30:00Z"),
                                {std::nullopt, Day("2026-11-22"), history});
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(Days(runs[0]), (std::vector<std::string>{"2026-11-23", "2026-11-24"}));
  // A new pipeline (no scheduled run yet, no start_date) starts with the latest day.
  runs = PlanScheduledRuns(pipeline, Utc("2026-11-25T00:30:00Z"),
                           {std::nullopt, std::nullopt, history});
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(Days(runs[0]), std::vector<std::string>{"2026-11-24"});
}

TEST(RunPlannerTest, StartDateEndDateAndCatchupOff) {
  const PipelineSpec from_start = PostingsDaily("    start_date: 2026-11-20\n");
  auto runs = PlanScheduledRuns(from_start, Utc("2026-11-25T00:30:00Z"), {});
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].days.front(), Day("2026-11-20"));
  EXPECT_EQ(runs[0].days.back(), Day("2026-11-24"));

  const PipelineSpec ended =
      PostingsDaily("    start_date: 2026-11-20\n    end_date: 2026-11-22\n");
  runs = PlanScheduledRuns(ended, Utc("2026-11-25T00:30:00Z"), {});
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].days.back(), Day("2026-11-22"));
  const PartitionMap all_done = Statuses({{"2026-11-20", PartitionStatus::kSuccess, "a"},
                                          {"2026-11-21", PartitionStatus::kSuccess, "a"},
                                          {"2026-11-22", PartitionStatus::kSuccess, "a"}});
  EXPECT_TRUE(PlanScheduledRuns(ended, Utc("2026-12-25T00:30:00Z"),
                                {std::nullopt, Day("2026-11-22"), all_done})
                  .empty());

  const PipelineSpec no_catchup = PostingsDaily("    start_date: 2026-11-20\n    catchup: false\n");
  runs = PlanScheduledRuns(no_catchup, Utc("2026-11-25T00:30:00Z"), {});
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(Days(runs[0]), std::vector<std::string>{"2026-11-24"});
  EXPECT_EQ(runs[0].kind, RunKind::kScheduled);
}

TEST(RunPlannerTest, UnpartitionedRunsCoverTheirInterval) {
  const PipelineSpec models = Pipeline(
      "pipelines:\n  models_daily:\n    schedule: '0 10 * * *'\n    catchup: false\n"
      "    deadline: 2h\n    tasks: {build: {kind: build}}\n");
  auto runs = PlanScheduledRuns(models, Utc("2026-11-25T10:00:05Z"), {});
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(Text(runs[0].interval.start), "2026-11-24T10:00:00Z");
  EXPECT_EQ(Text(runs[0].interval.end), "2026-11-25T10:00:00Z");
  EXPECT_TRUE(runs[0].days.empty());
  EXPECT_EQ(Text(*runs[0].deadline_at), "2026-11-25T12:00:00Z");
  // Already queued for that fire: nothing; three days later without catch-up: only the latest.
  EXPECT_TRUE(
      PlanScheduledRuns(models, Utc("2026-11-25T18:00:00Z"), {Utc("2026-11-25T10:00:00Z"), {}})
          .empty());
  runs = PlanScheduledRuns(models, Utc("2026-11-28T11:00:00Z"), {Utc("2026-11-25T10:00:00Z"), {}});
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].kind, RunKind::kScheduled);
  EXPECT_EQ(Text(runs[0].interval.start), "2026-11-27T10:00:00Z");

  PipelineSpec with_catchup = models;
  with_catchup.catchup = true;
  runs = PlanScheduledRuns(with_catchup, Utc("2026-11-28T11:00:00Z"),
                           {Utc("2026-11-25T10:00:00Z"), {}});
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].kind, RunKind::kCatchup);
  EXPECT_EQ(Text(runs[0].interval.start), "2026-11-25T10:00:00Z");
  EXPECT_EQ(Text(runs[0].interval.end), "2026-11-28T10:00:00Z");
}

TEST(RunPlannerTest, ManualTriggers) {
  const PipelineSpec pipeline = PostingsDaily();
  const SysSeconds now = Utc("2026-11-25T03:00:00Z");  // 12:00 KST on 11-25
  auto latest = PlanTriggeredRun(pipeline, now, std::nullopt, "req-1");
  ASSERT_TRUE(latest.ok());
  EXPECT_EQ(Days(*latest), std::vector<std::string>{"2026-11-24"});
  EXPECT_EQ(latest->kind, RunKind::kManual);
  EXPECT_EQ(latest->request_id, "req-1");
  EXPECT_FALSE(latest->deadline_at);  // deadlines watch the schedule only
  auto chosen = PlanTriggeredRun(pipeline, now, Day("2026-10-01"));
  ASSERT_TRUE(chosen.ok());
  EXPECT_EQ(Text(chosen->interval.start), "2026-09-30T15:00:00Z");
  auto unfinished = PlanTriggeredRun(pipeline, now, Day("2026-11-25"));
  ASSERT_FALSE(unfinished.ok());
  EXPECT_NE(unfinished.status().message().find("has not ended yet in Asia/Seoul"),
            std::string::npos);
  EXPECT_NE(unfinished.status().hint().find("2026-11-24"), std::string::npos);

  const PipelineSpec hourly = Pipeline(
      "pipelines:\n  h:\n    schedule: '30 * * * *'\n    tasks: {c: {kind: collect_postings}}\n");
  auto manual = PlanTriggeredRun(hourly, Utc("2026-11-25T03:10:00Z"), std::nullopt);
  ASSERT_TRUE(manual.ok());
  EXPECT_EQ(Text(manual->interval.start), "2026-11-25T02:30:00Z");
  EXPECT_EQ(Text(manual->interval.end), "2026-11-25T03:10:00Z");
}

class BackfillTest : public ::testing::Test {
 protected:
  // 11-01 missing, 11-02 failed, 11-03 success, 11-04 running in r9, 11-05 missing.
  const PartitionMap statuses_ = Statuses({{"2026-11-02", PartitionStatus::kFailed, "r2"},
                                           {"2026-11-03", PartitionStatus::kSuccess, "r3"},
                                           {"2026-11-04", PartitionStatus::kRunning, "r9"}});
  const PipelineSpec pipeline_ = PostingsDaily();
  const SysSeconds now_ = Utc("2026-11-25T03:00:00Z");
  const DayRange range_{Day("2026-11-01"), Day("2026-11-05")};

  std::vector<std::vector<std::string>> RunsOf(ReprocessMode mode) {
    auto plan = PlanBackfill(pipeline_, range_, mode, statuses_, now_, "req-9");
    EXPECT_TRUE(plan.ok()) << plan.status().ToString();
    std::vector<std::vector<std::string>> out;
    if (!plan.ok()) return out;
    for (const RunPlan& run : plan->runs) {
      EXPECT_EQ(run.kind, RunKind::kBackfill);
      EXPECT_EQ(run.request_id, "req-9");
      out.push_back(Days(run));
    }
    return out;
  }
};

TEST_F(BackfillTest, MissingQueuesOnlyDaysNeverRun) {
  EXPECT_EQ(RunsOf(ReprocessMode::kMissing),
            (std::vector<std::vector<std::string>>{{"2026-11-01"}, {"2026-11-05"}}));
}

TEST_F(BackfillTest, FailedAddsFailedDays) {
  EXPECT_EQ(RunsOf(ReprocessMode::kFailed),
            (std::vector<std::vector<std::string>>{{"2026-11-01", "2026-11-02"}, {"2026-11-05"}}));
}

TEST_F(BackfillTest, AllRerunsEverythingExceptWhatIsActive) {
  EXPECT_EQ(RunsOf(ReprocessMode::kAll),
            (std::vector<std::vector<std::string>>{{"2026-11-01", "2026-11-02", "2026-11-03"},
                                                   {"2026-11-05"}}));
}

TEST_F(BackfillTest, TheDryRunListingSaysWhyForEachDay) {
  auto plan = PlanBackfill(pipeline_, range_, ReprocessMode::kMissing, statuses_, now_);
  ASSERT_TRUE(plan.ok());
  ASSERT_EQ(plan->days.size(), 5u);
  EXPECT_TRUE(plan->days[0].queue);
  EXPECT_EQ(plan->days[0].reason, "missing");
  EXPECT_FALSE(plan->days[1].queue);
  EXPECT_EQ(plan->days[1].reason, "failed in run r2; --reprocess failed runs it again");
  EXPECT_EQ(plan->days[2].reason, "success in run r3; --reprocess all runs it again");
  EXPECT_EQ(plan->days[3].reason, "already running in run r9");
  EXPECT_EQ(*plan->days[3].status, PartitionStatus::kRunning);
  EXPECT_TRUE(plan->days[4].queue);
}

TEST_F(BackfillTest, RefusesWhatCannotBeBackfilled) {
  auto backwards = PlanBackfill(pipeline_, {Day("2026-11-05"), Day("2026-11-01")},
                                ReprocessMode::kMissing, statuses_, now_);
  EXPECT_NE(backwards.status().message().find("runs backwards"), std::string::npos);
  auto future = PlanBackfill(pipeline_, {Day("2026-11-20"), Day("2026-11-25")},
                             ReprocessMode::kMissing, statuses_, now_);
  EXPECT_NE(future.status().message().find("2026-11-25 has not ended yet"), std::string::npos);
  auto huge = PlanBackfill(pipeline_, {Day("2000-01-01"), Day("2026-11-01")},
                           ReprocessMode::kMissing, statuses_, now_);
  EXPECT_NE(huge.status().hint().find("split"), std::string::npos);
  const PipelineSpec unpartitioned =
      Pipeline("pipelines:\n  m:\n    schedule: '0 10 * * *'\n    tasks: {build: {kind: build}}\n");
  auto none = PlanBackfill(unpartitioned, range_, ReprocessMode::kMissing, {}, now_);
  EXPECT_NE(none.status().message().find("has no partitions"), std::string::npos);
  EXPECT_EQ(ParseReprocessMode("everything").status().code(), ErrorCode::kInvalidInput);
  EXPECT_EQ(*ParseReprocessMode("failed"), ReprocessMode::kFailed);
}

TEST(RunPlannerTest, CollectionDays) {
  TaskSpec partitions;
  partitions.days = CollectDays::kPartitions;
  const DayRange window{Day("2026-11-22"), Day("2026-11-24")};
  EXPECT_EQ(CollectionDays(partitions, window, {}), window);
  // Hourly "today": the KST day holding the interval's last second.
  TaskSpec today;
  today.days = CollectDays::kToday;
  const DataInterval before_midnight{Utc("2026-11-25T13:30:00Z"), Utc("2026-11-25T14:30:00Z")};
  EXPECT_EQ(CollectionDays(today, std::nullopt, before_midnight).first, Day("2026-11-25"));
  const DataInterval at_midnight{Utc("2026-11-25T14:00:00Z"), Utc("2026-11-25T15:00:00Z")};
  EXPECT_EQ(CollectionDays(today, std::nullopt, at_midnight).first, Day("2026-11-25"));
  const DataInterval after_midnight{Utc("2026-11-25T14:30:00Z"), Utc("2026-11-25T15:30:00Z")};
  EXPECT_EQ(CollectionDays(today, std::nullopt, after_midnight).last, Day("2026-11-26"));
}

TEST(RunPlannerTest, DaysEndAtLocalMidnightAcrossDaylightSaving) {
  auto new_york = Zone("America/New_York");
  // 2026-03-08 has 23 hours in New York.
  const DataInterval short_day = IntervalOfDays(*new_york, Day("2026-03-08"), Day("2026-03-08"));
  EXPECT_EQ(Text(short_day.start), "2026-03-08T05:00:00Z");
  EXPECT_EQ(Text(short_day.end), "2026-03-09T04:00:00Z");
  EXPECT_EQ(LastEndedDay(*new_york, Utc("2026-03-09T03:59:59Z")), Day("2026-03-07"));
  EXPECT_EQ(LastEndedDay(*new_york, Utc("2026-03-09T04:00:00Z")), Day("2026-03-08"));
}

}  // namespace
}  // namespace silverwork::scheduler
