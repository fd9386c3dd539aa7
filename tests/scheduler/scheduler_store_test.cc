// SchedulerStore on a SQLite file: queueing runs atomically, a day never
// queued twice (also from another connection, also racing), tries moving
// task instances, runs and days along, retries on the fake clock, quota
// deferral, sensor skips, clearing, and recovery after a crash.
#include <gtest/gtest.h>

#include <latch>
#include <thread>

#include "store_fixture.h"

namespace silverwork::scheduler {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

int64_t CountRows(Warehouse& warehouse, const std::string& table) {
  auto result = warehouse.QueryAll("SELECT COUNT(*) FROM " + table);
  EXPECT_TRUE(result.ok());
  return std::get<int64_t>(result->rows.at(0).at(0));
}

TEST_F(StoreTest, SchemaIsIdempotentAndDetectable) {
  ASSERT_TRUE(store_->EnsureSchema().ok());
  EXPECT_TRUE(*store_->HasSchema());
  auto fresh = SqliteWarehouse::Open({.location = dir_.File("other.db")});
  ASSERT_TRUE(fresh.ok());
  SchedulerStore reader(**fresh, clock_, random_);
  EXPECT_FALSE(*reader.HasSchema());
}

TEST_F(StoreTest, QueueingWritesTheRunItsTasksAndItsDays) {
  auto plans = PlanScheduledRuns(Postings(), Utc("2026-11-26T00:00:00Z"), {});
  ASSERT_EQ(plans.size(), 1u);
  const std::string run_id = Queue(plans[0]);
  const RunRecord run = Run(run_id);
  EXPECT_EQ(run.pipeline, "postings_daily");
  EXPECT_EQ(run.kind, RunKind::kScheduled);
  EXPECT_EQ(run.state, RunState::kQueued);
  EXPECT_EQ(Text(run.logical_time), "2026-11-26T00:00:00Z");
  EXPECT_EQ(Text(run.interval.start), "2026-11-24T15:00:00Z");
  ASSERT_TRUE(run.window);
  EXPECT_EQ(run.window->first, Day("2026-11-25"));
  EXPECT_EQ(run.partition_count, 1);
  EXPECT_EQ(Text(*run.deadline_at), "2026-11-26T03:00:00Z");
  EXPECT_EQ(TaskStates(run_id), "collect=queued build=waiting");
  EXPECT_EQ(DayStatuses(), "2026-11-25=queued");
  auto tasks = store_->ListTaskInstances(run_id);
  ASSERT_TRUE(tasks.ok());
  EXPECT_EQ((*tasks)[1].upstream, std::vector<std::string>{"collect"});
  EXPECT_EQ((*tasks)[0].retry.retries, 2);
  EXPECT_EQ((*tasks)[0].retry.max_retry_delay, minutes(10));
  auto history = store_->ScheduleHistoryOf("postings_daily", true);
  ASSERT_TRUE(history.ok()) << history.status().ToString();
  EXPECT_EQ(Text(*history->last_fire), "2026-11-26T00:00:00Z");
  EXPECT_EQ(*history->last_scheduled_day, Day("2026-11-25"));
  EXPECT_EQ(history->partitions.at(Day("2026-11-25")).run_id, run_id);
  // Nothing more is due at the same instant.
  EXPECT_TRUE(PlanScheduledRuns(Postings(), Utc("2026-11-26T00:00:00Z"), *history).empty());
}

TEST_F(StoreTest, ADayQueuedOrRunningIsNeverQueuedTwice) {
  const std::string first = Queue(PlanDays({"2026-11-20", "2026-11-21", "2026-11-22"}));
  const int64_t runs_before = CountRows(*warehouse_, "_sw_sched_runs");

  // The same store, then a second connection: both refused, nothing written.
  auto again = store_->QueueRun(PlanDays({"2026-11-22", "2026-11-23"}));
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->run_id);
  ASSERT_EQ(again->conflicts.size(), 1u);
  EXPECT_EQ(again->conflicts[0].day, Day("2026-11-22"));
  EXPECT_EQ(again->conflicts[0].run_id, first);
  EXPECT_EQ(again->conflicts[0].status, PartitionStatus::kQueued);

