// The scheduler's loop on a fake clock: schedules and catch-up, retries and
// their delays, timeouts, quota deferral across midnight, sensors,
// max_active_runs, and the hourly postings_today runs.
#include <gtest/gtest.h>

#include "scheduler/scheduled_try.h"
#include "scheduler_fixture.h"

namespace silverwork::scheduler {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

TEST_F(SchedulerTest, ANewPipelineRunsItsLatestDayThenEachTaskAfterItsUpstream) {
  Start();
  TickReport first = Tick();
  EXPECT_EQ(first.tries_started, 1);
  RunRecord run = OnlyRun();
  EXPECT_EQ(run.kind, RunKind::kScheduled);
  EXPECT_EQ(run.window->first.Iso(), "2026-11-22");  // KST day ended 15:00 UTC
  EXPECT_EQ(run.window->last.Iso(), "2026-11-22");
  ASSERT_TRUE(launcher_.IsRunning("collect"));
  EXPECT_FALSE(launcher_.IsRunning("build")) << "build waits for collect";
  EXPECT_EQ(Days(), "2026-11-22=running");
  EXPECT_EQ(launcher_.launches[0].log_path,
            TaskLogPath(dir_.path() / "logs", "postings_daily", run.run_id, "collect", 1));

  launcher_.End("collect", 0);
  TickReport second = Tick();
  EXPECT_EQ(second.tries_ended, 1);
  EXPECT_EQ(second.tries_started, 1) << "build starts in the same pass collect ends";
  ASSERT_TRUE(launcher_.IsRunning("build"));
  launcher_.End("build", 0);
  Tick();
  EXPECT_EQ(OnlyRun().state, RunState::kSuccess);
  EXPECT_EQ(Days(), "2026-11-22=success");
  EXPECT_EQ(scheduler_->Tally().succeeded, 2);

  // Nothing more until the next fire at 00:00 UTC.
  SetNow("2026-11-23T23:59:59Z");
  EXPECT_EQ(Tick().tries_started, 0);
  SetNow("2026-11-24T00:00:00Z");
  EXPECT_EQ(Tick().tries_started, 1);
  EXPECT_EQ(Runs().size(), 2u);
}

TEST_F(SchedulerTest, ThreeDaysDownAreCaughtUpByOneRunOverTheRange) {
  Start();
  Tick();
  SucceedEverything();
  ASSERT_EQ(Days(), "2026-11-22=success");
  ASSERT_TRUE(scheduler_->ReleaseLease().ok());
  scheduler_.reset();  // down from here...

  SetNow("2026-11-26T00:00:30Z");  // ...until three fires later
  Start();
  Tick();
  std::vector<RunRecord> runs = Runs();
  ASSERT_EQ(runs.size(), 2u);
  const RunRecord& catchup = runs.front();
  EXPECT_EQ(catchup.kind, RunKind::kCatchup);
  EXPECT_EQ(catchup.partition_count, 3);
  EXPECT_EQ(catchup.window->first.Iso(), "2026-11-23");
  EXPECT_EQ(catchup.window->last.Iso(), "2026-11-25");
  EXPECT_EQ(launcher_.LaunchesOf("collect"), 2) << "one collection for the three days";
  // The one collection's child collects the whole range in one pass.
  auto request = TaskRequestFor(*pipelines_.Find("postings_daily")->FindTask("collect"),
                                catchup.window, catchup.interval);
  ASSERT_TRUE(request.ok());
  EXPECT_EQ(request->window->from.Iso(), "2026-11-23");
  EXPECT_EQ(request->window->to.Iso(), "2026-11-25");
  SucceedEverything();
  EXPECT_EQ(Days(), "2026-11-22=success 2026-11-23=success 2026-11-24=success 2026-11-25=success");
  EXPECT_EQ(launcher_.LaunchesOf("collect"), 2);
  EXPECT_EQ(launcher_.LaunchesOf("build"), 2);
}

TEST_F(SchedulerTest, FailedTriesAreRetriedAfterTheirDelaysThenFailForGood) {
  Start();
  Tick();
  const std::string run_id = OnlyRun().run_id;
  const Status network(ErrorCode::kNetwork, "GET apis.data.go.kr failed: Timeout was reached",
                       "the service did not answer in time");
  launcher_.End("collect", 1, network);
  Tick();
  TaskInstanceRecord collect = Task(run_id, "collect");
  EXPECT_EQ(collect.state, TaskState::kUpForRetry);
  EXPECT_EQ(collect.failures, 1);
  EXPECT_EQ(collect.message, network.message()) << "the child's own error is kept";
  // 10m after the first failure, jittered to 3/4 by the scripted draw 0.5.
  EXPECT_EQ(*collect.next_attempt_at - clock_.Now(), minutes(7) + seconds(30));
  clock_.Advance(minutes(7) + seconds(29));
  EXPECT_EQ(Tick().tries_started, 0) << "not before its delay";
  clock_.Advance(seconds(1));
  EXPECT_EQ(Tick().tries_started, 1);
  EXPECT_EQ(launcher_.RunningTry("collect").try_number, 2);

  launcher_.End("collect", 1, network);
  Tick();
  collect = Task(run_id, "collect");
  EXPECT_EQ(*collect.next_attempt_at - clock_.Now(), minutes(15)) << "doubled: 20m x 3/4";
  clock_.Advance(minutes(15));
  Tick();
  launcher_.End("collect", 1, network);
  Tick();
  collect = Task(run_id, "collect");
  EXPECT_EQ(collect.state, TaskState::kFailed) << "retries: 2 -> three tries";
  EXPECT_EQ(Task(run_id, "build").state, TaskState::kUpstreamFailed);
  EXPECT_EQ(OnlyRun().state, RunState::kFailed);
  EXPECT_EQ(Days(), "2026-11-22=failed");
  EXPECT_EQ(Alerts(), "task_failed run_failed");
  const std::string payload = AlertPayload("task_failed");
  EXPECT_NE(payload.find("\"try\":3"), std::string::npos) << payload;
  EXPECT_NE(payload.find("\"max_tries\":3"), std::string::npos) << payload;
  EXPECT_NE(payload.find("\"category\":\"network\""), std::string::npos) << payload;
  EXPECT_EQ(scheduler_->Tally().failed, 1);
  clock_.Advance(std::chrono::hours(3));
  EXPECT_EQ(Tick().tries_started, 0) << "a failed day is not run again by the schedule";
}

// What `silverwork standalone` hears to reload its dashboard's status: a
// failed try too (a failed collection may have committed pages), each after
// its state is committed, so that what the dashboard reads then is current.
TEST_F(SchedulerTest, EveryEndedTryIsAnnouncedOnceItsStateIsCommitted) {
  std::vector<std::string> announced;
  SchedulerOptions options = Options();
  options.on_try_ended = [&](const std::string& pipeline, const std::string& task, TryState ended) {
    announced.push_back(pipeline + "/" + task + " " + TryStateName(ended) + ", stored " +
                        TaskStateName(Task(OnlyRun().run_id, task).state));
  };
  scheduler_ = NewScheduler(std::move(options));
  Tick();
  launcher_.End("collect", 1, Status(ErrorCode::kNetwork, "GET apis.data.go.kr: timeout"));
  Tick();
  EXPECT_EQ(announced,
            (std::vector<std::string>{"postings_daily/collect failed, stored up_for_retry"}));
  clock_.Advance(minutes(7) + seconds(30));
  Tick();
  launcher_.End("collect", 0);
  Tick();
  Tick();
  launcher_.End("build", 1, Status(ErrorCode::kDatabase, "no such table"));
  Tick();
  EXPECT_EQ(announced, (std::vector<std::string>{
                           "postings_daily/collect failed, stored up_for_retry",
                           "postings_daily/collect success, stored success",
                           "postings_daily/build failed, stored failed",
                       }));
}

TEST_F(SchedulerTest, ATryPastItsTimeoutIsStoppedAndCountsAsFailed) {
  Start();
  Tick();
  const TryKey first = launcher_.RunningTry("collect");
  clock_.Advance(minutes(59));
  Tick();
  EXPECT_TRUE(launcher_.terminated.empty());
  clock_.Advance(minutes(1));
  Tick();  // stops it: SIGTERM to its group
  ASSERT_EQ(launcher_.terminated.size(), 1u);
  EXPECT_EQ(launcher_.terminated[0], first);
  Tick();  // records its end
  TaskInstanceRecord collect = Task(first.run_id, "collect");
  EXPECT_EQ(collect.state, TaskState::kUpForRetry);
  EXPECT_EQ(collect.failures, 1);
  EXPECT_NE(collect.message.find("longer than its timeout of 3600 s"), std::string::npos)
      << collect.message;
  auto tries = store_->ListTries(first.run_id, "collect");
  ASSERT_EQ(tries->size(), 1u);
  EXPECT_EQ(tries->front().state, TryState::kFailed);
  EXPECT_EQ(tries->front().error, collect.message);
}

TEST_F(SchedulerTest, AQuotaStopIsDeferredToAfterMidnightInKoreaWithoutSpendingARetry) {
  SetNow("2026-11-23T01:00:00Z");  // 10:00 KST
  Start();
  Tick();
  const std::string run_id = OnlyRun().run_id;
  launcher_.End("collect", kTaskExitQuota,
                Status(ErrorCode::kQuotaExhausted, "daily quota spent (code 22)", ""));
  Tick();
  TaskInstanceRecord collect = Task(run_id, "collect");
  EXPECT_EQ(collect.state, TaskState::kDeferred);
  EXPECT_EQ(collect.failures, 0);
  EXPECT_EQ(Days(), "2026-11-22=deferred");
  EXPECT_EQ(*collect.next_attempt_at, TimePoint(Utc("2026-11-23T15:05:00Z")));  // 00:05 KST
  EXPECT_EQ(scheduler_->Tally().deferred, 1);

  SetNow("2026-11-23T14:59:59Z");  // 23:59:59 KST
  EXPECT_EQ(Tick().tries_started, 0);
  EXPECT_EQ(Alerts(), "deadline_missed") << "day 2026-11-22 was due by 12:00 KST";
  SetNow("2026-11-23T15:05:00Z");
  EXPECT_EQ(Tick().tries_started, 1) << "resumes after 00:00 KST";
  EXPECT_EQ(launcher_.RunningTry("collect").try_number, 2);
  // Still over quota: deferred again, and the deferral keeps its start.
  launcher_.End("collect", kTaskExitQuota);
  Tick();
  EXPECT_EQ(Task(run_id, "collect").deferred_since, collect.deferred_since);
  SetNow("2026-11-24T00:59:59Z");  // not yet a day after the first stop
  Tick();
  EXPECT_EQ(Alerts(), "deadline_missed");
  SetNow("2026-11-24T01:00:02Z");
  Tick();
  EXPECT_EQ(Alerts(), "deadline_missed long_deferral");
  clock_.Advance(seconds(5));
  Tick();
  EXPECT_EQ(Alerts(), "deadline_missed long_deferral") << "one alert per deferral";
}

TEST_F(SchedulerTest, ASensorThatFindsNothingNewSkipsTheRest) {
  LoadPipelines(
      "pipelines:\n"
      "  projects:\n"
      "    schedule: '0 */6 * * *'\n"
      "    catchup: false\n"
      "    tasks:\n"
      "      discover: {kind: discover_projects}\n"
      "      collect: {kind: collect_projects, after: discover}\n"
      "      build: {kind: build, after: collect}\n");
  Start();
  Tick();
  RunRecord run = OnlyRun("projects");
  launcher_.End("discover", kTaskExitNothingNew);
  Tick();
  EXPECT_EQ(OnlyRun("projects").state, RunState::kSkipped);
  EXPECT_EQ(Task(run.run_id, "collect").state, TaskState::kSkipped);
  EXPECT_EQ(Task(run.run_id, "build").state, TaskState::kSkipped);
  EXPECT_EQ(launcher_.launches.size(), 1u);
  EXPECT_EQ(scheduler_->Tally().failed, 0);

  SetNow("2026-11-23T06:00:00Z");
  Tick();
  launcher_.End("discover", 0);  // something changed
  Tick();
  EXPECT_TRUE(launcher_.IsRunning("collect"));
}

TEST_F(SchedulerTest, MaxActiveRunsKeepsFurtherRunsQueued) {
  Start();
  Tick();
  // Two more days asked for by hand while the scheduled run works.
  const std::string first = Submit(
      {.kind = RequestKind::kTrigger, .pipeline = "postings_daily", .date = Day("2026-11-20")});
  const std::string second = Submit(
      {.kind = RequestKind::kTrigger, .pipeline = "postings_daily", .date = Day("2026-11-18")});
  Tick();
  EXPECT_EQ(Answer(first).state, RequestState::kDone);
  EXPECT_EQ(Answer(second).state, RequestState::kDone);
  EXPECT_EQ(launcher_.launches.size(), 1u) << "max_active_runs: 1";
  launcher_.End("collect", 0);
  Tick();
  launcher_.End("build", 0);
  Tick();  // the scheduled run is done: the oldest queued run starts
  ASSERT_EQ(launcher_.launches.size(), 3u);
  EXPECT_EQ(launcher_.launches[2].key.run_id, Answer(first).run_ids.at(0));
  EXPECT_EQ(launcher_.Running(), 1u);
  SucceedEverything();
  EXPECT_EQ(Days(), "2026-11-18=success 2026-11-20=success 2026-11-22=success");
}

TEST_F(SchedulerTest, MaxParallelTasksBoundsTheProcessesAcrossPipelines) {
  Start();
  SchedulerOptions options = Options("scheduler-b");
  options.max_parallel_tasks = 1;
  ASSERT_TRUE(scheduler_->ReleaseLease().ok());
  scheduler_ = NewScheduler(options);
  Submit({.kind = RequestKind::kUnpause, .pipeline = "postings_today"});
  Tick();
  EXPECT_EQ(launcher_.Running(), 1u);
  EXPECT_EQ(Runs("postings_today").size(), 1u) << "queued, waiting for a slot";
  SucceedEverything();
  EXPECT_EQ(OnlyRun("postings_today").state, RunState::kSuccess);
}

TEST_F(SchedulerTest, PostingsTodayRunsHourlyOverTheKoreanDaySoFar) {
  LoadPipelines(
      "pipelines:\n"
      "  postings_today:\n"
      "    schedule: '30 * * * *'\n"
      "    catchup: false\n"
      "    tasks:\n"
      "      collect: {kind: collect_postings, days: today}\n"
      "      build: {kind: build, after: collect, select: 'source:raw.raw_postings+'}\n");
  SetNow("2026-11-23T14:45:00Z");  // 23:45 KST
  Start();
  Tick();
  RunRecord run = OnlyRun("postings_today");
  const TaskSpec& collect = *pipelines_.Find("postings_today")->FindTask("collect");
  auto request = TaskRequestFor(collect, run.window, run.interval);
  ASSERT_TRUE(request.ok());
  EXPECT_EQ(request->window->from.Iso(), "2026-11-23") << "the KST day so far";
  EXPECT_EQ(request->window->to.Iso(), "2026-11-23");
  SucceedEverything();

  SetNow("2026-11-23T15:30:00Z");  // 00:30 KST: the new day's first run
  Tick();
  run = Runs("postings_today").front();
  request = TaskRequestFor(collect, run.window, run.interval);
  EXPECT_EQ(request->window->from.Iso(), "2026-11-24");
  auto build = TaskRequestFor(*pipelines_.Find("postings_today")->FindTask("build"), run.window,
                              run.interval);
  ASSERT_TRUE(build.ok());
  EXPECT_EQ(build->transform.select, std::vector<std::string>{"source:raw.raw_postings+"});
  SucceedEverything();

  // Down for five hours: catchup false runs the latest hour only.
  ASSERT_TRUE(scheduler_->ReleaseLease().ok());
  SetNow("2026-11-23T20:40:00Z");
  Start();
  Tick();
  std::vector<RunRecord> runs = Runs("postings_today");
  ASSERT_EQ(runs.size(), 3u);
  EXPECT_EQ(runs.front().interval.start, Utc("2026-11-23T19:30:00Z"));
  EXPECT_EQ(runs.front().interval.end, Utc("2026-11-23T20:30:00Z"));
}

TEST_F(SchedulerTest, ATryThatCannotStartIsAFailedTryWithTheReason) {
  Start();
  launcher_.fail_next_launch =
      Status(ErrorCode::kIO, "cannot create the log folder", "check logs_dir");
  Tick();
  TaskInstanceRecord collect = Task(OnlyRun().run_id, "collect");
  EXPECT_EQ(collect.state, TaskState::kUpForRetry);
  EXPECT_EQ(collect.message, "cannot create the log folder");
  EXPECT_EQ(collect.hint, "check logs_dir");
  EXPECT_EQ(scheduler_->RunningTries(), 0u);
}

}  // namespace
}  // namespace silverwork::scheduler
