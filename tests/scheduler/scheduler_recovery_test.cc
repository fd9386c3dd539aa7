// The scheduler across restarts and stops: the lease, tries an earlier
// scheduler left running, an orderly shutdown, alerts for deadlines and
// recoveries, and the removal of old logs.
#include <gtest/gtest.h>

#include <fstream>

#include "scheduler/task_result.h"
#include "scheduler_fixture.h"

namespace silverwork::scheduler {
namespace {

using std::chrono::hours;
using std::chrono::seconds;

TEST_F(SchedulerTest, ASecondSchedulerIsRefusedAndToldWhoHoldsTheLease) {
  Start();
  launcher_.live_pids.insert(100);  // the holder's process lives
  Scheduler second(*warehouse_, clock_, random_, pipelines_, launcher_, *outbox_,
                   Options("scheduler-b"));
  auto outcome = second.AcquireLease();
  ASSERT_TRUE(outcome.ok());
  EXPECT_FALSE(outcome->acquired);
  Status refused = Scheduler::LeaseHeldError(outcome->holder);
  EXPECT_NE(refused.message().find("scheduler-a on host host-a, pid 100, since "
                                   "2026-11-23T00:00:30.000Z"),
            std::string::npos)
      << refused.message();
  EXPECT_NE(refused.hint().find("stop that one first"), std::string::npos);
}

TEST_F(SchedulerTest, ASchedulerThatLostItsLeaseStopsWithoutWritingMore) {
  Start();
  clock_.Advance(seconds(61));  // not renewed in time...
  Scheduler other(*warehouse_, clock_, random_, pipelines_, launcher_, *outbox_,
                  Options("scheduler-b"));
  ASSERT_TRUE(other.AcquireLease()->acquired);  // ...so another took it
  TickReport report = Tick();
  EXPECT_TRUE(report.lease_lost);
  EXPECT_EQ(report.tries_started, 0);
  EXPECT_TRUE(Runs().empty());
}

TEST_F(SchedulerTest, TheLeaseIsRenewedWhileTheSchedulerRuns) {
  Start();
  for (int minute = 0; minute < 10; ++minute) {
    clock_.Advance(seconds(20));
    EXPECT_FALSE(Tick().lease_lost);
  }
  auto holder = store_->CurrentLeaseHolder();
  EXPECT_EQ((*holder)->holder_id, "scheduler-a");
  EXPECT_GT((*holder)->expires_at, clock_.Now());
}

TEST_F(SchedulerTest, ARestartFailsTheTriesWhoseProcessIsGoneAndRetriesThem) {
  Start();
  Tick();
  const TryKey lost = launcher_.RunningTry("collect");
  // kill -9 of the scheduler: no release, no record of the try's end.
  scheduler_.reset();
  launcher_.Crash();
  SetNow("2026-11-23T00:02:00Z");
  // The dead scheduler's pid (100) is gone: its lease is taken over at once.
  SchedulerOptions options = Options("scheduler-c");
  options.claim.pid = 200;
  scheduler_ = NewScheduler(options);
  TaskInstanceRecord collect = Task(lost.run_id, "collect");
  EXPECT_EQ(collect.state, TaskState::kUpForRetry);
  EXPECT_EQ(collect.failures, 1);
  EXPECT_NE(collect.message.find("process was gone"), std::string::npos) << collect.message;
  EXPECT_NE(collect.hint.find("resumes from its checkpoint"), std::string::npos);
  clock_.Advance(hours(1));
  Tick();
  EXPECT_EQ(launcher_.RunningTry("collect").try_number, 2);
  SucceedEverything();
  EXPECT_EQ(Days(), "2026-11-22=success");
  EXPECT_EQ(Runs().size(), 1u) << "the same run, the same day: nothing queued twice";
}

TEST_F(SchedulerTest, ARestartStopsAProcessGroupThatStillLives) {
  Start();
  Tick();
  const TryKey orphan = launcher_.RunningTry("collect");
  auto tries = store_->ListTries(orphan.run_id, "collect");
  const int64_t pid = *tries->front().pid;
  EXPECT_EQ(tries->front().process_start, "boot/1");
  launcher_.live_pids.insert(pid);  // e.g. started by a scheduler in a container
  scheduler_.reset();
  launcher_.Crash();
  clock_.Advance(seconds(61));  // the lease expired
  scheduler_ = NewScheduler(Options("scheduler-b"));
  EXPECT_EQ(launcher_.stopped_orphans, std::vector<int64_t>{pid});
  TaskInstanceRecord collect = Task(orphan.run_id, "collect");
  EXPECT_EQ(collect.state, TaskState::kUpForRetry);
  EXPECT_NE(collect.message.find("was still running after the scheduler restarted"),
            std::string::npos)
      << collect.message;
}

TEST_F(SchedulerTest, ARestartKeepsTheEndOfATryThatFinishedBeforeTheSchedulerDied) {
  Start();
  Tick();
  const TryKey finished = launcher_.RunningTry("collect");
  const std::filesystem::path log = LogOf(finished);
  ASSERT_TRUE(WriteTaskResult(TaskResultPath(log), {.exit_code = 0, .status = "success"}).ok());
  scheduler_.reset();
  launcher_.Crash();
  clock_.Advance(seconds(61));
  scheduler_ = NewScheduler(Options("scheduler-b"));
  EXPECT_EQ(Task(finished.run_id, "collect").state, TaskState::kSuccess);
  EXPECT_EQ(Task(finished.run_id, "collect").failures, 0) << "nothing is redone";
  Tick();
  EXPECT_TRUE(launcher_.IsRunning("build"));
}

TEST_F(SchedulerTest, AShutdownStopsRunningTriesForARetryThatSpendsNothing) {
  Start();
  Tick();
  const TryKey running = launcher_.RunningTry("collect");
  scheduler_->StopStartingTries();
  clock_.Advance(std::chrono::minutes(30));
  EXPECT_EQ(Tick().tries_started, 0) << "no new tries once stopping";
  scheduler_->StopRunningTries();
  ASSERT_EQ(launcher_.terminated, std::vector<TryKey>{running});
  Tick();
  EXPECT_EQ(scheduler_->RunningTries(), 0u);
  TaskInstanceRecord collect = Task(running.run_id, "collect");
  EXPECT_EQ(collect.state, TaskState::kUpForRetry);
  EXPECT_EQ(collect.failures, 0);
  EXPECT_EQ(*collect.next_attempt_at, clock_.Now());
  auto tries = store_->ListTries(running.run_id, "collect");
  EXPECT_EQ(tries->front().state, TryState::kStopped);
  ASSERT_TRUE(scheduler_->ReleaseLease().ok());
  EXPECT_FALSE(*store_->CurrentLeaseHolder());

  scheduler_ = NewScheduler(Options("scheduler-b"));
  Tick();
  EXPECT_EQ(launcher_.RunningTry("collect").try_number, 2) << "at once on the next start";
}

TEST_F(SchedulerTest, ARunPastItsDeadlineRaisesOneAlert) {
  Start();
  Tick();
  launcher_.ignore_terminate = true;
  SetNow("2026-11-23T02:59:59Z");  // 11:59:59 KST: collect still runs (timeout aside)
  Tick();
  EXPECT_EQ(Alerts(), "");
  SetNow("2026-11-23T03:00:02Z");  // the next poll after 12:00 KST
  Tick();
  EXPECT_EQ(Alerts(), "deadline_missed");
  const std::string payload = AlertPayload("deadline_missed");
  EXPECT_NE(payload.find("\"deadline\":\"2026-11-23T03:00:00Z\""), std::string::npos) << payload;
  EXPECT_NE(payload.find("\"first\":\"2026-11-22\""), std::string::npos) << payload;
  clock_.Advance(seconds(10));
  Tick();
  EXPECT_EQ(Alerts(), "deadline_missed");
}

TEST_F(SchedulerTest, ARunQueuedAfterItsDeadlineIsReportedLateAtOnce) {
  SetNow("2026-11-23T05:00:00Z");  // the scheduler was down until after 12:00 KST
  Start();
  Tick();
  EXPECT_EQ(Alerts(), "deadline_missed");
  EXPECT_NE(AlertPayload("deadline_missed").find("\"first\":\"2026-11-22\""), std::string::npos);
}

TEST_F(SchedulerTest, ASuccessAfterFailedRunsIsARecovery) {
  Start();
  Tick();
  launcher_.End("collect", kTaskExitUsage, Status(ErrorCode::kAuth, "key not registered", "x"));
  Tick();
  ASSERT_EQ(Alerts(), "task_failed run_failed");
  SetNow("2026-11-24T00:00:30Z");
  Tick();
  SucceedEverything();
  EXPECT_EQ(Alerts(), "task_failed run_failed recovered");
  const std::string payload = AlertPayload("recovered");
  EXPECT_NE(payload.find("\"failures_before\":1"), std::string::npos) << payload;
  EXPECT_NE(AlertPayload("run_failed").find("\"category\":\"access\""), std::string::npos);
}

TEST_F(SchedulerTest, LogsOlderThanTheRetentionAreRemoved) {
  Start();
  Tick();
  const std::filesystem::path log = LogOf(launcher_.RunningTry("collect"));
  std::ofstream(log) << "collected\n";
  launcher_.End("collect", 0);
  Tick();
  SucceedEverything();
  ASSERT_TRUE(std::filesystem::exists(log));
  ASSERT_TRUE(scheduler_->ReleaseLease().ok());
  SchedulerOptions options = Options();
  options.log_retention = hours(24 * 3);
  scheduler_ = NewScheduler(options);
  SetNow("2026-11-25T23:00:00Z");
  Tick();
  EXPECT_TRUE(std::filesystem::exists(log)) << "not yet three days old";
  SetNow("2026-11-26T01:00:31Z");
  Tick();
  EXPECT_FALSE(std::filesystem::exists(log));
  EXPECT_FALSE(std::filesystem::exists(log.parent_path().parent_path())) << "the run's folder";
}

}  // namespace
}  // namespace silverwork::scheduler