  auto peer = warehouse_->OpenPeer();
  ASSERT_TRUE(peer.ok());
  SchedulerStore other(**peer, clock_, random_);
  auto from_peer = other.QueueRun(PlanDays({"2026-11-19", "2026-11-20"}));
  ASSERT_TRUE(from_peer.ok());
  EXPECT_FALSE(from_peer->run_id);
  EXPECT_EQ(CountRows(*warehouse_, "_sw_sched_runs"), runs_before);
  EXPECT_EQ(DayStatuses(), "2026-11-20=queued 2026-11-21=queued 2026-11-22=queued");  // no 19, 23

  // Running is active too; once the run is done the days may run again.
  const TryRecord collect = Start(first, "collect");
  EXPECT_FALSE(store_->QueueRun(PlanDays({"2026-11-21"}))->run_id);
  Finish(first, "collect", collect.try_number, TryOutcome::Exited(0));
  const TryRecord build = Start(first, "build");
  Finish(first, "build", build.try_number, TryOutcome::Exited(0));
  const std::string rerun = Queue(PlanDays({"2026-11-21"}));
  EXPECT_EQ(DayStatuses(), "2026-11-20=success 2026-11-21=queued 2026-11-22=success");
  auto days =
      store_->ListPartitions("postings_daily", DayRange{Day("2026-11-21"), Day("2026-11-21")});
  ASSERT_TRUE(days.ok());
  ASSERT_EQ(days->size(), 1u);
  EXPECT_EQ((*days)[0].run_id, rerun);
}

TEST_F(StoreTest, TwoConnectionsRacingToQueueTheSameDaysQueueThemOnce) {
  auto peer = warehouse_->OpenPeer();
  ASSERT_TRUE(peer.ok());
  ScriptedRandom other_random(0.25);
  SchedulerStore other(**peer, clock_, other_random);
  for (int round = 0; round < 10; ++round) {
    const Date day = Day("2026-10-01").AddDays(round * 3);
    const RunPlan plan = PlanDays({day.Iso(), day.AddDays(1).Iso(), day.AddDays(2).Iso()});
    std::latch start(2);
    Result<QueueOutcome> mine = Status(ErrorCode::kInternal, "not run");
    Result<QueueOutcome> theirs = Status(ErrorCode::kInternal, "not run");
    std::thread racer([&] {
      start.arrive_and_wait();
      theirs = other.QueueRun(plan);
    });
    start.arrive_and_wait();
    mine = store_->QueueRun(plan);
    racer.join();
    ASSERT_TRUE(mine.ok()) << mine.status().ToString();
    ASSERT_TRUE(theirs.ok()) << theirs.status().ToString();
    EXPECT_NE(mine->run_id.has_value(), theirs->run_id.has_value()) << "round " << round;
    EXPECT_EQ(mine->conflicts.size() + theirs->conflicts.size(), 3u) << "round " << round;
  }
  EXPECT_EQ(CountRows(*warehouse_, "_sw_sched_runs"), 10);
  EXPECT_EQ(CountRows(*warehouse_, "_sw_partitions"), 30);
}

