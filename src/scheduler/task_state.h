// The life of a task instance, as pure functions: its states, the retry
// policy with exponential backoff and jitter, and what one try's outcome
// turns the instance into. The SchedulerStore applies these decisions; the
// scheduler loop only reports outcomes.
//
//   waiting --(every upstream task succeeded)--> queued --> running
//   running --> success | failed | up_for_retry | deferred | skipped
//   waiting --(an upstream task failed)--> upstream_failed
//   waiting --(an upstream task was skipped)--> skipped
//   up_for_retry, deferred --(next_attempt_at reached)--> running
//
// A try ends in one of these ways (TryOutcome), decided in this order:
//  - exit 0: success;
//  - exit 4 (kTaskExitNothingNew): a sensor found nothing new: skipped, and
//    so is everything after it;
//  - exit 3 (kTaskExitQuota): the daily quota is spent (code 22): deferred,
//    not failed, no retry spent; it runs again after the quota resets at
//    00:00 KST (plus kQuotaResetMargin) and resumes from its checkpoint;
//  - stopped by the scheduler's own shutdown: up_for_retry at once, no retry
//    spent;
//  - exit 2 (kTaskExitUsage): failed for good (a retry cannot fix bad usage);
//  - any other exit, a signal, a timeout, or a process that vanished (the
//    scheduler found it gone after a restart): a failed try. While failures
//    <= retries the instance is up_for_retry after RetryDelay(); after that
//    it is failed.
//
// Everything here is a pure function of its arguments (randomness comes from
// the RandomSource passed in); thread-safe. RandomSource implementations are
// not synchronized.
#pragma once

#include <chrono>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <string_view>

#include "common/status.h"

namespace silverwork::scheduler {

// Exit codes of `silverwork task run`: the contract between the scheduler
// and the task processes it starts.
inline constexpr int kTaskExitSuccess = 0;
inline constexpr int kTaskExitFailure = 1;
inline constexpr int kTaskExitUsage = 2;
inline constexpr int kTaskExitQuota = 3;
inline constexpr int kTaskExitNothingNew = 4;

enum class TaskState {
  kWaiting,
  kQueued,
  kRunning,
  kSuccess,
  kFailed,
  kUpForRetry,
  kDeferred,
  kSkipped,
  kUpstreamFailed,
};
// How a try ended, as stored with it.
enum class TryState { kRunning, kSuccess, kFailed, kDeferred, kSkipped, kStopped };
enum class RunState { kQueued, kRunning, kSuccess, kFailed, kSkipped };
// A day of a partitioned pipeline. A day with no row is "missing".
enum class PartitionStatus { kQueued, kRunning, kSuccess, kFailed, kDeferred, kSkipped };
// Why a run exists.
enum class RunKind { kScheduled, kCatchup, kManual, kBackfill };

// snake_case names as stored and shown: "up_for_retry", "upstream_failed", ...
const char* TaskStateName(TaskState state);
const char* TryStateName(TryState state);
const char* RunStateName(RunState state);
const char* PartitionStatusName(PartitionStatus status);
const char* RunKindName(RunKind kind);
Result<TaskState> ParseTaskState(std::string_view name);
Result<TryState> ParseTryState(std::string_view name);
Result<RunState> ParseRunState(std::string_view name);
Result<PartitionStatus> ParsePartitionStatus(std::string_view name);
Result<RunKind> ParseRunKind(std::string_view name);

// success, failed, skipped, upstream_failed: nothing more happens.
bool IsTerminal(TaskState state);
bool IsTerminal(RunState state);
// queued, running, deferred: a run owns the day and will still work on it.
bool IsActive(PartitionStatus status);

struct RetryPolicy {
  int retries = 2;  // failed tries allowed after the first
  std::chrono::seconds retry_delay{300};
  bool exponential_backoff = true;
  std::chrono::seconds max_retry_delay{3600};
  std::optional<std::chrono::seconds> timeout;  // none: no limit
};

// Uniform numbers in [0, 1). Not synchronized.
class RandomSource {
 public:
  virtual ~RandomSource() = default;
  virtual double NextUnit() = 0;
};

// A Mersenne Twister seeded once (from std::random_device by default).
class SeededRandom final : public RandomSource {
 public:
  SeededRandom();
  explicit SeededRandom(uint64_t seed) : engine_(seed) {}
  double NextUnit() override;

 private:
  std::mt19937_64 engine_;
};

// The wait after the `failures`-th failed try (1-based) before the next.
// Without backoff: retry_delay. With it: retry_delay * 2^(failures-1),
// capped by max_retry_delay, then "equal jitter": a uniform draw between
// half of that and all of it, so retries of many tasks spread out but none
// comes sooner than half the nominal delay.
std::chrono::seconds RetryDelay(const RetryPolicy& policy, int failures, RandomSource& random);

// How long after the daily quota resets (00:00 KST) a deferred task runs
// again: a little margin against clocks that disagree.
inline constexpr std::chrono::minutes kQuotaResetMargin{5};
// The first "00:00 KST + kQuotaResetMargin" strictly after `now`.
std::chrono::system_clock::time_point NextQuotaReset(std::chrono::system_clock::time_point now);

struct TryOutcome {
  enum class Kind { kExited, kSignaled, kTimedOut, kLost, kStopped };
  Kind kind = Kind::kExited;
  int exit_code = 0;  // kExited
  int signal = 0;     // kSignaled
  // What the task or the scheduler knows about a failure (kept with the try).
  std::string error;
  std::string hint;

  static TryOutcome Exited(int code, std::string error = {}, std::string hint = {});
  static TryOutcome Signaled(int signal);
  static TryOutcome TimedOut(std::chrono::seconds timeout);
  static TryOutcome Lost();
  static TryOutcome Stopped();
};

struct TaskTransition {
  TryState try_state = TryState::kFailed;
  TaskState task_state = TaskState::kFailed;
  int failures = 0;  // failed tries so far, this one included
  // up_for_retry and deferred: when the next try may start.
  std::optional<std::chrono::system_clock::time_point> next_attempt_at;
  // The try failed and no retry is left (the "failed on its last try" alert).
  bool final_failure = false;
  std::string message;  // what happened, for the instance and its try
  std::string hint;
};

// What a try's outcome makes of a task instance that had `failures_before`
// failed tries.
TaskTransition DecideAfterTry(const TryOutcome& outcome, int failures_before,
                              const RetryPolicy& policy, std::chrono::system_clock::time_point now,
                              RandomSource& random);

// What a waiting task becomes given its upstream tasks' states: queued when
// all succeeded, upstream_failed when one failed, skipped when one was
// skipped; nullopt while it must keep waiting.
std::optional<TaskState> ResolveWaiting(std::span<const TaskState> upstream);

// A run's state from its task instances' states: failed when any failed (or
// upstream_failed), skipped when any was skipped, success when all
// succeeded, once all are terminal; before that running when any task has
// started, else queued.
RunState DeriveRunState(std::span<const TaskState> tasks);

// The status of a run's days: deferred while any task waits out the quota.
PartitionStatus PartitionStatusFor(RunState run, std::span<const TaskState> tasks);

}  // namespace silverwork::scheduler
