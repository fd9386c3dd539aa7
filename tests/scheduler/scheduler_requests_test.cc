// Requests the scheduler answers: backfills in each reprocess mode, manual
// triggers, pause and unpause, clear; and the rule that no day is ever
// queued twice.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <set>

#include "scheduler_fixture.h"

namespace silverwork::scheduler {
namespace {

class SchedulerRequestTest : public SchedulerTest {
 protected:
  // Days 11-10 success, 11-11 failed, 11-12 missing, 11-13 success (by
  // manual runs), before the scheduler's own first run.
  void SeedDays() {
    Start();
    for (const char* day : {"2026-11-10", "2026-11-11", "2026-11-13"}) {
      Submit({.kind = RequestKind::kTrigger, .pipeline = "postings_daily", .date = Day(day)});
    }
    Tick();
    // The scheduled run (11-22) and the first manual run start; max 1 active.
    for (int pass = 0; pass < 20 && launcher_.Running() > 0; ++pass) {
      const TryKey collect =
          launcher_.IsRunning("collect") ? launcher_.RunningTry("collect") : TryKey();
      if (!collect.run_id.empty()) {
        auto run = store_->GetRun(collect.run_id);
        const bool fail = (*run)->window->first.Iso() == "2026-11-11";
        launcher_.End("collect", fail ? kTaskExitUsage : 0);
      } else if (launcher_.IsRunning("build")) {
        launcher_.End("build", 0);
      }
      Tick();
    }
    ASSERT_EQ(Days(), "2026-11-10=success 2026-11-11=failed 2026-11-13=success 2026-11-22=success");
  }

  SchedulerRequest Backfill(const std::string& from, const std::string& to, ReprocessMode mode) {
    const std::string id = Submit({.kind = RequestKind::kBackfill,
                                   .pipeline = "postings_daily",
                                   .range = DayRange{Day(from), Day(to)},
                                   .reprocess = mode});
    Tick();
    return Answer(id);
  }