TEST_F(StoreTest, TriesMoveTheTasksTheRunAndItsDaysToSuccess) {
  const std::string run_id = Queue(PlanDays({"2026-11-24", "2026-11-25"}));
  auto ready = store_->ReadyTasks();
  ASSERT_TRUE(ready.ok());
  ASSERT_EQ(ready->size(), 1u);
  EXPECT_EQ((*ready)[0].task, "collect");

  const TryRecord collect = Start(run_id, "collect");
  EXPECT_EQ(collect.try_number, 1);
  EXPECT_EQ(collect.log_path,
            (dir_.path() / "logs" / "postings_daily" / run_id / "collect" / "1.log").string());
  ASSERT_TRUE(store_->RecordTryPid(run_id, "collect", 1, 4242).ok());
  EXPECT_EQ(Run(run_id).state, RunState::kRunning);
  EXPECT_EQ(DayStatuses(), "2026-11-24=running 2026-11-25=running");
  auto running = store_->RunningTries();
  ASSERT_TRUE(running.ok());
  ASSERT_EQ(running->size(), 1u);
  EXPECT_EQ(*(*running)[0].pid, 4242);
  EXPECT_EQ((*running)[0].host, "host-a");
  EXPECT_EQ(*store_->CountRunningRuns("postings_daily"), 1);

  clock_.Advance(minutes(3));
  const TryFinish collected = Finish(run_id, "collect", 1, TryOutcome::Exited(0));
  EXPECT_EQ(collected.transition.task_state, TaskState::kSuccess);
  EXPECT_EQ(collected.run.state, RunState::kRunning);
  EXPECT_EQ(TaskStates(run_id), "collect=success build=queued");

  const TryRecord build = Start(run_id, "build");
  clock_.Advance(minutes(1));
  const TryFinish built = Finish(run_id, "build", build.try_number, TryOutcome::Exited(0));
  EXPECT_EQ(built.run_state_before, RunState::kRunning);
  EXPECT_EQ(built.run.state, RunState::kSuccess);
  const RunRecord run = Run(run_id);
  EXPECT_EQ(run.state, RunState::kSuccess);
  EXPECT_EQ(*run.ended_at - *run.started_at, minutes(4));
  EXPECT_EQ(DayStatuses(), "2026-11-24=success 2026-11-25=success");
  auto tries = store_->ListTries(run_id);
  ASSERT_TRUE(tries.ok());
  ASSERT_EQ(tries->size(), 2u);
  EXPECT_EQ((*tries)[0].task, "collect");
  EXPECT_EQ((*tries)[0].state, TryState::kSuccess);
  EXPECT_EQ(*(*tries)[0].exit_code, 0);
  EXPECT_EQ(*(*tries)[0].ended_at - (*tries)[0].started_at, minutes(3));
  EXPECT_TRUE((*tries)[0].error.empty());
  EXPECT_TRUE(store_->RunningTries()->empty());
  EXPECT_TRUE(store_->ReadyTasks()->empty());
}

TEST_F(StoreTest, RetriesWaitForTheirDelayThenTheRunFails) {
  const std::string run_id = Queue(PlanDays({"2026-11-25"}));
  // retries 2, retry_delay 1m, backoff with the scripted 0.5 draw: 45 s, then 90 s.
  TryRecord attempt = Start(run_id, "collect");
  TryFinish finish =
      Finish(run_id, "collect", attempt.try_number, TryOutcome::Exited(1, "list page 3", "retry"));
  EXPECT_EQ(finish.transition.task_state, TaskState::kUpForRetry);
  EXPECT_TRUE(store_->ReadyTasks()->empty());
  auto next = store_->NextAttemptTime();
  ASSERT_TRUE(next.ok() && *next);
  EXPECT_EQ(**next - clock_.Now(), seconds(45));
  clock_.Advance(seconds(44));
  EXPECT_FALSE(store_->StartTry(run_id, "collect", "h", dir_.path()).ok());  // not due yet
  clock_.Advance(seconds(1));
  ASSERT_EQ(store_->ReadyTasks()->size(), 1u);

  attempt = Start(run_id, "collect");
  EXPECT_EQ(attempt.try_number, 2);
  Finish(run_id, "collect", 2, TryOutcome::Signaled(9));
  clock_.Advance(seconds(90));
  attempt = Start(run_id, "collect");
  finish = Finish(run_id, "collect", 3, TryOutcome::Exited(1, "list page 3", "retry"));
  EXPECT_TRUE(finish.transition.final_failure);
  EXPECT_EQ(finish.run.state, RunState::kFailed);
  EXPECT_EQ(finish.run.message, "task 'collect' failed: list page 3");
  EXPECT_EQ(finish.run.hint, "retry");
  auto tries = store_->ListTries(run_id, "collect");
  ASSERT_TRUE(tries.ok());
  ASSERT_EQ(tries->size(), 3u);
  EXPECT_EQ((*tries)[1].state, TryState::kFailed);
  EXPECT_EQ(*(*tries)[1].signal, 9);
  EXPECT_NE((*tries)[1].error.find("signal 9"), std::string::npos);
  EXPECT_EQ(*(*tries)[2].exit_code, 1);
  EXPECT_EQ(TaskStates(run_id), "collect=failed build=upstream_failed");
  EXPECT_EQ(DayStatuses(), "2026-11-25=failed");
  auto failed = store_->ListRuns({.pipeline = "postings_daily", .state = RunState::kFailed});
  ASSERT_TRUE(failed.ok());
  EXPECT_EQ(failed->size(), 1u);
}

