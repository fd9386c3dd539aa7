#include "scheduler/task_state.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>

#include "common/date.h"

namespace silverwork::scheduler {
namespace {

using std::chrono::seconds;

constexpr std::array<const char*, 9> kTaskStateNames{"waiting",  "queued",  "running",
                                                     "success",  "failed",  "up_for_retry",
                                                     "deferred", "skipped", "upstream_failed"};
constexpr std::array<const char*, 6> kTryStateNames{"running",  "success", "failed",
                                                    "deferred", "skipped", "stopped"};
constexpr std::array<const char*, 5> kRunStateNames{"queued", "running", "success", "failed",
                                                    "skipped"};
constexpr std::array<const char*, 6> kPartitionStatusNames{"queued", "running",  "success",
                                                           "failed", "deferred", "skipped"};
constexpr std::array<const char*, 4> kRunKindNames{"scheduled", "catchup", "manual", "backfill"};

template <typename Enum, size_t N>
Result<Enum> ParseName(std::string_view name, const std::array<const char*, N>& names,
                       std::string_view what) {
  for (size_t i = 0; i < N; ++i)
    if (name == names[i]) return static_cast<Enum>(i);
  return Status(ErrorCode::kCorrupt, fmt::format("unknown {} '{}'", what, name),
                fmt::format("expected one of: {}", fmt::join(names, ", ")));
}

}  // namespace

const char* TaskStateName(TaskState state) { return kTaskStateNames[static_cast<size_t>(state)]; }
const char* TryStateName(TryState state) { return kTryStateNames[static_cast<size_t>(state)]; }
const char* RunStateName(RunState state) { return kRunStateNames[static_cast<size_t>(state)]; }
const char* PartitionStatusName(PartitionStatus status) {
  return kPartitionStatusNames[static_cast<size_t>(status)];
}
const char* RunKindName(RunKind kind) { return kRunKindNames[static_cast<size_t>(kind)]; }

Result<TaskState> ParseTaskState(std::string_view name) {
  return ParseName<TaskState>(name, kTaskStateNames, "task state");
}
Result<TryState> ParseTryState(std::string_view name) {
  return ParseName<TryState>(name, kTryStateNames, "try state");
}
Result<RunState> ParseRunState(std::string_view name) {
  return ParseName<RunState>(name, kRunStateNames, "run state");
}
Result<PartitionStatus> ParsePartitionStatus(std::string_view name) {
  return ParseName<PartitionStatus>(name, kPartitionStatusNames, "partition status");
}
Result<RunKind> ParseRunKind(std::string_view name) {
  return ParseName<RunKind>(name, kRunKindNames, "run kind");
}

bool IsTerminal(TaskState state) {
  return state == TaskState::kSuccess || state == TaskState::kFailed ||
         state == TaskState::kSkipped || state == TaskState::kUpstreamFailed;
}

bool IsTerminal(RunState state) {
  return state == RunState::kSuccess || state == RunState::kFailed || state == RunState::kSkipped;
}

bool IsActive(PartitionStatus status) {
  return status == PartitionStatus::kQueued || status == PartitionStatus::kRunning ||
         status == PartitionStatus::kDeferred;
}

SeededRandom::SeededRandom() : engine_(std::random_device{}()) {}

double SeededRandom::NextUnit() {
  return std::uniform_real_distribution<double>(0.0, 1.0)(engine_);
}

seconds RetryDelay(const RetryPolicy& policy, int failures, RandomSource& random) {
  if (!policy.exponential_backoff) return policy.retry_delay;
  // 2^(failures-1), computed in floating point so large counts cannot overflow.
  const double exponent = std::max(0, failures - 1);
  const double nominal = std::min(
      static_cast<double>(policy.retry_delay.count()) * std::pow(2.0, std::min(exponent, 62.0)),
      static_cast<double>(policy.max_retry_delay.count()));
  const double jittered = nominal / 2 + random.NextUnit() * nominal / 2;
  return seconds(static_cast<int64_t>(std::llround(jittered)));
}

std::chrono::system_clock::time_point NextQuotaReset(std::chrono::system_clock::time_point now) {
  // Korea keeps UTC+9 all year: 00:00 KST is 15:00 UTC the day before. A
  // quota stop within the margin after midnight still belongs to the day
  // that just ended, so it resumes at today's reset.
  auto reset_of = [](Date day) {
    return std::chrono::system_clock::time_point(day.sys_days()) - std::chrono::hours(9) +
           kQuotaResetMargin;
  };
  const Date today = Date::KoreaDay(now);
  if (reset_of(today) > now) return reset_of(today);
  return reset_of(today.AddDays(1));
}

TryOutcome TryOutcome::Exited(int code, std::string error, std::string hint) {
  TryOutcome outcome;
  outcome.exit_code = code;
  outcome.error = std::move(error);
  outcome.hint = std::move(hint);
  return outcome;
}

TryOutcome TryOutcome::Signaled(int signal) {
  TryOutcome outcome;
  outcome.kind = Kind::kSignaled;
  outcome.signal = signal;
  outcome.error = fmt::format("the task process was killed by signal {}", signal);
  outcome.hint = "see the try's log; a crash or an outside kill ends the try, a retry follows";
  return outcome;
}

TryOutcome TryOutcome::TimedOut(seconds timeout) {
  TryOutcome outcome;
  outcome.kind = Kind::kTimedOut;
  outcome.error =
      fmt::format("the task ran longer than its timeout of {} s and was killed", timeout.count());
  outcome.hint = "raise the task's timeout in pipelines.yml if the work is legitimately this long";
  return outcome;
}

TryOutcome TryOutcome::Lost() {
  TryOutcome outcome;
  outcome.kind = Kind::kLost;
  outcome.error = "the task's process was gone when the scheduler checked on it";
  outcome.hint =
      "the scheduler or the machine stopped while the task ran; it is retried and a "
      "collection resumes from its checkpoint";
  return outcome;
}

TryOutcome TryOutcome::Stopped() {
  TryOutcome outcome;
  outcome.kind = Kind::kStopped;
  outcome.error = "stopped because the scheduler shut down";
  outcome.hint = "it runs again when the scheduler starts";
  return outcome;
}

TaskTransition DecideAfterTry(const TryOutcome& outcome, int failures_before,
                              const RetryPolicy& policy, std::chrono::system_clock::time_point now,
                              RandomSource& random) {
  TaskTransition transition;
  transition.failures = failures_before;
  transition.message = outcome.error;
  transition.hint = outcome.hint;
  const bool exited = outcome.kind == TryOutcome::Kind::kExited;
  if (exited && outcome.exit_code == kTaskExitSuccess) {
    transition.try_state = TryState::kSuccess;
    transition.task_state = TaskState::kSuccess;
    return transition;
  }
  if (exited && outcome.exit_code == kTaskExitNothingNew) {
    transition.try_state = TryState::kSkipped;
    transition.task_state = TaskState::kSkipped;
    if (transition.message.empty()) transition.message = "nothing new: the run is skipped";
    return transition;
  }
  if (exited && outcome.exit_code == kTaskExitQuota) {
    transition.try_state = TryState::kDeferred;
    transition.task_state = TaskState::kDeferred;
    transition.next_attempt_at = NextQuotaReset(now);
    if (transition.message.empty()) transition.message = "the daily quota is spent";
    if (transition.hint.empty())
      transition.hint = "deferred, not failed: it resumes from its checkpoint after 00:00 KST";
    return transition;
  }
  if (outcome.kind == TryOutcome::Kind::kStopped) {
    transition.try_state = TryState::kStopped;
    transition.task_state = TaskState::kUpForRetry;
    transition.next_attempt_at = now;
    return transition;
  }
  transition.try_state = TryState::kFailed;
  transition.failures = failures_before + 1;
  if (exited && transition.message.empty())
    transition.message = fmt::format("the task exited with code {}", outcome.exit_code);
  const bool permanent = exited && outcome.exit_code == kTaskExitUsage;
  if (!permanent && transition.failures <= policy.retries) {
    transition.task_state = TaskState::kUpForRetry;
    transition.next_attempt_at = now + RetryDelay(policy, transition.failures, random);
    return transition;
  }
  transition.task_state = TaskState::kFailed;
  transition.final_failure = true;
  return transition;
}

std::optional<TaskState> ResolveWaiting(std::span<const TaskState> upstream) {
  auto any = [&](auto predicate) {
    return std::any_of(upstream.begin(), upstream.end(), predicate);
  };
  if (any([](TaskState s) { return s == TaskState::kFailed || s == TaskState::kUpstreamFailed; }))
    return TaskState::kUpstreamFailed;
  if (any([](TaskState s) { return s == TaskState::kSkipped; })) return TaskState::kSkipped;
  if (std::all_of(upstream.begin(), upstream.end(),
                  [](TaskState s) { return s == TaskState::kSuccess; }))
    return TaskState::kQueued;
  return std::nullopt;
}

RunState DeriveRunState(std::span<const TaskState> tasks) {
  auto any = [&](auto predicate) { return std::any_of(tasks.begin(), tasks.end(), predicate); };
  const bool all_terminal =
      std::all_of(tasks.begin(), tasks.end(), [](TaskState s) { return IsTerminal(s); });
  if (all_terminal) {
    if (any([](TaskState s) { return s == TaskState::kFailed || s == TaskState::kUpstreamFailed; }))
      return RunState::kFailed;
    if (any([](TaskState s) { return s == TaskState::kSkipped; })) return RunState::kSkipped;
    return RunState::kSuccess;
  }
  const bool started =
      any([](TaskState s) { return s != TaskState::kWaiting && s != TaskState::kQueued; });
  return started ? RunState::kRunning : RunState::kQueued;
}

PartitionStatus PartitionStatusFor(RunState run, std::span<const TaskState> tasks) {
  switch (run) {
    case RunState::kQueued:
      return PartitionStatus::kQueued;
    case RunState::kRunning:
      return std::any_of(tasks.begin(), tasks.end(),
                         [](TaskState s) { return s == TaskState::kDeferred; })
                 ? PartitionStatus::kDeferred
                 : PartitionStatus::kRunning;
    case RunState::kSuccess:
      return PartitionStatus::kSuccess;
    case RunState::kFailed:
      return PartitionStatus::kFailed;
    case RunState::kSkipped:
      return PartitionStatus::kSkipped;
  }
  return PartitionStatus::kFailed;
}

}  // namespace silverwork::scheduler
