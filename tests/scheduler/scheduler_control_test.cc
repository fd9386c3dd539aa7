// SchedulerStore's control tables: the lease (two connections racing for it,
// expiry, a dead holder taken over), the request table written by other
// processes and answered once, pause flags, ids and stored timestamps.
#include <gtest/gtest.h>

#include <latch>
#include <thread>

#include "store_fixture.h"

namespace silverwork::scheduler {
namespace {

using std::chrono::seconds;

LeaseClaim Claim(const std::string& id, int64_t pid) { return {id, "host-" + id, pid}; }

TEST_F(StoreTest, TheLeaseIsTakenRenewedReleasedAndExpires) {
  EXPECT_FALSE(*store_->CurrentLeaseHolder());
  auto first = store_->AcquireLease(Claim("a", 100), seconds(30));
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_TRUE(first->acquired);
  EXPECT_EQ(first->holder.holder_id, "a");
  EXPECT_EQ(first->holder.pid, 100);

  // A second scheduler learns who holds it.
  auto second = store_->AcquireLease(Claim("b", 200), seconds(30));
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(second->acquired);
  EXPECT_EQ(second->holder.holder_id, "a");
  EXPECT_EQ(second->holder.host, "host-a");
  EXPECT_EQ(second->holder.pid, 100);

  // Renewing keeps it; acquiring again as the holder keeps acquired_at.
  clock_.Advance(seconds(20));
  EXPECT_TRUE(*store_->RenewLease("a", seconds(30)));
  auto again = store_->AcquireLease(Claim("a", 100), seconds(30));
  EXPECT_TRUE(again->acquired);
  EXPECT_EQ(again->holder.acquired_at, first->holder.acquired_at);
  EXPECT_FALSE(*store_->RenewLease("b", seconds(30)));

  // Not renewed in time: the lease expires and b takes it; a learns it lost it.
  clock_.Advance(seconds(31));
  auto taken = store_->AcquireLease(Claim("b", 200), seconds(30));
  EXPECT_TRUE(taken->acquired);
  EXPECT_FALSE(*store_->RenewLease("a", seconds(30)));

  ASSERT_TRUE(store_->ReleaseLease("a").ok());  // not ours: no effect
  EXPECT_EQ((*store_->CurrentLeaseHolder())->holder_id, "b");
  ASSERT_TRUE(store_->ReleaseLease("b").ok());
  EXPECT_FALSE(*store_->CurrentLeaseHolder());
  EXPECT_TRUE(store_->AcquireLease(Claim("c", 300), seconds(30))->acquired);
}

TEST_F(StoreTest, AHolderWhoseProcessIsGoneIsTakenOverAtOnce) {
  ASSERT_TRUE(store_->AcquireLease(Claim("dead", 100), seconds(60))->acquired);
  auto alive = [](const LeaseHolder&) { return false; };
  EXPECT_FALSE(store_->AcquireLease(Claim("new", 200), seconds(60), alive)->acquired);
  std::string asked_about;
  auto gone = [&](const LeaseHolder& holder) {
    asked_about = holder.holder_id;
    return true;
  };
  auto outcome = store_->AcquireLease(Claim("new", 200), seconds(60), gone);
  ASSERT_TRUE(outcome.ok());
  EXPECT_TRUE(outcome->acquired);
  EXPECT_EQ(asked_about, "dead");
  EXPECT_EQ(outcome->holder.holder_id, "new");
}

TEST_F(StoreTest, TwoConnectionsRacingForTheLeaseNeverBothWin) {
  auto peer = warehouse_->OpenPeer();
  ASSERT_TRUE(peer.ok());
  SchedulerStore other(**peer, clock_, random_);
  for (int round = 0; round < 25; ++round) {
    const std::string a = "a" + std::to_string(round), b = "b" + std::to_string(round);
    std::latch start(2);
    Result<LeaseOutcome> mine = Status(ErrorCode::kInternal, "not run");
    Result<LeaseOutcome> theirs = Status(ErrorCode::kInternal, "not run");
    std::thread racer([&] {
      start.arrive_and_wait();
      theirs = other.AcquireLease(Claim(b, 2), seconds(30));
    });
    start.arrive_and_wait();
    mine = store_->AcquireLease(Claim(a, 1), seconds(30));
    racer.join();
    ASSERT_TRUE(mine.ok()) << mine.status().ToString();
    ASSERT_TRUE(theirs.ok()) << theirs.status().ToString();
    ASSERT_NE(mine->acquired, theirs->acquired) << "round " << round;
    const std::string winner = mine->acquired ? a : b;
    EXPECT_EQ(mine->holder.holder_id, winner);
    EXPECT_EQ(theirs->holder.holder_id, winner);
    ASSERT_TRUE(store_->ReleaseLease(winner).ok());
  }
}

TEST_F(StoreTest, RequestsFromOtherProcessesAreAnsweredOnce) {
  auto peer = warehouse_->OpenPeer();
  ASSERT_TRUE(peer.ok());
  SchedulerStore serve(**peer, clock_, random_);
  SchedulerRequest backfill;
  backfill.kind = RequestKind::kBackfill;
  backfill.pipeline = "postings_daily";
  backfill.range = DayRange{Day("2026-11-01"), Day("2026-11-05")};
  backfill.reprocess = ReprocessMode::kFailed;
  backfill.requested_by = "serve";
  auto backfill_id = serve.SubmitRequest(backfill);
  ASSERT_TRUE(backfill_id.ok()) << backfill_id.status().ToString();
  SchedulerRequest pause;
  pause.kind = RequestKind::kPause;
  pause.pipeline = "projects";
  pause.requested_by = "cli";
  auto pause_id = serve.SubmitRequest(pause);  // same instant, same random draw
  ASSERT_TRUE(pause_id.ok());
  EXPECT_LT(*backfill_id, *pause_id);

  auto pending = store_->PendingRequests();
  ASSERT_TRUE(pending.ok());
  ASSERT_EQ(pending->size(), 2u);
  const SchedulerRequest& first = (*pending)[0];
  EXPECT_EQ(first.request_id, *backfill_id);
  EXPECT_EQ(first.kind, RequestKind::kBackfill);
  EXPECT_EQ(first.range->last, Day("2026-11-05"));
  EXPECT_EQ(first.reprocess, ReprocessMode::kFailed);
  EXPECT_EQ(first.requested_by, "serve");
  EXPECT_EQ(first.state, RequestState::kPending);

  auto answered = store_->AnswerRequest(*backfill_id, RequestState::kDone, "queued 2 runs", "",
                                        {"run-1", "run-2"});
  ASSERT_TRUE(answered.ok());
  EXPECT_TRUE(*answered);
  EXPECT_FALSE(*store_->AnswerRequest(*backfill_id, RequestState::kRejected, "late", "", {}));
  auto seen = serve.GetRequest(*backfill_id);
  ASSERT_TRUE(seen.ok() && *seen);
  EXPECT_EQ((*seen)->state, RequestState::kDone);
  EXPECT_EQ((*seen)->message, "queued 2 runs");
  EXPECT_EQ((*seen)->run_ids, (std::vector<std::string>{"run-1", "run-2"}));
  EXPECT_TRUE((*seen)->answered_at);
  EXPECT_EQ(store_->PendingRequests()->size(), 1u);
  EXPECT_FALSE(*serve.GetRequest("no-such-request"));

  SchedulerRequest clear;
  clear.kind = RequestKind::kClear;
  clear.pipeline = "postings_daily";
  auto refused = serve.SubmitRequest(clear);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("names no run"), std::string::npos);
  EXPECT_FALSE(store_->AnswerRequest(*pause_id, RequestState::kPending, "", "", {}).ok());
}

TEST_F(StoreTest, PauseFlagsOverrideThePipelineFile) {
  EXPECT_TRUE(store_->PausedOverrides()->empty());
  ASSERT_TRUE(store_->SetPaused("projects", true).ok());
  ASSERT_TRUE(store_->SetPaused("postings_daily", false).ok());
  ASSERT_TRUE(store_->SetPaused("projects", false).ok());
  auto overrides = store_->PausedOverrides();
  ASSERT_TRUE(overrides.ok());
  EXPECT_EQ(*overrides,
            (std::map<std::string, bool>{{"postings_daily", false}, {"projects", false}}));
}

TEST_F(StoreTest, IdsStayUniqueAndOrderedWhenTheClockStandsStill) {
  std::string previous;
  for (int i = 0; i < 5; ++i) {
    const std::string run_id = Queue(PlanDays({Day("2026-11-01").AddDays(i).Iso()}));
    EXPECT_GT(run_id, previous);
    previous = run_id;
  }
  clock_.Advance(-std::chrono::hours(1));  // and when it steps back
  EXPECT_GT(Queue(PlanDays({"2026-11-10"})), previous);
}

TEST(StoreTimeTest, TimestampsHaveOneWidthSoTextOrderIsTimeOrder) {
  using std::chrono::milliseconds;
  const TimePoint instant = TimePoint(Utc("2026-11-25T01:00:09Z")) + milliseconds(7);
  EXPECT_EQ(FormatStoreTime(instant), "2026-11-25T01:00:09.007Z");
  EXPECT_EQ(*ParseStoreTime("2026-11-25T01:00:09.007Z"), instant);
  EXPECT_EQ(FormatStoreTime(TimePoint{}), "1970-01-01T00:00:00.000Z");
  EXPECT_LT(FormatStoreTime(instant), FormatStoreTime(instant + milliseconds(1)));
  EXPECT_LT(FormatStoreTime(instant + milliseconds(999)),
            FormatStoreTime(instant + std::chrono::seconds(1)));
  for (const char* bad : {"2026-11-25T01:00:09Z", "2026-13-25T01:00:09.007Z",
                          "2026-02-30T01:00:09.007Z", "2026-11-25 01:00:09.007Z", ""})
    EXPECT_FALSE(ParseStoreTime(bad).ok()) << bad;
  EXPECT_EQ(TaskLogPath("var/logs", "postings_daily", "r1", "collect", 2).string(),
            "var/logs/postings_daily/r1/collect/2.log");
}

}  // namespace
}  // namespace silverwork::scheduler