TEST_F(StoreTest, AQuotaStopIsDeferredToAfterMidnightKstWithoutSpendingARetry) {
  clock_.Advance(hours(14));  // 2026-11-26 14:00 UTC = 23:00 KST
  const std::string run_id = Queue(PlanDays({"2026-11-25"}));
  Start(run_id, "collect");
  const TryFinish finish = Finish(run_id, "collect", 1, TryOutcome::Exited(kTaskExitQuota));
  EXPECT_EQ(finish.transition.task_state, TaskState::kDeferred);
  EXPECT_EQ(finish.run.state, RunState::kRunning);
  EXPECT_EQ(DayStatuses(), "2026-11-25=deferred");
  auto tasks = store_->ListTaskInstances(run_id);
  ASSERT_TRUE(tasks.ok());
  EXPECT_EQ((*tasks)[0].failures, 0);
  EXPECT_EQ(FormatStoreTime(*(*tasks)[0].next_attempt_at), "2026-11-26T15:05:00.000Z");
  EXPECT_EQ(*(*tasks)[0].deferred_since, clock_.Now());
  // Deferred days stay owned: no other run may take them.
  EXPECT_FALSE(store_->QueueRun(PlanDays({"2026-11-25"}))->run_id);

  clock_.Advance(minutes(64));  // 00:04 KST: not yet
  EXPECT_TRUE(store_->ReadyTasks()->empty());
  clock_.Advance(minutes(1));
  ASSERT_EQ(store_->ReadyTasks()->size(), 1u);
  const TryRecord resumed = Start(run_id, "collect");
  EXPECT_EQ(resumed.try_number, 2);
  EXPECT_EQ(DayStatuses(), "2026-11-25=running");
  Finish(run_id, "collect", 2, TryOutcome::Exited(0));
  tasks = store_->ListTaskInstances(run_id);
  EXPECT_FALSE((*tasks)[0].deferred_since);
}

TEST_F(StoreTest, ASensorThatFindsNothingSkipsTheRun) {
  auto plans = PlanScheduledRuns(Projects(), Utc("2026-11-26T00:00:00Z"), {});
  ASSERT_EQ(plans.size(), 1u);
  const std::string run_id = Queue(plans[0]);
  EXPECT_EQ(TaskStates(run_id), "discover=queued collect=waiting build=waiting");
  Start(run_id, "discover");
  const TryFinish finish = Finish(run_id, "discover", 1, TryOutcome::Exited(kTaskExitNothingNew));
  EXPECT_EQ(finish.run.state, RunState::kSkipped);
  EXPECT_EQ(finish.run.message, "skipped: task 'discover' found nothing new");
  EXPECT_EQ(TaskStates(run_id), "discover=skipped collect=skipped build=skipped");
}

TEST_F(StoreTest, ClearingAFailedRunRerunsItsFailedTasksWithFreshRetries) {
  const std::string run_id = Queue(PlanDays({"2026-11-25"}));
  for (int attempt = 1; attempt <= 3; ++attempt) {
    Start(run_id, "collect");
    Finish(run_id, "collect", attempt, TryOutcome::Exited(1));
    clock_.Advance(minutes(10));
  }
  ASSERT_EQ(Run(run_id).state, RunState::kFailed);
  auto cleared = store_->ClearRun(run_id);
  ASSERT_TRUE(cleared.ok()) << cleared.status().ToString();
  EXPECT_EQ(cleared->state, RunState::kQueued);
  EXPECT_FALSE(cleared->ended_at);
  EXPECT_EQ(TaskStates(run_id), "collect=queued build=waiting");
  EXPECT_EQ(DayStatuses(), "2026-11-25=queued");
  const TryRecord fourth = Start(run_id, "collect");
  EXPECT_EQ(fourth.try_number, 4);  // a new log file; the retries start over
  const TryFinish finish = Finish(run_id, "collect", 4, TryOutcome::Exited(1));
  EXPECT_EQ(finish.transition.task_state, TaskState::kUpForRetry);
}