  // The windows of the runs a request created: "11-12..11-12 11-14..11-15".
  std::string Windows(const SchedulerRequest& answered) {
    std::string out;
    for (const std::string& run_id : answered.run_ids) {
      auto run = store_->GetRun(run_id);
      out += (out.empty() ? "" : " ") + (*run)->window->first.Iso().substr(5) + ".." +
             (*run)->window->last.Iso().substr(5);
    }
    return out;
  }
};

TEST_F(SchedulerRequestTest, BackfillMissingQueuesOnlyDaysWithoutStatusAsOneRunPerStretch) {
  SeedDays();
  SchedulerRequest answered = Backfill("2026-11-10", "2026-11-15", ReprocessMode::kMissing);
  EXPECT_EQ(answered.state, RequestState::kDone) << answered.message;
  // 11-12 and 11-14..15 are missing; 11-13 (done) between them is paged over
  // again by the one collection but keeps its status.
  EXPECT_EQ(Windows(answered), "11-12..11-15");
  auto run = store_->GetRun(answered.run_ids.at(0));
  EXPECT_EQ((*run)->partition_count, 3);
  EXPECT_EQ((*run)->kind, RunKind::kBackfill);
  EXPECT_NE(answered.message.find("queued 3 of the 6 days"), std::string::npos) << answered.message;
}

TEST_F(SchedulerRequestTest, BackfillFailedAlsoRunsFailedDays) {
  SeedDays();
  SchedulerRequest answered = Backfill("2026-11-10", "2026-11-13", ReprocessMode::kFailed);
  EXPECT_EQ(Windows(answered), "11-11..11-12");
  SucceedEverything();
  EXPECT_EQ(Days(),
            "2026-11-10=success 2026-11-11=success 2026-11-12=success 2026-11-13=success "
            "2026-11-22=success");
}

TEST_F(SchedulerRequestTest, BackfillAllRunsEveryDayNotActive) {
  SeedDays();
  SchedulerRequest answered = Backfill("2026-11-10", "2026-11-13", ReprocessMode::kAll);
  EXPECT_EQ(Windows(answered), "11-10..11-13");
  // While it is queued, the same range again is nothing to do: never twice.
  SchedulerRequest again = Backfill("2026-11-10", "2026-11-13", ReprocessMode::kAll);
  EXPECT_EQ(again.state, RequestState::kDone);
  EXPECT_TRUE(again.run_ids.empty());
  EXPECT_NE(again.message.find("nothing to backfill"), std::string::npos) << again.message;
}

TEST_F(SchedulerRequestTest, ABackfillOfDaysNotEndedIsRejectedWithWhatToDo) {
  Start();
  SchedulerRequest answered = Backfill("2026-11-20", "2026-11-23", ReprocessMode::kMissing);
  EXPECT_EQ(answered.state, RequestState::kRejected);
  EXPECT_NE(answered.message.find("day 2026-11-23 has not ended yet"), std::string::npos)
      << answered.message;
  EXPECT_NE(answered.hint.find("up to 2026-11-22"), std::string::npos) << answered.hint;
  EXPECT_EQ(Runs().size(), 1u) << "only the scheduled run";
}

TEST_F(SchedulerRequestTest, ADayIsNeverQueuedTwice) {
  Start();
  Tick();  // the scheduled run of 11-22 is running
  const std::string id = Submit(
      {.kind = RequestKind::kTrigger, .pipeline = "postings_daily", .date = Day("2026-11-22")});
  Tick();
  SchedulerRequest answered = Answer(id);
  EXPECT_EQ(answered.state, RequestState::kRejected);
  EXPECT_NE(answered.message.find("day 2026-11-22 is already running in run"), std::string::npos)
      << answered.message;
  EXPECT_EQ(Runs().size(), 1u);

  // A day a backfill holds splits a later catch-up around it.
  SucceedEverything();
  ASSERT_TRUE(scheduler_->ReleaseLease().ok());
  scheduler_.reset();  // down; meanwhile someone asks for 11-24 (answered on restart)
  SetNow("2026-11-26T00:00:30Z");
  const std::string backfill = Submit({.kind = RequestKind::kBackfill,
                                       .pipeline = "postings_daily",
                                       .range = DayRange{Day("2026-11-24"), Day("2026-11-24")}});
  Start();
  Tick();
  const std::string backfill_run = Answer(backfill).run_ids.at(0);
  std::vector<RunRecord> runs = Runs();
  ASSERT_EQ(runs.size(), 4u);  // 11-22, the backfill, and the catch-up split in two
  std::set<std::string> windows;
  for (const RunRecord& run : runs)
    windows.insert(fmt::format("{} {}..{}", RunKindName(run.kind), run.window->first.Iso(),
                               run.window->last.Iso()));
  EXPECT_EQ(windows, (std::set<std::string>{
                         "backfill 2026-11-24..2026-11-24", "catchup 2026-11-23..2026-11-23",
                         "scheduled 2026-11-22..2026-11-22", "scheduled 2026-11-25..2026-11-25"}));
  SucceedEverything();
  EXPECT_EQ(Days(), "2026-11-22=success 2026-11-23=success 2026-11-24=success 2026-11-25=success");
  auto days =
      store_->ListPartitions("postings_daily", DayRange{Day("2026-11-24"), Day("2026-11-24")});
  EXPECT_EQ(days->at(0).run_id, backfill_run);
}

TEST_F(SchedulerRequestTest, PauseStopsNewWorkAndUnpauseCatchesUpTheMissedDays) {
  Start();
  Tick();
  SucceedEverything();
  const std::string pause = Submit({.kind = RequestKind::kPause, .pipeline = "postings_daily"});
  Tick();
  EXPECT_EQ(Answer(pause).state, RequestState::kDone);
  EXPECT_EQ(Answer(pause).message, "postings_daily is paused");
  SetNow("2026-11-25T00:00:30Z");
  EXPECT_EQ(Tick().tries_started, 0);
  EXPECT_EQ(Runs().size(), 1u);
  EXPECT_EQ(Alerts(), "") << "a paused pipeline raises no deadline alarm";

  Submit({.kind = RequestKind::kUnpause, .pipeline = "postings_daily"});
  Tick();
  std::vector<RunRecord> runs = Runs();
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs.front().kind, RunKind::kCatchup);
  EXPECT_EQ(runs.front().partition_count, 2);  // 11-23 and 11-24
}

TEST_F(SchedulerRequestTest, AnUnknownPipelineIsRejectedNamingTheKnownOnes) {
  Start();
  const std::string id = Submit({.kind = RequestKind::kPause, .pipeline = "postings_dialy"});
  Tick();
  SchedulerRequest answered = Answer(id);
  EXPECT_EQ(answered.state, RequestState::kRejected);
  EXPECT_EQ(answered.message, "pipelines.yml has no pipeline 'postings_dialy'");
  EXPECT_EQ(answered.hint, "the pipelines are: postings_daily, postings_today, projects");
}

TEST_F(SchedulerRequestTest, ClearRerunsTheFailedTasksOfARun) {
  Start();
  Tick();
  const std::string run_id = OnlyRun().run_id;
  launcher_.End("collect", kTaskExitUsage);
  Tick();
  ASSERT_EQ(OnlyRun().state, RunState::kFailed);
  const std::string id =
      Submit({.kind = RequestKind::kClear, .pipeline = "postings_daily", .run_id = run_id});
  Tick();
  EXPECT_EQ(Answer(id).state, RequestState::kDone);
  EXPECT_EQ(launcher_.RunningTry("collect").try_number, 2) << "try numbers keep counting";
  SucceedEverything();
  EXPECT_EQ(Days(), "2026-11-22=success");
  EXPECT_EQ(Alerts(), "task_failed run_failed") << "no recovery: the same run, not a later one";
}

}  // namespace
}  // namespace silverwork::scheduler
