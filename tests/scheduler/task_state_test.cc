// Durations, retry delays with backoff and jitter, and the task instance
// state machine: pure functions with a scripted random source.
#include "scheduler/task_state.h"

#include <gtest/gtest.h>

#include "scheduler/duration.h"
#include "scheduler_test_util.h"

namespace silverwork::scheduler {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

TEST(DurationTest, ParsesUnitsLargestFirst) {
  EXPECT_EQ(*ParseDuration("30s"), seconds(30));
  EXPECT_EQ(*ParseDuration("5m"), minutes(5));
  EXPECT_EQ(*ParseDuration("1h30m"), minutes(90));
  EXPECT_EQ(*ParseDuration("2d"), hours(48));
  EXPECT_EQ(*ParseDuration("1d2h3m4s"), seconds(93784));
  EXPECT_EQ(*ParseDuration("0s"), seconds(0));
  EXPECT_EQ(FormatDuration(minutes(90)), "1h30m");
  EXPECT_EQ(FormatDuration(seconds(0)), "0s");
  EXPECT_EQ(FormatDuration(hours(50)), "2d2h");
}

TEST(DurationTest, RefusesWhatItCannotRead) {
  for (const char* bad : {"5x", "5", "", "m", "1m1h", "1h1h", "-5m", "1.5h", "5 m", "5M"}) {
    auto parsed = ParseDuration(bad);
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_NE(parsed.status().message().find("bad duration"), std::string::npos) << bad;
    EXPECT_NE(parsed.status().hint().find("1h30m"), std::string::npos) << bad;
  }
  EXPECT_NE(ParseDuration("5x").status().message().find("'x' is not a unit"), std::string::npos);
  EXPECT_NE(ParseDuration("1m1h").status().message().find("out of order"), std::string::npos);
}

RetryPolicy Policy(int retries, seconds delay, bool backoff, seconds max_delay) {
  RetryPolicy policy;
  policy.retries = retries;
  policy.retry_delay = delay;
  policy.exponential_backoff = backoff;
  policy.max_retry_delay = max_delay;
  return policy;
}

TEST(RetryDelayTest, DoublesPerFailureUpToTheCapWithEqualJitter) {
  const RetryPolicy policy = Policy(10, seconds(60), true, seconds(600));
  ScriptedRandom low(0.0), high(0.999999);
  // Nominal delays 60, 120, 240, 480, then the 600 cap; jitter keeps half to all.
  EXPECT_EQ(RetryDelay(policy, 1, low), seconds(30));
  EXPECT_EQ(RetryDelay(policy, 1, high), seconds(60));
  EXPECT_EQ(RetryDelay(policy, 2, low), seconds(60));
  EXPECT_EQ(RetryDelay(policy, 3, high), seconds(240));
  EXPECT_EQ(RetryDelay(policy, 4, low), seconds(240));
  EXPECT_EQ(RetryDelay(policy, 5, high), seconds(600));
  EXPECT_EQ(RetryDelay(policy, 5, low), seconds(300));
  EXPECT_EQ(RetryDelay(policy, 80, high), seconds(600));  // no overflow
  ScriptedRandom middle(0.5);
  EXPECT_EQ(RetryDelay(policy, 2, middle), seconds(90));
}

TEST(RetryDelayTest, WithoutBackoffTheDelayIsConstant) {
  const RetryPolicy policy = Policy(3, seconds(300), false, seconds(3600));
  ScriptedRandom random;
  for (int failures = 1; failures <= 5; ++failures)
    EXPECT_EQ(RetryDelay(policy, failures, random), seconds(300));
}

TEST(QuotaResetTest, ResumesAfterTheNextKoreanMidnight) {
  using std::chrono::system_clock;
  auto at = [](const char* text) { return system_clock::time_point(Utc(text)); };
  // 23:59 KST -> 00:05 KST the next day (15:05 UTC).
  EXPECT_EQ(Text(std::chrono::floor<seconds>(NextQuotaReset(at("2026-11-25T14:59:00Z")))),
            "2026-11-25T15:05:00Z");
  // 09:00 KST -> the coming midnight.
  EXPECT_EQ(Text(std::chrono::floor<seconds>(NextQuotaReset(at("2026-11-25T00:00:00Z")))),
            "2026-11-25T15:05:00Z");
  // 00:02 KST (the old day's quota still reported) -> 00:05 KST the same day.
  EXPECT_EQ(Text(std::chrono::floor<seconds>(NextQuotaReset(at("2026-11-25T15:02:00Z")))),
            "2026-11-25T15:05:00Z");
  EXPECT_EQ(Text(std::chrono::floor<seconds>(NextQuotaReset(at("2026-11-25T15:05:00Z")))),
            "2026-11-26T15:05:00Z");
}

class DecideAfterTryTest : public ::testing::Test {
 protected:
  TaskTransition Decide(const TryOutcome& outcome, int failures_before) {
    return DecideAfterTry(outcome, failures_before, policy_, now_, random_);
  }
  RetryPolicy policy_ = Policy(2, seconds(60), true, seconds(3600));
  std::chrono::system_clock::time_point now_{Utc("2026-11-25T03:00:00Z")};
  ScriptedRandom random_{0.999999};
};

TEST_F(DecideAfterTryTest, ExitZeroSucceeds) {
  const TaskTransition next = Decide(TryOutcome::Exited(0), 1);
  EXPECT_EQ(next.task_state, TaskState::kSuccess);
  EXPECT_EQ(next.try_state, TryState::kSuccess);
  EXPECT_EQ(next.failures, 1);
  EXPECT_FALSE(next.next_attempt_at);
}

TEST_F(DecideAfterTryTest, FailuresRetryWithBackoffThenFailForGood) {
  TaskTransition first = Decide(TryOutcome::Exited(1, "boom", "fix it"), 0);
  EXPECT_EQ(first.task_state, TaskState::kUpForRetry);
  EXPECT_EQ(first.try_state, TryState::kFailed);
  EXPECT_EQ(first.failures, 1);
  EXPECT_EQ(*first.next_attempt_at, now_ + seconds(60));
  EXPECT_EQ(first.message, "boom");
  EXPECT_FALSE(first.final_failure);
  TaskTransition second = Decide(TryOutcome::Signaled(9), 1);
  EXPECT_EQ(second.task_state, TaskState::kUpForRetry);
  EXPECT_EQ(*second.next_attempt_at, now_ + seconds(120));
  EXPECT_NE(second.message.find("signal 9"), std::string::npos);
  TaskTransition third = Decide(TryOutcome::TimedOut(hours(2)), 2);
  EXPECT_EQ(third.task_state, TaskState::kFailed);
  EXPECT_EQ(third.failures, 3);
  EXPECT_TRUE(third.final_failure);
  EXPECT_NE(third.message.find("timeout of 7200 s"), std::string::npos);
  EXPECT_FALSE(third.next_attempt_at);
}

TEST_F(DecideAfterTryTest, QuotaStopDefersWithoutSpendingARetry) {
  const TaskTransition next = Decide(TryOutcome::Exited(kTaskExitQuota), 2);
  EXPECT_EQ(next.task_state, TaskState::kDeferred);
  EXPECT_EQ(next.try_state, TryState::kDeferred);
  EXPECT_EQ(next.failures, 2);
  EXPECT_FALSE(next.final_failure);
  EXPECT_EQ(Text(std::chrono::floor<seconds>(*next.next_attempt_at)), "2026-11-25T15:05:00Z");
  EXPECT_NE(next.hint.find("00:00 KST"), std::string::npos);
}

TEST_F(DecideAfterTryTest, SensorWithNothingNewSkips) {
  const TaskTransition next = Decide(TryOutcome::Exited(kTaskExitNothingNew), 0);
  EXPECT_EQ(next.task_state, TaskState::kSkipped);
  EXPECT_EQ(next.try_state, TryState::kSkipped);
}

TEST_F(DecideAfterTryTest, BadUsageIsNotRetried) {
  const TaskTransition next = Decide(TryOutcome::Exited(kTaskExitUsage), 0);
  EXPECT_EQ(next.task_state, TaskState::kFailed);
  EXPECT_TRUE(next.final_failure);
  EXPECT_EQ(next.failures, 1);
}

TEST_F(DecideAfterTryTest, AVanishedProcessIsAFailedTry) {
  const TaskTransition next = Decide(TryOutcome::Lost(), 0);
  EXPECT_EQ(next.task_state, TaskState::kUpForRetry);
  EXPECT_EQ(next.failures, 1);
  EXPECT_NE(next.hint.find("checkpoint"), std::string::npos);
}

TEST_F(DecideAfterTryTest, AShutdownStopRetriesAtOnceWithoutSpendingARetry) {
  const TaskTransition next = Decide(TryOutcome::Stopped(), 2);
  EXPECT_EQ(next.task_state, TaskState::kUpForRetry);
  EXPECT_EQ(next.try_state, TryState::kStopped);
  EXPECT_EQ(next.failures, 2);
  EXPECT_EQ(*next.next_attempt_at, now_);
}

TEST(TaskStateTest, WaitingTasksFollowTheirUpstream) {
  using S = TaskState;
  EXPECT_EQ(ResolveWaiting(std::vector<S>{}), S::kQueued);
  EXPECT_EQ(ResolveWaiting(std::vector<S>{S::kSuccess, S::kSuccess}), S::kQueued);
  EXPECT_EQ(ResolveWaiting(std::vector<S>{S::kSuccess, S::kRunning}), std::nullopt);
  EXPECT_EQ(ResolveWaiting(std::vector<S>{S::kUpForRetry}), std::nullopt);
  EXPECT_EQ(ResolveWaiting(std::vector<S>{S::kFailed, S::kRunning}), S::kUpstreamFailed);
  EXPECT_EQ(ResolveWaiting(std::vector<S>{S::kUpstreamFailed}), S::kUpstreamFailed);
  EXPECT_EQ(ResolveWaiting(std::vector<S>{S::kSkipped, S::kSuccess}), S::kSkipped);
}

TEST(TaskStateTest, RunStateFromItsTasks) {
  using S = TaskState;
  EXPECT_EQ(DeriveRunState(std::vector<S>{S::kQueued, S::kWaiting}), RunState::kQueued);
  EXPECT_EQ(DeriveRunState(std::vector<S>{S::kRunning, S::kWaiting}), RunState::kRunning);
  EXPECT_EQ(DeriveRunState(std::vector<S>{S::kSuccess, S::kQueued}), RunState::kRunning);
  EXPECT_EQ(DeriveRunState(std::vector<S>{S::kDeferred, S::kWaiting}), RunState::kRunning);
  EXPECT_EQ(DeriveRunState(std::vector<S>{S::kSuccess, S::kSuccess}), RunState::kSuccess);
  EXPECT_EQ(DeriveRunState(std::vector<S>{S::kFailed, S::kUpstreamFailed}), RunState::kFailed);
  EXPECT_EQ(DeriveRunState(std::vector<S>{S::kFailed, S::kRunning}), RunState::kRunning);
  EXPECT_EQ(DeriveRunState(std::vector<S>{S::kSkipped, S::kSkipped}), RunState::kSkipped);
  const std::vector<S> deferred{S::kDeferred, S::kWaiting};
  EXPECT_EQ(PartitionStatusFor(RunState::kRunning, deferred), PartitionStatus::kDeferred);
  EXPECT_EQ(PartitionStatusFor(RunState::kFailed, std::vector<S>{}), PartitionStatus::kFailed);
}

TEST(TaskStateTest, NamesRoundTrip) {
  for (int i = 0; i <= static_cast<int>(TaskState::kUpstreamFailed); ++i) {
    auto state = static_cast<TaskState>(i);
    EXPECT_EQ(*ParseTaskState(TaskStateName(state)), state);
  }
  EXPECT_STREQ(TaskStateName(TaskState::kUpForRetry), "up_for_retry");
  EXPECT_FALSE(ParseRunState("finished").ok());
  EXPECT_TRUE(IsActive(PartitionStatus::kDeferred));
  EXPECT_FALSE(IsActive(PartitionStatus::kFailed));
}

}  // namespace
}  // namespace silverwork::scheduler