TEST_F(StoreTest, MisuseIsRefusedWithAReason) {
  const std::string run_id = Queue(PlanDays({"2026-11-25"}));
  auto waiting = store_->StartTry(run_id, "build", "h", dir_.path());
  ASSERT_FALSE(waiting.ok());
  EXPECT_NE(waiting.status().message().find("is waiting, not ready"), std::string::npos);
  EXPECT_EQ(store_->StartTry(run_id, "nope", "h", dir_.path()).status().code(),
            ErrorCode::kNotFound);
  Start(run_id, "collect");
  Finish(run_id, "collect", 1, TryOutcome::Exited(0));
  auto twice = store_->FinishTry(run_id, "collect", 1, TryOutcome::Exited(1));
  ASSERT_FALSE(twice.ok());
  EXPECT_NE(twice.status().message().find("is not running"), std::string::npos);
  EXPECT_EQ(TaskStates(run_id), "collect=success build=queued");
  EXPECT_FALSE(store_->ClearRun(run_id).ok());  // nothing failed
  EXPECT_FALSE(store_->RecordTryPid(run_id, "collect", 7, 1).ok());
  RunPlan empty = PlanDays({"2026-11-20"});
  empty.tasks.clear();
  EXPECT_EQ(store_->QueueRun(empty).status().code(), ErrorCode::kInternal);
}

TEST_F(StoreTest, AfterACrashARestartedStoreFindsTheLostTryAndRetriesIt) {
  const std::string run_id = Queue(PlanDays({"2026-11-25"}));
  Start(run_id, "collect");
  ASSERT_TRUE(store_->RecordTryPid(run_id, "collect", 1, 999999).ok());
  store_.reset();  // the scheduler dies: nothing else is written
  warehouse_.reset();

  auto reopened = SqliteWarehouse::Open({.location = dir_.File("warehouse.db")});
  ASSERT_TRUE(reopened.ok());
  SchedulerStore restarted(**reopened, clock_, random_);
  ASSERT_TRUE(restarted.EnsureSchema().ok());
  auto running = restarted.RunningTries();
  ASSERT_TRUE(running.ok());
  ASSERT_EQ(running->size(), 1u);
  EXPECT_EQ(*(*running)[0].pid, 999999);
  auto lost = restarted.FinishTry(run_id, "collect", 1, TryOutcome::Lost());
  ASSERT_TRUE(lost.ok()) << lost.status().ToString();
  EXPECT_EQ(lost->transition.task_state, TaskState::kUpForRetry);
  EXPECT_EQ(lost->transition.failures, 1);
  clock_.Advance(minutes(2));
  auto retry = restarted.StartTry(run_id, "collect", "host-a", dir_.path());
  ASSERT_TRUE(retry.ok()) << retry.status().ToString();
  EXPECT_EQ(retry->try_number, 2);
}

TEST_F(StoreTest, RunListsDeadlinesAndCounts) {
  const std::string older = Queue(PlanDays({"2026-11-20"}));
  clock_.Advance(seconds(1));
  const std::string newer = Queue(PlanDays({"2026-11-21"}));
  auto all = store_->ListRuns({});
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].run_id, newer);
  auto second = store_->ListRuns({.pipeline = "postings_daily", .limit = 1, .offset = 1});
  ASSERT_EQ(second->size(), 1u);
  EXPECT_EQ((*second)[0].run_id, older);
  EXPECT_TRUE(store_->ListRuns({.pipeline = "projects"})->empty());
  EXPECT_LT(older, newer);  // ids sort by creation time
  auto history = store_->ScheduleHistoryOf("postings_daily", false);
  ASSERT_TRUE(history.ok());
  EXPECT_FALSE(history->last_fire);  // manual runs only
  EXPECT_FALSE(history->last_scheduled_day);
  EXPECT_TRUE(history->partitions.empty());

  // Deadlines (scheduled runs only): day 11-25 ends 15:00 UTC, + 12h.
  EXPECT_TRUE(store_->RunsPastDeadline()->empty());
  auto plans = PlanScheduledRuns(Postings(), Utc("2026-11-26T00:00:00Z"), {});
  ASSERT_EQ(plans.size(), 1u);
  const std::string scheduled = Queue(plans[0]);
  const auto deadline = std::chrono::system_clock::time_point(*plans[0].deadline_at);
  EXPECT_EQ(Text(*plans[0].deadline_at), "2026-11-26T03:00:00Z");
  clock_.Advance(deadline - clock_.Now() - seconds(1));
  EXPECT_TRUE(store_->RunsPastDeadline()->empty());
  clock_.Advance(seconds(1));
  auto late = store_->RunsPastDeadline();
  ASSERT_TRUE(late.ok());
  ASSERT_EQ(late->size(), 1u);
  EXPECT_EQ((*late)[0].run_id, scheduled);
  EXPECT_FALSE(*store_->NextAttemptTime());
}

TEST_F(StoreTest, WritesInsideTheCallersTransactionCommitOrRollBackWithIt) {
  const std::string first = Queue(PlanDays({"2026-11-20"}));
  // Inside one transaction: a refused run rolls back alone (its savepoint),
  // a queued one stays, and both go with the caller's rollback.
  {
    Transaction outer(*warehouse_);
    ASSERT_TRUE(outer.Begin().ok());
    auto refused = store_->QueueRun(PlanDays({"2026-11-19", "2026-11-20"}));
    ASSERT_TRUE(refused.ok()) << refused.status().ToString();
    EXPECT_FALSE(refused->run_id);
    ASSERT_EQ(refused->conflicts.size(), 1u);
    auto queued = store_->QueueRun(PlanDays({"2026-11-21"}));
    ASSERT_TRUE(queued.ok() && queued->run_id);
    EXPECT_EQ(DayStatuses(), "2026-11-20=queued 2026-11-21=queued");
  }  // not committed
  EXPECT_EQ(DayStatuses(), "2026-11-20=queued");
  {
    Transaction outer(*warehouse_);
    ASSERT_TRUE(outer.Begin().ok());
    auto attempt = store_->StartTry(first, "collect", "host-a", dir_.path() / "logs");
    ASSERT_TRUE(attempt.ok());
    ASSERT_TRUE(store_->FinishTry(first, "collect", 1, TryOutcome::Exited(0)).ok());
    ASSERT_TRUE(outer.Commit().ok());
  }
  EXPECT_EQ(TaskStates(first), "collect=success build=queued");
}

TEST_F(StoreTest, TheReadsBehindAlertsAndLogRetention) {
  const std::string failed = Queue(PlanDays({"2026-11-20"}));
  Start(failed, "collect");
  Finish(failed, "collect", 1, TryOutcome::Exited(kTaskExitUsage));
  clock_.Advance(seconds(10));
  const std::string deferred = Queue(PlanDays({"2026-11-21"}));
  Start(deferred, "collect");
  Finish(deferred, "collect", 1, TryOutcome::Exited(kTaskExitQuota));
  EXPECT_EQ(*store_->FailedRunsSinceLastSuccess("postings_daily", ""), 1);
  EXPECT_EQ(*store_->FailedRunsSinceLastSuccess("projects", ""), 0);

  const auto now = clock_.Now();
  EXPECT_TRUE(store_->TasksDeferredSince(now - seconds(1))->empty());
  auto waiting = store_->TasksDeferredSince(now);
  ASSERT_EQ(waiting->size(), 1u);
  EXPECT_EQ(waiting->front().run_id, deferred);

  auto ended = store_->TriesEndedBetween(std::nullopt, now);
  ASSERT_EQ(ended->size(), 1u) << "the deferred try ended now, not before it";
  EXPECT_EQ(ended->front().run_id, failed);
  EXPECT_EQ(store_->TriesEndedBetween(now - seconds(5), now + seconds(1))->size(), 1u);
}

}  // namespace
}  // namespace silverwork::scheduler
